"""Plain numbers: counted quantities (class ``cardinal``), codes read digit by digit (class ``code``),
fractions, and 两 versus 二.

- separators ``299,792,458`` → 二亿九千九百七十九万二千四百五十八
- a quantity: after 限速/时速/车速/约/共/达 … or before a measure word (``2名民警`` → 两名民警, ``110元``)
- a code: after 拨打/电话/热线 …, a public service number (110, 12345), five digits or more
  without a measure word, or a leading 0 (``拨打120`` → 拨打幺二零, ``验证码036512``)
- ``1/3`` → 三分之一, ``3.5`` → 三点五, ``2个人`` → 两个人, ``12楼`` → 十二楼
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import decimal, digit_by_digit, measured, quantity
from pipeline.speech.normalize.rules import Rule, before

# Public service numbers are always read digit by digit, with 1 as 幺: 幺幺零, 幺二三四八.
HOTLINES = frozenset(
    {
        "110",
        "112",
        "114",
        "119",
        "120",
        "122",
        "12110",
        "12306",
        "12309",
        "12315",
        "12318",
        "12320",
        "12333",
        "12345",
        "12348",
        "12355",
        "12358",
        "12365",
        "12366",
        "12368",
        "12369",
        "12377",
        "12388",
        "95598",
        "96110",
    }
)
CODE_CONTEXT = re.compile(
    r"(拨打|热线|电话|专线|号码|手机号?|报警|短信|咨询|举报|投诉|致电|呼叫|回拨|编号|代码|验证码|密码|账号|卡号|"
    r"单号|尾号|邮编|车牌|工号|学号|批号|型号|身份证号?|分机|(?<=\d)转)"
)
QUANTITY_CONTEXT = re.compile(
    r"(限速|时速|车速|速度|航速|风速|约|共|达到?|超过|超|高达|多达|累计|合计|总计|总共|仅|近|逾|至少|最多|最高|最低|"
    r"不足|不到|不少于|不超过|不低于|低于|高于|大于|小于|等于|增加|减少|增长|下降|上涨|降低|提高|罚款|罚金|"
    r"赔偿|补偿|损失|收入|工资|价值|金额|涉案|获利|违法所得|体重|身高|高度|长度|宽度|深度|距离|面积|重量|价格|售价|"
    r"数量|人数|年龄|分数|得分|总分|成绩|票数|血压|心率|温度|气温|体温|功率|电压|排量|库存|产量|销量)"
)
_ROOM = re.compile(r"(室|房间|号房|号室|宿舍)")
_RANGE_TAIL = re.compile(r"\s*[-~～—–至到]\s*\d+(?:\.\d+)?")


def _nearest(pattern: re.Pattern[str], text: str) -> int:
    """How far before the end of ``text`` the last match of ``pattern`` ends; a large number if none."""
    ends = [m.end() for m in pattern.finditer(text)]
    return len(text) - ends[-1] if ends else 1000


def _rest(match: re.Match[str]) -> str:
    """The text after the number, past the other end of a range (``3-5年`` → ``年``)."""
    rest = match.string[match.end() :]
    tail = _RANGE_TAIL.match(rest)
    return rest[tail.end() :] if tail else rest


def is_code(match: re.Match[str]) -> bool:
    """Whether the number ``match[1]`` is a code to read digit by digit rather than a quantity."""
    number = match[1]
    context = before(match, 12)
    code_distance, quantity_distance = _nearest(CODE_CONTEXT, context), _nearest(QUANTITY_CONTEXT, context)
    if len(number) in (3, 4) and _ROOM.match(_rest(match)):
        return True  # a room number: 302室 → 三零二室 (but 2室1厅 is two rooms)
    if "," in number or "." in number or measured(_rest(match)) or quantity_distance < code_distance:
        return False
    if code_distance < quantity_distance or number in HOTLINES:
        return True
    # Five digits or more are a code (an account, a case number) unless they are round: 50000 is a sum.
    return (len(number) >= 5 and not number.endswith("000")) or (number[0] == "0" and len(number) > 1)


def _code(match: re.Match[str]) -> str | None:
    return digit_by_digit(match[1]) if is_code(match) else None


def _cardinal(match: re.Match[str]) -> str:
    return quantity(match[1].replace(",", ""), _rest(match))


def _fraction(match: re.Match[str]) -> str:
    return f"{decimal(match[2])}分之{decimal(match[1])}"


_PLAIN = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])")
RULES = (
    Rule("cardinal", re.compile(r"(?<![\d.])(\d+)\s*#"), lambda m: quantity(m[1], "号") + "号"),
    Rule("fraction", re.compile(r"(?<![\d/.])(\d{1,3})/(\d{1,3})(?![\d/])"), _fraction),
    Rule("code", _PLAIN, _code),
    Rule("cardinal", _PLAIN, _cardinal),
)
