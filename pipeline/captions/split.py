"""Splitting narration into captions that read well and fit the frame, measured with the real font.

Pure text logic: the width of a string comes from a ``measure`` function, so tests can run it
without a font. Captions follow the published timed-text rules for Simplified Chinese
(:data:`RULES`): at most 16 characters a line and two lines a caption. Rules of the cut:

- lines and captions break only between words: the text is segmented with jieba, with a user
  dictionary of legal terms and law names (``legal_words.txt``, made by
  ``tools/make_legal_words.py``);
- a 《》 title, a number with its unit (3年, 26.55万元, 2023年5月8日, -10℃), 第…条 and a
  ``{显示|读作}`` span are never broken; a title wider than a line is broken between its
  words, and each part is spoken while it is on screen;
- a clause (up to ，。；…) is a caption when it fits; a longer one is cut into the fewest
  captions that fit, of balanced length, and the two lines of a caption are balanced;
- no line starts with closing punctuation or a particle (的, 了, 吗…), none ends with opening
  punctuation or a one-character preposition or conjunction (从, 由, 和…); 。，、； at the
  end of a line are not shown (the voice still gets them).

Every step is linear in the length of the paragraph: each token is measured once (twice when
it ends with punctuation hidden at a line end), and line widths are sums of token widths.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

from pipeline.errors import Diagnostic, ScriptError
from pipeline.script import Episode, Span
from pipeline.speech.normalize.numbers import ReadingError

if TYPE_CHECKING:
    import jieba

Measure = Callable[[str], float]


@dataclass(frozen=True)
class ReadingRules:
    """Netflix's timed-text rules for Simplified Chinese.

    ``max_line_chars`` counts full-width characters (a half-width letter or digit is half of
    one); ``max_chars_per_second`` is the reading speed over a caption's shown characters;
    a caption is on screen ``min_seconds`` to ``max_seconds``.
    """

    max_line_chars: float = 16
    max_chars_per_second: float = 9
    min_seconds: float = 5 / 6
    max_seconds: float = 7


RULES = ReadingRules()

CLOSING = set("，。、；：！？）》」』】〉”’…—,.;:!?)]%·")
OPENING = set("《（「『【〈“‘([")
CLAUSE_END = set("，。、；：！？…,;:!?")
SENTENCE_END = set("。！？…;!?；")
HIDDEN_AT_LINE_END = "。，、；,;"
# Particles and place words that lean on the word before them: a line never starts with one
# (…损害 / 的…, 手机 / 上…).
ENCLITICS = set("的了着过地得吗呢吧啊呀么上中下内外里时")
# One-character prepositions and conjunctions lean on the word after them: no line ends with one.
PROCLITICS = set("从在对向把被由给于将与和及或并经")

_CN = "零〇一二三四五六七八九十百千万亿两"
_NUMBER = r"\d+(?:[.,:：/~～\-]\d+)*"
_UNIT_WORDS = """年 个月 月 日 号 天 周 星期 小时 个小时 时 点 分钟 分 秒 周岁 岁 元 块 角 万元 亿元 美元 欧元 人民币
    米 千米 公里 厘米 毫米 平方米 平米 立方米 亩 公顷 吨 千克 公斤 克 斤 毫升 升 度 摄氏度 倍 成 折
    人 名 位 户 家 个 次 件 辆 台 套 层 楼 栋 间 起 例 条 款 项 章 节 编 期 届 份 张 本 部 篇 页 种 类
    km/h km kg mg ml cm mm m² ㎡ m g L h ℃ °C % ‰"""
_UNITS = sorted(_UNIT_WORDS.split(), key=len, reverse=True)
_UNIT = "(?:" + "|".join(re.escape(u) for u in _UNITS) + ")"
_DATE_PART = rf"(?:{_NUMBER}|[{_CN}]+)(?:年|月|日|号|时|点|分|秒)"
# Spans a caption never breaks inside (jieba's word boundaries in them are ignored).
_PROTECTED = re.compile(
    r"《[^《》\n]*》"
    rf"|第\s*(?:[{_CN}]+|\d+)\s*[条款项章节编期届次号名]?(?:之(?:[{_CN}]+|\d+))?"
    rf"|[百千万]分之[{_CN}点]+"
    rf"|{_DATE_PART}(?:{_DATE_PART})+"
    rf"|(?:[￥¥$€£]|[-−+](?=\d))?{_NUMBER}(?:[至到~～]{_NUMBER})?\s*(?:[%‰％])?[多余]?[十百千万亿]*{_UNIT}?"
    rf"|[{_CN}]+(?:点[{_CN}]+)?(?:[至到][{_CN}]+)?[多余]?{_UNIT}"
    rf"|[{_CN}点]{{2,}}"
    r"|[A-Za-z][A-Za-z0-9.'’\-_/]*[A-Za-z0-9]",
)
_TITLE_PART_BREAKS = re.compile(r"[、，,]")


@dataclass(frozen=True)
class Token:
    """A piece of text a caption never breaks inside.

    ``spoken`` is what the voice says for it; ``fixed`` tokens are spoken as given (from a
    ``{显示|读作}`` span, or a part of a broken title) rather than normalised. ``breaks`` are
    offsets into ``shown`` where the token may be broken when it is wider than a line (the
    word boundaries inside a 《》 title).
    """

    shown: str
    spoken: str
    fixed: bool = False
    breaks: tuple[int, ...] = field(default=(), compare=False)

    def __add__(self, other: Token) -> Token:
        shift = len(self.shown)
        return Token(
            self.shown + other.shown,
            self.spoken + other.spoken,
            self.fixed or other.fixed,
            (*self.breaks, *(shift + b for b in other.breaks)),
        )


@dataclass(frozen=True)
class CaptionText:
    """One caption: the lines shown on screen and the text the voice speaks for it.

    ``line_spoken`` is each line's spoken form when there are two lines: when a caption must be
    cut after it is timed, its time is shared between its lines by what each line says.
    """

    lines: tuple[str, ...]
    spoken: str
    ending: str
    line_spoken: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def ends_sentence(self) -> bool:
        return self.ending in SENTENCE_END


# --- words -------------------------------------------------------------------------------

_segmenter: jieba.Tokenizer | None = None
_segmenter_lock = threading.Lock()


def segmenter() -> jieba.Tokenizer:
    """jieba with the legal words added; built once per process (about a second)."""
    global _segmenter
    with _segmenter_lock:
        if _segmenter is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            text = resources.files("pipeline.captions").joinpath("legal_words.txt").read_text(encoding="utf-8")
            for line in text.splitlines():
                if line and not line.startswith("#"):
                    word, frequency = line.rsplit(" ", 1)
                    tokenizer.add_word(word, int(frequency))
            _segmenter = tokenizer
        return _segmenter


def words(text: str) -> list[str]:
    """``text`` as jieba words (with the legal dictionary), in order; they join back to ``text``."""
    return list(segmenter().cut(text, HMM=True)) if text else []


def tokenize(spans: Sequence[Span]) -> list[Token]:
    """Unbreakable tokens, with closing punctuation glued to what precedes it and opening to what follows."""
    raw: list[Token] = []
    run: list[str] = []
    for span in spans:
        if span.fixed:
            raw += _plain_tokens("".join(run))
            run = []
            raw.append(Token(span.shown, span.spoken, fixed=True))
        else:
            run.append(span.shown)
    raw += _plain_tokens("".join(run))
    glued: list[Token] = []
    carry = Token("", "")
    for token in raw:
        if token.shown.isspace():
            if glued and not carry.shown:
                glued[-1] = glued[-1] + Token(" ", " ")
            continue
        if token.shown in OPENING or token.shown in PROCLITICS:
            carry = carry + token
            continue
        token = carry + token
        carry = Token("", "")
        if glued and (token.shown[0] in CLOSING or token.shown in ENCLITICS):
            token = glued.pop() + token
        glued.append(token)
    if carry.shown:
        glued.append(carry)
    return glued


def _plain_tokens(text: str) -> list[Token]:
    """Written text cut at jieba's word boundaries, never inside a protected span (a title, a number)."""
    if not text:
        return []
    cuts = set(accumulate(len(w) for w in words(text)))
    # 罪 ends the name of a crime: a name not in the legal words is not cut before its last character.
    cuts -= {i for i in range(1, len(text)) if text[i] == "罪" and "\u4e00" <= text[i - 1] <= "\u9fff"}
    for index, char in enumerate(text):
        if char.isspace() or char in CLOSING or char in OPENING:
            cuts.update((index, index + 1))  # spaces and punctuation stand alone until glued
    inside = [False] * (len(text) + 1)
    soft: dict[int, tuple[int, ...]] = {}
    for match in _PROTECTED.finditer(text):
        start, end = match.span()
        for position in range(start + 1, end):
            inside[position] = True
        if match[0].startswith("《"):
            soft[start] = tuple(c - start for c in range(start + 1, end) if c in cuts)
    points = sorted(c for c in cuts if 0 < c < len(text) and not inside[c])
    tokens: list[Token] = []
    previous = 0
    for point in [*points, len(text)]:
        piece = text[previous:point]
        tokens.append(Token(piece, piece, breaks=soft.get(previous, ())))
        previous = point
    return tokens


# --- measuring ---------------------------------------------------------------------------


def display(line: str) -> str:
    """A line as shown: without surrounding spaces or the punctuation hidden at a line end."""
    return line.strip().rstrip(HIDDEN_AT_LINE_END).strip()


def chars(text: str) -> float:
    """Length in full-width characters: a half-width (ASCII) character counts as half."""
    return sum(0.5 if c.isascii() else 1.0 for c in text)


@dataclass
class _Metrics:
    """Each token's width and length, full and as the last token of a line, measured once."""

    width: list[float]
    end_width: list[float]
    length: list[float]
    end_length: list[float]

    @classmethod
    def of(cls, tokens: Sequence[Token], measure: Measure) -> _Metrics:
        width, end_width, length, end_length = [], [], [], []
        for token in tokens:
            shown = token.shown.lstrip()
            whole = measure(shown)
            tail = display(shown)
            width.append(whole)
            end_width.append(whole if tail == shown else measure(tail))
            length.append(chars(shown))
            end_length.append(chars(tail))
        return cls(width, end_width, length, end_length)


class _Line:
    """Prefix sums over a run of tokens, to measure any line [i, j) in constant time."""

    def __init__(self, metrics: _Metrics, start: int, end: int) -> None:
        self.m = metrics
        self.start = start
        self.width = [0.0, *accumulate(metrics.width[start:end])]
        self.length = [0.0, *accumulate(metrics.length[start:end])]

    def size(self, i: int, j: int) -> tuple[float, float]:
        """Width and characters of tokens [i, j) (absolute indexes) shown as one line."""
        a, b = i - self.start, j - self.start
        last = j - 1
        width = self.width[b - 1] - self.width[a] + self.m.end_width[last]
        length = self.length[b - 1] - self.length[a] + self.m.end_length[last]
        return width, length


# --- captions ----------------------------------------------------------------------------


def split_captions(
    spans: Sequence[Span],
    measure: Measure,
    line_width: float,
    max_lines: int = 2,
    speak: Callable[[str], str] = str,
    rules: ReadingRules = RULES,
) -> list[CaptionText]:
    """The captions for one paragraph, in order; ``speak`` turns written text into what the voice says.

    ``line_width`` is in the units of ``measure`` (pixels with a real font).
    """
    tokens = _explode_overwide(tokenize(spans), measure, line_width, rules)
    if not tokens:
        return []
    metrics = _Metrics.of(tokens, measure)
    fitter = _Fitter(metrics, line_width, rules.max_line_chars, max_lines)
    chunks: list[tuple[int, int]] = []
    for start, end in _clauses(tokens):
        chunks += fitter.captions(start, end)
    merged = _merge_short(chunks, tokens, fitter)
    return [_caption(tokens, start, end, fitter, speak) for start, end in merged]


def _explode_overwide(tokens: list[Token], measure: Measure, line_width: float, rules: ReadingRules) -> list[Token]:
    """A token wider than a whole line (a very long title) can only be shown by breaking it.

    A title is broken between its words, each part spoken as it is written, so every part is
    on screen while it is heard; anything else is broken between characters, its spoken form
    going with the first part.
    """

    def overwide(token: Token) -> bool:
        shown = display(token.shown)
        return len(token.shown) > 1 and (chars(shown) > rules.max_line_chars or measure(shown) > line_width)

    result: list[Token] = []
    for token in tokens:
        if not overwide(token):
            result.append(token)
            continue
        if not token.breaks or token.fixed:
            result.append(Token(token.shown[0], token.spoken, token.fixed))
            result.extend(Token(char, "", token.fixed) for char in token.shown[1:])
            continue
        pending = _title_parts(token.shown, token.breaks)
        while pending:
            part = pending.pop(0)
            if not overwide(Token(part, part)):
                result.append(Token(part, part, fixed=True))
                continue
            # A word of the title wider than a line (a law's full name): cut between its own parts.
            inner = _sub_words(part)
            pending[:0] = _title_parts(part, inner) if inner else list(part)
    return result


def _sub_words(word: str) -> tuple[int, ...]:
    """Where a long dictionary word divides into shorter words (中华人民共和国|反电信网络诈骗法)."""
    core = word.strip("".join(OPENING | CLOSING))
    offset = word.find(core) if core else 0
    if len(core) < 2:
        return ()
    tokenizer = segmenter()
    graph = tokenizer.get_DAG(core)
    graph[0] = [end for end in graph[0] if end != len(core) - 1] or [0]
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(core, graph, route)
    cuts: list[int] = []
    position = 0
    while position < len(core):
        position = route[position][1] + 1
        if position < len(core):
            cuts.append(offset + position)
    return tuple(cuts)


def _title_parts(text: str, breaks: Sequence[int]) -> list[str]:
    """``text`` cut at ``breaks``; punctuation stays with its word (closing before, opening after)."""
    edges = [0, *breaks, len(text)]
    parts = [text[a:b] for a, b in pairwise(edges) if b > a]
    glued: list[str] = []
    for part in parts:
        if glued and (part[0] in CLOSING or glued[-1][-1] in OPENING):
            glued[-1] += part
        else:
            glued.append(part)
    return glued


def _clauses(tokens: list[Token]) -> list[tuple[int, int]]:
    clauses: list[tuple[int, int]] = []
    start = 0
    for index, token in enumerate(tokens):
        if _ending(token.shown.rstrip()) in CLAUSE_END:
            clauses.append((start, index + 1))
            start = index + 1
    if start < len(tokens):
        clauses.append((start, len(tokens)))
    return clauses


def _ending(text: str) -> str:
    """The last punctuation mark that ends a clause, looking through closing quotes and brackets."""
    for char in reversed(text):
        if char in CLAUSE_END:
            return char
        if char not in "”’）》」』)":
            return ""
    return ""


class _Fitter:
    """Lines and captions over one paragraph's tokens, all decisions from prefix sums."""

    def __init__(self, metrics: _Metrics, line_width: float, max_chars: float, max_lines: int) -> None:
        self.metrics = metrics
        self.line = _Line(metrics, 0, len(metrics.width))
        self.line_width = line_width
        self.max_chars = max_chars
        self.max_lines = max_lines

    def fits_line(self, i: int, j: int) -> bool:
        width, length = self.line.size(i, j)
        return j - i == 1 or (width <= self.line_width and length <= self.max_chars)

    def wrap(self, i: int, j: int) -> list[tuple[int, int]]:
        """One line if it fits, else the two-line cut that balances the lines best, else greedy lines."""
        if self.fits_line(i, j):
            return [(i, j)]
        best: tuple[float, int] | None = None
        if self.max_lines >= 2:
            for cut in range(i + 1, j):
                if self.fits_line(i, cut) and self.fits_line(cut, j):
                    score = max(self.line.size(i, cut)[0], self.line.size(cut, j)[0])
                    if best is None or score < best[0]:
                        best = (score, cut)
        if best is not None:
            return [(i, best[1]), (best[1], j)]
        return self.greedy_lines(i, j)

    def greedy_lines(self, i: int, j: int) -> list[tuple[int, int]]:
        lines: list[tuple[int, int]] = []
        start = i
        for index in range(i + 1, j):
            if not self.fits_line(start, index + 1):
                lines.append((start, index))
                start = index
        lines.append((start, j))
        return lines

    def fits(self, i: int, j: int) -> bool:
        return len(self.wrap(i, j)) <= self.max_lines

    def captions(self, i: int, j: int) -> list[tuple[int, int]]:
        """The fewest captions for tokens [i, j), cut where the lengths balance best."""
        if self.fits(i, j):
            return [(i, j)]
        lines = self.greedy_lines(i, j)
        fewest = math.ceil(len(lines) / self.max_lines)
        for pieces in range(fewest, fewest + 3):
            cut = self.balanced(i, j, pieces)
            if all(self.fits(a, b) for a, b in cut):
                return cut
        step = self.max_lines
        return [(lines[k][0], lines[min(k + step, len(lines)) - 1][1]) for k in range(0, len(lines), step)]

    def balanced(self, i: int, j: int, pieces: int) -> list[tuple[int, int]]:
        """Tokens [i, j) in ``pieces`` runs of about equal width, cut at token boundaries."""
        widths = self.metrics.width
        total = sum(widths[i:j])
        result: list[tuple[int, int]] = []
        start, running = i, 0.0
        for index in range(i, j):
            boundary = total * (len(result) + 1) / pieces
            if index > start and running + widths[index] / 2 > boundary and len(result) < pieces - 1:
                result.append((start, index))
                start = index
            running += widths[index]
        result.append((start, j))
        return result


def _merge_short(chunks: list[tuple[int, int]], tokens: list[Token], fitter: _Fitter) -> list[tuple[int, int]]:
    """Join a short clause with the next when both fit on one line and no sentence ends between them."""
    merged: list[tuple[int, int]] = []
    for start, end in chunks:
        if merged:
            first, last = merged[-1]
            ending = _ending(tokens[last - 1].shown.rstrip())
            if ending not in SENTENCE_END and last == start and fitter.fits_line(first, end):
                merged[-1] = (first, end)
                continue
        merged.append((start, end))
    return merged


def _spoken(chunk: Sequence[Token], speak: Callable[[str], str]) -> str:
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


def _caption(tokens: list[Token], start: int, end: int, fitter: _Fitter, speak: Callable[[str], str]) -> CaptionText:
    lines = fitter.wrap(start, end)
    shown = [display("".join(t.shown for t in tokens[a:b])) for a, b in lines]
    if len(shown) > fitter.max_lines:
        # Only an unbreakable token wider than the frame gets here; keep every word on screen.
        keep = fitter.max_lines - 1
        shown = [*shown[:keep], "".join(shown[keep:])]
        lines = [*lines[:keep], (lines[keep][0], lines[-1][1])]
    chunk = tokens[start:end]
    per_line = tuple(_spoken(tokens[a:b], speak) for a, b in lines) if len(lines) > 1 else ()
    ending = _ending("".join(t.shown for t in chunk).rstrip())
    return CaptionText(tuple(s for s in shown if s), _spoken(chunk, speak), ending, per_line)


def speakable(text: str) -> int:
    """How many characters of ``text`` take time to say (letters and digits), at least one."""
    return max(sum(1 for c in text if c.isalnum()), 1)


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
    """Every caption of an episode, scene by scene, and the most lines a caption may have."""

    scenes: tuple[tuple[PlannedCaption, ...], ...]
    max_lines: int = 2


def plan_captions(
    episode: Episode, measure: Measure, line_width: float, max_lines: int, speak: Callable[[str], str] = str
) -> CaptionPlan:
    scenes = []
    for scene_index, scene in enumerate(episode.scenes):
        planned = []
        for block_index, block in enumerate(scene.blocks):
            try:
                planned += [
                    PlannedCaption(scene_index, block_index, block.kind, text, point if block.points else -1)
                    for point, part in enumerate(block.parts)
                    for text in split_captions(part, measure, line_width, max_lines, speak)
                ]
            except ReadingError as exc:
                raise ScriptError([Diagnostic(episode.path, block.line, str(exc))]) from exc
        scenes.append(tuple(planned))
    return CaptionPlan(tuple(scenes), max_lines)
