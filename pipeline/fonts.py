"""The font every caption and card is drawn with, and what it can draw."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from .config import Config
from .errors import ConfigError

# Face 2 of the Noto Sans CJK collection is the Simplified Chinese one (JP, KR, SC, TC, HK, ...).
_BUNDLED_SC_INDEX = 2


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int

    def pil(self, size: int) -> ImageFont.FreeTypeFont:
        return _pil_font(str(self.path), self.index, size)

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
        raise ConfigError(f"{config.path}: 'theme.font' names {config.theme.font}, which does not exist")
    return FontFace(path, max(config.theme.font_index, 0))


@functools.lru_cache(maxsize=64)
def _pil_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size=size, index=index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=4)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    if path.lower().endswith((".ttc", ".otc")):
        font = TTCollection(path, lazy=True).fonts[index]
    else:
        font = TTFont(path, lazy=True)
    return frozenset(font.getBestCmap())


@functools.lru_cache(maxsize=8)
def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]
