"""``pufa export jianying``: the draft loads back with pyJianYingDraft, timed exactly as the manifest,
carrying every word the video shows as editable text over pictures that hold none."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from PIL import Image

from pipeline.build import build
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.export.jianying import draft_media, draft_texts, draft_tracks
from pipeline.picture.fonts import resolve_bold_font, resolve_font
from pipeline.picture.frames import Painter
from pipeline.picture.layout import Layout, Screen, Text
from pipeline.script import parse_script
from tests.conftest import Built, make_project


def us(seconds: float) -> int:
    return round(seconds * 1_000_000)


def span(start: float, end: float) -> tuple[int, int]:
    return (us(start), us(end) - us(start))


def unit(hex_colour: str) -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    return tuple(round(int(value[i : i + 2], 16) / 255, 4) for i in (0, 2, 4))  # type: ignore[return-value]


def test_draft_matches_the_manifest(built: Built, tmp_path: Path) -> None:
    root = built.config.root
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "7", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / built.episode.folder.name
    manifest = json.loads(built.episode.manifest.read_text(encoding="utf-8"))
    captions = manifest["captions"]

    tracks = draft_tracks(folder)
    pictures = [manifest["title_card"], *manifest["scenes"], manifest["closing_card"]]
    assert tracks["画面"] == tuple(span(p["start"], p["end"]) for p in pictures)
    assert tracks["声音"] == ((0, us(manifest["duration"])),)
    # The scenes without a picture show their one sentence large (文字), not captioned; the law is a card.
    narration = [c for c in captions if c["kind"] == "narration"]
    assert len(narration) == 2 and tracks["字幕"] == ()
    law = [c for c in captions if c["kind"] == "law"]
    assert law, "the short script has a law card"
    assert tracks["法条"] == (span(law[0]["start"], law[-1]["end"]),)
    notice = manifest["ai_label"]["opening_notice"]
    assert tracks["AI标识"] == (span(notice["start"], notice["end"]),)
    assert tracks["要点"] == ()
    every = [t for segments in tracks.values() for t in segments]
    assert all(start + length <= us(manifest["duration"]) for start, length in every)
    assert list(tracks)[:4] == ["画面", "声音", "文字", "文字2"], "words shown together go on lanes of their own"
    counts = ", ".join(f"{name} {len(segments)}" for name, segments in tracks.items())
    assert result.stdout == f"draft: {folder} ({manifest['duration']:.1f} s; segments: {counts})\n"

    texts = draft_texts(folder)
    assert texts["法条"][0]["text"] == "《中华人民共和国民法典》第一千二百五十四条规定：禁止从建筑物中抛掷物品。", (
        "the card's words as the script quotes them, punctuation and all"
    )
    label = texts["AI标识"][0]
    assert label["text"] == "本视频配音由人工智能合成" == notice["text"]
    box = notice["box"]
    assert label["place"] == (
        round(((box[0] + box[2]) / 2 - 540) / 540, 4),
        round((960 - (box[1] + box[3]) / 2) / 960, 4),
    ), "where the video shows it"
    lanes = [segments for name, segments in texts.items() if name.startswith("文字")]
    title = [segments[0]["text"] for segments in lanes if segments[0]["start"] == 0]
    assert title == ["测试普法小讲堂", "第7期", "高空抛物要担责", "— 民法典 —"], "the title card's words"
    shown = [segment for segments in lanes for segment in segments]
    words = [segment["text"].replace("\n", "") for segment in shown]
    assert "高空抛物要担责" in words and "第7期" in words and "感谢收看" in words
    assert {"大家好，今天讲高空抛物", "有困难，请拨打12348"} <= set(words), "the key sentences"
    accent = unit(built.config.theme.accent)
    topic = shown[words.index("第7期 · 民法典")]
    assert topic["styles"] == [(0, len("第7期 · 民法典"), accent)], "the episode line in the accent colour"

    media = draft_media(folder)
    assert len(media) == len(pictures) + 1
    for path in media:
        assert path.is_file() and path.is_relative_to(folder.resolve()), path
    content = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    sound = content["materials"]["audios"][0]
    assert sound["path"] == str(folder.resolve() / "materials" / "sound.m4a")
    assert abs(sound["duration"] - us(manifest["duration"])) < 50_000, "the whole mix, as long as the video"
    assert content["canvas_config"]["width"] == manifest["video"]["width"]


POINTS = """\
---
episode: 8
title: 试用期也有权益
topic: 劳动法
---
## 案例
![楼](../assets/images/building.png)
小王在试用期被辞退，**工资**却没拿到。

## 要点
- 第一，试用期也要签劳动合同。
- 第二，试用期工资不能低于标准。
"""


def test_captions_with_key_words_and_point_cards(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    (root / "scripts" / "0008-shiyongqi.md").write_text(POINTS, encoding="utf-8")
    config = load_config(root)
    report = build(config)
    assert report.ok, [f.message for f in report.failed]
    manifest = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "8", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / report.built[0].folder.name
    tracks, texts = draft_tracks(folder), draft_texts(folder)

    narration = [c for c in manifest["captions"] if c["kind"] == "narration"]
    assert tracks["字幕"] == tuple(span(c["start"], c["end"]) for c in narration)
    assert "".join(t["text"] for t in texts["字幕"]) == "小王在试用期被辞退工资却没拿到"
    caption = texts["字幕"][-1]
    white, accent = unit(config.captions.colour), unit(config.theme.accent)
    assert caption["text"] == "工资却没拿到"
    assert caption["styles"] == [(0, 2, accent), (2, 6, white)], "工资 in the accent colour"
    assert texts["字幕"][0]["styles"] == [(0, 9, white)]

    points = [c for c in manifest["captions"] if c["kind"] == "points"]
    second = next(c for c in points if c["text"].startswith("第二"))
    assert tracks["要点"] == (span(points[0]["start"], second["start"]), span(second["start"], points[-1]["end"]))
    assert [t["text"] for t in texts["要点"]] == [
        "1  第一，试用期也要签劳动合同。",
        "1  第一，试用期也要签劳动合同。\n2  第二，试用期工资不能低于标准。",
    ]
    assert [t["text"] for t in texts["AI标识"]] == [config.compliance.notice_text]


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_the_pictures_hold_no_text(built: Built, tmp_path: Path) -> None:
    root = built.config.root
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "7", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    materials = tmp_path / built.episode.folder.name / "materials"
    config = dataclasses.replace(built.config, theme=dataclasses.replace(built.config.theme, motion="none"))
    font = resolve_font(config)
    layout = Layout(config, font, resolve_bold_font(config), 1080, 1920)
    empty = np.asarray(Painter(config, font, 1080, 1920).paint(Screen("empty", ("empty",), ())).convert("RGB"))
    episode = parse_script(root / "scripts" / "0007-gaokong.md", font.missing)
    screens = {
        "title.png": layout.title_card(episode),
        "scene-01.png": layout.scene(episode, 0, [], None),
        "closing.png": layout.closing_card(),
    }
    for name, screen in screens.items():
        with Image.open(materials / name) as still:
            assert still.size == (1080, 1920)
            picture = np.asarray(still.convert("RGB")).astype(int)
        shapes = [item.rect for item in screen.base if not isinstance(item, Text)]
        boxes = [line.box for text in screen.texts for line in text.lines]
        bare = [box for box in boxes if not any(overlap(box, shape) for shape in shapes)]
        assert len(bare) >= 3, (name, boxes)
        for left, top, right, bottom in bare:
            # Where pufa draws words, the still shows the bare background (JPEG-free PNG: exact).
            region = picture[top:bottom, left:right]
            assert np.abs(region - empty[top:bottom, left:right]).max() <= 2, (name, (left, top, right, bottom))


def test_an_episode_not_built_is_one_clear_error(built: Built, tmp_path: Path) -> None:
    root = built.config.root
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "99", "--to", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == "pufa: error: episode 99 is not in the catalog; build it first: pufa build --only 99\n"


TWO_CARDS = """\
---
episode: 9
title: 试用期的两条规定
topic: 劳动合同法
laws:
  - 《中华人民共和国劳动合同法》第十九条
  - 《中华人民共和国劳动合同法》第二十条
---
## 法条
> 《中华人民共和国劳动合同法》第十九条规定：劳动合同期限三个月以上不满一年的，试用期不得超过一个月；劳动合同期限一年以上不满三年的，试用期不得超过二个月。

> 第二十条规定：劳动者在试用期的工资不得低于本单位相同岗位最低档工资或者劳动合同约定工资的百分之八十，并不得低于用人单位所在地的最低工资标准。
"""


def test_each_law_card_is_one_segment_with_the_words_as_quoted(tmp_path: Path) -> None:
    """Two cards in one scene stay two segments; each keeps its 、，；。 (captions drop them at their ends)."""
    root = make_project(tmp_path / "series")
    (root / "scripts" / "0009-two-cards.md").write_text(TWO_CARDS, encoding="utf-8")
    report = build(load_config(root))
    assert report.ok, [f.message for f in report.failed]
    manifest = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["--project", str(root), "export", "jianying", "9", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / report.built[0].folder.name
    law = [c for c in manifest["captions"] if c["kind"] == "law"]
    second = next(i for i, c in enumerate(law) if c["text"].startswith("第二十条"))
    assert draft_tracks(folder)["法条"] == (
        span(law[0]["start"], law[second - 1]["end"]),
        span(law[second]["start"], law[-1]["end"]),
    )
    quotes = [line[2:] for line in TWO_CARDS.splitlines() if line.startswith("> ")]
    assert [t["text"] for t in draft_texts(folder)["法条"]] == quotes
