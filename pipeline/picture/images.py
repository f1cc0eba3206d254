"""Pictures as editors have them, made ready to draw once, when they are loaded.

Editors bring scans and exports of every kind: 16-bit greyscale, palette PNGs with a
transparent colour, logos with an alpha channel, CMYK JPEGs from print, phone photos lying
on their side with an EXIF rotation, and scans of tens of megapixels. :func:`load_picture`
turns any of them into one upright 8-bit sRGB image no larger than needed, with
transparency composited onto the colour of the panel it is drawn on (never black).

Large JPEGs are decoded at a reduced scale (Pillow's ``draft``), other formats are reduced
by whole factors (``reduce``) before the final resample, so a scan never sits in memory at
full size in more than its decoded form.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from pipeline.errors import RenderError
from pipeline.i18n import _

RGB = tuple[int, int, int]

# The longest side kept: twice a 1080×1920 frame's height, so a picture zoomed to 1.5×
# its box still has a pixel for every pixel on screen.
MAX_SIDE = 3840

_SIXTEEN_BIT = {"I;16", "I;16B", "I;16L", "I;16N", "I"}
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "CMYK", "I", "F"}


def load_picture(path: Path, background: RGB | None = None, max_side: int = MAX_SIDE) -> Image.Image:
    """``path`` as an upright 8-bit picture at most ``max_side`` pixels on its longest side.

    With ``background`` (an RGB colour) the result is ``RGB``, any transparency composited
    onto that colour; with ``None`` it is ``RGBA`` with its transparency kept (logos).
    Raises :class:`RenderError` naming the file when it cannot be read as a picture.
    The result is cached by path, size and modification time: each picture is prepared once.
    """
    try:
        stat = path.stat()
    except OSError as exc:
        raise RenderError(
            _("{path}: cannot read the picture: {strerror}").format(path=path, strerror=exc.strerror)
        ) from None
    return _cached(str(path), stat.st_size, stat.st_mtime_ns, background, max_side).copy()


@lru_cache(maxsize=4)
def _cached(path: str, size: int, mtime: int, background: RGB | None, max_side: int) -> Image.Image:
    try:
        with Image.open(path) as source:
            return _prepare(source, background, max_side)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise RenderError(
            _("{path}: not a picture pufa can read ({reason})").format(path=path, reason=_reason(exc))
        ) from None


def write_picture(path: Path, target: Path, background: RGB, max_side: int = MAX_SIDE) -> Path:
    """Save the prepared picture of ``path`` as a PNG at ``target`` (for ffmpeg, which gets no raw scans)."""
    picture = load_picture(path, background, max_side)
    temporary = target.with_name(target.name + ".part")
    picture.save(temporary, format="PNG", compress_level=1)
    os.replace(temporary, target)
    return target


def picture_problem(path: Path) -> str | None:
    """Why ``path`` cannot be drawn, read from its header only, or ``None`` when it can."""
    try:
        with Image.open(path) as source:
            source.size  # noqa: B018 - reading the header is the check
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        return f"not a picture pufa can read ({_reason(exc)})"
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return "unknown format; save it as PNG or JPEG"
    if isinstance(exc, Image.DecompressionBombError):
        return "too many pixels; scale it down below 80 megapixels"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _prepare(source: Image.Image, background: RGB | None, max_side: int) -> Image.Image:
    source.seek(0)  # the first frame of an animation
    if source.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when the scan is far larger than needed.
        source.draft(source.mode, (max_side, max_side))
    image: Image.Image = ImageOps.exif_transpose(source)
    factor = max(image.size) // max_side
    if factor >= 2 and image.mode in _REDUCIBLE:
        image = image.reduce(factor)  # whole-factor box reduction, before any copy in a wider mode
    image = _to_srgb(image)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    if background is None:
        return image
    panel = Image.new("RGBA", image.size, (*background, 255))
    return Image.alpha_composite(panel, image).convert("RGB")


def _to_srgb(image: Image.Image) -> Image.Image:
    """8-bit RGB or RGBA in sRGB, whatever the depth, palette or colour space of ``image``."""
    if image.mode in _SIXTEEN_BIT or image.mode == "F":
        return _eight_bit(image)
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("PA", "La", "RGBa"):
        return image.convert("RGBA")
    profile = image.info.get("icc_profile")
    if image.mode in ("CMYK", "RGB", "LAB") and profile:
        converted = _with_profile(image, profile)
        if converted is not None:
            return converted
    if image.mode in _ALPHA_MODES:
        return image.convert("RGBA")
    return image.convert("RGB")


def _with_profile(image: Image.Image, profile: bytes) -> Image.Image | None:
    """Convert through the picture's embedded ICC profile to sRGB; ``None`` when the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None
    return converted if isinstance(converted, Image.Image) else None


def _eight_bit(image: Image.Image) -> Image.Image:
    """Scale 16-bit (or 32-bit integer, or float) greyscale to 0–255, instead of clipping it to white.

    The range is read from the values: at most 1.0 (a float picture), at most 255 (8-bit
    data in a wide container), at most 4095 (a 12-bit scanner), else the full 16 bits.
    """
    values = np.asarray(image).astype(np.float64)
    top = float(values.max()) if values.size else 0.0
    if image.mode == "F" and top <= 1.0:
        full = 1.0
    elif top <= 255:
        full = 255.0
    elif top <= 4095:
        full = 4095.0
    else:
        full = 65535.0
    grey = np.clip(np.rint(values * (255.0 / full)), 0, 255).astype(np.uint8)
    return Image.fromarray(grey).convert("RGB")
