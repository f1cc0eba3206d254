"""Dates: every written form, with the year read digit by digit.

- ``2022-03-03``, ``2022/03/03``, ``2023.5.8`` → 二〇二二年三月三日
- ``2023年5月8日``, ``2023年10月15号``, ``3月15日`` → 二〇二三年五月八日 …
- a year followed by anything (以来, 以后, 上半年, 底, 内, 至) → 二〇一九年以来
- year ranges ``2019-2021年`` → 二〇一九到二〇二一年; ``2023-05`` → 二〇二三年五月
- generations ``90后``, ``00后`` → 九零后, 零零后
- the year of a case or document number: ``（2023）京01民终1234号`` → （二〇二三）京零幺民终一千二百三十四号
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import YEAR_DIGITS, cardinal, digit_by_digit, measured
from pipeline.speech.normalize.rules import Rule, before

# A four-digit number before 年 is a duration, not a year, after these words: 历时1000年.
_DURATION_CUES = re.compile(r"(历时|长达|持续|经过|经历|近|超过|将近|至少|上下|前后|共|约|有)$")
_DURATION_AFTER = re.compile(r"年(以上|以下|左右|之久|多|余)")


def year(digits: str) -> str:
    """二〇二三: a year digit by digit with 〇."""
    return digit_by_digit(digits, YEAR_DIGITS)


def _valid(month: str, day: str | None = None) -> bool:
    return 1 <= int(month) <= 12 and (day is None or 1 <= int(day) <= 31)


def _is_year(digits: str) -> bool:
    return 1000 <= int(digits) <= 2099


def _separated(match: re.Match[str]) -> str | None:
    if not (_is_year(match[1]) and _valid(match[3], match[4])):
        return None
    return f"{year(match[1])}年{cardinal(int(match[3]))}月{cardinal(int(match[4]))}日"


def _written(match: re.Match[str]) -> str | None:
    if not _valid(match[2], match[3]):
        return None
    spoken = f"{year(match[1])}年{cardinal(int(match[2]))}月"
    return spoken + (f"{cardinal(int(match[3]))}{match[4]}" if match[3] else "")


def _month_day(match: re.Match[str]) -> str | None:
    if not _valid(match[1], match[2]):
        return None
    return f"{cardinal(int(match[1]))}月{cardinal(int(match[2]))}{match[3]}"


def _year_month(match: re.Match[str]) -> str | None:
    if not (_is_year(match[1]) and _valid(match[3])):
        return None
    return f"{year(match[1])}年{cardinal(int(match[3]))}月"


def _year_range(match: re.Match[str]) -> str | None:
    if not (_is_year(match[1]) and _is_year(match[2]) and int(match[1]) < int(match[2])):
        return None
    if not match[3] and measured(match.string[match.end() :]):
        return None
    return f"{year(match[1])}到{year(match[2])}{match[3]}"


def _year(match: re.Match[str]) -> str | None:
    if not _is_year(match[1]) or _DURATION_CUES.search(before(match)):
        return None
    if _DURATION_AFTER.match(match.string, match.end() - 1):
        return None
    return f"{year(match[1])}年"


RULES = (
    Rule("date", re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])"), _separated),
    Rule("date", re.compile(r"(?<![\d.])(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*([日号]))?(?![\d])"), _written),
    Rule("date", re.compile(r"(?<![\d.])(\d{4})\s*[-~～—–至到]\s*(\d{4})(?!\d)\s*(年?)"), _year_range),
    Rule("date", re.compile(r"(?<![\d.])(\d{4})\s*年"), _year),
    # The year of a case or document number: （2023）京01民终1234号, 国发〔2023〕5号.
    Rule(
        "date", re.compile(r"(?<=[（(\[〔【])(\d{4})(?=[）)\]〕】])"), lambda m: year(m[1]) if _is_year(m[1]) else None
    ),
    Rule("date", re.compile(r"(?<![\d.])(\d{4})([-/])(\d{1,2})(?![\d./\-])"), _year_month),
    Rule("date", re.compile(r"(?<![\d.])(\d{1,2})\s*月\s*(\d{1,2})\s*([日号])"), _month_day),
    Rule("date", re.compile(r"(?<![\d.])([0-9]0)(?=后)"), lambda m: digit_by_digit(m[1], "零一二三四五六七八九")),
)
