"""Ordinals and article numbers, always with 二: ``第1254条`` → 第一千二百五十四条, ``第2款`` → 第二款,
``第291条之2`` → 第二百九十一条之二, ``第3-5条`` → 第三到五条, ``第1、2项`` → 第一、二项.
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import cardinal
from pipeline.speech.normalize.rules import Rule

_UNIT = r"([条款项章节编期次名届个页批号位轮级]?)"

RULES = (
    Rule(
        "ordinal",
        re.compile(rf"第\s*(\d+)\s*[-~～—–至到]\s*第?\s*(\d+)(?![\d.]){_UNIT}"),
        lambda m: f"第{cardinal(int(m[1]))}到{'第' if '第' in m[0][1:] else ''}{cardinal(int(m[2]))}{m[3]}",
    ),
    # 第1、2项 and 第3和第5条: every number of the list is an ordinal.
    Rule(
        "ordinal",
        re.compile(rf"第\s*\d+(?:\s*[、和及与或]\s*第?\s*\d+)*(?![\d.]){_UNIT}"),
        lambda m: re.sub(r"\d+", lambda n: cardinal(int(n[0])), m[0]),
    ),
    Rule("ordinal", re.compile(r"(?<=[条款项章节])之\s*(\d+)(?![\d.])"), lambda m: "之" + cardinal(int(m[1]))),
)
