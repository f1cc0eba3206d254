"""Screen states drawn once each with Pillow, and the timeline that says how long each is held.

A screen state is everything on screen at one moment: the branded background and header,
the scene label, the picture or law card, and the caption. An episode has a few dozen
distinct states however long it is; each is drawn once and saved as a PNG, so no per-frame
work happens in Python and memory holds at most one scene's base images.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from pipeline.captions.split import tokenize
from pipeline.captions.track import CaptionTrack, Cue
from pipeline.config import Config
from pipeline.errors import RenderError
from pipeline.picture.fonts import FontFace
from pipeline.picture.images import load_picture, write_picture
from pipeline.script import Block, Episode, Span

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
StateKey = tuple[object, ...]


def hex_colour(value: str) -> RGB:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def hex_colour_alpha(value: str) -> RGBA:
    return (*hex_colour(value), int(value[7:9], 16) if len(value) == 9 else 255)


@dataclass(frozen=True)
class Segment:
    """A screen state held on screen for frames [first_frame, end_frame)."""

    key: StateKey
    first_frame: int
    end_frame: int


@dataclass(frozen=True)
class RenderedState:
    key: StateKey
    path: Path
    first_frame: int
    end_frame: int


@dataclass(frozen=True)
class MovingPicture:
    """A scene picture that ffmpeg zooms into, behind the states' transparent window, for frames [first, end)."""

    path: Path
    box: tuple[int, int, int, int]
    fit: str
    first_frame: int
    end_frame: int


@dataclass(frozen=True)
class RenderPlan:
    """The distinct frames of an episode on disk and how long each is held, in order."""

    width: int
    height: int
    fps: int
    total_frames: int
    states: tuple[RenderedState, ...]
    distinct: int
    moving: tuple[MovingPicture, ...] = ()


def timeline(episode: Episode, track: CaptionTrack) -> list[Segment]:
    """Every stretch of the episode during which the picture does not change."""
    segments: list[Segment] = [Segment(("title",), 0, track.title_end_frame)]
    for span in track.scenes:
        cues = [c for c in track.cues if c.scene == span.index]
        law_spans = _law_spans(cues)
        cuts = {span.first_frame, span.end_frame}
        for cue in cues:
            cuts |= {cue.first_frame, cue.end_frame}
        for first, end, _block in law_spans:
            cuts |= {first, end}
        points = sorted(p for p in cuts if span.first_frame <= p <= span.end_frame)
        for first, end in itertools.pairwise(points):
            panel = next((b for f, e, b in law_spans if f <= first < e), -1)
            cue_index = next((c.index for c in cues if c.first_frame <= first < c.end_frame), 0)
            segments.append(Segment(("scene", span.index, panel, cue_index), first, end))
    segments.append(Segment(("closing",), track.closing_first_frame, track.total_frames))
    return _merge([s for s in segments if s.end_frame > s.first_frame])


def _law_spans(cues: list[Cue]) -> list[tuple[int, int, int]]:
    """(first frame, end frame, block) of each law card: from its first cue to its last."""
    spans: dict[int, tuple[int, int]] = {}
    for cue in cues:
        if cue.kind == "law":
            first, end = spans.get(cue.block, (cue.first_frame, cue.end_frame))
            spans[cue.block] = (min(first, cue.first_frame), max(end, cue.end_frame))
    return [(first, end, block) for block, (first, end) in spans.items()]


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].key == segment.key and merged[-1].end_frame == segment.first_frame:
            merged[-1] = Segment(segment.key, merged[-1].first_frame, segment.end_frame)
        else:
            merged.append(segment)
    return merged


class Painter:
    """Draws the series layout at any frame size; every measure is scaled from 1080 wide."""

    def __init__(
        self, config: Config, font: FontFace, width: int, height: int, *, watermark: str | None = None
    ) -> None:
        self.config = config
        self.watermark = watermark
        self.font = font
        self.width = width
        self.height = height
        self.scale = width / 1080
        self.theme = config.theme
        self._background = _gradient(
            width, height, hex_colour(self.theme.background), hex_colour(self.theme.background_bottom)
        )

    def px(self, value: float) -> int:
        return round(value * self.scale)

    def face(self, size: float) -> ImageFont.FreeTypeFont:
        return self.font.pil(max(self.px(size), 8))

    # --- whole screens -------------------------------------------------------------------

    def title_card(self, episode: Episode) -> Image.Image:
        image = self._background.copy()
        draw = ImageDraw.Draw(image)
        accent, text = hex_colour(self.theme.accent), hex_colour(self.theme.text)
        if self.theme.title_layout == "banner":
            # The series name on a full-width band of the accent colour, high on the frame.
            draw.rectangle((0, self.px(470), self.width, self.px(650)), fill=accent)
            self._centred(
                draw, self.config.series.name, self.px(560), self.face(76), hex_colour(self.theme.background_bottom)
            )
        else:
            self._centred(draw, self.config.series.name, self.px(560), self.face(72), accent)
        self._badge(draw, f"第{episode.number}期", self.px(690), self.face(56))
        self._logo(image, (self.width - self.px(160)) // 2, self.px(300), self.px(140))
        title_font = self.face(96)
        lines = wrap_text(episode.title, title_font, self.width - self.px(160))
        y = self.px(900)
        for line in lines[:3]:
            self._centred(draw, line, y, title_font, text, stroke=self.px(3))
            y += self.px(96 * 1.3)
        self._centred(draw, f"— {episode.topic} —", y + self.px(20), self.face(44), accent)
        return self._stamp(image)

    def scene_base(self, episode: Episode, scene_index: int, law_block: Block | None) -> Image.Image:
        image = self._background.copy()
        draw = ImageDraw.Draw(image)
        self._header(draw, episode)
        self._logo(image, self.px(64), self.px(70), self.px(110))
        scene = episode.scenes[scene_index]
        label_font = self.face(50)
        label_box = self._pill(draw, scene.label, (self.px(64), self.px(300)), label_font)
        top = label_box[3] + self.px(40)
        bottom = self._caption_top() - self.px(40)
        box = (self.px(64), top, self.width - self.px(64), bottom)
        if law_block is not None:
            self._law_card(image, law_block, box)
        elif scene.image is not None and self.theme.motion != "none":
            image = self._window(image, box)
        elif scene.image is not None:
            self._picture(image, scene.image, box)
        else:
            self._title_board(draw, episode, box)
        return self._stamp(image)

    def with_caption(self, base: Image.Image, lines: tuple[str, ...]) -> Image.Image:
        captions = self.config.captions
        font = self.face(captions.font_size)
        line_height = self.px(captions.font_size * 1.4)
        bottom = self._caption_bottom()
        top = bottom - line_height * len(lines)
        image = base.copy()
        if captions.band:
            overlay = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
            ImageDraw.Draw(overlay).rounded_rectangle(
                (
                    self.px(captions.margin) - self.px(24),
                    top - self.px(18),
                    self.width - self.px(captions.margin) + self.px(24),
                    bottom + self.px(14),
                ),
                radius=self.px(18),
                fill=hex_colour_alpha(captions.band),
            )
            image = _keep_mode(Image.alpha_composite(image.convert("RGBA"), overlay), base.mode)
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(lines):
            self._centred(
                draw,
                line,
                top + row * line_height + line_height // 2,
                font,
                hex_colour(captions.colour),
                stroke=self.px(captions.stroke_width),
                stroke_fill=hex_colour(captions.stroke),
            )
        return image

    def closing_card(self) -> Image.Image:
        image = self._background.copy()
        draw = ImageDraw.Draw(image)
        series = self.config.series
        accent, text = hex_colour(self.theme.accent), hex_colour(self.theme.text)
        if self.theme.title_layout == "banner":
            draw.rectangle((0, self.px(530), self.width, self.px(710)), fill=accent)
            self._centred(draw, "感谢收看", self.px(620), self.face(100), hex_colour(self.theme.background_bottom))
        else:
            self._centred(draw, "感谢收看", self.px(620), self.face(100), text, stroke=self.px(3))
        self._centred(draw, series.name, self.px(800), self.face(60), accent)
        self._centred(draw, f"关注微信公众号「{series.account}」", self.px(1000), self.face(52), text)
        self._centred(draw, f"出品：{series.producer}", self.px(1100), self.face(44), text)
        if series.qr_url:
            side = self.px(300)
            code = qr_image(series.qr_url, side)
            frame = (self.width - side) // 2 - self.px(16), self.px(1200) - self.px(16)
            draw.rounded_rectangle(
                (*frame, frame[0] + side + self.px(32), frame[1] + side + self.px(32)),
                radius=self.px(16),
                fill=(255, 255, 255),
            )
            image.paste(code, ((self.width - side) // 2, self.px(1200)))
            self._centred(draw, series.qr_label, self.px(1200) + side + self.px(70), self.face(40), accent)
        return self._stamp(image)

    def cover(self, episode: Episode, width: int, height: int) -> Image.Image:
        """The 3:4 cover: series, 期数 and the title set large enough to read as a thumbnail."""
        image = _gradient(width, height, hex_colour(self.theme.background), hex_colour(self.theme.background_bottom))
        draw = ImageDraw.Draw(image)
        scale = width / 1080
        accent, text = hex_colour(self.theme.accent), hex_colour(self.theme.text)
        series_font = self.font.pil(round(70 * scale))
        self._centred(draw, self.config.series.name, round(150 * scale), series_font, accent, width=width)
        self._badge(draw, f"第{episode.number}期", round(270 * scale), self.font.pil(round(56 * scale)), width=width)
        title_font = self.font.pil(round(128 * scale))
        lines = wrap_text(episode.title, title_font, width - round(140 * scale))[:3]
        line_height = round(128 * 1.3 * scale)
        y = (height - line_height * (len(lines) - 1)) // 2 + round(60 * scale)
        for line in lines:
            self._centred(draw, line, y, title_font, text, stroke=round(4 * scale), width=width)
            y += line_height
        self._centred(
            draw,
            self.config.series.account,
            height - round(150 * scale),
            self.font.pil(round(48 * scale)),
            accent,
            width=width,
        )
        return image

    # --- parts ---------------------------------------------------------------------------

    def _stamp(self, image: Image.Image) -> Image.Image:
        """The draft mark: large, translucent, across the middle, so a draft is never mistaken for a release."""
        if not self.watermark:
            return image
        font = self.face(220)
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        draw.text(
            (self.width / 2, self.height * 0.42), self.watermark, font=font, anchor="mm", fill=(255, 255, 255, 70)
        )
        draw.text(
            (self.width - self.px(40), self.px(40)),
            self.watermark,
            font=self.face(48),
            anchor="ra",
            fill=(255, 80, 80, 230),
        )
        return _keep_mode(Image.alpha_composite(image.convert("RGBA"), layer), image.mode)

    def _caption_bottom(self) -> int:
        # WeChat draws its own controls over the bottom 15% of the frame.
        return round(self.height * 0.85) - self.px(30)

    def _caption_top(self) -> int:
        captions = self.config.captions
        return self._caption_bottom() - self.px(captions.font_size * 1.4) * captions.max_lines - self.px(18)

    def _logo(self, image: Image.Image, x: int, y: int, height: int) -> None:
        """The series logo, if the theme names one, scaled to ``height`` and pasted with its transparency."""
        if not self.theme.logo:
            return
        path = self.config.root / self.theme.logo
        if not path.is_file():
            raise RenderError(f"{self.config.path}: 'theme.logo' names {self.theme.logo}, which does not exist")
        logo = load_picture(path)
        logo = logo.resize((max(round(logo.width * height / logo.height), 1), height), Image.Resampling.LANCZOS)
        image.paste(logo, (x, y), logo)

    def _header(self, draw: ImageDraw.ImageDraw, episode: Episode) -> None:
        accent, text = hex_colour(self.theme.accent), hex_colour(self.theme.text)
        self._centred(draw, self.config.series.name, self.px(96), self.face(60), text, stroke=self.px(2))
        self._centred(draw, f"第{episode.number}期 · {episode.topic}", self.px(182), self.face(40), accent)
        draw.rectangle((self.px(64), self.px(252), self.width - self.px(64), self.px(256)), fill=accent)

    def _title_board(self, draw: ImageDraw.ImageDraw, episode: Episode, box: tuple[int, int, int, int]) -> None:
        font = self.face(88)
        lines = wrap_text(episode.title, font, box[2] - box[0] - self.px(40))[:3]
        line_height = self.px(88 * 1.35)
        y = (box[1] + box[3]) // 2 - line_height * (len(lines) - 1) // 2
        for line in lines:
            self._centred(draw, line, y, font, hex_colour(self.theme.text), stroke=self.px(2))
            y += line_height

    def _law_card(self, image: Image.Image, block: Block, box: tuple[int, int, int, int]) -> None:
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle(box, radius=self.px(28), fill=hex_colour(self.theme.card))
        draw.rectangle(
            (box[0], box[1] + self.px(40), box[0] + self.px(12), box[3] - self.px(40)),
            fill=hex_colour(self.theme.accent),
        )
        inner = (box[0] + self.px(56), box[1] + self.px(48), box[2] - self.px(48), box[3] - self.px(48))
        draw.text((inner[0], inner[1]), "法条", font=self.face(44), fill=hex_colour(self.theme.accent))
        text_top = inner[1] + self.px(84)
        # Choose the largest size that fits by measuring once at 60 and scaling (CJK widths are
        # proportional to size): a FreeType face per tried size would cost 10 MB each.
        reference = self.face(60)
        for size in (60, 56, 52, 48, 44, 40, 36, 32, 28):
            ratio = self.px(size) / reference.size

            def measure(text: str, ratio: float = ratio) -> float:
                return reference.getlength(text) * ratio

            lines = wrap_measured(block.shown, measure, self.px(size), inner[2] - inner[0])
            line_height = self.px(size * 1.55)
            if text_top + line_height * len(lines) <= inner[3]:
                break
        font = self.face(size)
        for row, line in enumerate(lines):
            draw.text((inner[0], text_top + row * line_height), line, font=font, fill=hex_colour(self.theme.card_text))

    def picture_box(self, episode: Episode, scene_index: int) -> tuple[int, int, int, int]:
        """Where a scene's picture goes: below the label, above the caption band."""
        scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
        label_box = self._pill(scratch, episode.scenes[scene_index].label, (self.px(64), self.px(300)), self.face(50))
        return (self.px(64), label_box[3] + self.px(40), self.width - self.px(64), self._caption_top() - self.px(40))

    def _window(self, image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
        """A transparent rounded window where ffmpeg will show the moving picture."""
        framed = image.convert("RGBA")
        hole = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
        ImageDraw.Draw(hole).rounded_rectangle((0, 0, hole.width - 1, hole.height - 1), radius=self.px(28), fill=255)
        alpha = framed.getchannel("A")
        alpha.paste(0, (box[0], box[1]), hole)
        framed.putalpha(alpha)
        return framed

    def _picture(self, image: Image.Image, path: Path, box: tuple[int, int, int, int]) -> None:
        size = (box[2] - box[0], box[3] - box[1])
        upright = load_picture(path, hex_colour(self.theme.background_bottom))
        if self.theme.picture_fit == "contain":
            # The whole picture, centred on a dark panel: nothing of it is cropped.
            inner = ImageOps.contain(upright, size, Image.Resampling.LANCZOS)
            picture = Image.new("RGB", size, hex_colour(self.theme.background_bottom))
            picture.paste(inner, ((size[0] - inner.width) // 2, (size[1] - inner.height) // 2))
        else:
            picture = ImageOps.fit(upright, size, Image.Resampling.LANCZOS)
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=self.px(28), fill=255)
        image.paste(picture, (box[0], box[1]), mask)

    def _pill(
        self, draw: ImageDraw.ImageDraw, text: str, origin: tuple[int, int], font: ImageFont.FreeTypeFont
    ) -> tuple[int, int, int, int]:
        left, top, right, bottom = (round(v) for v in draw.textbbox((0, 0), text, font=font))
        pad_x, pad_y = self.px(28), self.px(14)
        box = (origin[0], origin[1], origin[0] + right - left + 2 * pad_x, origin[1] + bottom - top + 2 * pad_y)
        draw.rounded_rectangle(box, radius=(box[3] - box[1]) // 2, fill=hex_colour(self.theme.accent))
        draw.text(
            (origin[0] + pad_x - left, origin[1] + pad_y - top),
            text,
            font=font,
            fill=hex_colour(self.theme.background_bottom),
        )
        return box

    def _badge(
        self, draw: ImageDraw.ImageDraw, text: str, y: int, font: ImageFont.FreeTypeFont, width: int | None = None
    ) -> None:
        width = width or self.width
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        pad_x, pad_y = round(font.size * 0.6), round(font.size * 0.25)
        x0 = (width - (right - left)) // 2 - pad_x
        draw.rounded_rectangle(
            (x0, y, x0 + right - left + 2 * pad_x, y + bottom - top + 2 * pad_y),
            radius=round(font.size * 0.3),
            fill=hex_colour(self.theme.accent),
        )
        draw.text((x0 + pad_x - left, y + pad_y - top), text, font=font, fill=hex_colour(self.theme.background_bottom))

    def _centred(
        self,
        draw: ImageDraw.ImageDraw,
        text: str,
        y: int,
        font: ImageFont.FreeTypeFont,
        fill: RGB,
        *,
        stroke: int = 0,
        stroke_fill: RGB = (0, 0, 0),
        width: int | None = None,
    ) -> None:
        width = width or self.width
        draw.text((width / 2, y), text, font=font, fill=fill, anchor="mm", stroke_width=stroke, stroke_fill=stroke_fill)


def _keep_mode(image: Image.Image, mode: str) -> Image.Image:
    """Back to RGB after compositing, unless the state carries a transparent picture window."""
    return image if mode == "RGBA" else image.convert("RGB")


def qr_image(url: str, side: int) -> Image.Image:
    """A QR code for ``url`` as a square picture ``side`` pixels wide (segno makes it, Pillow scales it)."""
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    with Image.open(buffer) as code:
        square: Image.Image = code.convert("RGB").resize((side, side), Image.Resampling.NEAREST)
    return square


def wrap_text(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    return wrap_measured(text, font.getlength, font.size, width)


def wrap_measured(text: str, measure: Callable[[str], float], em: float, width: int) -> list[str]:
    """Lines no wider than ``width``, breaking only between caption tokens.

    Two-line text is cut where the lines come out most even, preferring a cut after
    punctuation, so a title never ends with one lonely character.
    """
    tokens = [t.shown for t in tokenize([Span(text, text)])]
    lines: list[str] = [""]
    for token in tokens:
        candidate = lines[-1] + token
        if lines[-1] and measure(candidate.rstrip()) > width:
            lines.append(token.lstrip())
        else:
            lines[-1] = candidate
    if len(lines) == 2:
        best: tuple[float, list[str]] | None = None
        for cut in range(1, len(tokens)):
            first, second = "".join(tokens[:cut]).strip(), "".join(tokens[cut:]).strip()
            widths = (measure(first), measure(second))
            if max(widths) > width:
                continue
            score = max(widths) - (em * 2 if first[-1] in "，、：；！？" else 0)
            if best is None or score < best[0]:
                best = (score, [first, second])
        if best is not None:
            lines = best[1]
    return [line.strip() for line in lines if line.strip()]


def _gradient(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient: one column computed, then stretched sideways."""
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    column = np.array(top, dtype=np.float32) * (1 - ramp) + np.array(bottom, dtype=np.float32) * ramp
    strip = Image.fromarray(column.round().astype(np.uint8)[:, None, :])
    return strip.resize((width, height), Image.Resampling.NEAREST)


def render_states(
    episode: Episode,
    track: CaptionTrack,
    painter: Painter,
    folder: Path,
    progress: Callable[[float], None] | None = None,
) -> RenderPlan:
    """Draw each distinct screen state of the episode once, into ``folder`` as PNG files."""
    segments = timeline(episode, track)
    cues = {cue.index: cue for cue in track.cues}
    distinct = len({s.key for s in segments})
    moving = tuple(
        # ffmpeg gets the prepared picture, never the raw scan (16-bit, CMYK, transparent, rotated).
        dataclasses.replace(
            picture,
            path=write_picture(picture.path, folder / f"picture-{index:02d}.png", picture_background(painter)),
        )
        for index, picture in enumerate(_moving_pictures(episode, segments, painter))
    )
    paths: dict[StateKey, Path] = {}
    for key, image in _draw_each(episode, segments, cues, painter):
        path = folder / f"state-{len(paths):04d}.png"
        if moving:
            image = image.convert("RGBA")  # one pixel format for the whole stream, so ffmpeg never reconfigures
        # Level 1: these files live for seconds and are read once; speed beats size.
        image.save(path, compress_level=1)
        paths[key] = path
        if progress:
            progress(len(paths) / distinct)
    states = tuple(RenderedState(s.key, paths[s.key], s.first_frame, s.end_frame) for s in segments)
    return RenderPlan(painter.width, painter.height, track.fps, track.total_frames, states, len(paths), moving)


def picture_background(painter: Painter) -> RGB:
    """The panel colour a picture's transparent parts show: the colour around a contained picture."""
    return hex_colour(painter.theme.background_bottom)


def _moving_pictures(episode: Episode, segments: list[Segment], painter: Painter) -> tuple[MovingPicture, ...]:
    """The stretches where a scene's picture is on screen and should move, one per scene."""
    if painter.theme.motion == "none":
        return ()
    spans: dict[int, tuple[int, int]] = {}
    for segment in segments:
        if segment.key[0] != "scene":
            continue
        _, scene_index, panel, _cue = segment.key
        assert isinstance(scene_index, int)
        if panel == -1 and episode.scenes[scene_index].image is not None:
            first, end = spans.get(scene_index, (segment.first_frame, segment.end_frame))
            spans[scene_index] = (min(first, segment.first_frame), max(end, segment.end_frame))
    return tuple(
        MovingPicture(episode.scenes[i].image, painter.picture_box(episode, i), painter.theme.picture_fit, first, end)  # type: ignore[arg-type]
        for i, (first, end) in sorted(spans.items())
    )


def _draw_each(
    episode: Episode, segments: list[Segment], cues: dict[int, Cue], painter: Painter
) -> Iterator[tuple[StateKey, Image.Image]]:
    seen: set[StateKey] = set()
    bases: dict[tuple[int, int], Image.Image] = {}
    for segment in segments:
        key = segment.key
        if key in seen:
            continue
        seen.add(key)
        if key[0] == "title":
            yield key, painter.title_card(episode)
        elif key[0] == "closing":
            yield key, painter.closing_card()
        else:
            _, scene_index, panel, cue_index = key
            assert isinstance(scene_index, int) and isinstance(panel, int) and isinstance(cue_index, int)
            if (scene_index, panel) not in bases:
                if bases and next(iter(bases))[0] != scene_index:
                    bases.clear()  # a scene's bases are never needed again once the next scene starts
                law = episode.scenes[scene_index].blocks[panel] if panel >= 0 else None
                bases[(scene_index, panel)] = painter.scene_base(episode, scene_index, law)
            base = bases[(scene_index, panel)]
            yield key, painter.with_caption(base, cues[cue_index].lines) if cue_index else base
