"""Where every text, card and picture of a screen goes, measured with the real fonts and drawing nothing.

A :class:`Screen` is a list of shapes, pictures and texts in drawing order, each text with the
box it must stay in. The renderer (:mod:`pipeline.picture.frames`) only paints screens; ``pufa
check`` and the build lay out every screen state of an episode with the same code and call
:func:`problems`, which reports any text leaving its box, the frame or the platform's safe area.
All measures are pixels of the frame; the design is drawn at 1080 wide and scaled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pipeline.captions.split import CaptionPlan, tokenize
from pipeline.config import Config
from pipeline.i18n import C_, NC_, _, shown_name
from pipeline.picture.fonts import FontFace
from pipeline.script import Block, Episode, Span

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Rect = tuple[int, int, int, int]

# Fractions of the frame (top, right, bottom, left) that each platform covers with its own controls:
# 视频号 puts the title, description and buttons over the bottom, 抖音 also a column of buttons on the right.
SAFE_AREAS: dict[str, tuple[float, float, float, float]] = {
    "none": (0.0, 0.0, 0.0, 0.0),
    "channels": (0.05, 0.06, 0.16, 0.05),
    "douyin": (0.06, 0.14, 0.20, 0.05),
}

# The covers a build and a Channels package make: 3:4 for the feed, 4:3 for the 视频号 card.
COVER_SIZES = ((1080, 1440), (1440, 1080))

_CN_NUMERAL = "零〇一二三四五六七八九十百千万两"
_ARTICLE = rf"第(?:[{_CN_NUMERAL}]+|\d+)条(?:之(?:[{_CN_NUMERAL}]+|\d+))?(?:第(?:[{_CN_NUMERAL}]+|\d+)款)?"
CITATION = re.compile(rf"^(?P<law>《[^《》]+》)?(?P<article>{_ARTICLE})(?:规定)?\s*[：:，,]?\s*")
SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")


# What each text and screen is called in messages. ``Text.what`` and ``Screen.name`` stay these
# English identifiers (code and tests compare them); the words are translated where they are shown.
TEXT_NAMES = {
    "caption": NC_("layout text", "caption"),
    "title": NC_("layout text", "title"),
    "topic": NC_("layout text", "topic"),
    "series name": NC_("layout text", "series name"),
    "episode line": NC_("layout text", "episode line"),
    "episode number": NC_("layout text", "episode number"),
    "notice": NC_("layout text", "notice"),
    "scene label": NC_("layout text", "scene label"),
    "key sentence": NC_("layout text", "key sentence"),
    "point": NC_("layout text", "point"),
    "point number": NC_("layout text", "point number"),
    "law citation": NC_("layout text", "law citation"),
    "law text": NC_("layout text", "law text"),
    "page number": NC_("layout text", "page number"),
    "thanks": NC_("layout text", "thanks"),
    "hotline label": NC_("layout text", "hotline label"),
    "hotline": NC_("layout text", "hotline"),
    "account": NC_("layout text", "account"),
    "producer": NC_("layout text", "producer"),
    "QR label": NC_("layout text", "QR label"),
}
SCREEN_NAMES = {"title card": NC_("screen", "title card"), "closing card": NC_("screen", "closing card")}
_COVER_NAME = re.compile(r"cover (?P<width>\d+)x(?P<height>\d+)")
_SCENE_NAME = re.compile(r"scene (?P<number>\d+) \((?P<label>.*)\)", re.DOTALL)


def text_name(what: str) -> str:
    """A text's name (``Text.what``) in the user's language: 'law citation' → 法条出处."""
    return shown_name("layout text", TEXT_NAMES, what)


def screen_name(name: str) -> str:
    """A screen's name (``Screen.name``) in the user's language: 'scene 2 (案例)' → 第2个场景「案例」.

    The cover's and a scene's names carry their size or number and label, read back here.
    """
    if name in SCREEN_NAMES:
        return C_("screen", SCREEN_NAMES[name])
    if cover := _COVER_NAME.fullmatch(name):
        return _("cover {width}x{height}").format(width=cover["width"], height=cover["height"])
    if scene := _SCENE_NAME.fullmatch(name):
        return _("scene {number} ({label})").format(number=scene["number"], label=scene["label"])
    return name


def hex_colour(value: str) -> RGB:
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


def hex_colour_alpha(value: str) -> RGBA:
    return (*hex_colour(value), int(value[7:9], 16) if len(value) == 9 else 255)


def middle(step: int, size: int) -> int:
    """The baseline that centres CJK ink (about 0.88 em above the baseline, 0.12 below) in a line ``step`` tall."""
    return step // 2 + round(size * 0.38)


def blend(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


@dataclass(frozen=True)
class Run:
    """Part of one line in one colour; ``mark`` is a highlighter band drawn behind it."""

    text: str
    colour: RGB
    mark: RGBA | None = None


@dataclass(frozen=True)
class Line:
    """One line of text: its runs from left to right, the baseline origin and the ink box measured with the font."""

    runs: tuple[Run, ...]
    x: int
    baseline: int
    box: Rect

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Text:
    """A text block: ``what`` identifies it (:func:`text_name` names it to people); its lines stay in ``container``."""

    what: str
    face: FontFace
    size: int
    lines: tuple[Line, ...]
    container: Rect
    shadow: RGBA | None = None
    stroke: int = 0
    stroke_colour: RGB = (0, 0, 0)

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


@dataclass(frozen=True)
class Shape:
    rect: Rect
    fill: RGBA
    radius: int = 0


@dataclass(frozen=True)
class Picture:
    """A picture in ``rect``: a scene image (``source`` is its path), the moving-picture window, a QR code, a logo."""

    rect: Rect
    kind: Literal["image", "window", "qr", "logo", "fade"]
    source: str
    radius: int = 0
    fit: str = ""  # cover or contain; empty: the theme's picture_fit


Item = Shape | Picture | Text


@dataclass(frozen=True)
class Screen:
    """One screen state: ``base`` is shared by every caption over it (drawn once, keyed by ``base_key``)."""

    name: str
    base_key: tuple[object, ...]
    base: tuple[Item, ...]
    top: tuple[Item, ...] = ()

    @property
    def texts(self) -> Iterator[Text]:
        for item in (*self.base, *self.top):
            if isinstance(item, Text):
                yield item


@dataclass(frozen=True)
class ShownCaption:
    """A caption as the screen needs it: the block it belongs to and its lines."""

    block: int
    lines: tuple[str, ...]
    point: int = -1

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass(frozen=True)
class Problem:
    """A text that leaves where it must stay; ``scene`` is the scene index, or -1 for title, closing and covers.

    ``what`` is the kind of the text at fault (``Text.what``: title, topic, caption …).
    """

    screen: str
    scene: int
    block: int
    message: str
    what: str = ""


@dataclass
class Styled:
    """Text with a colour (and optional highlighter mark) for every character."""

    text: str = ""
    colours: list[RGB] = field(default_factory=list)
    marks: list[RGBA | None] = field(default_factory=list)

    def add(self, text: str, colour: RGB, mark: RGBA | None = None) -> Styled:
        self.text += text
        self.colours += [colour] * len(text)
        self.marks += [mark] * len(text)
        return self

    def runs(self, start: int, end: int) -> tuple[Run, ...]:
        runs: list[Run] = []
        for i in range(start, end):
            style = (self.colours[i], self.marks[i])
            if runs and (runs[-1].colour, runs[-1].mark) == style:
                runs[-1] = Run(runs[-1].text + self.text[i], *style)
            else:
                runs.append(Run(self.text[i], *style))
        return tuple(runs)


def emphasis_offsets(spans: Sequence[Span]) -> set[int]:
    """Offsets into the shown text of the characters marked as key words (``**重点**``)."""
    marked: set[int] = set()
    offset = 0
    for span in spans:
        if span.emphasis:
            marked.update(range(offset, offset + len(span.shown)))
        offset += len(span.shown)
    return marked


def wrap_offsets(
    text: str, measure: Callable[[str], float], width: float, *, break_words: bool = True, balance: bool = True
) -> list[tuple[int, int]]:
    """Lines of ``text`` no wider than ``width`` as (start, end) offsets, broken between caption tokens.

    A token wider than a whole line (a long 《》 title at a large size) is broken between
    characters instead of running out of its box (with ``break_words`` false it is left whole,
    and the caller sees the line is too wide). Lines are balanced: as even as the same number
    of lines allows, and two lines prefer a cut after punctuation, so nothing ends with one
    lonely character.
    """
    pieces: list[tuple[int, int]] = []
    offset = 0
    for token in tokenize([Span(text, text)]):
        end = offset + len(token.shown)
        if break_words and measure(token.shown.strip()) > width:
            pieces += [(i, i + 1) for i in range(offset, end)]
        else:
            pieces.append((offset, end))
        offset = end

    def greedy(limit: float) -> list[tuple[int, int]]:
        lines: list[tuple[int, int]] = []
        for start, end in pieces:
            if lines and measure(text[lines[-1][0] : end].strip()) <= limit:
                lines[-1] = (lines[-1][0], end)
            else:
                lines.append((start, end))
        return lines

    lines = greedy(width)
    em = measure("中")
    if len(lines) == 2 and balance:
        best: tuple[float, list[tuple[int, int]]] | None = None
        first, last = lines[0][0], lines[1][1]
        for _start, cut in pieces[:-1]:
            a, b = text[first:cut].strip(), text[cut:last].strip()
            if not a or not b:
                continue
            widest = max(measure(a), measure(b))
            if widest > width:
                continue
            score = widest - (2 * em if a[-1] in "，、：；！？,:;!?" else 0)
            if best is None or score < best[0]:
                best = (score, [(first, cut), (cut, last)])
        if best is not None:
            lines = best[1]
    elif len(lines) > 2 and balance:
        limit = width
        while limit > em:
            narrower = greedy(limit - em / 2)
            if len(narrower) != len(lines):
                break
            lines, limit = narrower, limit - em / 2
    return [_trim(text, s, e) for s, e in lines if text[s:e].strip()]


def clause_lines(text: str, measure: Callable[[str], float], width: float) -> list[tuple[int, int]] | None:
    """Lines broken only after punctuation (short clauses share a line), or None if a clause is too wide."""
    clauses: list[tuple[int, int]] = []
    start = 0
    for i, char in enumerate(text):
        if char in "，。、；：！？,;:!?" and i + 1 < len(text):
            clauses.append((start, i + 1))
            start = i + 1
    clauses.append((start, len(text)))
    lines: list[tuple[int, int]] = []
    for a, b in clauses:
        if measure(text[a:b].strip()) > width:
            return None
        if lines and measure(text[lines[-1][0] : b].strip()) <= width:
            lines[-1] = (lines[-1][0], b)
        else:
            lines.append((a, b))
    return [_trim(text, a, b) for a, b in lines if text[a:b].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class Layout:
    """The series design for one frame size: every screen of an episode as a :class:`Screen`."""

    def __init__(
        self,
        config: Config,
        regular: FontFace,
        bold: FontFace,
        width: int,
        height: int,
        *,
        safe_area: str | None = None,
    ) -> None:
        self.config = config
        self.theme = config.theme
        self.regular = regular
        self.bold = bold
        self.width = width
        self.height = height
        self.scale = min(width, height) / 1080
        top, right, bottom, left = SAFE_AREAS[safe_area or config.video.safe_area]
        self.safe: Rect = (
            round(width * left),
            round(height * top),
            width - round(width * right),
            height - round(height * bottom),
        )
        self.accent = hex_colour(self.theme.accent)
        self.text_colour = hex_colour(self.theme.text)
        self.dark = hex_colour(self.theme.background_bottom)
        shadow = config.captions.shadow
        self.shadow: RGBA | None = hex_colour_alpha(shadow) if shadow else None
        self._law_cards: dict[tuple[int, int], _LawCard] = {}
        self._boards: dict[tuple[int, int, Rect], tuple[Block, list[Item]]] = {}
        self._point_cards: dict[tuple[int, int, int, int, Rect], list[Item]] = {}

    def px(self, value: float) -> int:
        return round(value * self.scale)

    @property
    def centre(self) -> int:
        return (self.safe[0] + self.safe[2]) // 2

    # --- measuring ----------------------------------------------------------------------

    def measure(self, face: FontFace, size: int) -> Callable[[str], float]:
        return lambda text: face.length(size, text)

    def line(self, face: FontFace, size: int, runs: tuple[Run, ...], x: float, baseline: int) -> Line:
        """A line whose advance starts at ``x``; its box is the ink extent."""
        font = face.pil(size)
        text = "".join(r.text for r in runs)
        language = face.language or None
        left, top, right, bottom = (
            font.getbbox(text, anchor="ls", language=language) if language else font.getbbox(text, anchor="ls")
        )
        x = round(x)
        return Line(
            runs, x, baseline, (x + round(left), baseline + round(top), x + round(right), baseline + round(bottom))
        )

    def centred(
        self, face: FontFace, size: int, text: str, colour: RGB, baseline: int, *, cx: int | None = None
    ) -> Line:
        cx = self.centre if cx is None else cx
        return self.line(face, size, (Run(text, colour),), cx - face.length(size, text) / 2, baseline)

    def paragraph(
        self,
        what: str,
        face: FontFace,
        styled: Styled,
        container: Rect,
        *,
        sizes: Sequence[int],
        max_lines: int,
        leading: float = 1.3,
        align: Literal["centre", "left"] = "centre",
        valign: Literal["top", "middle"] = "middle",
        shadow: RGBA | None = None,
    ) -> Text:
        """``styled`` as large as it fits ``container`` in at most ``max_lines`` lines (design sizes, largest first).

        If even the smallest size needs more lines, the lines are set anyway and run out of the
        container, so :func:`problems` reports it.
        """
        width = container[2] - container[0]
        height = container[3] - container[1]
        chosen: tuple[int, list[tuple[int, int]]] | None = None
        for design in sizes:
            # Lines broken only after punctuation read best: worth setting the text smaller for.
            size = max(self.px(design), 8)
            measure = self.measure(face, size)
            clauses = clause_lines(styled.text, measure, width)
            if clauses and len(clauses) <= max_lines and round(size * leading) * len(clauses) <= height:
                chosen = size, clauses
                break
        if chosen is None:
            for design in sizes:
                size = max(self.px(design), 8)
                wrapped = wrap_offsets(styled.text, self.measure(face, size), width)
                if len(wrapped) <= max_lines and round(size * leading) * len(wrapped) <= height:
                    break
            chosen = size, wrapped
        size, lines = chosen
        step = round(size * leading)
        block_height = step * len(lines)
        top = container[1] if valign == "top" else container[1] + (height - block_height) // 2
        placed = []
        for row, (start, end) in enumerate(lines):
            runs = styled.runs(start, end)
            baseline = top + row * step + middle(step, size)
            if align == "centre":
                x = (container[0] + container[2]) / 2 - face.length(size, styled.text[start:end]) / 2
            else:
                x = container[0]
            placed.append(self.line(face, size, runs, x, baseline))
        return Text(what, face, size, tuple(placed), container, shadow=shadow)

    def one_line(
        self,
        what: str,
        face: FontFace,
        size: float,
        text: str,
        colour: RGB,
        baseline: int,
        container: Rect,
        *,
        shadow: bool = False,
    ) -> Text:
        """One line centred in ``container`` at design size ``size``."""
        line = self.centred(face, self.px(size), text, colour, baseline, cx=(container[0] + container[2]) // 2)
        return Text(what, face, self.px(size), (line,), container, shadow=self.shadow if shadow else None)

    # --- parts ---------------------------------------------------------------------------

    def badge(self, what: str, text: str, top: int, size: float, container: Rect) -> list[Item]:
        """Text on a pill of the accent colour, centred in ``container`` with its top at ``top``."""
        size_px = self.px(size)
        pad_x, pad_y = round(size_px * 0.6), round(size_px * 0.28)
        baseline = top + middle(size_px + 2 * pad_y, size_px)
        line = self.centred(self.bold, size_px, text, self.dark, baseline, cx=(container[0] + container[2]) // 2)
        rect = (line.box[0] - pad_x, top, line.box[2] + pad_x, top + size_px + 2 * pad_y)
        return [
            Shape(rect, (*self.accent, 255), (rect[3] - rect[1]) // 2),
            Text(what, self.bold, size_px, (line,), rect),
        ]

    def header(self, episode: Episode) -> tuple[list[Item], int]:
        """Series name, 第N期 and topic, and the rule under them; returns the items and the rule's bottom."""
        frame = self.safe
        top = frame[1] + self.px(24)
        items: list[Item] = []
        if self.theme.logo:
            side = self.px(96)
            items.append(Picture((frame[0] + self.px(24), top, frame[0] + self.px(24) + side, top + side), "logo", ""))
        items.append(
            self.one_line(
                "series name",
                self.bold,
                56,
                self.config.series.name,
                self.text_colour,
                top + self.px(60),
                frame,
                shadow=True,
            )
        )
        items.append(
            self.one_line(
                "episode line",
                self.regular,
                38,
                f"第{episode.number}期 · {episode.topic}",
                self.accent,
                top + self.px(118),
                frame,
            )
        )
        rule = top + self.px(146)
        width = self.px(120)
        items.append(
            Shape(
                (self.centre - width // 2, rule, self.centre + width // 2, rule + self.px(6)),
                (*self.accent, 255),
                self.px(3),
            )
        )
        return items, rule + self.px(6)

    def caption_width(self) -> int:
        """How wide a caption line may be: the safe area less the caption margins."""
        return self.safe[2] - self.safe[0] - 2 * self.px(self.config.captions.margin)

    def caption_top(self) -> int:
        captions = self.config.captions
        return self.caption_bottom() - self.px(captions.font_size * 1.4) * captions.max_lines - self.px(18)

    def caption_bottom(self) -> int:
        return self.safe[3] - self.px(28)

    def caption(self, caption: ShownCaption, marked: set[int], shown: str) -> list[Item]:
        """The caption band and its lines at the bottom of the safe area; key words in the accent colour."""
        settings = self.config.captions
        size = self.px(settings.font_size)
        step = self.px(settings.font_size * 1.4)
        bottom = self.caption_bottom()
        top = bottom - step * len(caption.lines)
        colour = hex_colour(settings.colour)
        start = shown.find(caption.text)
        lines = []
        offset = start
        for row, text in enumerate(caption.lines):
            styled = Styled()
            for i, char in enumerate(text):
                key = start >= 0 and offset + i in marked
                styled.add(char, self.accent if key else colour)
            if start >= 0:
                found = shown.find(text, offset)
                offset = (found if found >= 0 else offset) + len(text)
            baseline = top + row * step + middle(step, size)
            x = self.centre - self.bold.length(size, text) / 2
            lines.append(self.line(self.bold, size, styled.runs(0, len(text)), x, baseline))
        margin = self.px(settings.margin)
        container = (self.safe[0] + margin, top - self.px(16), self.safe[2] - margin, bottom + self.px(14))
        items: list[Item] = []
        if settings.band:
            pad = self.px(24)
            band = (container[0] - pad, container[1], container[2] + pad, container[3])
            items.append(Shape(band, hex_colour_alpha(settings.band), self.px(18)))
        items.append(
            Text(
                "caption",
                self.bold,
                size,
                tuple(lines),
                container,
                shadow=self.shadow,
                stroke=self.px(settings.stroke_width),
                stroke_colour=hex_colour(settings.stroke),
            )
        )
        return items

    # --- whole screens -------------------------------------------------------------------

    def title_card(self, episode: Episode, notice: str = "") -> Screen:
        """Series name, 第N期, the title set large, the topic; ``notice`` is one small line at the safe bottom."""
        frame = self.safe
        items: list[Item] = []
        if self.theme.logo:
            side = self.px(140)
            items.append(
                Picture(
                    (self.centre - side // 2, self.px(300), self.centre + side // 2, self.px(300) + side), "logo", ""
                )
            )
        if self.theme.title_layout == "banner":
            items.append(Shape((0, self.px(470), self.width, self.px(650)), (*self.accent, 255)))
            items.append(
                self.one_line("series name", self.bold, 76, self.config.series.name, self.dark, self.px(588), frame)
            )
        else:
            items.append(
                self.one_line("series name", self.bold, 72, self.config.series.name, self.accent, self.px(585), frame)
            )
        items += self.badge("episode number", f"第{episode.number}期", self.px(690), 52, frame)
        inner = (frame[0] + self.px(60), self.px(830), frame[2] - self.px(60), self.px(1330))
        title = self.paragraph(
            "title",
            self.bold,
            Styled().add(episode.title, self.text_colour),
            inner,
            sizes=(120, 112, 104, 96, 88, 80, 72, 64),
            max_lines=3,
            leading=1.28,
            shadow=self.shadow,
        )
        items.append(title)
        below = max(line.box[3] for line in title.lines) if title.lines else inner[3]
        items.append(
            self.one_line("topic", self.regular, 44, f"— {episode.topic} —", self.accent, below + self.px(110), frame)
        )
        if notice:
            items.append(self.notice(notice))
        return Screen("title card", ("title",), tuple(items))

    def notice(self, text: str) -> Text:
        """One small line at the bottom of the safe area (the title card keeps it free for a content notice)."""
        frame = self.safe
        box = (frame[0] + self.px(40), frame[3] - self.px(90), frame[2] - self.px(40), frame[3] - self.px(20))
        return self.paragraph(
            "notice", self.regular, Styled().add(text, self.text_colour), box, sizes=(34, 30, 26), max_lines=1
        )

    def content_box(self, episode: Episode, scene_index: int) -> tuple[list[Item], Rect]:
        """The header (and label) of a scene and the box left for its picture or card."""
        items, below = self.header(episode)
        top = below + self.px(44)
        if self.theme.scene_labels:
            label = self.badge(
                "scene label",
                episode.scenes[scene_index].label,
                top,
                44,
                (self.safe[0] + self.px(24), 0, self.safe[0] + self.px(24), 0),
            )
            # Badges centre on their container; a label sits at the left instead.
            shape, text = label
            assert isinstance(shape, Shape) and isinstance(text, Text)
            shift = self.safe[0] + self.px(24) - shape.rect[0]
            items += [_moved(shape, shift), _moved(text, shift)]
            top = shape.rect[3] + self.px(28)
        return items, (self.safe[0] + self.px(24), top, self.safe[2] - self.px(24), self.caption_top() - self.px(36))

    def picture_box(self, episode: Episode, scene_index: int) -> Rect:
        return self.content_box(episode, scene_index)[1]

    def scene(
        self, episode: Episode, scene_index: int, captions: Sequence[ShownCaption], current: int | None
    ) -> Screen:
        """Scene ``scene_index`` while ``captions[current]`` is spoken (``None``: between captions)."""
        scene = episode.scenes[scene_index]
        items, box = self.content_box(episode, scene_index)
        name = f"scene {scene_index + 1} ({scene.label})"
        caption = captions[current] if current is not None else None
        block = scene.blocks[caption.block] if caption is not None else None
        show_caption = caption is not None
        if caption is None and scene.image is None and captions and scene.blocks[captions[0].block].kind != "narration":
            # Before the first words of a scene without a picture that opens with a law card: the card, unmarked.
            caption, block, current = captions[0], scene.blocks[captions[0].block], None
        if block is not None and block.kind == "law":
            assert caption is not None
            # The card may take the caption's place too: its caption is hidden while it is read.
            card_box = (box[0], box[1], box[2], self.caption_bottom())
            own = [c for c in captions if c.block == caption.block]
            card = self.law_card(
                scene_index, caption.block, block, own, card_box, _law_before(episode, scene_index, caption.block)
            )
            position = own.index(caption) if current is not None else -1
            items += card.screen_items(self, card_box, position)
            base_key: tuple[object, ...] = ("law", scene_index, caption.block, position)
            show_caption = False  # the card shows the words being read; the caption would repeat them
        elif block is not None and block.kind == "points":
            assert caption is not None
            card_box = (box[0], box[1], box[2], self.caption_bottom())
            shown_point = max(caption.point, 0) if current is not None else 0
            cache = (episode.number, scene_index, caption.block, shown_point, card_box)
            if cache not in self._point_cards:
                self._point_cards[cache] = self.point_card(block, card_box, shown_point)
            items += self._point_cards[cache]
            base_key = ("points", scene_index, caption.block, shown_point)
            show_caption = False  # the card shows the point being read
        elif scene.image is not None:
            radius = self.px(28)
            kind: Literal["image", "window"] = "window" if self.theme.motion != "none" else "image"
            items.append(Picture(box, kind, str(scene.image), radius))
            base_key = ("picture", scene_index)
        else:
            key, board = self.scene_board(episode, scene_index, box)
            items += board
            base_key = ("key", scene_index)
            if caption is not None and caption.text and caption.text in key.shown:
                show_caption = False
        top: list[Item] = []
        if show_caption and caption is not None and block is not None:
            top = self.caption(caption, emphasis_offsets(block.spans), block.shown)
        return Screen(name, base_key, tuple(items), tuple(top))

    def scene_board(self, episode: Episode, scene_index: int, box: Rect) -> tuple[Block, list[Item]]:
        """The key sentence of a scene without a picture and its board, laid out once for all its states."""
        cache = (episode.number, scene_index, box)
        if cache not in self._boards:
            scene = episode.scenes[scene_index]
            key = key_sentence([b for b in scene.blocks if b.kind == "narration"])
            self._boards[cache] = (key, self.key_board(key, box))
        key, board = self._boards[cache]
        return key, list(board)

    def key_board(self, key: Block, box: Rect) -> list[Item]:
        """A scene without a picture: its key sentence set large between two accent rules."""
        marked = emphasis_offsets(key.spans)
        text = key.shown.rstrip("。，、；,;")
        styled = Styled()
        for i, char in enumerate(text):
            styled.add(char, self.accent if i in marked else self.text_colour)
        inner = (box[0] + self.px(40), box[1] + self.px(120), box[2] - self.px(40), box[3] - self.px(120))
        words = self.paragraph(
            "key sentence",
            self.bold,
            styled,
            inner,
            sizes=(96, 88, 80, 72, 64, 56),
            max_lines=5,
            leading=1.4,
            shadow=self.shadow,
        )
        if not words.lines:
            return []
        top = min(line.box[1] for line in words.lines) - self.px(70)
        bottom = max(line.box[3] for line in words.lines) + self.px(64)
        width = self.px(96)
        rules: list[Item] = [
            Shape(
                (self.centre - width // 2, top, self.centre + width // 2, top + self.px(10)),
                (*self.accent, 255),
                self.px(5),
            ),
            Shape(
                (self.centre - width // 2, bottom, self.centre + width // 2, bottom + self.px(10)),
                (*self.accent, 255),
                self.px(5),
            ),
        ]
        return [*rules, words]

    def point_card(self, block: Block, box: Rect, current: int) -> list[Item]:
        """A numbered card of the block's points; points up to ``current`` are shown, the current one marked.

        The card is sized for every point from the start, so it does not grow as points appear.
        """
        theme = self.theme
        card_colour = hex_colour(theme.card)
        ink = hex_colour(theme.card_text)
        red = hex_colour(theme.card_accent)
        muted = blend(ink, card_colour, 0.45)
        pad = self.px(48)
        disc = self.px(64)
        gap = self.px(28)
        left = box[0] + self.px(40)
        text_left = left + disc + self.px(28)
        width = box[2] - self.px(40) - text_left
        room = box[3] - box[1] - 2 * pad
        texts = [point.shown for point in block.points]
        sizes = (56, 52, 48, 44, 40, 36)
        for design in sizes:
            size = self.px(design)
            measure = self.measure(self.bold, size)
            wrapped = [wrap_offsets(t, measure, width, balance=False) for t in texts]
            step = round(size * 1.45)
            heights = [max(step * len(lines), disc) for lines in wrapped]
            if sum(heights) + gap * (len(heights) - 1) <= room:
                break
        height = sum(heights) + gap * (len(heights) - 1) + 2 * pad
        top = box[1] + max((box[3] - box[1] - height) // 2, 0)
        card = (box[0], top, box[2], top + height)
        items: list[Item] = [
            Shape(
                (card[0] + self.px(6), card[1] + self.px(10), card[2] + self.px(6), card[3] + self.px(10)),
                (0, 0, 0, 70),
                self.px(28),
            ),
            Shape(card, (*card_colour, 255), self.px(28)),
        ]
        allowed = (text_left, box[1] + pad, box[2] - self.px(40), box[3] - pad)
        y = card[1] + pad
        for index, (point, lines, point_height) in enumerate(zip(block.points, wrapped, heights, strict=True)):
            if index > current:
                break
            now = index == current
            number = str(index + 1)
            items.append(Shape((left, y, left + disc, y + disc), (*(red if now else muted), 255), disc // 2))
            items.append(
                Text(
                    "point number",
                    self.bold,
                    self.px(36),
                    (
                        self.centred(
                            self.bold,
                            self.px(36),
                            number,
                            (255, 255, 255),
                            y + middle(disc, self.px(36)),
                            cx=left + disc // 2,
                        ),
                    ),
                    (left, y, left + disc, y + disc),
                )
            )
            marked = emphasis_offsets(point.spans)
            styled = Styled()
            for i, char in enumerate(point.shown):
                styled.add(char, red if i in marked else (ink if now else muted))
            placed = [
                self.line(self.bold, size, styled.runs(a, b), text_left, y + row * step + middle(step, size))
                for row, (a, b) in enumerate(lines)
            ]
            items.append(Text("point", self.bold, size, tuple(placed), allowed))
            y += point_height + gap
        return items

    def law_card(
        self,
        scene_index: int,
        block_index: int,
        block: Block,
        captions: Sequence[ShownCaption],
        box: Rect,
        law: str = "",
    ) -> _LawCard:
        """The card of ``block``, fitted once; ``law`` names the law when the card's citation gives only its article."""
        key = (scene_index, block_index)
        if key not in self._law_cards:
            self._law_cards[key] = _LawCard.make(self, block, captions, box, law)
        return self._law_cards[key]

    def cover(self, episode: Episode) -> Screen:
        """A cover of this layout's size: 3:4 (portrait) or 4:3 (landscape), with the episode's first picture.

        Portrait: the picture across the top, the title large below it. Landscape: the picture on the
        right, the text in a column on the left. Without a picture the text is centred. The title is
        broken between clauses where it can be, else between words.
        """
        picture = next((scene.image for scene in episode.scenes if scene.image is not None), None)
        width, height = self.width, self.height
        items: list[Item] = []
        portrait = height >= width
        if portrait:
            column = (self.px(70), 0, width - self.px(70), height)
            if picture is not None:
                area = (0, self.px(170), width, round(height * 0.6))
                items.append(Picture(area, "image", str(picture), fit="cover"))
                items.append(Picture((0, area[3] - self.px(260), width, area[3] + 1), "fade", "down"))
                items.append(Picture((0, area[1], width, area[1] + self.px(60)), "fade", "up"))
                title_box = (column[0], area[3] + self.px(20), column[2], height - self.px(180))
            else:
                title_box = (column[0], self.px(400), column[2], height - self.px(200))
            series_y, badge_top = self.px(105), (area[3] - self.px(110) if picture is not None else self.px(250))
        else:
            column = (self.px(70), 0, (round(width * 0.5) if picture is not None else width) - self.px(40), height)
            if picture is not None:
                area = (round(width * 0.5), 0, width, height)
                items.append(Picture(area, "image", str(picture), fit="cover"))
                items.append(Picture((area[0], 0, area[0] + self.px(240), height), "fade", "left"))
            title_box = (column[0], self.px(360), column[2], height - self.px(180))
            series_y, badge_top = self.px(150), self.px(225)
        items.append(
            self.one_line("series name", self.bold, 70, self.config.series.name, self.accent, series_y, column)
        )
        items += self.badge("episode number", f"第{episode.number}期", badge_top, 54, column)
        items.append(
            self.paragraph(
                "title",
                self.bold,
                Styled().add(episode.title, self.text_colour),
                title_box,
                sizes=(136, 128, 120, 112, 104, 96, 88, 80, 72),
                max_lines=3,
                leading=1.22,
                shadow=self.shadow,
            )
        )
        items.append(
            self.one_line(
                "account", self.regular, 46, self.config.series.account, self.accent, height - self.px(90), column
            )
        )
        return Screen(f"cover {width}x{height}", ("cover", width, height), tuple(items))

    def closing_card(self) -> Screen:
        """Thanks, the series, the hotline set large, the account and producer; the QR code if configured."""
        series = self.config.series
        frame = self.safe
        items: list[Item] = []
        if self.theme.title_layout == "banner":
            items.append(Shape((0, self.px(330), self.width, self.px(500)), (*self.accent, 255)))
            items.append(self.one_line("thanks", self.bold, 96, "感谢收看", self.dark, self.px(450), frame))
        else:
            items.append(
                self.one_line("thanks", self.bold, 96, "感谢收看", self.text_colour, self.px(450), frame, shadow=True)
            )
        items.append(self.one_line("series name", self.bold, 56, series.name, self.accent, self.px(580), frame))
        y = self.px(660)
        if series.hotline:
            panel = (frame[0] + self.px(90), y, frame[2] - self.px(90), y + self.px(330))
            items.append(Shape(panel, (*hex_colour(self.theme.card), 255), self.px(32)))
            inside = (panel[0] + self.px(20), panel[1], panel[2] - self.px(20), panel[3])
            items.append(
                self.one_line(
                    "hotline label",
                    self.bold,
                    46,
                    series.hotline_label,
                    hex_colour(self.theme.card_text),
                    y + self.px(90),
                    inside,
                )
            )
            number = self.paragraph(
                "hotline",
                self.bold,
                Styled().add(series.hotline, hex_colour(self.theme.card_accent)),
                (inside[0], y + self.px(120), inside[2], panel[3] - self.px(20)),
                sizes=(170, 150, 130, 110, 90),
                max_lines=1,
                leading=1.1,
            )
            items.append(number)
            y = panel[3] + self.px(40)
        items.append(
            self.one_line(
                "account",
                self.regular,
                46,
                f"关注微信公众号「{series.account}」",
                self.text_colour,
                y + self.px(50),
                frame,
            )
        )
        items.append(
            self.one_line(
                "producer", self.regular, 40, f"出品：{series.producer}", self.text_colour, y + self.px(118), frame
            )
        )
        y += self.px(160)
        if series.qr_url:
            side = self.px(260)
            left = self.centre - side // 2
            pad = self.px(14)
            items.append(
                Shape((left - pad, y - pad, left + side + pad, y + side + pad), (255, 255, 255, 255), self.px(14))
            )
            items.append(Picture((left, y, left + side, y + side), "qr", series.qr_url))
            items.append(
                self.one_line("QR label", self.regular, 36, series.qr_label, self.accent, y + side + self.px(64), frame)
            )
        return Screen("closing card", ("closing",), tuple(items))


def _moved(item: Item, dx: int) -> Item:
    def shift(rect: Rect) -> Rect:
        return (rect[0] + dx, rect[1], rect[2] + dx, rect[3])

    if isinstance(item, Shape):
        return Shape(shift(item.rect), item.fill, item.radius)
    if isinstance(item, Text):
        lines = tuple(Line(line.runs, line.x + dx, line.baseline, shift(line.box)) for line in item.lines)
        return Text(
            item.what, item.face, item.size, lines, shift(item.container), item.shadow, item.stroke, item.stroke_colour
        )
    return Picture(shift(item.rect), item.kind, item.source, item.radius)


def key_sentence(blocks: Sequence[Block]) -> Block:
    """The sentence a scene without a picture shows large: the first with a key word, else the scene's first.

    A sentence longer than :data:`KEY_CHARACTERS` (a paragraph without full stops) is shortened
    by :func:`_shortened`, so the board is a headline and never the whole paragraph.
    """
    first: Block | None = None
    for block in blocks:
        marked = emphasis_offsets(block.spans)
        for match in SENTENCE.finditer(block.shown):
            if not match[0].strip():
                continue
            start, end = _trim(block.shown, match.start(), match.end())
            piece = Block(block.kind, _sub_spans(block.spans, start, end), block.line)
            first = first or piece
            if any(start <= i < end for i in marked):
                return _shortened(piece)
    return _shortened(first) if first is not None else Block("narration", (), 0)


# The most a key board shows: five lines at its smallest size hold about 70 characters, and a
# headline of more than two short clauses stops being one.
KEY_CHARACTERS = 36
ELLIPSIS = "……"


def _shortened(piece: Block) -> Block:
    """``piece`` if it is short enough; else its part from the clause holding its first key word (or its start),
    ended after the last whole clause that fits, else between words, with an ellipsis where it was cut."""
    text = piece.shown
    if len(text) <= KEY_CHARACTERS:
        return piece
    marked = emphasis_offsets(piece.spans)
    start = 0
    if marked:
        first_key = min(marked)
        start = max((i + 1 for i in range(first_key) if text[i] in _CLAUSE_ENDS), default=0)
        start = _trim(text, start, len(text))[0]
        if first_key - start > KEY_CHARACTERS // 2:  # no clause starts near it: the headline starts at the key word
            start = first_key
    # A few characters more than fit, so the last word that fits is segmented as a whole word.
    window = text[start : start + KEY_CHARACTERS + 12]
    clause_end = max((i + 1 for i, c in enumerate(window[:KEY_CHARACTERS]) if c in _CLAUSE_ENDS), default=0)
    if len(text) - start <= KEY_CHARACTERS:
        end = len(text)
    elif clause_end >= KEY_CHARACTERS // 3:
        end = start + clause_end
    else:
        # Between words: the caption tokens (jieba words, 《》 titles whole) that fit.
        end, offset = start, start
        for token in tokenize([Span(window, window)]):
            offset += len(token.shown)
            if offset - start > KEY_CHARACTERS:
                break
            end = offset
        if end == start:  # one word longer than the board (a long 《》 title): cut between characters
            end = start + KEY_CHARACTERS
    spans = _sub_spans(piece.spans, start, end)
    if end < len(text):
        kept = "".join(s.shown for s in spans).rstrip("，、；：,;:")
        spans = (*_sub_spans(spans, 0, len(kept)), Span(ELLIPSIS, ""))
    if start > 0 and text[start - 1] not in _CLAUSE_ENDS:
        spans = (Span(ELLIPSIS, ""), *spans)
    return Block(piece.kind, spans, piece.line)


_CLAUSE_ENDS = "，、；：,;:"


def _sub_spans(spans: Sequence[Span], start: int, end: int) -> tuple[Span, ...]:
    """The spans covering shown offsets [start, end), cut at the edges (keeping their emphasis)."""
    out: list[Span] = []
    offset = 0
    for span in spans:
        a, b = max(start, offset), min(end, offset + len(span.shown))
        if a < b:
            piece = span.shown[a - offset : b - offset]
            out.append(_with_shown(span, piece))
        offset += len(span.shown)
    return tuple(out)


def _with_shown(span: Span, shown: str) -> Span:
    from dataclasses import replace

    return replace(span, shown=shown, spoken=shown if not span.fixed else span.spoken)


def _law_before(episode: Episode, scene_index: int, block_index: int) -> str:
    """The law named by the last law card before block ``block_index`` of scene ``scene_index``; "" if none.

    The same rule ``pufa check`` applies when it compares a card citing only an article with
    the enacted text (pipeline/review/citations.py).
    """
    law = ""
    for s_index, scene in enumerate(episode.scenes[: scene_index + 1]):
        for b_index, block in enumerate(scene.blocks):
            if (s_index, b_index) >= (scene_index, block_index):
                return law
            match = CITATION.match(block.shown) if block.kind == "law" else None
            if match and match["law"]:
                law = match["law"]
    return law


@dataclass(frozen=True)
class _LawCard:
    """A law card fitted once: the citation header, the body in pages of whole clauses, each caption's clause."""

    header: str
    header_size: int
    header_lines: tuple[tuple[int, int], ...]
    header_fits: bool  # False: even two lines at the smallest readable size do not hold the citation
    body: str
    body_size: int
    clause_spans: tuple[tuple[int, int] | None, ...]  # per caption: its part of the body, None for the citation
    pages: tuple[tuple[tuple[int, int], ...], ...]  # per page: its lines as body offsets
    page_of: tuple[int, ...]  # per caption: the page that shows it
    marked: frozenset[int]  # key words, as body offsets
    width: int
    line: int

    @staticmethod
    def make(layout: Layout, block: Block, captions: Sequence[ShownCaption], box: Rect, law: str = "") -> _LawCard:
        shown = block.shown
        match = CITATION.match(shown)
        # A card citing only its article (第二十条规定：…) is of the law the card before it named.
        header = (match["law"] or law) + match["article"] if match else "法条"
        body_start = match.end() if match else 0
        body = shown[body_start:]
        marked = frozenset(i - body_start for i in emphasis_offsets(block.spans) if i >= body_start)
        width = box[2] - box[0] - layout.px(56) * 2
        # The citation: on one line if it fits, else broken between the title and the article, else smaller.
        header_size = layout.px(30)
        header_lines = wrap_offsets(header, layout.measure(layout.bold, header_size), width)
        choices = [(d, 1, False) for d in (50, 46, 42)] + [(d, 2, False) for d in (50, 46, 42, 38, 34, 30)]
        header_fits = False
        for design, most, break_words in choices:
            size = layout.px(design)
            measure = layout.measure(layout.bold, size)
            lines = wrap_offsets(header, measure, width, break_words=break_words)
            if len(lines) <= most and all(measure(header[a:b]) <= width for a, b in lines):
                header_size, header_lines, header_fits = size, lines, True
                break
        # Each caption's part of the body, found in order.
        spans: list[tuple[int, int] | None] = []
        starts: list[int] = []
        position = 0
        for caption in captions:
            found = shown.find(caption.text, position)
            starts.append(found if found >= 0 else position)
            position = max(position, starts[-1] + len(caption.text)) if found >= 0 else position
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(shown)
            a, b = max(start, body_start) - body_start, max(end, body_start) - body_start
            spans.append((a, b) if b > a and body[a:b].strip() else None)
        if starts and starts[0] > body_start:
            spans[0] = (0, spans[0][1] if spans[0] else starts[0] - body_start)
        header_height = round(header_size * 1.35) * len(header_lines)
        room = box[3] - box[1] - header_height - layout.px(48 * 2 + 40 + 56)
        # The body: the largest size at which the whole article fits one card, else a readable size in pages.
        body_size = layout.px(52)
        lines = wrap_offsets(body, layout.measure(layout.regular, body_size), width, balance=False)
        for design in (60, 56, 52, 48):
            size = layout.px(design)
            candidate = wrap_offsets(body, layout.measure(layout.regular, size), width, balance=False)
            orphan = len(candidate) > 1 and candidate[-1][1] - candidate[-1][0] <= 2 and design > 48
            if round(size * 1.6) * len(candidate) <= room and not orphan:
                body_size, lines = size, candidate
                break
        per_page = max(room // round(body_size * 1.6), 1)
        if len(lines) > per_page:
            pages, page_of = _pages(body, spans, layout.measure(layout.regular, body_size), width, per_page)
        else:
            pages, page_of = [lines], [0] * len(spans)
        return _LawCard(
            header,
            header_size,
            tuple(header_lines),
            header_fits,
            body,
            body_size,
            tuple(spans),
            tuple(tuple(p) for p in pages),
            tuple(page_of),
            marked,
            width,
            block.line,
        )

    def screen_items(self, layout: Layout, box: Rect, caption: int) -> list[Item]:
        """The card while caption ``caption`` of its block is read: its page, that clause marked."""
        theme = layout.theme
        card_colour = hex_colour(theme.card)
        ink = hex_colour(theme.card_text)
        red = hex_colour(theme.card_accent)
        muted = blend(ink, card_colour, 0.45)
        mark = (*layout.accent, 110)
        reading = 0 <= caption < len(self.clause_spans)
        span = self.clause_spans[caption] if reading else None
        page = self.pages[self.page_of[caption] if reading else 0]
        pad = layout.px(48)
        header_step = round(self.header_size * 1.35)
        body_step = round(self.body_size * 1.6)
        height = pad + header_step * len(self.header_lines) + layout.px(40) + body_step * len(page) + pad
        if len(self.pages) > 1:
            height += layout.px(56)
        top = box[1] + max((box[3] - box[1] - height) // 2, 0)
        card = (box[0], top, box[2], top + height)
        inner = (card[0] + layout.px(56), card[1] + pad, card[2] - layout.px(56), card[3] - pad)
        items: list[Item] = [
            Shape(
                (card[0] + layout.px(6), card[1] + layout.px(10), card[2] + layout.px(6), card[3] + layout.px(10)),
                (0, 0, 0, 70),
                layout.px(28),
            ),
            Shape(card, (*card_colour, 255), layout.px(28)),
            Shape(
                (card[0], card[1] + layout.px(36), card[0] + layout.px(12), card[3] - layout.px(36)),
                (*layout.accent, 255),
            ),
        ]
        header_styled = Styled().add(self.header, red, mark if reading and span is None else None)
        y = inner[1]
        header_lines = []
        for start, end in self.header_lines:
            header_lines.append(
                layout.line(
                    layout.bold,
                    self.header_size,
                    header_styled.runs(start, end),
                    inner[0],
                    y + middle(header_step, self.header_size),
                )
            )
            y += header_step
        # The card grows with its text; what it may not do is leave the room it was given. A citation
        # that two lines at the smallest readable size cannot hold has room for two lines only, so
        # the layout check reports it (a name set ever smaller over seven lines is no longer read).
        allowed = (inner[0], box[1] + pad, inner[2], box[3] - pad)
        citation_room = allowed if self.header_fits else (*allowed[:3], inner[1] + header_step * 2)
        items.append(Text("law citation", layout.bold, self.header_size, tuple(header_lines), citation_room))
        rule_y = y + layout.px(12)
        items.append(Shape((inner[0], rule_y, inner[2], rule_y + layout.px(3)), (*blend(ink, card_colour, 0.8), 255)))
        y = rule_y + layout.px(28)
        styled = Styled()
        for i, char in enumerate(self.body):
            inside = span is not None and span[0] <= i < span[1]
            colour = red if i in self.marked else (ink if span is None or inside else muted)
            styled.add(char, colour, mark if inside and not char.isspace() else None)
        lines = []
        for start, end in page:
            lines.append(
                layout.line(
                    layout.regular,
                    self.body_size,
                    styled.runs(start, end),
                    inner[0],
                    y + middle(body_step, self.body_size),
                )
            )
            y += body_step
        items.append(Text("law text", layout.regular, self.body_size, tuple(lines), allowed))
        if len(self.pages) > 1:
            number = self.pages.index(page) + 1
            items.append(
                Text(
                    "page number",
                    layout.regular,
                    layout.px(32),
                    (
                        layout.line(
                            layout.regular,
                            layout.px(32),
                            (Run(f"{number}/{len(self.pages)}", muted),),
                            inner[2] - layout.regular.length(layout.px(32), f"{number}/{len(self.pages)}"),
                            inner[3] - layout.px(6),
                        ),
                    ),
                    inner,
                )
            )
        return items


def _pages(
    body: str, spans: list[tuple[int, int] | None], measure: Callable[[str], float], width: int, per_page: int
) -> tuple[list[list[tuple[int, int]]], list[int]]:
    """The body in pages of whole clauses (each page wrapped on its own), and the page of each caption's clause."""
    starts = sorted({span[0] for span in spans if span is not None} | {0})
    pages: list[list[tuple[int, int]]] = []
    page_start = 0
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(body)
        if start > page_start:
            fitted = _wrapped(body, page_start, end, measure, width)
            if len(fitted) > per_page:
                pages.append(_wrapped(body, page_start, start, measure, width))
                page_start = start
    pages.append(_wrapped(body, page_start, len(body), measure, width))
    firsts = [page[0][0] if page else 0 for page in pages]
    page_of = [0 if span is None else max(p for p, first in enumerate(firsts) if first <= span[0]) for span in spans]
    return pages, page_of


def _wrapped(body: str, start: int, end: int, measure: Callable[[str], float], width: int) -> list[tuple[int, int]]:
    return [(start + a, start + b) for a, b in wrap_offsets(body[start:end], measure, width, balance=False)]


def problems(
    screen: Screen, layout: Layout, scene: int = -1, block: int = -1, *, base_checked: bool = False
) -> list[Problem]:
    """Every text on ``screen`` that leaves its container, the frame or the safe area, or collides with another.

    A text is reported once, at its first line out of place: a paragraph that runs out of its
    box is one error, not one per line. With ``base_checked`` the screen's base was checked
    already (it is shared by every caption over it): only the top is checked, against itself
    and the base.
    """
    found: list[Problem] = []
    frame = (0, 0, layout.width, layout.height)
    tolerance = 1
    placed: list[tuple[Text, Line]] = []
    base = [item for item in screen.base if isinstance(item, Text)]
    top = [item for item in screen.top if isinstance(item, Text)]
    if base_checked:
        placed = [(text, line) for text in base for line in text.lines]
    for text in top if base_checked else base + top:
        left = False
        collided: set[int] = set()
        for line in text.lines:
            for template, box in (
                (_("{what} '{text}' leaves its box by {over} px"), text.container),
                (_("{what} '{text}' leaves the frame by {over} px"), frame),
                (_("{what} '{text}' leaves the safe area by {over} px"), layout.safe),
            ):
                over = _overflow(line.box, box)
                if over > tolerance and not left:
                    message = template.format(what=text_name(text.what), text=line.text, over=over)
                    found.append(Problem(screen.name, scene, block, message, text.what))
                    left = True
                    break
            for other, other_line in placed:
                if other is text or id(other) in collided:
                    continue
                if _overlap(line.box, other_line.box) > tolerance:
                    message = _("{what} '{text}' collides with {what2} '{text2}'").format(
                        what=text_name(text.what), text=line.text, what2=text_name(other.what), text2=other_line.text
                    )
                    found.append(Problem(screen.name, scene, block, message, text.what))
                    collided.add(id(other))
        placed += [(text, line) for line in text.lines]
    return found


def _overlap(a: Rect, b: Rect) -> int:
    """How far two boxes overlap (the smaller of the two overlaps), 0 when they do not touch."""
    across = min(a[2], b[2]) - max(a[0], b[0])
    down = min(a[3], b[3]) - max(a[1], b[1])
    return max(min(across, down), 0)


def _overflow(inner: Rect, outer: Rect) -> int:
    return max(outer[0] - inner[0], outer[1] - inner[1], inner[2] - outer[2], inner[3] - outer[3], 0)


def episode_screens(
    layout: Layout, episode: Episode, captions: Sequence[Sequence[ShownCaption]]
) -> Iterator[tuple[Screen, int, int]]:
    """Every screen state of ``episode`` (given each scene's captions), with its scene and block (-1 if none)."""
    yield layout.title_card(episode), -1, -1
    for index, scene_captions in enumerate(captions):
        yield layout.scene(episode, index, scene_captions, None), index, -1
        for position, caption in enumerate(scene_captions):
            yield layout.scene(episode, index, scene_captions, position), index, caption.block
    yield layout.closing_card(), -1, -1


def check_episode_layout(layout: Layout, episode: Episode, captions: Sequence[Sequence[ShownCaption]]) -> list[Problem]:
    """Lay out every screen state of the episode (drawing nothing) and list each text out of place, once."""
    seen: set[tuple[str, str]] = set()
    found: list[Problem] = []
    laid: list[tuple[Screen, Layout, int, int]] = [
        (screen, layout, scene, block) for screen, scene, block in episode_screens(layout, episode, captions)
    ]
    for width, height in COVER_SIZES:
        cover = Layout(layout.config, layout.regular, layout.bold, width, height, safe_area="none")
        laid.append((cover.cover(episode), cover, -1, -1))
    checked: set[tuple[object, ...]] = set()
    for screen, where, scene, block in laid:
        # A base shared by many caption states (a board, a card, a picture) is checked once.
        shared = (where.width, where.height, *screen.base_key)
        for problem in problems(screen, where, scene, block, base_checked=shared in checked):
            if (problem.screen, problem.message) not in seen:
                seen.add((problem.screen, problem.message))
                found.append(problem)
        checked.add(shared)
    return found


def caption_measure(layout: Layout) -> Callable[[str], float]:
    """Width of a caption's text in pixels, in the face and size captions are drawn with."""
    return layout.measure(layout.bold, layout.px(layout.config.captions.font_size))


def planned_captions(plan: CaptionPlan) -> list[list[ShownCaption]]:
    """Each scene's captions from a caption plan (no timing needed)."""
    return [[ShownCaption(c.block, c.text.lines, c.point) for c in scene] for scene in plan.scenes]


def describe(problem: Problem, episode: Episode) -> tuple[int, str]:
    """The script line a layout problem belongs to and its message naming the screen, in the user's language."""
    # On the title card and the covers a text comes from a field of the front matter: name its line.
    field_of = {"title": "title", "topic": "topic", "episode number": "episode", "episode line": "episode"}
    line = 1
    if problem.screen == "title card" or problem.screen.startswith("cover "):
        line = episode.line_of(field_of.get(problem.what, "title"))
    if problem.scene >= 0:
        scene = episode.scenes[problem.scene]
        line = scene.blocks[problem.block].line if 0 <= problem.block < len(scene.blocks) else scene.line
    return line, _("{screen}: {message}").format(screen=screen_name(problem.screen), message=problem.message)
