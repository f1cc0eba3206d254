"""Dates in every written form; a year is read digit by digit whatever follows it."""

from __future__ import annotations

import pytest

from pipeline.speech.normalize import tag
from tests.normalize.table import assert_reads

CASES = [
    ("2023年", "二〇二三年"),
    ("2008年", "二〇〇八年"),
    ("1997年刑法", "一九九七年刑法"),
    ("2024年1月9日", "二〇二四年一月九日"),
    ("2022年9月2日第十三届全国人大常委会通过", "二〇二二年九月二日第十三届全国人大常委会通过"),
    ("自2021年1月1日起施行", "自二〇二一年一月一日起施行"),
    ("2023年5月", "二〇二三年五月"),
    ("2020年12月26日", "二〇二〇年十二月二十六日"),
    ("2023年10月15号", "二〇二三年十月十五号"),
    ("3月15日", "三月十五日"),
    ("2022-03-03", "二〇二二年三月三日"),
    ("2022/03/03", "二〇二二年三月三日"),
    ("2023.5.8", "二〇二三年五月八日"),
    ("于2023-11-30作出判决", "于二〇二三年十一月三十日作出判决"),
    ("2019年以来，全区", "二〇一九年以来，全区"),
    ("2018年以后出生", "二〇一八年以后出生"),
    ("2020年上半年", "二〇二〇年上半年"),
    ("截至2022年底", "截至二〇二二年底"),
    ("2023年内完成整改", "二〇二三年内完成整改"),
    ("2019年至2021年期间", "二〇一九年至二〇二一年期间"),
    ("2019-2021年", "二〇一九到二〇二一年"),
    ("2023-2024学年", "二〇二三到二〇二四学年"),
    ("（2023）京01民终1234号", "（二〇二三）京零幺民终一千二百三十四号"),
    ("国发〔2023〕5号", "国发〔二〇二三〕五号"),
    ("2023-05发布", "二〇二三年五月发布"),
    ("本案于2024年3月立案", "本案于二〇二四年三月立案"),
    ("2023年5月8日至6月1日", "二〇二三年五月八日至六月一日"),
    ("90后", "九零后"),
    ("00后网民", "零零后网民"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_date(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "date")


@pytest.mark.parametrize(
    ("written", "spoken"), [("历时1000年", "历时一千年"), ("上下5000年", "上下五千年"), ("80年代", "八十年代")]
)
def test_a_duration_or_decade_is_not_a_year(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "cardinal")


def test_an_impossible_date_is_not_a_date() -> None:
    assert "date" not in {r.kind for r in tag("2023-13-45")}
