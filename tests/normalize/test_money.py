"""Money: currency signs, 元 and 元角分, thousands separators, 万/亿, 余/多."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("￥1,234.50", "一千二百三十四元五角"),
    ("¥100元", "一百元"),
    ("涉案金额￥3,000,000", "涉案金额三百万元"),
    ("28,000元", "两万八千元"),
    ("1.5亿元", "一点五亿元"),
    ("26.55万元", "二十六点五五万元"),
    ("24万余元", "二十四万余元"),
    ("被骗6万多元", "被骗六万多元"),
    ("罚款500元", "罚款五百元"),
    ("罚款2000元", "罚款两千元"),
    ("2万元", "两万元"),
    ("110元", "一百一十元"),
    ("100000元", "十万元"),
    ("罚金10005元", "罚金一万零五元"),
    ("每件3.05元", "每件三元零五分"),
    ("￥0.50", "五角"),
    ("赔偿$20", "赔偿二十美元"),
    ("3000元/吨", "三千元每吨"),
    ("罚款10000000000000000元", "罚款一亿亿元"),
    ("100-200元", "一百到二百元"),
    ("RMB 500", "五百元"),
    ("HK$100", "一百港元"),
    ("涉案3万-5万元", "涉案三万到五万元"),
    ("共计5,000.00元", "共计五千元"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_money(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "money")
