"""Screen states drawn once each with Pillow, and the timeline that says how long each is held.

A screen state is everything on screen at one moment: the branded background and header,
the scene label, the picture or law card, and the caption. An episode has a few dozen
distinct states however long it is; each is drawn once and saved as a PNG, so no per-frame
work happens in Python and memory holds at most one scene's base images.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from pipeline.captions.track import CaptionTrack, Cue
from pipeline.config import Config
from pipeline.errors import RenderError
from pipeline.i18n import _
from pipeline.picture.fonts import FontFace, resolve_bold_font
from pipeline.picture.images import load_picture, write_picture
from pipeline.picture.layout import (
    RGB,
    RGBA,
    Item,
    Layout,
    Picture,
    Screen,
    Shape,
    ShownCaption,
    Text,
    hex_colour,
    hex_colour_alpha,
)
from pipeline.script import Episode

StateKey = tuple[object, ...]

__all__ = ["Painter", "RenderPlan", "hex_colour", "hex_colour_alpha", "render_states", "timeline"]


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
class Fade:
    """The last screen of a section (flattened, its moving picture drawn in) fading out over frames [first, end)."""

    path: Path
    first_frame: int
    end_frame: int


@dataclass(frozen=True)
class Word:
    """The caption band with one word marked (the rest transparent), laid over the frames [first, end)."""

    path: Path
    first_frame: int
    end_frame: int


@dataclass(frozen=True)
class RenderPlan:
    """The distinct frames of an episode on disk and how long each is held, in order.

    ``words`` (when captions highlight words) lie over the video in ``word_box``, the caption
    band, each for its frames; between them the band is ``blank_word`` (fully transparent).
    """

    width: int
    height: int
    fps: int
    total_frames: int
    states: tuple[RenderedState, ...]
    distinct: int
    moving: tuple[MovingPicture, ...] = ()
    fades: tuple[Fade, ...] = ()
    words: tuple[Word, ...] = ()
    word_box: tuple[int, int, int, int] = (0, 0, 0, 0)
    blank_word: Path | None = None


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
            if not cue_index and panel >= 0:
                # A pause inside a card holds it as it was: the clause or point just read stays marked.
                cue_index = max((c.index for c in cues if c.block == panel and c.end_frame <= first), default=0)
            segments.append(Segment(("scene", span.index, panel, cue_index), first, end))
    segments.append(Segment(("closing",), track.closing_first_frame, track.total_frames))
    return _merge([s for s in segments if s.end_frame > s.first_frame])


def _law_spans(cues: list[Cue]) -> list[tuple[int, int, int]]:
    """(first frame, end frame, block) of each law card: from its first cue to its last."""
    spans: dict[int, tuple[int, int]] = {}
    for cue in cues:
        if cue.kind in ("law", "points"):
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
    """Paints the screens that :class:`~pipeline.picture.layout.Layout` lays out, at any frame size."""

    def __init__(
        self,
        config: Config,
        font: FontFace,
        width: int,
        height: int,
        *,
        watermark: str | None = None,
        bold: FontFace | None = None,
    ) -> None:
        self.config = config
        self.watermark = watermark
        self.font = font
        self.bold = bold or resolve_bold_font(config)
        self.width = width
        self.height = height
        self.scale = width / 1080
        self.theme = config.theme
        self.layout = Layout(config, font, self.bold, width, height)
        self._background = _gradient(
            width, height, hex_colour(self.theme.background), hex_colour(self.theme.background_bottom)
        )

    def px(self, value: float) -> int:
        return round(value * self.scale)

    # --- whole screens -------------------------------------------------------------------

    def title_card(self, episode: Episode, notice: str = "") -> Image.Image:
        return self._stamp(self.paint(self.layout.title_card(episode, notice)))

    def closing_card(self) -> Image.Image:
        return self._stamp(self.paint(self.layout.closing_card()))

    def scene_state(
        self, episode: Episode, scene_index: int, captions: Sequence[ShownCaption], current: int | None
    ) -> Image.Image:
        """Scene ``scene_index`` while ``captions[current]`` is read (``None``: no caption)."""
        screen = self.layout.scene(episode, scene_index, captions, current)
        return self.paint_top(self.paint(screen), screen)

    def picture_box(self, episode: Episode, scene_index: int) -> tuple[int, int, int, int]:
        """Where a scene's picture goes: below the header, above the caption band."""
        return self.layout.picture_box(episode, scene_index)

    def paint(self, screen: Screen) -> Image.Image:
        """The screen's base on the branded background, with the draft mark if any."""
        return self._stamp(self._items(self._background.copy(), screen.base))

    def paint_top(self, base: Image.Image, screen: Screen) -> Image.Image:
        """The caption (or whatever changes over a shared base) drawn on a copy of ``base``."""
        return self._items(base.copy(), screen.top) if screen.top else base

    def word_box(self) -> tuple[int, int, int, int]:
        """The band every caption line lies in (full width, even edges for 4:2:0 video)."""
        layout = self.layout
        top = max(layout.caption_top() - self.px(40), 0) // 2 * 2
        bottom = min(layout.caption_bottom() + self.px(40), self.height) // 2 * 2
        return (0, top, self.width, bottom)

    def marked_word(
        self, caption: Text, row: int, start: int, end: int, box: tuple[int, int, int, int]
    ) -> Image.Image:
        """Characters [start, end) of line ``row`` of ``caption`` on an accent marker, in ``box`` (the rest clear).

        The marker covers the word as drawn below it, so the band can simply lie over the frame.
        """
        image = Image.new("RGBA", (box[2] - box[0], box[3] - box[1]), (0, 0, 0, 0))
        line = caption.lines[row]
        face, size = caption.face, caption.size
        x = line.x + face.length(size, line.text[:start]) - box[0]
        word = line.text[start:end]
        advance = face.length(size, word)
        baseline = line.baseline - box[1]
        pad = max(self.px(4), 1) + caption.stroke
        marker = (
            round(x) - pad,
            baseline - round(size * 0.98),
            round(x + advance) + pad,
            baseline + round(size * 0.26),
        )
        ImageDraw.Draw(image).rounded_rectangle(
            marker, radius=round(size * 0.18), fill=(*hex_colour(self.theme.accent), 255)
        )
        options: dict[str, object] = {"language": face.language} if face.language else {}
        ImageDraw.Draw(image).text(
            (x, baseline),
            word,
            font=face.pil(size),
            fill=(*hex_colour(self.theme.background_bottom), 255),
            anchor="ls",
            **options,  # type: ignore[arg-type]
        )
        return image

    def cover(self, episode: Episode, width: int, height: int) -> Image.Image:
        """A cover (3:4 or 4:3): series, 期数, the episode's first picture and the title set large."""
        screen = self.cover_layout(width, height).cover(episode)
        background = _gradient(
            width, height, hex_colour(self.theme.background), hex_colour(self.theme.background_bottom)
        )
        return self._items(background, screen.base).convert("RGB")

    def cover_layout(self, width: int, height: int) -> Layout:
        """The layout of a cover of this size (no platform controls cover a cover)."""
        return Layout(self.config, self.font, self.bold, width, height, safe_area="none")

    # --- painting ------------------------------------------------------------------------

    def _items(self, image: Image.Image, items: Sequence[Item]) -> Image.Image:
        for item in items:
            if isinstance(item, Shape):
                image = _fill(image, item.rect, item.fill, item.radius)
            elif isinstance(item, Picture):
                image = self._picture(image, item)
            else:
                image = self._text(image, item)
        return image

    def _text(self, image: Image.Image, text: Text) -> Image.Image:
        font = text.face.pil(text.size)
        language = text.face.language or None
        for line in text.lines:
            x = float(line.x)
            for run in line.runs:
                advance = text.face.length(text.size, run.text)
                if run.mark is not None:
                    top, bottom = line.baseline - round(text.size * 0.92), line.baseline + round(text.size * 0.2)
                    image = _fill(
                        image, (round(x) - 2, top, round(x + advance) + 2, bottom), run.mark, round(text.size * 0.12)
                    )
                x += advance
        if text.shadow is not None and text.lines:
            image = self._shadow(image, text, font, language)
        draw = ImageDraw.Draw(image)
        for line in text.lines:
            x = float(line.x)
            for run in line.runs:
                options: dict[str, object] = {"language": language} if language else {}
                draw.text(
                    (x, line.baseline),
                    run.text,
                    font=font,
                    fill=run.colour,
                    anchor="ls",
                    stroke_width=text.stroke,
                    stroke_fill=text.stroke_colour,
                    **options,  # type: ignore[arg-type]
                )
                x += text.face.length(text.size, run.text)
        return image

    def _shadow(
        self, image: Image.Image, text: Text, font: ImageFont.FreeTypeFont, language: str | None
    ) -> Image.Image:
        """A soft drop shadow: the text in the shadow colour, offset and blurred, over the region it covers only."""
        assert text.shadow is not None
        blur = max(self.px(5), 1)
        offset = max(self.px(3), 1)
        left = max(min(line.box[0] for line in text.lines) - 3 * blur, 0)
        top = max(min(line.box[1] for line in text.lines) - 3 * blur, 0)
        right = min(max(line.box[2] for line in text.lines) + 3 * blur + offset, image.width)
        bottom = min(max(line.box[3] for line in text.lines) + 3 * blur + offset, image.height)
        if right <= left or bottom <= top:
            return image
        mask = Image.new("L", (right - left, bottom - top), 0)
        draw = ImageDraw.Draw(mask)
        for line in text.lines:
            options: dict[str, object] = {"language": language} if language else {}
            draw.text(
                (line.x - left + offset, line.baseline - top + offset),
                line.text,
                font=font,
                fill=text.shadow[3],
                anchor="ls",
                stroke_width=max(text.stroke, self.px(2)),
                **options,  # type: ignore[arg-type]
            )
        mask = mask.filter(ImageFilter.GaussianBlur(blur))
        region = image.crop((left, top, right, bottom))
        colour = Image.new(
            region.mode, region.size, (*text.shadow[:3], 255) if region.mode == "RGBA" else text.shadow[:3]
        )
        if region.mode == "RGBA":
            # Keep the region's own alpha: a shadow must not fill the moving picture's window.
            alpha = region.getchannel("A")
            region.paste(colour, (0, 0), mask)
            region.putalpha(alpha)
        else:
            region.paste(colour, (0, 0), mask)
        image.paste(region, (left, top))
        return image

    def _picture(self, image: Image.Image, picture: Picture) -> Image.Image:
        box = picture.rect
        size = (box[2] - box[0], box[3] - box[1])
        if picture.kind == "window":
            framed = image.convert("RGBA")
            hole = Image.new("L", size, 0)
            ImageDraw.Draw(hole).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=picture.radius, fill=255)
            alpha = framed.getchannel("A")
            alpha.paste(0, (box[0], box[1]), hole)
            framed.putalpha(alpha)
            return framed
        if picture.kind == "qr":
            image.paste(qr_image(picture.source, size[0]), (box[0], box[1]))
            return image
        if picture.kind == "logo":
            self._logo(image, box)
            return image
        if picture.kind == "fade":
            return self._fade(image, picture)
        upright = load_picture(Path(picture.source), hex_colour(self.theme.background_bottom))
        if (picture.fit or self.theme.picture_fit) == "contain":
            # The whole picture, centred on a dark panel: nothing of it is cropped.
            inner = ImageOps.contain(upright, size, Image.Resampling.LANCZOS)
            shown = Image.new("RGB", size, hex_colour(self.theme.background_bottom))
            shown.paste(inner, ((size[0] - inner.width) // 2, (size[1] - inner.height) // 2))
        else:
            shown = ImageOps.fit(upright, size, Image.Resampling.LANCZOS)
        mask = Image.new("L", size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=picture.radius, fill=255)
        image.paste(shown, (box[0], box[1]), mask)
        return image

    def _fade(self, image: Image.Image, picture: Picture) -> Image.Image:
        """The background colour fading in over a picture's edge (``source`` says towards where it is solid)."""
        left, top, right, bottom = picture.rect
        size = (right - left, bottom - top)
        if size[0] <= 0 or size[1] <= 0:
            return image
        along = size[1] if picture.source in ("down", "up") else size[0]
        ramp = np.linspace(0.0, 1.0, along, dtype=np.float32) ** 1.6
        if picture.source in ("up", "left"):
            ramp = ramp[::-1]
        alpha = (ramp * 255).astype(np.uint8)
        mask = Image.fromarray(alpha[:, None] if picture.source in ("down", "up") else alpha[None, :]).resize(size)
        t = ((top + bottom) / 2) / image.height
        colour = tuple(
            round(a + (b - a) * t)
            for a, b in zip(hex_colour(self.theme.background), hex_colour(self.theme.background_bottom), strict=True)
        )
        image.paste(Image.new(image.mode, size, colour if image.mode == "RGB" else (*colour, 255)), (left, top), mask)
        return image

    def _logo(self, image: Image.Image, box: tuple[int, int, int, int]) -> None:
        """The series logo, scaled to the box's height and pasted with its transparency."""
        path = self.config.root / self.theme.logo
        if not path.is_file():
            raise RenderError(
                _("{path}: 'theme.logo' names {logo}, which does not exist").format(
                    path=self.config.path, logo=self.theme.logo
                )
            )
        height = box[3] - box[1]
        logo = load_picture(path)
        logo = logo.resize((max(round(logo.width * height / logo.height), 1), height), Image.Resampling.LANCZOS)
        image.paste(logo, (box[0], box[1]), logo)

    def _stamp(self, image: Image.Image) -> Image.Image:
        """The draft mark: large, translucent, across the middle, so a draft is never mistaken for a release."""
        if not self.watermark:
            return image
        font = self.font.pil(max(self.px(220), 8))
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        draw.text(
            (self.width / 2, self.height * 0.42), self.watermark, font=font, anchor="mm", fill=(255, 255, 255, 70)
        )
        draw.text(
            (self.width - self.px(40), self.px(40)),
            self.watermark,
            font=self.font.pil(max(self.px(48), 8)),
            anchor="ra",
            fill=(255, 80, 80, 230),
        )
        return _keep_mode(Image.alpha_composite(image.convert("RGBA"), layer), image.mode)


def _fill(image: Image.Image, rect: tuple[int, int, int, int], fill: RGBA, radius: int) -> Image.Image:
    """A (rounded) rectangle; a translucent one is blended over the region it covers only."""
    if fill[3] == 255:
        ImageDraw.Draw(image).rounded_rectangle(rect, radius=radius, fill=fill[:3] if image.mode == "RGB" else fill)
        return image
    left, top = max(rect[0], 0), max(rect[1], 0)
    right, bottom = min(rect[2] + 1, image.width), min(rect[3] + 1, image.height)
    if right <= left or bottom <= top:
        return image
    region = image.crop((left, top, right, bottom)).convert("RGBA")
    overlay = Image.new("RGBA", region.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rounded_rectangle(
        (rect[0] - left, rect[1] - top, rect[2] - left, rect[3] - top), radius=radius, fill=fill
    )
    blended = Image.alpha_composite(region, overlay)
    if image.mode == "RGBA":
        blended.putalpha(region.getchannel("A"))
        image.paste(blended, (left, top))
    else:
        image.paste(blended.convert("RGB"), (left, top))
    return image


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
    decorate: Callable[[StateKey, Image.Image], Image.Image] | None = None,
) -> RenderPlan:
    """Draw each distinct screen state of the episode once, into ``folder`` as PNG files.

    ``decorate`` may add to each state before it is saved (the AI-content notice, picture/notice.py).
    """
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
        if decorate is not None:
            image = decorate(key, image)
        if moving:
            image = image.convert("RGBA")  # one pixel format for the whole stream, so ffmpeg never reconfigures
        # Level 1: these files live for seconds and are read once; speed beats size.
        image.save(path, compress_level=1)
        paths[key] = path
        if progress:
            progress(len(paths) / distinct)
    states = tuple(RenderedState(s.key, paths[s.key], s.first_frame, s.end_frame) for s in segments)
    fades = _fades(segments, paths, moving, painter, folder, track.fps)
    plan = RenderPlan(painter.width, painter.height, track.fps, track.total_frames, states, len(paths), moving, fades)
    if any(cue.words for cue in track.cues):
        box = painter.word_box()
        words = _words(episode, track, painter, box, folder)
        blank = folder / "word-blank.png"
        Image.new("RGBA", (box[2] - box[0], box[3] - box[1]), (0, 0, 0, 0)).save(blank, compress_level=1)
        plan = dataclasses.replace(plan, words=words, word_box=box, blank_word=blank)
    return plan


def _words(
    episode: Episode, track: CaptionTrack, painter: Painter, box: tuple[int, int, int, int], folder: Path
) -> tuple[Word, ...]:
    """Each word of each shown caption marked, drawn once as a small band image (a card's caption is not shown)."""
    scene_captions: dict[int, list[ShownCaption]] = {}
    for cue in track.cues:
        scene_captions.setdefault(cue.scene, []).append(ShownCaption(cue.block, cue.lines, cue.point))
    words: list[Word] = []
    position: dict[int, int] = {}
    for cue in track.cues:
        index = position.get(cue.scene, 0)
        position[cue.scene] = index + 1
        if not cue.words:
            continue
        screen = painter.layout.scene(episode, cue.scene, scene_captions[cue.scene], index)
        caption = next((t for t in screen.top if isinstance(t, Text) and t.what == "caption"), None)
        if caption is None:
            continue
        for number, (row, start, end, first) in enumerate(cue.words):
            last = cue.words[number + 1][3] if number + 1 < len(cue.words) else cue.end_frame
            if last <= first:
                continue
            path = folder / f"word-{len(words):05d}.png"
            painter.marked_word(caption, row, start, end, box).save(path, compress_level=1)
            words.append(Word(path, first, last))
    return tuple(words)


def _section(key: StateKey) -> object:
    """What a transition separates: the title card, each scene, the closing card."""
    return key[1] if key[0] == "scene" else key[0]


def _fades(
    segments: list[Segment],
    paths: dict[StateKey, Path],
    moving: tuple[MovingPicture, ...],
    painter: Painter,
    folder: Path,
    fps: int,
) -> tuple[Fade, ...]:
    """A short cross-fade at every change of section: the outgoing screen drawn once more, flattened.

    ffmpeg lays it over the first frames of the next section and fades it out, so the per-frame
    work is one overlay during the fade and nothing outside it.
    """
    seconds = painter.theme.transition_seconds
    if painter.theme.transition == "none" or seconds <= 0:
        return ()
    frames = max(round(seconds * fps), 1)
    fades: list[Fade] = []
    for before, after in itertools.pairwise(segments):
        if _section(before.key) == _section(after.key):
            continue
        end = min(after.first_frame + frames, after.end_frame)
        if end - after.first_frame < 2:
            continue
        with Image.open(paths[before.key]) as state:
            outgoing = state.convert("RGBA")
        picture = next((m for m in moving if m.first_frame <= before.first_frame < m.end_frame), None)
        if picture is not None:
            outgoing = with_still(outgoing, picture, zoom=1.08)
        path = folder / f"fade-{len(fades):02d}.png"
        outgoing.convert("RGB").save(path, compress_level=1)
        fades.append(Fade(path, after.first_frame, end))
    return tuple(fades)


def still_frame(plan: RenderPlan, state: RenderedState) -> Image.Image:
    """A state as the viewer sees it when it starts: its moving picture, if any, drawn in at the start of its zoom."""
    with Image.open(state.path) as opened:
        image: Image.Image = opened.convert("RGBA")
    picture = next((m for m in plan.moving if m.first_frame <= state.first_frame < m.end_frame), None)
    if picture is not None:
        progress = (state.first_frame - picture.first_frame) / max(picture.end_frame - picture.first_frame, 1)
        image = with_still(image, picture, zoom=1 + 0.08 * progress)
    flat: Image.Image = image.convert("RGB")
    return flat


def with_still(state: Image.Image, picture: MovingPicture, zoom: float) -> Image.Image:
    """``state`` with its moving picture drawn under it as ffmpeg shows it at ``zoom`` (the end of the push-in)."""
    left, top, right, bottom = picture.box
    size = (right - left, bottom - top)
    with Image.open(picture.path) as source:
        prepared = source.convert("RGB")
    if picture.fit == "contain":
        inner = ImageOps.contain(prepared, size)
        shown = Image.new("RGB", size, (0, 0, 0))
        shown.paste(inner, ((size[0] - inner.width) // 2, (size[1] - inner.height) // 2))
    else:
        shown = ImageOps.fit(prepared, size)
    crop_w, crop_h = round(size[0] / zoom), round(size[1] / zoom)
    x, y = (size[0] - crop_w) // 2, (size[1] - crop_h) // 2
    shown = shown.crop((x, y, x + crop_w, y + crop_h)).resize(size, Image.Resampling.BILINEAR)
    under = Image.new("RGBA", state.size, (0, 0, 0, 255))
    under.paste(shown, (left, top))
    return Image.alpha_composite(under, state)


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
    bases: dict[tuple[object, ...], Image.Image] = {}
    scene_captions: dict[int, list[ShownCaption]] = {}
    position: dict[int, int] = {}
    for cue in sorted(cues.values(), key=lambda c: c.index):
        shown = scene_captions.setdefault(cue.scene, [])
        position[cue.index] = len(shown)
        shown.append(ShownCaption(cue.block, cue.lines, cue.point))
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
            _, scene_index, _panel, cue_index = key
            assert isinstance(scene_index, int) and isinstance(cue_index, int)
            captions = scene_captions.get(scene_index, [])
            screen = painter.layout.scene(episode, scene_index, captions, position[cue_index] if cue_index else None)
            if screen.base_key not in bases:
                if bases and next(iter(bases))[1] != scene_index:
                    bases.clear()  # a scene's bases are never needed again once the next scene starts
                bases[screen.base_key] = painter.paint(screen)
            yield key, painter.paint_top(bases[screen.base_key], screen)
