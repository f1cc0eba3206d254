"""Telephone numbers, read digit by digit with 1 as 幺, in the groups they are written in.

Groups are separated by a space, which the voice reads as a short pause; an area code by a comma.

- mobile ``135-4567-8900``, ``135 4567 8900`` → 幺三五 四五六七 八九零零; ``13812345678`` → 幺三八幺二三四五六七八
- landline ``0335-7012345`` → 零三三五，七零幺二三四五; ``(010)8888-6666`` → 零幺零，八八八八 六六六六
- service ``400-810-8888`` → 四零零 八幺零 八八八八; ``+86`` → 加八六
Short service numbers (110, 12345, 96110) are codes, see :mod:`cardinal`.
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import digit_by_digit
from pipeline.speech.normalize.rules import Rule

_COUNTRY = r"(?:(\+\s?86|0086)[-\s]?)?"


def _groups(*groups: str | None) -> str:
    return " ".join(digit_by_digit(g) for g in groups if g)


def _country(code: str | None) -> str:
    return "加八六 " if code and code.startswith("+") else ("零零八六 " if code else "")


def _mobile(match: re.Match[str]) -> str:
    return _country(match[1]) + _groups(match[2], match[3], match[4])


def _landline(match: re.Match[str]) -> str:
    area = match[2] or match[3]
    return _country(match[1]) + digit_by_digit(area) + "，" + _groups(*re.split(r"[-\s]", match[4]))


RULES = (
    Rule(
        "telephone",
        re.compile(rf"(?<![\d+]){_COUNTRY}(1[3-9]\d)[-\s](\d{{4}})[-\s](\d{{4}})(?![\d])"),
        _mobile,
    ),
    Rule("telephone", re.compile(rf"(?<![\d+]){_COUNTRY}(1[3-9]\d{{9}})()()(?!\d)"), _mobile),
    Rule(
        "telephone",
        re.compile(r"(?<![\d])([48]00)[-\s]?(\d{3})[-\s]?(\d{4})(?![\d])"),
        lambda m: _groups(m[1], m[2], m[3]) if "-" in m[0] or " " in m[0] else digit_by_digit(m[0]),
    ),
    Rule(
        "telephone",
        re.compile(
            rf"(?<![\d+]){_COUNTRY}(?:[(（](0\d{{2,3}})[)）][-\s]?|(0\d{{2,3}})[-\s])(\d{{7,8}}|\d{{3,4}}[-\s]\d{{4}})(?![\d])"
        ),
        _landline,
    ),
)
