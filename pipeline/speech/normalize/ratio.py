"""Ratios and scores: ``16:9`` → 十六比九, ``1:1000`` → 一比一千, ``3-1`` after 比分 or before 战胜 → 三比一.

Without score words a hyphen between numbers is a range (``3-5年`` → 三到五年, see the tagger).
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.clock import score_context
from pipeline.speech.normalize.numbers import NUMBER, decimal, measured
from pipeline.speech.normalize.rules import Rule


def _ratio(match: re.Match[str]) -> str:
    return f"{decimal(match[1])}比{decimal(match[2])}"


def _score(match: re.Match[str]) -> str | None:
    rest = match.string[match.end() :]
    if measured(rest) or rest.startswith(("%", "‰")):
        return None
    colon = ":" in match[0] or "：" in match[0]
    if colon and not score_context(match, strong=True):
        return None  # 以19:30为准 is a time and 以2:1 a ratio, both decided after the time rule
    # No range runs downwards or stands still, so 3-1 or 2-2 without a unit is a score even without score words.
    if not score_context(match) and int(match[1]) < int(match[2]):
        return None
    return _ratio(match)


# Tried before times (21:19 after 比分 is a score) and after them (16:9 cannot be a time).
SCORE = Rule("score", re.compile(r"(?<![\d.\-])(\d{1,3})\s*[-–—:：]\s*(\d{1,3})(?![\d.\-])"), _score)
RATIO = Rule("ratio", re.compile(rf"(?<![\d.:：])({NUMBER})\s*[:：∶]\s*({NUMBER})(?![\d:：])"), _ratio)
