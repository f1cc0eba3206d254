"""Numbers written with symbols (½, Ⅻ, 10⁸) are read; what pufa cannot read right is found for ``pufa check``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.speech.normalize import normalize, tag, unread
from tests.conftest import ScriptWriter
from tests.normalize.table import assert_reads

CASES = [
    ("½", "二分之一", "fraction"),
    ("占¾以上", "占四分之三以上", "fraction"),
    ("⅓的股份", "三分之一的股份", "fraction"),
    ("第Ⅻ条", "第十二条", "cardinal"),
    ("第Ⅲ部分", "第三部分", "cardinal"),
    ("3×10⁸元", "三乘十的八次方元", "cardinal"),
    ("10⁻³米", "十的负三次方米", "cardinal"),
]


@pytest.mark.parametrize(("written", "spoken", "kind"), CASES)
def test_symbol_numbers_are_read(written: str, spoken: str, kind: str) -> None:
    assert_reads(written, spoken, kind)


UNREAD = [
    ("罚款1,2,3元", ["1,2,3"]),
    ("版本1.2.3", ["1.2.3"]),
    ("1e30元", ["1e30"]),
    ("0x1F", ["0x1F"]),
    ("1½小时", ["1½"]),
    ("第ⅩⅡ条", ["ⅩⅡ"]),
    ("见①", ["①"]),
    ("罚款1,234元，版本1.2.3", ["1.2.3"]),
    # Read as their parts (十^八, 一_零, 一 零零零 零, 零b一百零一): found too.
    ("10^8元", ["10^8"]),
    ("1_000元", ["1_000"]),
    ("1 000 000元", ["1 000 000"]),
    ("0b101", ["0b101"]),
]


@pytest.mark.parametrize(("written", "found"), UNREAD)
def test_numbers_pufa_cannot_read_are_found(written: str, found: list[str]) -> None:
    assert unread(tag(written)) == found


@pytest.mark.parametrize(
    "written",
    ["罚款1,234元", "2019年", "GB 7258-2017", "135-4567-8900", "3.14", "15:16:36", "COVID-19", "《2019年报告》", "〇"],
)
def test_numbers_read_right_are_not_reported(written: str) -> None:
    assert unread(tag(written)) == []
    assert not any(c.isdigit() for c in normalize(written) if c != "〇") or written.startswith("《")


def test_check_warns_of_every_number_it_cannot_read(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each gets one line naming file, line, column and the number as written; --strict makes them fail."""
    monkeypatch.chdir(project)
    body = "## 开场\n罚款1,2,3元，版本1.2.3。\n\n## 数字\n约1e30元，代码0x1F，{0x2A|零叉二A}照读。\n"
    write_script("0001-n.md", "---\nepisode: 1\ntitle: 数字\ntopic: 民法典\n---\n" + body)
    result = CliRunner().invoke(main, ["check"])
    advice = "aloud; write it in words or with {显示|读作}"
    assert [line for line in result.stdout.splitlines() if "cannot read" in line] == [
        f"scripts/0001-n.md:7:3: warning: pufa cannot read '1,2,3' {advice}",
        f"scripts/0001-n.md:7:12: warning: pufa cannot read '1.2.3' {advice}",
        f"scripts/0001-n.md:10:2: warning: pufa cannot read '1e30' {advice}",
        f"scripts/0001-n.md:10:10: warning: pufa cannot read '0x1F' {advice}",
    ]
    assert result.exit_code == 0
    assert CliRunner().invoke(main, ["check", "--strict"]).exit_code == 1


@pytest.mark.parametrize("explain", [[], ["--explain"]])
def test_say_warns_of_a_number_it_cannot_read(project: Path, explain: list[str]) -> None:
    result = CliRunner().invoke(main, ["--project", str(project), "say", *explain, "--", "版本1.2.3，约0x1F"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "版本一点二.3，约零乘一F"
    advice = "aloud; write it in words or with {显示|读作}"
    assert result.stderr == f"warning: pufa cannot read '1.2.3' {advice}\nwarning: pufa cannot read '0x1F' {advice}\n"
