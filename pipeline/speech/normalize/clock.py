"""Times of day (class ``time``): ``8:30`` and ``8：30`` → 八点三十分, ``15:16:36`` → 十五点十六分三十六秒,
``8:00`` → 八点整, ``9:05`` → 九点零五分, ``2点`` → 两点.

A colon between numbers near a score or ratio word (比分, 获胜, 比例 …) is left to :mod:`ratio`.
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import cardinal
from pipeline.speech.normalize.rules import Rule, after, before

# Score words anywhere in the clause before (比分最终定格在3-1) or just after (21:19获胜) outweigh a time's
# shape; words of a match (比赛) or just before (以, 按) make only a dash a score, since 比赛于19:30开始.
SCORE_WORDS = re.compile(r"比分|战胜|击败|打败|负于|不敌|战平|逆转")
MATCH_WORDS = re.compile(r"比赛|决赛|半场|全场|对阵")
SCORE_BEFORE = re.compile(r"(定格在?|以|赢|输|胜|负|大胜|险胜|完胜)\s*$")
SCORE_AFTER = re.compile(r"^\s*(的?比分|战胜|击败|获胜|取胜|告负|落败|胜出|战平|打平|赢|输|胜|负|大胜|险胜|完胜)")
RATIO_WORDS = re.compile(r"比例|比率|比值|配比|之比|宽高|长宽|分辨率")
RATIO_AFTER = re.compile(r"^\s*的?(比例|比率|比值|配比)")


def score_context(match: re.Match[str], *, strong: bool = False) -> bool:
    """Whether the words around ``match`` make it a score (比分3-1, 以3-1战胜); ``strong``: outweighing a time."""
    context = before(match, 12)
    if SCORE_WORDS.search(context) or SCORE_AFTER.search(after(match)):
        return True
    return not strong and bool(MATCH_WORDS.search(context) or SCORE_BEFORE.search(context))


def ratio_context(match: re.Match[str]) -> bool:
    """Whether the words around ``match`` make it a ratio (屏幕比例16:9, 按3:7的比例)."""
    return bool(RATIO_WORDS.search(before(match, 12)) or RATIO_AFTER.search(after(match)))


def _hours(hour: str) -> str:
    return "两" if int(hour) == 2 else cardinal(int(hour))


def _clock(match: re.Match[str]) -> str | None:
    hour, minute, second = int(match[1]), int(match[2]), match[3]
    if hour > 24 or minute > 59 or (second is not None and int(second) > 59):
        return None
    if score_context(match, strong=True) or ratio_context(match):
        return None
    spoken = _hours(match[1]) + "点"
    if second is None and minute == 0:
        return spoken + "整"
    spoken += ("零" if minute < 10 and minute else "") + cardinal(minute) + "分"
    if second is not None and int(second):
        spoken += ("零" if int(second) < 10 else "") + cardinal(int(second)) + "秒"
    return spoken


def _o_clock(match: re.Match[str]) -> str | None:
    if int(match[1]) > 24 or (match[2] and int(match[2]) > 59):
        return None
    if not match[2]:
        return _hours(match[1]) + "点"
    zero = "零" if match[2].startswith("0") and int(match[2]) else ""
    return f"{_hours(match[1])}点{zero}{cardinal(int(match[2]))}分"


RULES = (
    Rule("time", re.compile(r"(?<![\d.:：])(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?![\d:：])"), _clock),
    Rule("time", re.compile(r"(?<![\d.])(\d{1,2})\s*点(?:\s*(\d{1,2})\s*分)?(?![\d])"), _o_clock),
)
