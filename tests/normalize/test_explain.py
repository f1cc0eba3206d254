"""``pufa say --explain``: each span with its class and reading, and characters the voice cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.captions.split import plan_captions
from pipeline.cli import main
from pipeline.errors import ScriptError
from pipeline.script import parse_script
from pipeline.speech.normalize import normalize
from tests.conftest import SHORT_SCRIPT, make_project


def test_say_explain_lists_each_span_with_its_class(project: Path) -> None:
    result = CliRunner().invoke(
        main, ["--project", str(project), "say", "--explain", "2019年以来，拨打135-4567-8900，罚款{2万|两万}元"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "二〇一九年以来，拨打幺三五 四五六七 八九零零，罚款两万元\n"
        "  date       2019年 → 二〇一九年\n"
        "  telephone  135-4567-8900 → 幺三五 四五六七 八九零零\n"
        "  override   2万 → 两万\n"
    )
    assert result.stderr == ""


def test_say_explain_warns_of_a_character_the_voice_cannot_read(project: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(project), "say", "--explain", "当事人𠮷田先生"])
    assert result.exit_code == 0
    assert result.stdout == "当事人𠮷田先生\n"
    assert result.stderr == "warning: the voice cannot read '𠮷' (U+20BB7); write {𠮷|吉}\n"


def test_say_rejects_a_number_too_long_in_one_line(project: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(project), "say", "罚款" + "9" * 25 + "元"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"pufa: error: cannot read the number {'9' * 25}: it has 25 digits and at most 20 are read in words; "
        "write it with {显示|读作}\n"
    )


def test_a_build_names_the_line_of_a_number_too_long_to_say(tmp_path: Path) -> None:
    path = make_project(tmp_path / "series") / "scripts" / "0007-gaokong.md"
    path.write_text(SHORT_SCRIPT.replace("大家好，今天讲高空抛物。", "罚款" + "1" * 21 + "元。"), encoding="utf-8")
    with pytest.raises(ScriptError) as raised:
        plan_captions(parse_script(path), len, 600, 2, normalize)
    line = SHORT_SCRIPT.splitlines().index("大家好，今天讲高空抛物。") + 1
    assert str(raised.value) == (
        f"{path}:{line}: error: cannot read the number {'1' * 21}: it has 21 digits and at most 20 are read in words; "
        "write it with {显示|读作}"
    )


def test_say_warns_of_a_character_the_voice_cannot_read_without_explain_too(project: Path) -> None:
    result = CliRunner().invoke(main, ["--project", str(project), "say", "当事人𠮷田先生"])
    assert result.exit_code == 0
    assert result.stdout == "当事人𠮷田先生\n"
    assert result.stderr == "warning: the voice cannot read '𠮷' (U+20BB7); write {𠮷|吉}\n"
