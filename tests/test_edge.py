from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import plan as plan_module
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import VoiceError
from pipeline.speech.base import VoiceSettings
from pipeline.speech.edge import Boundary, EdgeEngine, align, split_requests
from pipeline.speech.engines import CachedEngine, EngineChoice
from tests.conftest import ScriptWriter
from tests.edge_replay import Replay, boundaries
from tests.media import parse_srt

SCENE = ["大家好，今天讲高空抛物。", "禁止从建筑物中抛掷物品。", "有困难，请拨打幺二三四八。"]
NUMBERS = ["反诈专线是", "九六幺幺零，", "请记牢。"]
VOICE = VoiceSettings("zh-CN-YunxiNeural", rate=1.1, volume=1.0, pitch=-2)
TOLERANCE = 0.05


def engine(*recordings: str, tries: int = 3) -> tuple[EdgeEngine, Replay, list[float]]:
    replay = Replay(*recordings)
    sleeps: list[float] = []
    return EdgeEngine(replay, tries=tries, sleep=sleeps.append), replay, sleeps


def words_by_piece(pieces: list[str], recorded: list[Boundary]) -> list[list[Boundary]]:
    """Which recorded boundaries cover each piece, by walking the words in order."""
    result: list[list[Boundary]] = [[] for _ in pieces]
    remaining = list(recorded)
    for index, piece in enumerate(pieces):
        letters = "".join(c for c in piece if c.isalnum())
        while remaining and remaining[0].text in letters:
            letters = letters.split(remaining[0].text, 1)[1]
            result[index].append(remaining.pop(0))
    return result


def test_captions_start_and_end_on_the_boundaries_that_cover_them() -> None:
    edge, replay, _ = engine("scene.jsonl")
    utterance = edge.speak(SCENE, VOICE)
    assert replay.requests == [("".join(SCENE), VOICE)]
    assert utterance.sample_rate == 24000 and utterance.notes == ()
    for (start, end), covering in zip(utterance.pieces, words_by_piece(SCENE, boundaries("scene.jsonl")), strict=True):
        assert covering, "every piece has words"
        assert abs(start - covering[0].start) <= TOLERANCE
        assert abs(end - covering[-1].end) <= TOLERANCE
    assert utterance.duration >= utterance.pieces[-1][1]


def test_unmatched_words_are_timed_by_character_count_and_noted() -> None:
    edge, _, _ = engine("numbers.jsonl")
    utterance = edge.speak(NUMBERS, VOICE)
    (a_start, a_end), (b_start, b_end), (c_start, c_end) = utterance.pieces
    assert utterance.notes == ("piece 2: no word boundaries matched; timed by character count",)
    assert (b_start, b_end) == (pytest.approx(a_end), pytest.approx(c_start))
    recorded = boundaries("numbers.jsonl")
    assert abs(a_start - recorded[0].start) <= TOLERANCE and abs(c_end - recorded[-1].end) <= TOLERANCE


@pytest.mark.parametrize("fault", ["cut.jsonl", "timeout.jsonl"])
def test_a_stream_cut_off_or_timed_out_mid_way_is_retried(fault: str) -> None:
    edge, replay, sleeps = engine(fault, "scene.jsonl")
    utterance = edge.speak(SCENE, VOICE)
    assert len(replay.requests) == 2 and sleeps == [1.0]
    assert len(utterance.pieces) == 3


def test_403_is_retried_with_backoff_then_fails_with_what_to_do() -> None:
    edge, replay, sleeps = engine("forbidden.jsonl")
    with pytest.raises(VoiceError) as caught:
        edge.speak(SCENE, VOICE)
    assert str(caught.value) == "edge-tts unreachable after 3 tries (HTTP 403); build with --tts espeak for a draft"
    assert len(replay.requests) == 3 and sleeps == [1.0, 2.0]


def test_403_then_success() -> None:
    edge, replay, _ = engine("forbidden.jsonl", "scene.jsonl")
    assert len(edge.speak(SCENE, VOICE).pieces) == 3
    assert len(replay.requests) == 2


def test_long_scenes_are_split_after_sentences_under_the_limit() -> None:
    pieces = ["一二三四五。", "六七八，", "九十。", "甲乙丙丁。"]
    assert split_requests(pieces, limit=10) == [["一二三四五。"], ["六七八，", "九十。"], ["甲乙丙丁。"]]
    assert split_requests(["很长" * 300 + "。"], limit=400) == [["很长" * 300 + "。"]]


def test_align_ignores_punctuation_and_the_services_own_word_segmentation() -> None:
    spans, notes = align(
        ["你好，世界。", "再见！"],
        [Boundary(0.0, 0.4, "你好"), Boundary(0.5, 0.9, "世界"), Boundary(1.2, 1.6, "再见")],
        2.0,
    )
    assert (spans, notes) == ([(0.0, 0.9), (1.2, 1.6)], [])


def test_a_whole_episode_built_with_the_edge_engine(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The done-when check: every caption within 50 ms of the boundaries that cover it, in the built SRT."""
    write_script("0001-edge.md", "---\nepisode: 1\ntitle: 测试\ntopic: 刑法\n---\n## 开场\n" + "".join(SCENE) + "\n")
    replay = Replay("scene.jsonl")
    choice = EngineChoice(CachedEngine(EdgeEngine(replay, sleep=lambda _s: None)))
    monkeypatch.setattr(plan_module, "choose_engine", lambda _name, **_options: choice)
    report = build(load_config(project), tts="edge")
    assert report.ok, report.failed
    manifest = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    assert manifest["voice"]["engine"] == "edge" and manifest["voice"]["draft_voice"] is False
    assert manifest["voice"]["voice"] == "zh-CN-YunxiNeural"
    scene_start = manifest["scenes"][0]["start"] + build_module_lead_in()
    cues = parse_srt(report.built[0].subtitles.read_text(encoding="utf-8"))
    covering = words_by_piece(SCENE, boundaries("scene.jsonl"))
    assert len(cues) == len(covering)
    for cue, words in zip(cues, covering, strict=True):
        assert abs(cue.start - (scene_start + words[0].start)) <= TOLERANCE, cue
        assert abs(cue.end - (scene_start + words[-1].end)) <= TOLERANCE, cue
    assert replay.requests[0][0] == "".join(SCENE)


def build_module_lead_in() -> float:
    from pipeline.speech.narration import SCENE_LEAD_IN

    return SCENE_LEAD_IN
