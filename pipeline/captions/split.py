"""Splitting narration into captions that fit the frame, measured with the real font.

Pure text logic: the width of a string comes from a ``measure`` function, so tests can
run it without a font. Rules:

- a caption has at most ``max_lines`` lines, each no wider than ``line_width``;
- 《》 titles, numbers, Latin words and ``{显示|读作}`` spans are never split;
- no line starts with closing punctuation, none ends with opening punctuation;
- 。，、； at the end of a line are not shown (the voice still gets them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.script import Episode, Span

Measure = Callable[[str], float]

CLOSING = set("，。、；：！？）》」』】〉”’…—,.;:!?)]%·")
OPENING = set("《（「『【〈“‘([")
CLAUSE_END = set("，。、；：！？…,;:!?")
SENTENCE_END = set("。！？…;!?；")
HIDDEN_AT_LINE_END = "。，、；,;"

_CN_DIGITS = "零〇一二三四五六七八九十百千万亿两"
_TOKEN = re.compile(
    r"《[^《》]*》"  # a title of a law or a book
    rf"|第[{_CN_DIGITS}]+[条款项章节编期]?(?:之[{_CN_DIGITS}]+)?"  # 第一千二百五十四条, 第二百九十一条之二
    rf"|百分之[{_CN_DIGITS}点]+"
    rf"|[{_CN_DIGITS}点]{{2,}}"  # numbers written in Chinese: 十二, 六万
    r"|[A-Za-z0-9][A-Za-z0-9.%\-_/:'’]*[A-Za-z0-9%]"  # numbers, Latin words, 3-5, 26.55, 85%
    r"|[A-Za-z0-9]"
    r"|\s+"
    r"|.",
    re.S,
)


@dataclass(frozen=True)
class Token:
    shown: str
    spoken: str
    fixed: bool = False

    def __add__(self, other: Token) -> Token:
        return Token(self.shown + other.shown, self.spoken + other.spoken, self.fixed or other.fixed)


@dataclass(frozen=True)
class CaptionText:
    """One caption: the lines shown on screen and the text the voice speaks for it."""

    lines: tuple[str, ...]
    spoken: str
    ending: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def ends_sentence(self) -> bool:
        return self.ending in SENTENCE_END


def tokenize(spans: Sequence[Span]) -> list[Token]:
    """Unbreakable tokens, with closing punctuation glued to what precedes it and opening to what follows."""
    raw: list[Token] = []
    for span in spans:
        if span.fixed:
            raw.append(Token(span.shown, span.spoken, fixed=True))
        else:
            raw.extend(Token(m[0], m[0]) for m in _TOKEN.finditer(span.shown))
    glued: list[Token] = []
    carry = Token("", "")
    for token in raw:
        if token.shown.isspace():
            if glued and not carry.shown:
                glued[-1] = glued[-1] + Token(" ", " ")
            continue
        if token.shown in OPENING:
            carry = carry + token
            continue
        token = carry + token
        carry = Token("", "")
        if glued and token.shown[0] in CLOSING:
            previous = glued.pop()
            token = previous + token
        glued.append(token)
    if carry.shown:
        glued.append(carry)
    return glued


def split_captions(
    spans: Sequence[Span],
    measure: Measure,
    line_width: float,
    max_lines: int = 2,
    speak: Callable[[str], str] = str,
) -> list[CaptionText]:
    """The captions for one paragraph, in order; ``speak`` turns written text into what the voice says."""
    tokens = _explode_overwide(tokenize(spans), measure, line_width)
    chunks: list[list[Token]] = []
    for clause in _clauses(tokens):
        chunks.extend(_fit_clause(clause, measure, line_width, max_lines))
    merged = _merge_short(chunks, measure, line_width)
    return [_caption(chunk, measure, line_width, max_lines, speak) for chunk in merged]


def _explode_overwide(tokens: list[Token], measure: Measure, line_width: float) -> list[Token]:
    """A token wider than a whole line (a very long title) can only be shown by breaking it."""
    result: list[Token] = []
    for token in tokens:
        if measure(token.shown) <= line_width or len(token.shown) == 1:
            result.append(token)
            continue
        result.append(Token(token.shown[0], token.spoken, token.fixed))
        result.extend(Token(char, "") for char in token.shown[1:])
    return result


def _clauses(tokens: list[Token]) -> list[list[Token]]:
    clauses: list[list[Token]] = [[]]
    for token in tokens:
        clauses[-1].append(token)
        if _ending(token.shown.rstrip()) in CLAUSE_END:
            clauses.append([])
    return [c for c in clauses if c]


def _ending(text: str) -> str:
    """The last punctuation mark that ends a clause, looking through closing quotes and brackets."""
    for char in reversed(text):
        if char in CLAUSE_END:
            return char
        if char not in "”’）》」』)":
            return ""
    return ""


def _width(tokens: Sequence[Token], measure: Measure) -> float:
    return measure(_display("".join(t.shown for t in tokens)))


def _display(line: str) -> str:
    return line.strip().rstrip(HIDDEN_AT_LINE_END).strip()


def _fit_clause(clause: list[Token], measure: Measure, line_width: float, max_lines: int) -> list[list[Token]]:
    """Cut a clause that is too long for one caption into balanced pieces at token boundaries."""
    if _fits(clause, measure, line_width, max_lines):
        return [clause]
    pieces = 2
    while True:
        cut = _balanced_cut(clause, measure, pieces)
        if all(_fits(p, measure, line_width, max_lines) for p in cut) or pieces >= len(clause):
            return cut
        pieces += 1


def _balanced_cut(tokens: list[Token], measure: Measure, pieces: int) -> list[list[Token]]:
    widths = [measure(t.shown) for t in tokens]
    total = sum(widths)
    result: list[list[Token]] = [[]]
    running = 0.0
    for token, width in zip(tokens, widths, strict=True):
        boundary = total * len(result) / pieces
        if result[-1] and running + width / 2 > boundary and len(result) < pieces:
            result.append([])
        result[-1].append(token)
        running += width
    return [r for r in result if r]


def _fits(tokens: Sequence[Token], measure: Measure, line_width: float, max_lines: int) -> bool:
    lines = _wrap(tokens, measure, line_width)
    return len(lines) <= max_lines and all(_width(line, measure) <= line_width for line in lines)


def _merge_short(chunks: list[list[Token]], measure: Measure, line_width: float) -> list[list[Token]]:
    """Join a short clause with the next when both fit on one line and no sentence ends between them."""
    merged: list[list[Token]] = []
    for chunk in chunks:
        if merged:
            previous = merged[-1]
            ending = _ending("".join(t.shown for t in previous).rstrip())
            if ending not in SENTENCE_END and _width(previous + chunk, measure) <= line_width:
                merged[-1] = previous + chunk
                continue
        merged.append(chunk)
    return merged


def _wrap(tokens: Sequence[Token], measure: Measure, line_width: float) -> list[list[Token]]:
    """One line if it fits, else the two-line cut that balances the lines best, else greedy lines."""
    tokens = list(tokens)
    if _width(tokens, measure) <= line_width or len(tokens) == 1:
        return [tokens]
    best: tuple[float, int] | None = None
    for cut in range(1, len(tokens)):
        first, second = _width(tokens[:cut], measure), _width(tokens[cut:], measure)
        if first <= line_width and second <= line_width:
            score = max(first, second)
            if best is None or score < best[0]:
                best = (score, cut)
    if best is not None:
        return [tokens[: best[1]], tokens[best[1] :]]
    lines: list[list[Token]] = [[]]
    for token in tokens:
        if lines[-1] and _width([*lines[-1], token], measure) > line_width:
            lines.append([])
        lines[-1].append(token)
    return lines


def _spoken(chunk: list[Token], speak: Callable[[str], str]) -> str:
    """Normalise the written runs; ``{显示|读作}`` parts are already spoken form and pass unchanged."""
    parts: list[str] = []
    run: list[str] = []
    for token in chunk:
        if token.fixed:
            parts += [speak("".join(run)), token.spoken]
            run = []
        else:
            run.append(token.spoken)
    parts.append(speak("".join(run)))
    return "".join(parts).strip()


def _caption(
    chunk: list[Token], measure: Measure, line_width: float, max_lines: int, speak: Callable[[str], str]
) -> CaptionText:
    lines = _wrap(chunk, measure, line_width)
    shown = tuple(_display("".join(t.shown for t in line)) for line in lines[:max_lines])
    if len(lines) > max_lines:
        # Only an unbreakable token wider than the frame gets here; keep every word on screen.
        shown = (*shown[:-1], "".join(_display("".join(t.shown for t in line)) for line in lines[max_lines - 1 :]))
    spoken = _spoken(chunk, speak)
    return CaptionText(tuple(s for s in shown if s), spoken, _ending("".join(t.shown for t in chunk).rstrip()))


@dataclass(frozen=True)
class PlannedCaption:
    """A caption before it is timed: where it comes from and what it says.

    ``scene`` and ``block`` index ``episode.scenes`` and ``scene.blocks``; ``kind`` is the
    block's kind; ``point`` indexes ``block.points`` for a caption of a list of points, else -1.
    """

    scene: int
    block: int
    kind: str
    text: CaptionText
    point: int = -1


@dataclass(frozen=True)
class CaptionPlan:
    """Every caption of an episode, scene by scene."""

    scenes: tuple[tuple[PlannedCaption, ...], ...]


def plan_captions(
    episode: Episode, measure: Measure, line_width: float, max_lines: int, speak: Callable[[str], str] = str
) -> CaptionPlan:
    scenes = []
    for scene_index, scene in enumerate(episode.scenes):
        planned = [
            PlannedCaption(scene_index, block_index, block.kind, text, point if block.points else -1)
            for block_index, block in enumerate(scene.blocks)
            for point, part in enumerate(block.parts)
            for text in split_captions(part, measure, line_width, max_lines, speak)
        ]
        scenes.append(tuple(planned))
    return CaptionPlan(tuple(scenes))
