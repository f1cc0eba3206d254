"""Numbers written with a symbol of their own, read as the cardinal they stand for: ``½`` → 二分之一,
``第Ⅻ条`` → 第十二条, ``3×10⁸`` → 三乘十的八次方.

Only the shapes that have one reading are read; a fraction after a digit (1½), Roman numerals
of several characters (ⅩⅡ) and the like are left to :func:`unread`, which ``pufa check`` reports.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

from pipeline.speech.normalize.numbers import cardinal
from pipeline.speech.normalize.rules import Rule


class Tagged(Protocol):
    """A tagged span as :mod:`.tagger` makes it (its ``Reading``), without importing the tagger, which uses
    these rules: the class of reading, the text as written and as it will be spoken."""

    @property
    def kind(self) -> str: ...

    @property
    def written(self) -> str: ...

    @property
    def spoken(self) -> str: ...

FRACTIONS = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
_ROMAN = "Ⅰ-Ⅻⅰ-ⅻ"
_ROMAN_ANY = "Ⅰ-ↈⅰ-ⅿ"
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def _fraction(match: re.Match[str]) -> str:
    # '½' decomposes as '<fraction> 0031 2044 0032': numerator, fraction slash, denominator.
    numerator, denominator = unicodedata.normalize("NFKD", match[0]).split("\u2044")
    return f"{cardinal(int(denominator))}分之{cardinal(int(numerator))}"


def _power(match: re.Match[str]) -> str:
    exponent = match[1].translate(_SUPERSCRIPT).lstrip("+")
    sign = "负" if exponent.startswith("-") else ""
    return f"十的{sign}{cardinal(int(exponent.lstrip('-')))}次方"


RULES = (
    Rule("fraction", re.compile(rf"(?<![\d{FRACTIONS}])[{FRACTIONS}]"), _fraction),
    Rule(
        "cardinal",
        re.compile(rf"(?<![{_ROMAN_ANY}])[{_ROMAN}](?![{_ROMAN_ANY}])"),
        lambda m: cardinal(int(unicodedata.numeric(m[0]))),
    ),
    # 10⁸ as a power of ten; only ten, only an exponent of at most two digits.
    Rule("cardinal", re.compile(r"(?<![\d.])10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})(?![⁰¹²³⁴⁵⁶⁷⁸⁹])"), _power),
)

# What the rules leave unread: a number character still in the spoken form (a digit, ⁸, ½, Ⅻ),
# and shapes read wrongly as their parts: 0x1F and 0b101 (hexadecimal, binary), 1e30 (scientific
# notation), 10^8 (a power typed with a caret), 1_000 and 1 000 000 (digits grouped by _ or spaces).
_MISREAD = re.compile(
    r"(?<![0-9A-Za-z])(?:0[xX][0-9A-Fa-f]+|0[bB][01]+|\d+(?:\.\d+)?[eE][+-]?\d+|\d+\^[+-]?\d+|\d+(?:_\d+)+"
    r"|\d{1,3}(?: \d{3})+)(?![0-9A-Za-z])"
)
# The characters of a written number, to show the whole of it: 1,2,3 rather than the 2 left unread.
_NUMBERISH = re.compile(rf"[0-9０-９A-Za-z.,:×·⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺{FRACTIONS}{_ROMAN_ANY}+\-]+")
_AS_WRITTEN = ("title", "override")  # read as the editor wrote them, on purpose


def _is_number(char: str) -> bool:
    """A digit or number sign the voice would be given raw (〇, of the Chinese numerals, is read)."""
    return unicodedata.category(char)[0] == "N" and char != "〇"


def unread(readings: Sequence[Tagged]) -> list[str]:
    """The numbers in ``readings`` (a line, tagged) that pufa cannot read aloud right, as written, in order."""
    text = "".join(" " * len(r.written) if r.kind in _AS_WRITTEN else r.written for r in readings)
    positions: list[int] = []
    offset = 0
    for reading in readings:
        if reading.kind not in _AS_WRITTEN and any(_is_number(c) for c in reading.spoken):
            positions += [offset + i for i, c in enumerate(reading.written) if _is_number(c)] or [offset]
        offset += len(reading.written)
    spans = {(m.start(), m.end()) for m in _MISREAD.finditer(text)}
    runs = [(m.start(), m.end()) for m in _NUMBERISH.finditer(text)]
    for position in positions:
        spans.add(next(((a, b) for a, b in runs if a <= position < b), (position, position + 1)))
    return [text[start:end] for start, end in sorted(spans)]
