"""Codes: the same digits a hotline or an identifier after 拨打/电话/号, read digit by digit with 幺."""

from __future__ import annotations

import pytest

from pipeline.speech.normalize import normalize, tag
from tests.normalize.table import assert_reads

CASES = [
    ("住在101房间", "住在幺零幺房间"),
    ("1203室", "幺二零三室"),
    ("拨打12345政务服务便民热线", "拨打幺二三四五政务服务便民热线"),
    ("请拨打110报警", "请拨打幺幺零报警"),
    ("拨打120", "拨打幺二零"),
    ("96110反诈专线", "九六幺幺零反诈专线"),
    ("12348公共法律服务热线", "幺二三四八公共法律服务热线"),
    ("消费者投诉请拨打12315", "消费者投诉请拨打幺二三幺五"),
    ("火警119", "火警幺幺九"),
    ("急救电话120", "急救电话幺二零"),
    ("身份证号130323199001011234", "身份证号幺三零三二三幺九九零零幺零幺幺二三四"),
    ("验证码036512", "验证码零三六五幺二"),
    ("１２３４５", "幺二三四五"),
    ("举报电话是12388", "举报电话是幺二三八八"),
    ("车牌尾号为3的车辆", "车牌尾号为三的车辆"),
    ("电话0335-7012345转8001", "电话零三三五，七零幺二三四五转八零零幺"),
    ("账号62220212345", "账号六二二二零二幺二三四五"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES, ids=[c[0] for c in CASES])
def test_code(written: str, spoken: str) -> None:
    assert_reads(written, spoken, "code")


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("限速120", "限速一百二十"),
        ("车速达到110", "车速达到一百一十"),
        ("110元", "一百一十元"),
        ("约120人", "约一百二十人"),
    ],
)
def test_the_same_digits_as_a_quantity(written: str, spoken: str) -> None:
    assert normalize(written) == spoken
    assert "code" not in {r.kind for r in tag(written)}
