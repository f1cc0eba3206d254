"""Telephone numbers: mobile, landline and service numbers, read in their written groups."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("拨打135-4567-8900", "拨打幺三五 四五六七 八九零零"),
    ("联系电话：138 0000 1234", "联系电话：幺三八 零零零零 幺二三四"),
    ("手机号13812345678", "手机号幺三八幺二三四五六七八"),
    ("+86 135-4567-8900", "加八六 幺三五 四五六七 八九零零"),
    ("咨询电话0335-7012345", "咨询电话零三三五，七零幺二三四五"),
    ("举报电话：010-8888-6666", "举报电话：零幺零，八八八八 六六六六"),
    ("值班电话(010)88886666", "值班电话零幺零，八八八八六六六六"),
    ("值班电话（0335）7012345", "值班电话零三三五，七零幺二三四五"),
    ("客服热线400-810-8888", "客服热线四零零 八幺零 八八八八"),
    ("服务热线800 810 8888", "服务热线八零零 八幺零 八八八八"),
    ("拨打021 6123 4567", "拨打零二幺，六幺二三 四五六七"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_telephone(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "telephone")
