"""Standard numbers (标准编号): ``GB 7258-2017`` → G B 七二五八 二〇一七.

``GB/T 5768.2-2009`` → G B T 五七六八点二 二〇〇九.

A standard's number is an identifier, not a quantity, so its digits are read one by one (with
一, as the national standards are cited aloud; 幺 is for telephone numbers), and the year it was
issued is read as a year. The dash joins the two and is not a range (七千二百五十八到两千零一十七
was the reading before this class). Codes follow GB/T 1.1 and the sector codes (GA, JT, HJ …),
with an optional /T (推荐) or /Z (指导).
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import DIGITS, YEAR_DIGITS, digit_by_digit
from pipeline.speech.normalize.rules import Rule

_STANDARD = re.compile(
    r"(?<![A-Za-z])(?P<code>[A-Z]{1,4}(?:/[TZ])?)\s*(?P<number>\d{1,6}(?:\.\d{1,3})?)"
    r"\s*[-—–]\s*(?P<year>(?:19|20)\d{2})(?!\d)"
)


def _read(match: re.Match[str]) -> str:
    code = " ".join(match["code"].replace("/", ""))
    number = digit_by_digit(match["number"], DIGITS).replace(".", "点")
    return f"{code} {number} {digit_by_digit(match['year'], YEAR_DIGITS)}"


RULES = (Rule("standard", _STANDARD, _read),)
