"""Standard numbers (标准编号): the code spelt, the number digit by digit, the year as a year; never a range."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("GB 7258-2017", "G B 七二五八 二〇一七"),
    ("GB7258—2017", "G B 七二五八 二〇一七"),
    ("依据GB/T 5768.2-2009规定", "依据G B T 五七六八点二 二〇〇九规定"),
    ("GA 802-2019", "G A 八零二 二〇一九"),
    ("（GB 2762-2022）", "（G B 二七六二 二〇二二）"),
    ("GB/Z 20986-2007", "G B Z 二零九八六 二〇〇七"),
    ("ＧＢ　７２５８－２０１７", "G B 七二五八 二〇一七"),
    ("JT/T 1178.1-2018", "J T T 一一七八点一 二〇一八"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_standard(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "standard")


def test_a_range_of_years_after_letters_is_still_a_range() -> None:
    assert_reads("2019-2023年", "二〇一九到二〇二三年", None)
