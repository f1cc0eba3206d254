"""Themes, pictures and the closing card: frames compared with stored reference images (golden images)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.config import ConfigError, load_config
from pipeline.picture.fonts import resolve_font
from pipeline.picture.frames import Painter, hex_colour
from pipeline.picture.layout import Picture, ShownCaption
from pipeline.script import parse_script
from tests.conftest import GOLDEN, REPO, SHORT_SCRIPT, make_project

REPO_IMAGE = REPO / "assets" / "images" / "building.jpg"

REFERENCE_SIZE = (270, 480)
TOLERANCE = 3.0  # mean absolute difference per channel, 0–255: font rasterising may differ slightly between builds


def painter_for(root: Path, extra: str = "") -> tuple[Painter, object]:
    (root / "pufa.toml").write_text(extra, encoding="utf-8")
    script = root / "scripts" / "0007-gaokong.md"
    script.write_text(SHORT_SCRIPT, encoding="utf-8")
    config = load_config(root)
    return Painter(config, resolve_font(config), 1080, 1920), parse_script(script)


def compare_with_reference(image: Image.Image, name: str) -> float:
    small = image.convert("RGB").resize(REFERENCE_SIZE, Image.Resampling.BILINEAR)
    reference = GOLDEN / f"{name}.png"
    if os.environ.get("PUFA_UPDATE_GOLDEN"):
        small.save(reference)
    with Image.open(reference) as stored:
        return float(np.abs(np.asarray(small, dtype=float) - np.asarray(stored.convert("RGB"), dtype=float)).mean())


@pytest.mark.parametrize("theme", ["default", "crimson"])
def test_theme_frames_match_their_reference(tmp_path: Path, theme: str) -> None:
    painter, episode = painter_for(make_project(tmp_path / "series"), f'[theme]\nname = "{theme}"\n')
    frames = {
        "title": painter.title_card(episode),  # type: ignore[arg-type]
        "scene": painter.scene_state(episode, 2, [ShownCaption(0, ("有困难，请拨打12348",))], 0),  # type: ignore[arg-type]
    }
    for kind, image in frames.items():
        assert image.size == (1080, 1920)
        assert compare_with_reference(image, f"theme-{theme}-{kind}") <= TOLERANCE, f"{theme} {kind}"


def test_the_comparison_tells_themes_apart(tmp_path: Path) -> None:
    painter, episode = painter_for(make_project(tmp_path / "series"), '[theme]\nname = "crimson"\n')
    with Image.open(GOLDEN / "theme-default-title.png") as stored:
        default = np.asarray(stored.convert("RGB"), dtype=float)
    crimson = np.asarray(painter.title_card(episode).resize(REFERENCE_SIZE, Image.Resampling.BILINEAR), dtype=float)  # type: ignore[arg-type]
    assert np.abs(crimson - default).mean() > 10 * TOLERANCE


def test_switching_theme_is_one_line(tmp_path: Path) -> None:
    painter, episode = painter_for(make_project(tmp_path / "series"), '[theme]\nname = "crimson"\naccent = "#00FF00"\n')
    assert painter.config.theme.background == "#9E1F1F", "from the theme"
    assert painter.config.theme.accent == "#00FF00", "a key set in pufa.toml overrides the theme"
    assert painter.config.captions.band == "#2E0606CC"
    corner = painter.title_card(episode).getpixel((5, 5))  # type: ignore[arg-type]
    assert abs(corner[0] - hex_colour("#9E1F1F")[0]) < 6


def test_project_theme_file(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    (root / "assets" / "themes").mkdir(parents=True)
    (root / "assets" / "themes" / "green.toml").write_text(
        '[theme]\nbackground = "#0B4D2C"\n\n[captions]\nfont_size = 60\n', encoding="utf-8"
    )
    painter, _ = painter_for(root, '[theme]\nname = "green"\n')
    assert (painter.config.theme.background, painter.config.captions.font_size) == ("#0B4D2C", 60)


def test_unknown_theme_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"'theme.name' is 'neon', which is neither built in nor .* \(known: default, crimson, large\)"
    ):
        painter_for(make_project(tmp_path / "series"), '[theme]\nname = "neon"\n')


def test_closing_card_carries_a_readable_qr_code(tmp_path: Path) -> None:
    import segno

    url = "https://www.12348.gov.cn/"
    painter, _ = painter_for(
        make_project(tmp_path / "series"), f'[series]\nqr_url = "{url}"\nproducer = "测试司法局"\n'
    )
    card = np.asarray(painter.closing_card().convert("L"))
    matrix = [list(row) for row in segno.make(url, error="m", micro=False).matrix]
    modules = len(matrix) + 4  # two modules of quiet zone each side
    (qr,) = [item for item in painter.layout.closing_card().base if isinstance(item, Picture)]
    left, top, side = qr.rect[0], qr.rect[1], qr.rect[2] - qr.rect[0]
    pitch = side / modules
    mismatches = 0
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            y, x = int(top + (r + 2.5) * pitch), int(left + (c + 2.5) * pitch)
            mismatches += (card[y, x] < 128) != bool(dark)
    assert mismatches == 0


def test_picture_fit_cover_fills_and_contain_shows_it_whole(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    wide = Image.new("RGB", (1600, 400), (250, 200, 40))
    wide.save(root / "assets" / "images" / "building.png")
    cover, episode = painter_for(root, '[theme]\npicture_fit = "cover"\nmotion = "none"\n')
    contain, _ = painter_for(root, '[theme]\npicture_fit = "contain"\nmotion = "none"\n')
    caption = [ShownCaption(0, ("禁止",))]
    box = cover.picture_box(episode, 1)  # type: ignore[arg-type]
    at = (540, box[1] + 20)
    with_cover = cover.scene_state(episode, 1, caption, None).getpixel(at)  # type: ignore[arg-type]
    with_contain = contain.scene_state(episode, 1, caption, None).getpixel(at)  # type: ignore[arg-type]
    assert with_cover == (250, 200, 40), "cover fills the picture box, cropping the sides"
    assert with_contain != (250, 200, 40), "contain letterboxes a wide picture: the top of the box is not picture"


def test_push_in_moves_the_picture_and_nothing_else(tmp_path: Path) -> None:
    from pipeline.build import build
    from tests.media import frame_at

    root = make_project(tmp_path / "series")
    Image.open(REPO_IMAGE).save(root / "assets" / "images" / "building.png")
    (root / "pufa.toml").write_text(
        '[video]\nwidth = 360\nheight = 640\n\n[voice]\nengine = "espeak"\n',  # motion and fades are the default
        encoding="utf-8",
    )
    text = (
        "---\nepisode: 3\ntitle: 推近\ntopic: 民法典\n---\n## 开场\n你好。\n## 案例\n![楼](../assets/images/building.png)\n"
        + "王某从楼上扔下花盆，砸坏了汽车。" * 3
        + "\n"
    )
    (root / "scripts" / "0003.md").write_text(text, encoding="utf-8")
    report = build(load_config(root))
    assert report.ok, report.failed
    manifest = json.loads(report.built[0].manifest.read_text(encoding="utf-8"))
    scene = next(s for s in manifest["scenes"] if s["label"] == "案例")
    early, late = (frame_at(report.built[0].video, t, width=360) for t in (scene["start"] + 0.5, scene["end"] - 0.5))
    picture = (40, 140, 320, 400)
    header = (0, 0, 360, 80)

    def difference(box: tuple[int, int, int, int]) -> float:
        return float(np.abs(np.asarray(early.crop(box), dtype=float) - np.asarray(late.crop(box), dtype=float)).mean())

    assert difference(picture) > 8, "the picture has zoomed in"
    assert difference(header) < 2, "the branding stays still"
    assert probe_height(report.built[0].video) == 640

    # The default transition: a 0.3 s cross-fade from the opening scene into the picture scene.
    video = report.built[0].video
    before, during, after = (
        np.asarray(frame_at(video, t, width=360).crop(picture), dtype=float)
        for t in (scene["start"] - 0.1, scene["start"] + 0.12, scene["start"] + 0.5)
    )
    assert np.abs(during - before).mean() > 3 and np.abs(during - after).mean() > 3, "half of each"
    assert np.abs(during - (before + after) / 2).mean() < np.abs(before - after).mean() / 2
    assert colour_tags(video) == {"color_space": "bt709", "color_primaries": "bt709", "color_transfer": "bt709"}


def colour_tags(video: Path) -> dict[str, str]:
    """The colour description ffmpeg reads from the stream (matrix, primaries, transfer)."""
    import re
    import subprocess

    from pipeline.media.ffmpeg import ffmpeg_exe

    header = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(video)], capture_output=True, text=True).stderr
    found = re.search(r"yuv420p\(tv, ([\w/]+)", header)
    assert found, header
    parts = found[1].split("/")
    matrix, primaries, transfer = parts if len(parts) == 3 else parts * 3
    return {"color_space": matrix, "color_primaries": primaries, "color_transfer": transfer}


def probe_height(video: Path) -> int:
    from pipeline.media.ffmpeg import probe

    return probe(video).height


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads the process's memory mappings (Linux)")
def test_closing_the_faces_unmaps_the_font_files_and_drawing_opens_them_again() -> None:
    """The render closes the faces while ffmpeg encodes: each size had mapped the whole font file again."""
    from pipeline.picture.fonts import FontFace, bundled_bold_path, close_faces

    face = FontFace(bundled_bold_path(), 0, "zh-Hans")

    def mappings() -> int:
        return Path("/proc/self/maps").read_text().count(str(bundled_bold_path()))

    widths = [face.length(size, "中华人民共和国预防未成年人犯罪法") for size in (30, 48, 64, 80)]
    assert mappings() >= 4
    close_faces()
    assert mappings() == 0
    assert [face.length(size, "中华人民共和国预防未成年人犯罪法") for size in (30, 48, 64, 80)] == widths
