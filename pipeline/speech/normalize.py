"""Text normalisation for speech: how a Chinese presenter reads what the script writes.

Captions keep the written text; the voice is given the spoken form. Applied in this order:
the project lexicon (``assets/lexicon.tsv``), full-width to half-width, then the rules below.
``{显示|读作}`` overrides never reach this module: their spoken part is used as written.

- article numbers:      第1254条 → 第一千二百五十四条
- years and dates:      2023年 → 二〇二三年, 2024年1月9日 → 二〇二四年一月九日
- hotlines and phones:  拨打110 → 拨打幺幺零, 12345 → 幺二三四五 (digit by digit)
- percentages, ranges:  85% → 百分之八十五, 3-5名 → 三到五名
- decimals and money:   26.55万元 → 二十六点五五万元
- Latin abbreviations:  APP → A P P (spelt letter by letter)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.script import Span

DIGITS = "零一二三四五六七八九"
YEAR_DIGITS = "〇一二三四五六七八九"
PHONE_DIGITS = "零幺二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿", "万亿")

# Measure words after which a long number is a quantity, not a code to read digit by digit.
MEASURES = (
    "元|万|亿|千|百|余|多|人|名|位|件|起|次|个|户|家|辆|台|部|份|条|款|项|吨|千克|公斤|斤|克|米|公里|千米|平方米|亩"
    "|岁|天|日|年|月|周|小时|分钟|秒|倍|号|楼|层|页|股|元钱|块|户次|人次|余元|多元"
)
_HOTLINE_CONTEXT = re.compile(r"(拨打|热线|电话|专线|号码|手机|报警|短信|咨询|举报|投诉|致电)[^\d，。；]{0,6}$")
# Counted things after which 2 is read 两, as presenters do: 两个人, 两年.
_LIANG_MEASURES = "个名人位件次户家辆台部份条款项年天周岁倍种类层"

# Full-width digits, Latin letters and number signs become half-width; Chinese punctuation stays.
_FULLWIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
    | {"％": "%", "．": ".", "－": "-", "／": "/", "＋": "+", "\u3000": " "}
)


@dataclass(frozen=True)
class Lexicon:
    """Written form → spoken form, longest written forms first (for polyphones and place names)."""

    entries: tuple[tuple[str, str], ...] = ()

    def apply(self, text: str) -> str:
        if not self.entries:
            return text
        pattern = re.compile("|".join(re.escape(w) for w, _ in self.entries))
        spoken = dict(self.entries)
        return pattern.sub(lambda m: spoken[m[0]], text)


def speak_spans(spans: Iterable[Span], lexicon: Lexicon | None = None) -> str:
    """The spoken form of a run of spans: ``{显示|读作}`` parts as written, the rest normalised."""
    return "".join(s.spoken if s.fixed else normalize(s.spoken, lexicon) for s in spans)


def load_lexicon(path: Path) -> Lexicon:
    """Read ``written<TAB>spoken`` lines; ``#`` starts a comment. A malformed line is an error naming it."""
    if not path.is_file():
        return Lexicon()
    entries: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        content = line.split("#", 1)[0].rstrip()
        if not content.strip():
            continue
        parts = content.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ConfigError(f"{path}:{number}: error: a lexicon line is 'written<TAB>spoken', got {line!r}")
        entries[parts[0].strip()] = parts[1].strip()
    return Lexicon(tuple(sorted(entries.items(), key=lambda e: -len(e[0]))))


def cardinal(number: int, *, liang: bool = False) -> str:
    """一千二百五十四: the number as counted. ``liang`` reads a leading 2 as 两 (两千, 两万)."""
    if number == 0:
        return "零"
    groups: list[int] = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    text = ""
    need_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or group < 1000):
            text += "零"
        text += _group(group) + _BIG_UNITS[index]
        need_zero = False
    if text.startswith("一十"):
        text = text[1:]
    if liang and text.startswith("二") and len(text) > 1 and text[1] in "千万亿":
        text = "两" + text[1:]
    return text


def _group(number: int) -> str:
    digits = f"{number:04d}"
    text, zero = "", False
    for place, char in enumerate(digits):
        digit = int(char)
        unit = _SMALL_UNITS[3 - place]
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + unit
    return text


def digit_by_digit(digits: str, table: str = PHONE_DIGITS) -> str:
    return "".join(table[int(d)] if d.isdigit() else d for d in digits)


def decimal(text: str, *, liang: bool = False) -> str:
    whole, _, fraction = text.partition(".")
    spoken = cardinal(int(whole), liang=liang) if whole else "零"
    return spoken + ("点" + digit_by_digit(fraction, DIGITS) if fraction else "")


_NUMBER = r"\d+(?:\.\d+)?"
# Public service numbers are always read digit by digit, with 1 as 幺: 幺幺零, 幺二三四八.
HOTLINES = frozenset({"110", "119", "120", "122", "12110", "12309", "12315", "12345", "12348", "12368", "96110"})


def normalize(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of ``text``."""
    if lexicon is not None:
        text = lexicon.apply(text)
    text = text.translate(_FULLWIDTH)
    text = _DATE.sub(_date, text)
    text = _YEAR.sub(lambda m: digit_by_digit(m[1], YEAR_DIGITS) + "年", text)
    text = _ORDINAL.sub(lambda m: "第" + cardinal(int(m[1])), text)
    text = _PHONE.sub(lambda m: digit_by_digit(m[1]) + "，" + digit_by_digit(m[2]), text)
    text = _PERCENT_RANGE.sub(lambda m: f"百分之{decimal(m[1])}到百分之{decimal(m[2])}", text)
    text = _PERCENT.sub(lambda m: "百分之" + decimal(m[1]), text)
    text = _RANGE.sub(lambda m: f"{_quantity(m[1], m[3])}到{_quantity(m[2], m[3])}{m[3]}", text)
    text = _TIME.sub(_clock, text)
    text = _FRACTION.sub(lambda m: f"{cardinal(int(m[2]))}分之{cardinal(int(m[1]))}", text)
    text = _ABBREVIATION.sub(lambda m: " ".join(m[0]), text)
    text = _NUMBER_RE.sub(_number, text)
    return text


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号])?")
_YEAR = re.compile(r"(?<![\d.])(\d{4})年(?!代?[以内来间底初中末]?[以上下内来])")
_ORDINAL = re.compile(r"第(\d+)(?=[条款项章节编期次名届个页批])")
_PHONE = re.compile(r"(?<![\d-])(0\d{2,3})-(\d{7,8})(?![\d-])")
_PERCENT_RANGE = re.compile(rf"({_NUMBER})%?\s*[-~～—至到]\s*({_NUMBER})%")
_PERCENT = re.compile(rf"({_NUMBER})%")
_RANGE = re.compile(rf"({_NUMBER})\s*[-~～—至]\s*({_NUMBER})\s*({MEASURES})")
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3]):([0-5]\d)(?!\d)")
_FRACTION = re.compile(r"(?<![\d/])(\d{1,3})/(\d{1,3})(?![\d/])")
_ABBREVIATION = re.compile(r"(?<![A-Za-z])[A-Z]{2,5}(?![A-Za-z])")
_NUMBER_RE = re.compile(rf"(?<![\d.])({_NUMBER})(?![\d.])")


def _date(match: re.Match[str]) -> str:
    spoken = digit_by_digit(match[1], YEAR_DIGITS) + "年" + cardinal(int(match[2])) + "月"
    if match[3]:
        spoken += cardinal(int(match[3])) + match[0][-1]
    return spoken


def _clock(match: re.Match[str]) -> str:
    minutes = int(match[2])
    return (
        cardinal(int(match[1]))
        + "点"
        + ("整" if minutes == 0 else ("零" if minutes < 10 else "") + cardinal(minutes) + "分")
    )


def _quantity(number: str, measure: str) -> str:
    return decimal(number, liang=True) if number != "2" or measure[0] not in _LIANG_MEASURES else "两"


def _number(match: re.Match[str]) -> str:
    number = match[1]
    before = match.string[: match.start()]
    after = match.string[match.end() :]
    measured = re.match(MEASURES, after) is not None
    if "." not in number and not measured and (number in HOTLINES or _HOTLINE_CONTEXT.search(before)):
        return digit_by_digit(number)
    if "." not in number and ((len(number) >= 5 and not measured) or (number[0] == "0" and len(number) > 1)):
        return digit_by_digit(number)
    if number == "2" and after[:1] and after[0] in _LIANG_MEASURES + "千万亿":
        return "两"
    return decimal(number, liang=True)
