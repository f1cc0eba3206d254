"""Music under the voice, and broadcast loudness measured on the built episode with the EBU R128 meter."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from pipeline.build import build
from pipeline.config import load_config
from pipeline.media.sound import RATE, decode, duck_envelope, loop_to, measure, music_bed
from tests.conftest import REPO, SHORT_SCRIPT, make_project

MUSIC = REPO / "assets" / "music" / "gentle-steps.m4a"


def rms_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples))) + 1e-12))


@pytest.fixture(scope="module")
def with_music(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = make_project(tmp_path_factory.mktemp("sound") / "series")
    (root / "assets" / "music").mkdir()
    shutil.copy(MUSIC, root / "assets" / "music" / "theme.m4a")
    for sting in ("opening-sting.m4a", "closing-sting.m4a"):
        shutil.copy(REPO / "assets" / "music" / sting, root / "assets" / "music" / sting)
    config_text = (root / "pufa.toml").read_text(encoding="utf-8")
    sound = (
        '\n[sound]\nmusic = "assets/music/theme.m4a"\nopening_stinger = "assets/music/opening-sting.m4a"\n'
        'closing_stinger = "assets/music/closing-sting.m4a"\n'
    )
    (root / "pufa.toml").write_text(config_text + sound, encoding="utf-8")
    (root / "scripts" / "0007-gaokong.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    report = build(load_config(root))
    assert report.ok, report.failed
    manifest = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    return report.built[0].video, manifest


def test_built_episode_meets_broadcast_loudness(with_music: tuple[Path, dict[str, object]]) -> None:
    video, manifest = with_music
    measured = measure(video)
    assert abs(measured.integrated - -16.0) <= 1.0, measured
    assert measured.true_peak <= -1.5, measured
    recorded = manifest["sound"]["loudness"]  # type: ignore[index]
    assert recorded["integrated_lufs"] == pytest.approx(measured.integrated, abs=0.3)
    assert recorded["true_peak_dbtp"] <= -1.5
    assert manifest["sound"]["music"] == "theme.m4a"  # type: ignore[index]


def test_music_plays_under_the_title_card(with_music: tuple[Path, dict[str, object]]) -> None:
    video, manifest = with_music
    audio = decode(video)
    title_end = manifest["title_card"]["end"]  # type: ignore[index]
    assert rms_db(audio[int(1.6 * RATE) : int(title_end * RATE)]) > -45, "the music is heard before the voice starts"


def test_the_project_stings_make_title_and_closing_cards_heard(with_music: tuple[Path, dict[str, object]]) -> None:
    video, manifest = with_music
    audio = decode(video)
    title_end = manifest["title_card"]["end"]  # type: ignore[index]
    closing = manifest["closing_card"]  # type: ignore[index]
    speech = rms_db(audio[int(title_end * RATE) : int(closing["start"] * RATE)])
    title = rms_db(audio[: int(title_end * RATE)])
    ending = rms_db(audio[int(closing["start"] * RATE) : int(closing["end"] * RATE)])
    assert title > speech - 10, f"title card {title:.1f} dB against speech {speech:.1f} dB"
    assert ending > speech - 10, f"closing card {ending:.1f} dB against speech {speech:.1f} dB"
    # ... and never jump out above the voice (they were 6 dB over it when mixed at their file level).
    assert title < speech, f"title card {title:.1f} dB against speech {speech:.1f} dB"
    assert ending < speech, f"closing card {ending:.1f} dB against speech {speech:.1f} dB"


def test_music_is_ducked_at_least_12_db_under_speech_and_recovers_in_pauses() -> None:
    music = decode(MUSIC)
    length = 20 * RATE
    speech = [(3.0, 6.0), (6.2, 9.0), (14.0, 17.0)]  # a 0.2 s gap, then a 5 s pause
    bed = music_bed(music, length, speech, level_db=-16.0)
    under_speech = rms_db(bed[int(3.5 * RATE) : int(8.5 * RATE)])
    in_pause = rms_db(bed[int(10.0 * RATE) : int(13.0 * RATE)])
    assert in_pause - under_speech >= 12.0


def test_no_pumping_in_short_gaps() -> None:
    envelope = duck_envelope(12 * RATE, [(2.0, 4.0), (4.2, 6.0)])
    gap = envelope[int(4.0 * RATE) : int(4.2 * RATE)]
    assert gap.max() <= 10 ** (-14 / 20), "the music stays down through a 200 ms gap"
    assert envelope[int(8.0 * RATE)] == pytest.approx(1.0), "and comes back in a real pause"
    release = envelope[int(6.0 * RATE) : int(6.3 * RATE)]
    assert release.max() <= 10 ** (-14 / 20), "held for at least 300 ms after speech"


def test_music_loops_to_any_length_without_a_gap() -> None:
    music = decode(MUSIC)
    looped = loop_to(music, 3 * len(music))
    assert looped.shape == (3 * len(music), 2)
    window = RATE // 4
    levels = [rms_db(looped[i : i + window]) for i in range(0, len(looped) - window, window)]
    assert min(levels) > max(levels) - 20, "no drop-out at the joins"


def test_music_none_in_the_script(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    (root / "assets" / "music").mkdir()
    shutil.copy(MUSIC, root / "assets" / "music" / "theme.m4a")
    (root / "pufa.toml").write_text(
        (root / "pufa.toml").read_text(encoding="utf-8") + '\n[sound]\nmusic = "assets/music/theme.m4a"\n',
        encoding="utf-8",
    )
    (root / "scripts" / "0001.md").write_text(
        "---\nepisode: 1\ntitle: 无音乐\ntopic: 刑法\nmusic: none\n---\n## 开场\n你好。\n", encoding="utf-8"
    )
    report = build(load_config(root))
    manifest = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    assert manifest["sound"]["music"] is None


def test_stinger_sounds_where_it_is_placed(tmp_path: Path) -> None:
    import wave

    from pipeline.media.sound import mix

    silent = tmp_path / "narration.wav"
    with wave.open(str(silent), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(22050)
        handle.writeframes(b"\0\0" * 22050 * 6)
    result = mix(silent, [], tmp_path / "mix.wav", music=None, music_level_db=-16.0, stingers=[(MUSIC, 3.0)])
    audio = decode(result.path)
    assert rms_db(audio[: int(2.9 * RATE)]) < -80
    assert rms_db(audio[int(3.2 * RATE) : int(5.5 * RATE)]) > -40


def test_a_long_mix_is_made_block_by_block(tmp_path: Path) -> None:
    """Across block boundaries the voice and the music continue without a step."""
    import wave

    from pipeline.media.sound import BLOCK, mix

    narration = tmp_path / "narration.wav"
    tone = (np.sin(np.arange(22050 * 25) * 2 * np.pi * 220 / 22050) * 8000).astype("<i2")
    with wave.open(str(narration), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(22050)
        handle.writeframes(tone.tobytes())
    result = mix(narration, [(0.0, 25.0)], tmp_path / "mix.wav", music=MUSIC, music_level_db=-16.0)
    audio = decode(result.path)[:, 0]
    assert len(audio) == pytest.approx(25 * RATE, abs=2)
    around = audio[BLOCK - 2000 : BLOCK + 2000]
    assert np.abs(np.diff(around)).max() < 0.2, "no click where one block ends and the next begins"
