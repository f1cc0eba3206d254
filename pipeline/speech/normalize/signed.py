"""Percentages, per-mille and signed numbers (class ``percent`` and ``signed``).

- ``85%`` → 百分之八十五, ``-3%`` → 负百分之三, ``0.5‰`` → 千分之零点五, ``1‱`` → 万分之一
- ``15%-20%`` and ``15-20%`` → 百分之十五到百分之二十
- ``-5`` → 负五, ``±0.5`` → 正负零点五 (temperatures are measures: ``-10℃`` → 零下十摄氏度)
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import decimal
from pipeline.speech.normalize.rules import Rule

_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SIGN = r"([-−+＋±]?)"
_PER = {"%": "百分之", "％": "百分之", "‰": "千分之", "‱": "万分之"}
SIGN_WORDS = {"-": "负", "−": "负", "+": "正", "＋": "正", "±": "正负", "": ""}


def _percent(match: re.Match[str]) -> str:
    return SIGN_WORDS[match[1]] + _PER[match[3]] + decimal(match[2])


def _range(match: re.Match[str]) -> str:
    per = _PER[match[5]]
    return f"{SIGN_WORDS[match[1]]}{per}{decimal(match[2])}到{SIGN_WORDS[match[3]]}{per}{decimal(match[4])}"


def _signed(match: re.Match[str]) -> str:
    below = match[1] in "-−" and match.string.startswith(("度", "摄氏度"), match.end())
    return ("零下" if below else SIGN_WORDS[match[1]]) + decimal(match[2])


PERCENT = (
    Rule("percent", re.compile(rf"(?<![\d.]){_SIGN}{_NUM}\s*[%‰‱]?\s*[-~～—–至到]\s*{_SIGN}{_NUM}\s*([%‰‱])"), _range),
    Rule("percent", re.compile(rf"(?<![\d.]){_SIGN}{_NUM}\s*([%‰‱])"), _percent),
)
SIGNED = Rule("signed", re.compile(rf"(?<![\dA-Za-z.%])([-−+±]){_NUM}(?![\d.])"), _signed)
