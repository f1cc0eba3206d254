"""The visible AI-content notice (显式标识): drawn on the opening title card, and optionally in a corner of every state.

《人工智能生成合成内容标识办法》 and GB 45438-2025 ask a video made with AI to show a text
notice in its opening picture for at least 2 s, with characters at least 5% of the picture's
shorter side tall. The notice is drawn with the theme's font, centred in the frame's safe
area (below the title, above the bottom 15% that WeChat covers with its controls), light text
on a dark translucent band so it reads on every theme. The title card carries it, so it is on
screen from the first frame for ``video.title_seconds``.

:func:`decorate_state` is the hook :func:`pipeline.picture.frames.render_states` calls for
every distinct screen state; the measured geometry (:class:`NoticeLayout`) goes into the
manifest so the build and the tests can check it against what was drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from pipeline.config import Config
from pipeline.picture.fonts import FontFace

# The standard: notice characters at least 5% of the shorter side of the picture.
MIN_TEXT_HEIGHT_RATIO = 0.05
# Where the notice band is centred, as a fraction of the height: below the title block,
# clear of the bottom 15% that WeChat's own controls cover.
NOTICE_CENTRE = 0.75
SAFE_BOTTOM = 0.85
BAND_FILL = (0, 0, 0, 150)
TEXT_FILL = (255, 255, 255, 255)


@dataclass(frozen=True)
class NoticeLayout:
    """Where the opening notice sits on a ``width`` x ``height`` frame, in pixels.

    ``box`` is (left, top, right, bottom) of the band behind the text; ``text_height`` the ink
    height of the tallest line; ``required_height`` 5% of the shorter side; ``lines`` the text
    as drawn (wrapped when it is wider than the safe area).
    """

    width: int
    height: int
    lines: tuple[str, ...]
    font_size: int
    text_height: int
    required_height: int
    box: tuple[int, int, int, int]

    def as_json(self) -> dict[str, object]:
        return {
            "text": "".join(self.lines),
            "font_size": self.font_size,
            "text_height": self.text_height,
            "required_height": self.required_height,
            "box": list(self.box),
        }


class Notice:
    """Draws the configured AI notices on screen states of one frame size."""

    def __init__(self, config: Config, font: FontFace, width: int, height: int) -> None:
        self.config = config
        self.compliance = config.compliance
        self.font = font
        self.width = width
        self.height = height
        self.layout = opening_layout(config, font, width, height) if self.compliance.ai_generated else None

    def decorate(self, key: tuple[object, ...], image: Image.Image) -> Image.Image:
        """``image`` (the screen state ``key``) with the opening notice on the title card and the corner notice."""
        if not self.compliance.ai_generated:
            return image
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        if key and key[0] == "title" and self.layout is not None:
            self._opening(draw, self.layout)
        if self.compliance.corner_notice:
            self._corner(draw)
        combined = Image.alpha_composite(image.convert("RGBA"), layer)
        return combined if image.mode == "RGBA" else combined.convert(image.mode)

    def _opening(self, draw: ImageDraw.ImageDraw, layout: NoticeLayout) -> None:
        font = self.font.pil(layout.font_size)
        radius = (layout.box[3] - layout.box[1]) // (2 * len(layout.lines))
        draw.rounded_rectangle(layout.box, radius=radius, fill=BAND_FILL)
        line_height = (layout.box[3] - layout.box[1]) / len(layout.lines)
        for index, line in enumerate(layout.lines):
            centre_y = layout.box[1] + line_height * (index + 0.5)
            draw.text((self.width / 2, centre_y), line, font=font, fill=TEXT_FILL, anchor="mm")

    def _corner(self, draw: ImageDraw.ImageDraw) -> None:
        scale = self.width / 1080
        font = self.font.pil(max(round(30 * scale), 8))
        text = self.compliance.corner_text
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        pad_x, pad_y = round(14 * scale), round(8 * scale)
        # Top right, below the series header band, inside the 4% side margin.
        x1 = self.width - round(self.width * 0.04)
        y0 = round(self.height * 0.085)
        box = (x1 - (right - left) - 2 * pad_x, y0, x1, y0 + (bottom - top) + 2 * pad_y)
        draw.rounded_rectangle(box, radius=(box[3] - box[1]) // 2, fill=(0, 0, 0, 120))
        draw.text((box[0] + pad_x - left, y0 + pad_y - top), text, font=font, fill=(255, 255, 255, 220))


def opening_layout(config: Config, font: FontFace, width: int, height: int) -> NoticeLayout:
    """The opening notice's font size, lines and band, with characters at least 5% of the shorter side tall."""
    text = config.compliance.notice_text.strip()
    required = math.ceil(MIN_TEXT_HEIGHT_RATIO * min(width, height))
    safe_width = round(width * 0.9)
    size = required
    while True:
        face = font.pil(size)
        ink = _ink_height(text, face)
        # A margin of 4% over the minimum: the encoder's softening must not take the text below it.
        if ink >= required * 1.04:
            break
        size += 1
    lines = _wrap(text, face, safe_width - 2 * round(size * 0.6))
    pad_x, pad_y = round(size * 0.6), round(size * 0.35)
    widest = max(face.getlength(line) for line in lines)
    line_height = round(size * 1.35)
    band_height = line_height * len(lines) + 2 * pad_y - (line_height - size)
    centre = round(height * NOTICE_CENTRE)
    top = min(centre - band_height // 2, round(height * SAFE_BOTTOM) - band_height)
    left = round((width - widest) / 2) - pad_x
    box = (left, top, width - left, top + band_height)
    return NoticeLayout(width, height, tuple(lines), size, ink, required, box)


def _ink_height(text: str, face: ImageFont.FreeTypeFont) -> int:
    """The height in pixels of ``text`` as drawn: the rows of its mask at least half covered, first to last."""
    left, top, right, bottom = face.getbbox(text or "字")
    mask = Image.new("L", (int(right - left) + 4, int(bottom - top) + 4), 0)
    ImageDraw.Draw(mask).text((2 - left, 2 - top), text or "字", font=face, fill=255)
    rows = [y for y in range(mask.height) if max(mask.crop((0, y, mask.width, y + 1)).getdata()) > 127]
    return rows[-1] - rows[0] + 1 if rows else 0


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Character by character (Chinese has no spaces): as many as fit on each line."""
    lines, line = [], ""
    for char in text:
        if line and face.getlength(line + char) > width:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines or [""]
