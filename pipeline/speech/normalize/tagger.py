"""The tagger: split a sentence into readings, each span tagged with its class and spoken form.

At each position the rules of the classes are tried in a fixed order (most specific shape
first); the first rule whose pattern matches there and whose reader accepts the span wins.
What no rule claims is plain text. A 《》 title is one span read as written; the project
lexicon is tried before the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.speech.normalize.clock import RULES as TIME
from pipeline.speech.normalize.date import RULES as DATE
from pipeline.speech.normalize.letters import RULES as LETTERS
from pipeline.speech.normalize.lexicon import Lexicon
from pipeline.speech.normalize.measure import RULES as MEASURE
from pipeline.speech.normalize.money import RULES as MONEY
from pipeline.speech.normalize.number import RULES as NUMBER
from pipeline.speech.normalize.ordinal import RULES as ORDINAL
from pipeline.speech.normalize.ratio import RATIO, SCORE
from pipeline.speech.normalize.rules import Rule
from pipeline.speech.normalize.signed import PERCENT, SIGNED
from pipeline.speech.normalize.standard import RULES as STANDARD
from pipeline.speech.normalize.symbols import FRACTIONS
from pipeline.speech.normalize.symbols import RULES as SYMBOLS
from pipeline.speech.normalize.telephone import RULES as TELEPHONE

# Full-width digits, Latin letters and number signs become half-width; Chinese punctuation stays.
# One character for one, so a span's place in the half-width text is its place in the written one.
_FULLWIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
    | {"％": "%", "．": ".", "－": "-", "／": "/", "＋": "+", "～": "~", "\u3000": " "}
)

_TITLE = Rule("title", re.compile(r"《[^《》\n]*》"), lambda m: m[0])
# A dash or tilde between two numbers (or a number and a unit) is a range: 3-5年 → 三到五年.
_RANGE = Rule(
    "range",
    re.compile(
        r"(?:(?<=\d)|(?<=[%‰℃年月日号时分秒点元天周岁条款项章万亿千百]))\s*[-~～—–]\s*(?=[+]?\d)|(?<=\d)至(?=\d)"
    ),
    lambda m: "到",
)

RULES: tuple[Rule, ...] = (
    _TITLE,
    *SYMBOLS,
    *STANDARD,
    *TELEPHONE,
    *DATE,
    SCORE,
    *TIME,
    RATIO,
    *MONEY,
    *PERCENT,
    *MEASURE,
    *ORDINAL,
    _RANGE,
    SIGNED,
    *NUMBER,
    *LETTERS,
)
CLASSES = tuple(dict.fromkeys(rule.kind for rule in RULES))


@dataclass(frozen=True)
class Reading:
    """One span of a sentence: as ``written``, its class (``kind``; ``text`` for plain text) and as ``spoken``."""

    written: str
    kind: str
    spoken: str

    @property
    def changed(self) -> bool:
        return self.written != self.spoken


def tag(text: str, lexicon: Lexicon | None = None) -> list[Reading]:
    """``text`` as readings, in order; joined, their ``written`` parts are ``text`` again."""
    half = text.translate(_FULLWIDTH)
    readings: list[Reading] = []
    plain_from = 0
    position = 0

    def flush(end: int) -> None:
        if end > plain_from:
            readings.append(Reading(text[plain_from:end], "text", half[plain_from:end]))

    while position < len(text):
        found = _claim(text, half, position, lexicon)
        if found is None:
            position += 1
            continue
        end, reading = found
        flush(position)
        readings.append(reading)
        position = plain_from = end
    flush(len(text))
    return readings


# Every rule's span starts with one of these; elsewhere only the lexicon is tried.
_STARTS = re.compile(rf"[\dA-Za-z\s\-−+±￥¥$€£第之(（/×*≥≤><≠=≈~～—–至{FRACTIONS}Ⅰ-Ⅻⅰ-ⅻ]")


def _claim(text: str, half: str, position: int, lexicon: Lexicon | None) -> tuple[int, Reading] | None:
    if text[position] == "《":
        title = _TITLE.pattern.match(text, position)
        if title:
            return title.end(), Reading(title[0], "title", title[0])
    if lexicon is not None:
        entry = lexicon.match(text, position)
        if entry:
            return position + len(entry[0]), Reading(entry[0], "lexicon", entry[1])
    if not _STARTS.match(half, position):
        return None
    for rule in RULES[1:]:
        match = rule.pattern.match(half, position)
        if match is None or match.end() == position:
            continue
        spoken = rule.read(match)
        if spoken is not None:
            return match.end(), Reading(text[position : match.end()], rule.kind, spoken)
    return None
