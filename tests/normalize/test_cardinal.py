"""Counted quantities: separators, decimals, fractions, 两 versus 二, and quantity words before a number."""

from __future__ import annotations

import pytest

from pipeline.speech.normalize import ReadingError, cardinal, normalize
from tests.normalize.table import assert_reads

CASES = [
    ("3号楼2单元302室", "三号楼二单元三零二室", "code"),
    ("2室1厅的房子", "两室一厅的房子", "cardinal"),
    ("下了2单", "下了两单", "cardinal"),
    ("近2成受访者", "近两成受访者", "cardinal"),
    ("光速约299,792,458米每秒", "光速约二亿九千九百七十九万二千四百五十八米每秒", "cardinal"),
    ("2名民警", "两名民警", "cardinal"),
    ("2公里", "两公里", "cardinal"),
    ("2个人", "两个人", "cardinal"),
    ("2年", "两年", "cardinal"),
    ("判处2年有期徒刑", "判处两年有期徒刑", "cardinal"),
    ("2.5公里", "二点五公里", "cardinal"),
    ("20名", "二十名", "cardinal"),
    ("2月", "二月", "cardinal"),
    ("2号楼", "二号楼", "cardinal"),
    ("12楼", "十二楼", "cardinal"),
    ("1.5倍", "一点五倍", "cardinal"),
    ("3.5", "三点五", "cardinal"),
    ("0.5", "零点五", "cardinal"),
    ("18周岁", "十八周岁", "cardinal"),
    ("14周岁以上不满16周岁", "十四周岁以上不满十六周岁", "cardinal"),
    ("处3年以下有期徒刑", "处三年以下有期徒刑", "cardinal"),
    ("处3年以上10年以下有期徒刑", "处三年以上十年以下有期徒刑", "cardinal"),
    ("试用期不得超过6个月", "试用期不得超过六个月", "cardinal"),
    ("劳动合同期限1年以上不满3年的", "劳动合同期限一年以上不满三年的", "cardinal"),
    ("拘留15日", "拘留十五日", "cardinal"),
    ("2.05万吨", "二点零五万吨", "cardinal"),
    ("限速120", "限速一百二十", "cardinal"),
    ("车速达到110", "车速达到一百一十", "cardinal"),
    ("时速不得超过80公里", "时速不得超过八十公里", "cardinal"),
    ("约120人", "约一百二十人", "cardinal"),
    ("共计12345人次", "共计一万二千三百四十五人次", "cardinal"),
    ("3-5名", "三到五名", "range"),
    ("3至7日", "三到七日", "range"),
    ("10~15天", "十到十五天", "range"),
    ("2-3个", "两到三个", "range"),
    ("1000-2000元", "一千到两千元", "range"),
    ("扣2分", "扣两分", "cardinal"),
    ("3#楼", "三号楼", "cardinal"),
    ("1/3", "三分之一", "fraction"),
    ("超过2/3的成员", "超过三分之二的成员", "fraction"),
]


@pytest.mark.parametrize(("written", "spoken", "kind"), CASES, ids=[c[0] for c in CASES])
def test_cardinal_reading(written: str, spoken: str, kind: str) -> None:
    assert_reads(written, spoken, kind)


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        (0, "零"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (101, "一百零一"),
        (1254, "一千二百五十四"),
        (10000, "一万"),
        (10010, "一万零一十"),
        (100001, "十万零一"),
        (120000000, "一亿二千万"),
        (100000000, "一亿"),
        (10**16, "一亿亿"),
        (10**12 + 5, "一万亿零五"),
    ],
)
def test_cardinal(number: int, spoken: str) -> None:
    assert cardinal(number) == spoken


def test_two_is_liang_before_thousands_and_round_hundreds_of_millions() -> None:
    assert cardinal(2000, liang=True) == "两千"
    assert cardinal(28000, liang=True) == "两万八千"
    assert cardinal(200000000, liang=True) == "两亿"
    assert cardinal(299792458, liang=True) == "二亿九千九百七十九万二千四百五十八"


@pytest.mark.parametrize("digits", [21, 30, 200])
def test_a_number_too_long_to_say_is_one_line_error(digits: int) -> None:
    with pytest.raises(ReadingError) as raised:
        normalize(f"罚款1{'0' * (digits - 1)}元")
    shown = f"1{'0' * (digits - 1)}" if digits <= 30 else f"1{'0' * 19}…"  # a long one is cut short
    assert str(raised.value) == (
        f"cannot read the number {shown}: it has {digits} digits and at most 20 are read in words; "
        "write it with {显示|读作}"
    )
    assert "\n" not in str(raised.value)


def test_a_long_code_is_read_digit_by_digit_whatever_its_length() -> None:
    assert normalize("编号" + "1234567890" * 10) == "编号" + "幺二三四五六七八九零" * 10
