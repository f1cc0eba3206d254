"""Pictures as editors have them: every kind is drawn as it looks, never as a white or black box."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from pipeline.config import load_config
from pipeline.errors import RenderError, ScriptError
from pipeline.picture.fonts import resolve_font
from pipeline.picture.frames import Painter, hex_colour, render_states
from pipeline.picture.images import MAX_SIDE, load_picture
from pipeline.script import parse_script
from tests.conftest import make_project

CASES = Path(__file__).parent / "cases" / "scripts"
PANEL = (6, 32, 59)  # the default theme's background_bottom, #06203B


def painter(tmp_path: Path, theme: str = "") -> Painter:
    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text(theme, encoding="utf-8")
    config = load_config(root)
    return Painter(config, resolve_font(config), 1080, 1920)


def picture_area(tmp_path: Path, case: str, theme: str = "") -> npt.NDArray[np.uint8]:
    """The drawn picture box of the case's first scene (drawn still), as an RGB array."""
    draw = painter(tmp_path, (theme or "[theme]\n") + 'motion = "none"\n')
    episode = parse_script(CASES / case)
    box = draw.picture_box(episode, 0)
    inset = (box[0] + 40, box[1] + 40, box[2] - 40, box[3] - 40)  # inside the rounded corners
    return np.asarray(draw.scene_state(episode, 0, [], None).convert("RGB").crop(inset))


def test_case_19_a_16_bit_greyscale_scan_keeps_its_greys(tmp_path: Path) -> None:
    area = picture_area(tmp_path, "19-gray16-picture.md")
    grey = area.mean(axis=2)
    assert 60 < grey.mean() < 200, "a gradient from black to white, not a white box"
    assert grey.min() < 60 and grey.max() > 200
    assert (np.abs(area[..., 0].astype(int) - area[..., 2]) < 3).all(), "still grey"


@pytest.mark.parametrize("fit", ["cover", "contain"])
def test_case_20_a_transparent_png_sits_on_the_panel_colour(tmp_path: Path, fit: str) -> None:
    area = picture_area(tmp_path, "20-transparent-png.md", f'[theme]\npicture_fit = "{fit}"\n')
    assert tuple(area[0, 0]) == PANEL, "the transparent corner shows the panel, not black"
    assert not (area.sum(axis=2) == 0).any(), "no black anywhere"
    red = (np.abs(area.astype(int) - (200, 30, 30)).sum(axis=2) < 30).mean()
    assert red > 0.05, "the red sign is drawn"


def save(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, **options)
    return path


def test_a_palette_png_with_a_transparent_colour(tmp_path: Path) -> None:
    source = Image.new("P", (40, 20), 0)
    source.putpalette([0, 0, 0, 250, 200, 40] + [0] * 762)
    source.paste(1, (20, 0, 40, 20))
    path = save(source, tmp_path / "p.png", transparency=0)
    picture = load_picture(path, (10, 20, 30))
    assert (picture.mode, picture.getpixel((5, 5)), picture.getpixel((30, 5))) == ("RGB", (10, 20, 30), (250, 200, 40))


def test_grey_with_alpha_and_a_logo_keeps_its_transparency(tmp_path: Path) -> None:
    path = save(Image.new("LA", (10, 10), (128, 0)), tmp_path / "la.png")
    assert load_picture(path, (1, 2, 3)).getpixel((0, 0)) == (1, 2, 3)
    assert load_picture(path).getpixel((0, 0))[3] == 0


def test_a_cmyk_jpeg_is_converted_to_rgb(tmp_path: Path) -> None:
    path = save(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), tmp_path / "cmyk.jpg", quality=95)
    red, green, blue = load_picture(path, (0, 0, 0)).getpixel((8, 8))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize(("top", "middle"), [(65535, 32768), (4095, 2048)], ids=["16-bit", "12-bit scanner"])
def test_a_16_bit_value_is_scaled_not_clipped(tmp_path: Path, top: int, middle: int) -> None:
    array = np.full((4, 4), middle, dtype=np.uint16)
    array[0, 0], array[0, 1] = 0, top
    path = save(Image.fromarray(array), tmp_path / "mid.png")
    picture = load_picture(path, (0, 0, 0))
    assert [picture.getpixel(xy) for xy in ((0, 0), (1, 0), (2, 2))] == [(0, 0, 0), (255, 255, 255), (128, 128, 128)]


def test_an_exif_rotation_is_applied(tmp_path: Path) -> None:
    source = Image.new("RGB", (60, 20), (0, 0, 255))
    source.paste((255, 0, 0), (0, 0, 10, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    path = save(source, tmp_path / "phone.jpg", exif=exif, quality=95)
    picture = load_picture(path, (0, 0, 0))
    assert picture.size == (20, 60)
    red, _green, blue = picture.getpixel((10, 2))  # type: ignore[misc]
    assert red > 200 and blue < 60, "the left edge is now the top"


@pytest.mark.parametrize("suffix", ["jpg", "png"])
def test_a_large_scan_is_downscaled_once(tmp_path: Path, suffix: str) -> None:
    path = save(Image.new("RGB", (2700, 900), (90, 160, 30)), tmp_path / f"scan.{suffix}")
    picture = load_picture(path, (0, 0, 0), max_side=400)
    assert max(picture.size) == 400 and picture.size[0] / picture.size[1] == pytest.approx(3, rel=0.01)
    assert MAX_SIDE >= 2 * 1920, "by default a picture keeps enough pixels to be zoomed on a full-HD frame"
    assert np.abs(np.asarray(picture, dtype=int) - (90, 160, 30)).max() < 6


def test_a_file_that_is_no_picture_is_one_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(b"not a picture")
    with pytest.raises(RenderError, match=r"fake.png: not a picture pufa can read \(unknown format"):
        load_picture(path, (0, 0, 0))
    script = tmp_path / "a.md"
    script.write_text("---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n## 开场\n![图](fake.png)\n你好。\n", "utf-8")
    with pytest.raises(ScriptError) as caught:
        parse_script(script)
    assert [(d.line, d.message) for d in caught.value.diagnostics] == [
        (7, "fake.png is not a picture pufa can read (unknown format; save it as PNG or JPEG)")
    ]


def test_the_moving_picture_given_to_ffmpeg_is_the_prepared_one(tmp_path: Path) -> None:
    from pipeline.captions.track import CaptionTrack, SceneSpan

    draw = painter(tmp_path, '[theme]\nmotion = "push-in"\n')
    episode = parse_script(CASES / "20-transparent-png.md")
    track = CaptionTrack(25, 100, 10, 90, (SceneSpan(0, "标志", 10, 90),), ())
    folder = tmp_path / "states"
    folder.mkdir()
    plan = render_states(episode, track, draw, folder)
    (moving,) = plan.moving
    assert moving.path.parent == folder
    with Image.open(moving.path) as prepared:
        assert prepared.mode == "RGB"
        assert prepared.getpixel((0, 0)) == hex_colour(draw.theme.background_bottom)
