"""Ratios and scores (比), as distinct from times and ranges."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("屏幕比例16:9", "屏幕比例十六比九", "ratio"),
    ("按1:1000的比例", "按一比一千的比例", "ratio"),
    ("按3:7的比例分担责任", "按三比七的比例分担责任", "ratio"),
    ("比例尺1:50000", "比例尺一比五万", "ratio"),
    ("双方按6：4分配", "双方按六比四分配", "ratio"),
    ("比分定格在3-1", "比分定格在三比一", "score"),
    ("以3-1战胜对手", "以三比一战胜对手", "score"),
    ("最终3-1获胜", "最终三比一获胜", "score"),
    ("比分21:19", "比分二十一比十九", "score"),
    ("以2:1获胜", "以二比一获胜", "score"),
    ("主队2-2战平客队", "主队二比二战平客队", "score"),
    ("3-1", "三比一", "score"),
    ("比分为2-0", "比分为二比零", "score"),
    ("0-0", "零比零", "score"),
    ("比赛中3-1领先", "比赛中三比一领先", "score"),
]


@pytest.mark.parametrize(("written", "spoken", "kind"), CASES, ids=[c[0] for c in CASES])
def test_ratio(written: str, spoken: str, kind: str) -> None:
    assert_reads(written, spoken, kind)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [("3-5年", "三到五年"), ("处3-10年有期徒刑", "处三到十年有期徒刑"), ("1-3个月", "一到三个月")],
)
def test_a_range_is_not_a_score(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "range")
