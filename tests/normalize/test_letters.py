"""Latin abbreviations are spelt; words in mixed case are left to the voice."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("下载APP", "下载A P P"),
    ("加QQ好友", "加Q Q好友"),
    ("ETC卡", "E T C卡"),
    ("ID账号", "I D账号"),
    ("PPT课件", "P P T课件"),
    ("ＡＰＰ", "A P P"),
    ("通过POS机刷卡", "通过P O S机刷卡"),
    ("VIP会员", "V I P会员"),
    ("扫描二维码关注APP", "扫描二维码关注A P P"),
    ("提供CT检查", "提供C T检查"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_letters(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "letters")


def test_mixed_case_words_stay() -> None:
    assert_reads("WiFi密码", "WiFi密码", None)
