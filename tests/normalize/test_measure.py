"""Measures: numbers with units written in Latin letters or symbols."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("最低气温-10℃", "最低气温零下十摄氏度"),
    ("气温-5~3℃", "气温零下五到三摄氏度"),
    ("体温37.3℃", "体温三十七点三摄氏度"),
    ("重达1.5kg", "重达一点五千克"),
    ("毒品2g", "毒品两克"),
    ("限速80km/h", "限速八十公里每小时"),
    ("全程2km", "全程两公里"),
    ("3-5km", "三到五公里"),
    ("身高1.2m以下的儿童", "身高一点二米以下的儿童"),
    ("面积120㎡", "面积一百二十平方米"),
    ("100m²的房屋", "一百平方米的房屋"),
    ("血液酒精含量达到80mg/100ml", "血液酒精含量达到八十毫克每百毫升"),
    ("20mg/100ml以上", "二十毫克每百毫升以上"),
    ("容量500ml", "容量五百毫升"),
    ("1.5L", "一点五升"),
    ("超过5cm", "超过五厘米"),
    ("连续工作8h", "连续工作八小时"),
    ("限速80KM/H", "限速八十公里每小时"),
    ("120m2的住房", "一百二十平方米的住房"),
    ("载重5t", "载重五吨"),
    ("10cm×20cm", "十厘米乘二十厘米"),
    ("80毫克/100毫升", "八十毫克每百毫升"),
    ("面积约为1.2万㎡", "面积约为一点二万平方米"),
    ("血液酒精含量≥80mg/100ml", "血液酒精含量大于等于八十毫克每百毫升"),
    ("温度在-5℃~5℃之间", "温度在零下五到五摄氏度之间"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_measure(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "measure")
