"""Ordinals and article numbers: always 二, never 两."""

from __future__ import annotations

import pytest

from tests.normalize.table import assert_reads

CASES = [
    ("《中华人民共和国民法典》第1254条", "《中华人民共和国民法典》第一千二百五十四条"),
    ("《刑法》第291条之二", "《刑法》第二百九十一条之二"),
    ("第291条之2", "第二百九十一条之二"),
    ("第266条", "第二百六十六条"),
    ("第19条第1款", "第十九条第一款"),
    ("第20条", "第二十条"),
    ("第1165条第2款", "第一千一百六十五条第二款"),
    ("第3项", "第三项"),
    ("第100条", "第一百条"),
    ("第1010条", "第一千零一十条"),
    ("第7章", "第七章"),
    ("第1260期", "第一千二百六十期"),
    ("第2名", "第二名"),
    ("第3-5条", "第三到五条"),
    ("第2点意见", "第二点意见"),
    ("第1、2项", "第一、二项"),
    ("第3和第5条", "第三和第五条"),
    ("2023年第3期", "二〇二三年第三期"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_ordinal(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "ordinal")


def test_written_in_words_stays() -> None:
    assert_reads("第二百九十一条之二", "第二百九十一条之二", None)
