"""Percentages, per-mille and signed numbers."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("85%", "百分之八十五", "percent"),
    ("工资的80%", "工资的百分之八十", "percent"),
    ("12.5%", "百分之十二点五", "percent"),
    ("８５％", "百分之八十五", "percent"),
    ("15%-20%", "百分之十五到百分之二十", "percent"),
    ("按15-20%计算", "按百分之十五到百分之二十计算", "percent"),
    ("同比下降-3%", "同比下降负百分之三", "percent"),
    ("增长率为-3%", "增长率为负百分之三", "percent"),
    ("0.5‰", "千分之零点五", "percent"),
    ("滞纳金每日按0.5‰计算", "滞纳金每日按千分之零点五计算", "percent"),
    ("年利率不超过24%", "年利率不超过百分之二十四", "percent"),
    ("误差±0.5", "误差正负零点五", "signed"),
    ("余额为-200", "余额为负二百", "signed"),
    ("气温-10度", "气温零下十度", "signed"),
]


@pytest.mark.parametrize(("written", "spoken", "kind"), CASES, ids=[c[0] for c in CASES])
def test_percent(written: str, spoken: str, kind: str) -> None:
    assert_reads(written, spoken, kind)


def test_written_in_words_stays() -> None:
    assert_reads("百分之八十", "百分之八十", None)
