"""Accessibility: WebVTT captions beside the SRT, and the large-caption theme (适老化)."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import load_config, parse_config
from tests.conftest import Built
from tests.media import parse_srt


def test_webvtt_holds_the_srt_cues_in_web_form(built: Built) -> None:
    vtt = built.episode.subtitles.with_suffix(".vtt").read_text(encoding="utf-8")
    srt = built.episode.subtitles.read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n1\n")
    cues = parse_srt(srt)
    blocks = vtt.split("\n\n")[1:]
    assert len(blocks) == len(cues)
    for cue, block in zip(cues, blocks, strict=True):
        index, times, *text = block.strip("\n").split("\n")
        assert (int(index), "\n".join(text)) == (cue.index, cue.text)
        start, end = times.split(" --> ")
        assert (seconds(start), seconds(end)) == (round(cue.start, 3), round(cue.end, 3))


def seconds(stamp: str) -> float:
    hours, minutes, rest = stamp.split(":")
    return round(int(hours) * 3600 + int(minutes) * 60 + float(rest), 3)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_the_large_caption_theme_is_larger_and_higher_contrast(tmp_path: Path) -> None:
    normal = parse_config({}, tmp_path).captions
    large = parse_config({"theme": {"name": "large"}}, tmp_path)
    captions = large.captions
    assert captions.font_size >= normal.font_size * 1.3 and captions.stroke_width > normal.stroke_width
    # The band, composited over the darkest background, against the caption colour (WCAG contrast ratio).
    alpha = int(captions.band[7:9], 16) / 255
    bottom = large.theme.background_bottom
    band = "#" + "".join(
        f"{round(int(captions.band[i : i + 2], 16) * alpha + int(bottom[i : i + 2], 16) * (1 - alpha)):02X}"
        for i in (1, 3, 5)
    )
    ratio = (luminance(captions.colour) + 0.05) / (luminance(band) + 0.05)
    assert ratio >= 15, ratio
    assert parse_config({"theme": {"name": "large"}, "captions": {"font_size": 80}}, tmp_path).captions.font_size == 80


def test_a_build_can_choose_the_theme(tmp_path: Path) -> None:
    (tmp_path / "pufa.toml").write_text('[theme]\nname = "crimson"\n', encoding="utf-8")
    assert load_config(tmp_path).theme.name == "crimson"
    chosen = load_config(tmp_path, theme="large")
    assert (chosen.theme.name, chosen.captions.font_size) == ("large", 72)
