"""Times of day: colons (half- and full-width), seconds, 点/分, and time ranges."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("晚上10:30", "晚上十点三十分"),
    ("8:00", "八点整"),
    ("9:05", "九点零五分"),
    ("上午8：30到达", "上午八点三十分到达"),
    ("15:16:36", "十五点十六分三十六秒"),
    ("于14:05:09离开现场", "于十四点零五分零九秒离开现场"),
    ("办公时间8:30-17:30", "办公时间八点三十分到十七点三十分"),
    ("8:30至12:00", "八点三十分到十二点整"),
    ("下午3点15分", "下午三点十五分"),
    ("凌晨2点", "凌晨两点"),
    ("2023年5月8日14:30", "二〇二三年五月八日十四点三十分"),
    ("0:30", "零点三十分"),
    ("24:00前", "二十四点整前"),
    ("22：00以后", "二十二点整以后"),
    ("12:30:00", "十二点三十分"),
    ("比赛于19:30开始", "比赛于十九点三十分开始"),
    ("以19:30为准", "以十九点三十分为准"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_time(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "time")
