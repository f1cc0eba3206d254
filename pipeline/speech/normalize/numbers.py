"""Reading numbers: counted (一千二百五十四), digit by digit (幺二三四五), decimals, and 两 versus 二.

Every class module builds its reading from these few functions, so a number is said the same
way whether it is a sum of money, a measure or a plain count.
"""

from __future__ import annotations

import re

from pipeline.errors import PufaError
from pipeline.i18n import _

DIGITS = "零一二三四五六七八九"
YEAR_DIGITS = "〇一二三四五六七八九"
PHONE_DIGITS = "零幺二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
# Groups of four digits: 万 (10^4), 亿 (10^8), 万亿 (10^12), 亿亿 (10^16).
_BIG_UNITS = ("", "万", "亿", "万亿", "亿亿")
MAX_DIGITS = 4 * len(_BIG_UNITS)

NUMBER = r"\d+(?:\.\d+)?"

# Measure words after which a number is a quantity, not a code to read digit by digit.
MEASURES = (
    "元|万|亿|千|百|余|多|人|名|位|件|起|次|个|户|家|辆|台|部|份|条|款|项|吨|千克|公斤|斤|克|米|公里|千米|平方米|亩"
    "|岁|天|日|年|月|周|小时|分钟|秒|倍|号|楼|层|页|股|元钱|块|户次|人次|余元|多元|毫升|升|度|分|角|只|张|本|间"
    "|所|种|类|批|辆次|架|艘|处|例|宗|笔|单|篇|封|枚|颗|根|瓶|包|箱|袋|杯|套|双|对|头|匹|棵|段|节|场|轮|届|级|等"
    "|把|支|盒|碗|栋|座|幢|遍|回|趟|口|片|粒|滴|排|组|队|期|公顷|平方公里|立方米|厘米|毫米|毫克|周年|季度|点|时"
    "|室|厅|单元"
)
_MEASURE_RE = re.compile(MEASURES)
# Counted things and units after which 2 is read 两, as presenters do: 两名民警, 两年, 两公里,
# 两室一厅; but 2单元 is the name of a stairway (二单元), not two orders (两单).
LIANG_MEASURES = (
    "个|名|人|位|件|起|次|户|家|辆|台|部|份|条|款|项|年|天|周|岁|倍|种|类|层|页|股|元|块|吨|千克|公斤|斤|克|米"
    "|公里|千米|平方米|亩|小时|分钟|秒|毫升|升|只|张|本|间|所|批|架|艘|处|例|宗|笔|单(?!元)|篇|封|枚|颗|根|瓶|包|箱|袋"
    "|杯|套|双|对|头|匹|棵|段|节|场|轮|届|把|支|盒|碗|栋|座|幢|遍|回|趟|口|片|粒|滴|排|组|队|期|公顷|平方公里"
    "|立方米|厘米|毫米|毫克|周年|分|角|千|万|亿|室|厅|成(?!员|年|立|本|功|为)"
)
_LIANG_RE = re.compile(LIANG_MEASURES)


class ReadingError(PufaError):
    """A number the voice cannot be given in words (longer than 万亿亿 allows)."""


def cardinal(number: int, *, liang: bool = False) -> str:
    """一千二百五十四: ``number`` as counted. ``liang`` reads a leading 2 as 两 (两千, 两万).

    Raises :class:`ReadingError` for numbers of more than ``MAX_DIGITS`` digits.
    """
    if number == 0:
        return "零"
    original = number
    digits = str(number)
    if len(digits) > MAX_DIGITS:
        shown = digits if len(digits) <= 30 else digits[:MAX_DIGITS] + "…"  # a message stays one short line
        raise ReadingError(
            _(
                "cannot read the number {shown}: it has {count} digits and at most {MAX_DIGITS} "
                "are read in words; write it with {{显示|读作}}"
            ).format(shown=shown, count=len(digits), MAX_DIGITS=MAX_DIGITS)
        )
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
    # 两千, 两万八千, 两亿; but 二亿九千九百七十九万… for a long exact number.
    round_number = sum(d != "0" for d in str(original)) < 3
    if liang and text.startswith("二") and (text[1:2] in ("千", "万") or (text[1:2] == "亿" and round_number)):
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
    """幺三八…: each digit on its own (``table`` chooses 幺 or 一 for 1, 〇 or 零 for 0); other characters kept."""
    return "".join(table[int(d)] if d.isdigit() else d for d in digits)


def decimal(text: str, *, liang: bool = False) -> str:
    """二十六点五五: a whole part counted and the fraction read digit by digit. ``text`` may hold ``,`` separators."""
    whole, _point, fraction = text.replace(",", "").partition(".")
    spoken = cardinal(int(whole), liang=liang) if whole else "零"
    return spoken + ("点" + digit_by_digit(fraction, DIGITS) if fraction else "")


def quantity(number: str, after: str) -> str:
    """``number`` as a count of what ``after`` starts with: 2 before a measure word is 两 (两名, 两公里)."""
    if number == "2" and _LIANG_RE.match(after):
        return "两"
    return decimal(number, liang=True)


def measured(after: str) -> bool:
    """Whether ``after`` starts with a measure word, making the number before it a quantity."""
    return _MEASURE_RE.match(after) is not None
