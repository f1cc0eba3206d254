"""AI-content labels (GB 45438-2025): the AIGC metadata read back from the MP4, the notice measured in the opening frames."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.catalog import Catalog
from pipeline.config import load_config, parse_config
from pipeline.errors import ConfigError
from pipeline.media.aigc import AigcLabel, read_aigc, read_tags, relabel
from pipeline.media.ffmpeg import ffmpeg_exe
from pipeline.picture.fonts import resolve_font
from pipeline.picture.frames import Painter
from pipeline.picture.notice import Notice
from pipeline.review.check import check
from pipeline.script import parse_script
from tests.conftest import Built
from tests.media import audio_samples, frame_at, rms


def ffmpeg_tags(video: Path) -> dict[str, str]:
    """What ffprobe would print of the format tags, read from ``ffmpeg -i`` (the wheel has no ffprobe)."""
    report = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(video)], capture_output=True, text=True).stderr
    return {m[1]: m[2] for m in re.finditer(r"^\s{4}(\w+)\s*: (.*)$", report, re.M)}


def manifest(built: Built) -> dict[str, object]:
    return json.loads(built.episode.manifest.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_the_built_mp4_carries_the_aigc_metadata(built: Built) -> None:
    data = manifest(built)
    expected = {
        "Label": "1",
        "ContentProducer": "秦皇岛市抚宁区司法局",
        "ProduceID": f"pufa-0007-{str(data['input_hash'])[:16]}",
        "ReservedCode1": "",
        "ContentPropagator": "",
        "PropagateID": "",
        "ReservedCode2": "",
    }
    assert json.loads(ffmpeg_tags(built.episode.video)["AIGC"]) == expected
    assert read_aigc(built.episode.video) == AigcLabel.from_json(json.dumps(expected))
    assert data["ai_label"]["aigc"] == expected  # type: ignore[index]
    with Catalog(built.config.catalog_path) as catalog:
        row = catalog.get(7)
    assert row is not None and json.loads(row.aigc) == expected and row.ai_notice == "本视频配音由人工智能合成"


def test_the_opening_frames_show_the_notice_for_the_whole_title_card(built: Built) -> None:
    notice = manifest(built)["ai_label"]["opening_notice"]  # type: ignore[index]
    assert (notice["text"], notice["start"], notice["end"]) == ("本视频配音由人工智能合成", 0.0, 2.5)
    left, top, right, bottom = notice["box"]
    assert 0 <= left < right <= 1080 and 0 < top < bottom <= 0.85 * 1920, "inside the safe area"
    # The title card drawn without the notice: what the frame would be if it were missing.
    config = built.config
    episode = parse_script(config.root / "scripts" / "0007-gaokong.md")
    bare = np.asarray(Painter(config, resolve_font(config), 1080, 1920).title_card(episode).convert("RGB"))
    for seconds in (0.05, 1.2, 2.4):
        frame = np.asarray(frame_at(built.episode.video, seconds)).astype(int)
        region = frame[top:bottom, left:right]
        # White notice text on its dark band, where the bare title card has only the gradient.
        text = (region > 140).all(axis=2)
        rows = np.flatnonzero(text.any(axis=1))
        assert text.sum() > 3000, seconds
        assert rows[-1] - rows[0] + 1 >= 54, "characters at least 5% of the 1080 px side tall"
        assert not (bare[top:bottom, left:right] > 200).all(axis=2).any()


def test_notice_height_is_measured_from_the_drawn_state(built: Built) -> None:
    config = built.config
    font = resolve_font(config)
    notice = Notice(config, font, 1080, 1920)
    plain = Image.new("RGB", (1080, 1920), (20, 40, 80))
    drawn = np.asarray(notice.decorate(("title",), plain)).astype(int)
    ink = (drawn > 140).all(axis=2)
    rows = np.flatnonzero(ink.any(axis=1))
    assert notice.layout is not None
    assert abs(rows[-1] - rows[0] + 1 - notice.layout.text_height) <= 1 and notice.layout.text_height >= 54
    untouched = np.asarray(notice.decorate(("scene", 0, -1, 1), plain))
    assert (untouched == np.asarray(plain)).all(), "only the opening title card carries the notice"


def test_corner_notice_and_switching_labels_off(built: Built, tmp_path: Path) -> None:
    font = resolve_font(built.config)
    corner = parse_config({"compliance": {"corner_notice": True}}, tmp_path)
    plain = Image.new("RGB", (1080, 1920), (20, 40, 80))
    scene = np.asarray(Notice(corner, font, 1080, 1920).decorate(("scene", 0, -1, 1), plain)).astype(int)
    marked = np.argwhere((scene > 200).all(axis=2))
    assert len(marked) > 200 and marked[:, 0].max() < 0.15 * 1920 and marked[:, 1].min() > 1080 / 2, "top right"
    off = parse_config({"compliance": {"ai_generated": False}}, tmp_path)
    assert Notice(off, font, 1080, 1920).decorate(("title",), plain) is plain


def test_a_title_card_shorter_than_the_notice_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'video.title_seconds' is 1.5 but the opening title card carries the AI"):
        parse_config({"video": {"title_seconds": 1.5}}, tmp_path)
    parse_config({"video": {"title_seconds": 1.5}, "compliance": {"ai_generated": False}}, tmp_path)
    with pytest.raises(ConfigError, match=r"'compliance.notice_seconds' must be between 2.0 and 10.0"):
        parse_config({"compliance": {"notice_seconds": 1.0}}, tmp_path)


def test_check_verifies_the_labels_of_built_videos(built: Built, tmp_path: Path) -> None:
    root = tmp_path / "series"
    shutil.copytree(built.config.root, root)
    config = load_config(root)
    messages = [f.message for f in check(config).findings if "AI" in f.message or "AIGC" in f.message]
    assert messages == []
    video = root / "output" / "episodes" / "0007-gaokong" / "0007.mp4"
    stripped = tmp_path / "stripped.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-c", "copy", str(stripped)], check=True)
    assert "AIGC" not in read_tags(stripped)
    shutil.copyfile(stripped, video)
    errors = [f for f in check(config).findings if f.severity == "error"]
    assert [(f.path.name, f.message) for f in errors] == [
        (
            "0007-gaokong.md",
            "the built video output/episodes/0007-gaokong/0007.mp4 has no AIGC metadata, not the label its build "
            "wrote; rebuild it (pufa build --force)",
        )
    ]


def test_relabel_fills_the_propagator_and_keeps_the_rest(built: Built, tmp_path: Path) -> None:
    label = read_aigc(built.episode.video)
    assert label is not None
    copy = tmp_path / "copy.mp4"
    relabel(built.episode.video, copy, label.propagated("抚宁司法", "channels-0007"))
    assert json.loads(ffmpeg_tags(copy)["AIGC"]) == {
        **label.as_dict(),
        "ContentPropagator": "抚宁司法",
        "PropagateID": "channels-0007",
    }


def test_the_spoken_notice_is_said_over_a_title_card_long_enough(built: Built, tmp_path: Path) -> None:

    from pipeline.build import build

    root = tmp_path / "series"
    shutil.copytree(built.config.root, root)
    with (root / "pufa.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[compliance]\nspoken_notice = true\ncorner_notice = true\n")
    config = load_config(root)
    report = build(config)
    assert [b.number for b in report.built] == [7]
    data = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    assert data["ai_label"]["spoken_notice"] == "本视频配音由人工智能合成"
    assert data["ai_label"]["corner_notice"] == "AI合成配音"
    title_end = data["title_card"]["end"]
    assert title_end > 2.5, "the title card waits for the spoken notice"
    assert data["captions"][0]["start"] > title_end
    samples = audio_samples(report.built[0].video)
    assert rms(samples, 0.3, title_end - 0.5) > 20 * max(rms(samples, 0.0, 0.15), 10), "the notice is heard"
