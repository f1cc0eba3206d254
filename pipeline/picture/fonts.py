"""The font every caption and card is drawn with, and what it can draw."""

from __future__ import annotations

import bisect
import functools
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import ImageFont, features

from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.i18n import _

# Face 2 of the Noto Sans CJK collection is the Simplified Chinese one (JP, KR, SC, TC, HK, ...).
_BUNDLED_SC_INDEX = 2


@dataclass(frozen=True)
class FontFace:
    """One face of a font file. ``language`` (e.g. ``zh-Hans``) asks the shaper for that region's glyph forms.

    The bundled bold face is the Pan-CJK Japanese cut of Noto Sans CJK: it holds the Simplified
    Chinese forms too, selected by OpenType ``locl`` when text is shaped as ``zh-Hans`` (Raqm layout).
    """

    path: Path
    index: int
    language: str = ""

    def pil(self, size: int) -> ImageFont.FreeTypeFont:
        return _pil_font(str(self.path), self.index, size, bool(self.language) and _RAQM)

    def length(self, size: int, text: str) -> float:
        """Advance width of ``text`` at ``size`` pixels."""
        font = self.pil(size)
        return float(font.getlength(text, language=self.language or None) if self.language else font.getlength(text))

    def can_draw(self, char: str) -> bool:
        """Whether the face has a glyph for ``char`` (white space always counts as drawable)."""
        return char.isspace() or ord(char) in _cmap(str(self.path), self.index)

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` the face cannot draw, each once, in order."""
        return list(dict.fromkeys(c for c in text if not self.can_draw(c)))

    def digest(self) -> str:
        return _file_digest(str(self.path)) + f":{self.index}"


def bundled_font_path() -> Path:
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


def resolve_font(config: Config) -> FontFace:
    if not config.theme.font:
        index = _BUNDLED_SC_INDEX if config.theme.font_index < 0 else config.theme.font_index
        return FontFace(bundled_font_path(), index)
    path = (config.root / config.theme.font).resolve()
    if not path.is_file():
        raise ConfigError(
            _("{path}: 'theme.font' names {font}, which does not exist").format(
                path=config.path, font=config.theme.font
            )
        )
    return FontFace(path, max(config.theme.font_index, 0))


def bundled_bold_path() -> Path:
    import noto_cjk_sans_jp_bold

    return Path(str(noto_cjk_sans_jp_bold.FONT_PATH))


def resolve_bold_font(config: Config) -> FontFace:
    """The heavy face for titles, captions and key words: ``theme.bold_font``, else the bundled Noto Sans CJK Bold.

    A project that sets only ``theme.font`` gets that font for both weights, so its look stays its own.
    """
    theme = config.theme
    if theme.bold_font:
        path = (config.root / theme.bold_font).resolve()
        if not path.is_file():
            raise ConfigError(
                _("{path}: 'theme.bold_font' names {bold_font}, which does not exist").format(
                    path=config.path, bold_font=theme.bold_font
                )
            )
        return FontFace(path, max(theme.font_index, 0))
    if theme.font:
        return resolve_font(config)
    return FontFace(bundled_bold_path(), 0, "zh-Hans")


_RAQM = features.check("raqm") is True


# Each FreeType face of a CJK font costs about 10 MB; a handful of sizes covers every screen.
@functools.lru_cache(maxsize=12)
def _pil_font(path: str, index: int, size: int, shaped: bool = False) -> ImageFont.FreeTypeFont:
    engine = ImageFont.Layout.RAQM if shaped else ImageFont.Layout.BASIC
    try:
        return ImageFont.truetype(path, size=size, index=index, layout_engine=engine)
    except OSError as exc:  # FreeType's "unknown file format", "invalid argument" (a face index too high), …
        raise ConfigError(
            _("{font}: not a font pufa can draw with ({reason}); name an OpenType or TrueType font").format(
                font=path, reason=exc
            )
        ) from None


def close_faces() -> None:
    """Close every FreeType face opened for drawing; the next drawing opens what it needs again (milliseconds).

    FreeType maps the whole font file once per face, and each size is its own face, so the pages
    a face has read count again in the resident memory of every size: after the screens of a
    3-minute episode, 100 MB of the 17 MB bold face and the 19 MB collection (measured). The
    render closes them while ffmpeg encodes, when nothing is drawn.
    """
    _pil_font.cache_clear()


@functools.lru_cache(maxsize=4)
def _cmap(path: str, index: int) -> Coverage:
    with open(path, "rb") as handle:
        return Coverage(read_cmap_ranges(handle, index))


class Coverage:
    """The code points a face maps to glyphs, as sorted ranges: small, and quick to ask."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for first, last in sorted(ranges):
            if merged and first <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        self._firsts = [first for first, _ in merged]
        self._lasts = [last for _, last in merged]

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, int):
            return False
        position = bisect.bisect_right(self._firsts, code) - 1
        return position >= 0 and code <= self._lasts[position]


def read_cmap_ranges(handle: BinaryIO, index: int) -> list[tuple[int, int]]:
    """The mapped code-point ranges of face ``index`` from its cmap table (subtable format 12, else 4).

    Reads only the table directory and the one subtable, so checking a script's characters
    does not need the whole 19 MB collection in memory.
    """

    def read(offset: int, size: int) -> bytes:
        handle.seek(offset)
        data = handle.read(size)
        if len(data) != size:
            raise ConfigError(_("{font}: not a complete font file").format(font=getattr(handle, "name", "font")))
        return data

    face = 0
    if read(0, 4) == b"ttcf":
        count = struct.unpack(">I", read(8, 4))[0]
        if index >= count:
            raise ConfigError(
                _("{font}: has {count} faces, no face {index}").format(
                    font=getattr(handle, "name", "font"), count=count, index=index
                )
            )
        face = struct.unpack(">I", read(12 + 4 * index, 4))[0]
    tables = struct.unpack(">H", read(face + 4, 2))[0]
    cmap = None
    for entry in range(tables):
        tag, _checksum, offset, _length = struct.unpack(">4sIII", read(face + 12 + 16 * entry, 16))
        if tag == b"cmap":
            cmap = offset
    if cmap is None:
        raise ConfigError(_("{font}: has no character map").format(font=getattr(handle, "name", "font")))
    subtables = struct.unpack(">H", read(cmap + 2, 2))[0]
    best: tuple[int, int] | None = None
    for entry in range(subtables):
        platform, encoding, offset = struct.unpack(">HHI", read(cmap + 4 + 8 * entry, 8))
        unicode_table = platform == 0 or (platform == 3 and encoding in (1, 10))
        if not unicode_table:
            continue
        kind = struct.unpack(">H", read(cmap + offset, 2))[0]
        if kind in (4, 12) and (best is None or kind > best[0]):
            best = (kind, cmap + offset)
    if best is None:
        raise ConfigError(_("{font}: has no Unicode character map").format(font=getattr(handle, "name", "font")))
    kind, offset = best
    if kind == 12:
        groups = struct.unpack(">I", read(offset + 12, 4))[0]
        data = read(offset + 16, 12 * groups)
        return [(first, last) for first, last, _glyph in struct.iter_unpack(">III", data)]
    length = struct.unpack(">H", read(offset + 2, 2))[0]
    data = read(offset, length)
    segments = struct.unpack(">H", data[6:8])[0] // 2
    ends = struct.unpack(f">{segments}H", data[14 : 14 + 2 * segments])
    starts = struct.unpack(f">{segments}H", data[16 + 2 * segments : 16 + 4 * segments])
    return [(first, last) for first, last in zip(starts, ends, strict=True) if first != 0xFFFF]


@functools.lru_cache(maxsize=8)
def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]
