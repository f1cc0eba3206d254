from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline import render as render_module
from pipeline.build import build
from pipeline.config import load_config
from pipeline.errors import RenderError
from pipeline.media.ffmpeg import probe
from tests.conftest import GOLDEN, Built, ScriptWriter
from tests.media import audio_samples, frame_at, parse_srt, rms

VOLATILE_MANIFEST_KEYS = ("inputs", "input_hash", "pipeline_version")


def test_video_stream_is_vertical_hd_h264_aac_with_moov_first(built: Built) -> None:
    info = probe(built.episode.video)
    assert (info.width, info.height, info.fps) == (1080, 1920, 30.0)
    assert (info.video_codec, info.pixel_format, info.audio_codec) == ("h264", "yuv420p", "aac")
    assert info.moov_first


def test_video_lasts_as_long_as_the_narration(built: Built) -> None:
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    assert abs(probe(built.episode.video).duration - manifest["duration"]) <= 0.1
    assert manifest["duration"] == pytest.approx(built.episode.duration)


def test_srt_holds_the_same_text_and_times_as_the_manifest(built: Built) -> None:
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    cues = parse_srt(built.episode.subtitles.read_text(encoding="utf-8"))
    assert [(c.index, c.text) for c in cues] == [(m["index"], m["text"]) for m in manifest["captions"]]
    for cue, entry in zip(cues, manifest["captions"], strict=True):
        assert cue.start == pytest.approx(entry["start"], abs=0.001)
        assert cue.end == pytest.approx(entry["end"], abs=0.001)
    assert [c.text for c in cues] == [
        "大家好，今天讲高空抛物",
        "《中华人民共和国民法典》\n第一千二百五十四条规定：",
        "禁止从建筑物中抛掷物品",
        "有困难，请拨打12348",
    ]


def test_voice_is_heard_while_each_caption_is_on_screen(built: Built) -> None:
    samples = audio_samples(built.episode.video)
    cues = parse_srt(built.episode.subtitles.read_text(encoding="utf-8"))
    silence = rms(samples, 0.2, cues[0].start - 0.2)
    assert silence < 50, "the title card is silent"
    for cue in cues:
        assert rms(samples, cue.start, cue.end) > 20 * max(silence, 10), cue.text
        # The voice does not start before the caption: the frame before it is quiet.
        assert rms(samples, cue.start - 0.1, cue.start - 0.03) < rms(samples, cue.start, cue.end) / 4, cue.text


def test_spoken_words_are_burned_in_while_spoken_and_no_caption_on_the_title_card(built: Built) -> None:
    cues = parse_srt(built.episode.subtitles.read_text(encoding="utf-8"))
    # Below the title card's AI notice (it ends at 1492): the caption's one line sits at the bottom.
    band = (60, 1500, 1020, 1620)
    middle = (60, 300, 1020, 1300)

    def white_pixels(seconds: float, box: tuple[int, int, int, int]) -> int:
        region = np.asarray(frame_at(built.episode.video, seconds).crop(box)).astype(int)
        return int(((region > 230).all(axis=2)).sum())

    assert white_pixels(1.0, band) == 0
    # The first scene has no picture: its one sentence is set large in the middle instead of a caption.
    assert white_pixels((cues[0].start + cues[0].end) / 2, middle) > 2000


def test_golden_subtitles_and_manifest(built: Built) -> None:
    srt = built.episode.subtitles.read_text(encoding="utf-8")
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    for key in VOLATILE_MANIFEST_KEYS:
        manifest.pop(key)
    manifest["voice"].pop("engine_version")
    manifest["voice"].pop("recordings")  # audio cache keys: made of the engine version
    manifest["ai_label"]["aigc"].pop("ProduceID")  # made of the input hash
    stable = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    if os.environ.get("PUFA_UPDATE_GOLDEN"):
        (GOLDEN / "0007.srt").write_text(srt, encoding="utf-8")
        (GOLDEN / "0007.manifest.json").write_text(stable, encoding="utf-8")
    assert srt == (GOLDEN / "0007.srt").read_text(encoding="utf-8")
    assert stable == (GOLDEN / "0007.manifest.json").read_text(encoding="utf-8")


def test_manifest_records_voice_and_input_hashes(built: Built) -> None:
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    assert manifest["voice"]["engine"] == "espeak" and manifest["voice"]["draft_voice"] is True
    assert set(manifest["inputs"]) == {
        "script",
        "script_path",
        "images",
        "config",
        "font",
        "lexicon",
        "sound",
        "voice",
        "pipeline",
    }
    assert list(manifest["inputs"]["images"]) == ["assets/images/building.png"]
    assert len(manifest["input_hash"]) == 64


def test_manifest_lists_the_recordings_the_voice_was_asked_for(built: Built) -> None:
    from pipeline.render import Tools, audio_cache_keys
    from pipeline.script import parse_script

    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    tools = Tools.load(built.config, "espeak")
    episode = parse_script(built.config.root / manifest["script"], tools.font.missing)
    recordings = manifest["voice"]["recordings"]
    assert recordings == list(audio_cache_keys(built.config, episode, tools))
    assert len(recordings) == len(manifest["scenes"]), "one a scene (the notice is not spoken by default)"
    assert all(tools.voice.engine.entry_path(key).is_file() for key in recordings)


def test_cover_is_three_by_four(built: Built) -> None:
    with Image.open(built.episode.cover) as cover:
        assert (cover.format, cover.size) == ("JPEG", (1080, 1440))


def test_catalog_row_and_exports(built: Built) -> None:
    db = sqlite3.connect(built.config.catalog_path)
    db.row_factory = sqlite3.Row
    row = dict(db.execute("SELECT * FROM episodes").fetchone())
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    assert row["number"] == 7 and row["title"] == "高空抛物要担责" and row["topic"] == "民法典"
    assert json.loads(row["laws"]) == ["《中华人民共和国民法典》第一千二百五十四条"]
    # status: final in the script approves nothing: a build is a draft until its review.
    assert (row["status"], row["voice_engine"], row["voice"]) == ("draft", "espeak", "cmn")
    assert row["video"] == "output/episodes/0007-gaokong/0007.mp4"
    assert row["input_hash"] == manifest["input_hash"]
    assert row["duration"] == pytest.approx(manifest["duration"])
    exported = json.loads((built.config.output_dir / "catalog.json").read_text(encoding="utf-8"))
    assert [e["number"] for e in exported] == [7]
    assert (built.config.output_dir / "catalog.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_no_temporary_files_are_left(built: Built) -> None:
    leftovers = [p for p in built.config.output_dir.rglob("*") if p.name.startswith(".") and ".locks" not in p.parts]
    assert leftovers == []
    assert sorted(p.name for p in built.episode.folder.iterdir()) == [
        "0007.mp4",
        "0007.srt",
        "0007.vtt",
        "cover.jpg",
        "manifest.json",
    ]


TINY = "---\nepisode: {n}\ntitle: 小测试\ntopic: 刑法\n---\n## 开场\n你好。\n"


def test_a_bad_script_fails_alone_and_the_others_still_build(project: Path, write_script: ScriptWriter) -> None:
    write_script("0001-good.md", TINY.format(n=1))
    bad = write_script("0002-bad.md", "---\nepisode: 2\ntitle: 坏\n---\n## 开场\n")
    report = build(load_config(project))
    assert [b.number for b in report.built] == [1]
    assert [f.script for f in report.failed] == [bad.resolve()]
    assert report.failed[0].message.splitlines() == [
        f"{bad}:1: error: missing field 'topic' in the front matter",
        f"{bad}:5: error: scene '开场' has no narration",
    ]
    assert sorted(p.name for p in (project / "output" / "episodes").iterdir()) == ["0001-good"]
    rows = sqlite3.connect(project / "catalog.db").execute("SELECT number FROM episodes").fetchall()
    assert rows == [(1,)]


def test_a_failed_encode_leaves_no_output_and_no_catalog_row(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_script("0001-good.md", TINY.format(n=1))

    def broken_encode(
        plan: object, audio: object, target: Path, settings: object, *, label: str, progress: object, tags: object
    ) -> None:
        target.write_bytes(b"half a video")
        raise RenderError(f"{label}: ffmpeg failed to encode the video: disk full")

    monkeypatch.setattr(render_module, "encode", broken_encode)
    report = build(load_config(project))
    assert report.built == ()
    assert report.failed[0].message.endswith("error: episode 1: ffmpeg failed to encode the video: disk full")
    assert list((project / "output" / "episodes").iterdir()) == []
    assert sqlite3.connect(project / "catalog.db").execute("SELECT count(*) FROM episodes").fetchone() == (0,)


def test_building_one_named_script_still_checks_numbers_across_the_series(
    project: Path, write_script: ScriptWriter
) -> None:
    first = write_script("a.md", TINY.format(n=5))
    write_script("b.md", TINY.format(n=5))
    report = build(load_config(project), [first])
    assert report.built == ()
    assert "episode 5 is also used by" in report.failed[0].message
