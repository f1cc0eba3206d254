"""Every error from every entry point is one line; pufa's own bugs leave their traceback in a log file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.terminal import escape
from tests.conftest import ScriptWriter


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_an_unexpected_error_is_one_line_with_the_log_of_its_traceback(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("pipeline.review.check.check", broken)
    code, out, err = invoke("--project", str(project), "check")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    prefix = "pufa: error: unexpected ZeroDivisionError: division by zero (a bug in pufa; the details are in "
    assert err.startswith(prefix) and err.endswith(".log)\n")
    log = Path(err[len(prefix) : -2])
    assert "Traceback" in log.read_text(encoding="utf-8") and "ZeroDivisionError" in log.read_text(encoding="utf-8")
    code, _, err = invoke("--debug", "--project", str(project), "check")
    assert code == 1
    assert "Traceback (most recent call last)" in err and err.splitlines()[-1].startswith(prefix)


def test_running_out_of_memory_says_so_in_one_line(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def greedy(*_args: object, **_kwargs: object) -> None:
        bytearray(1 << 60)  # a real MemoryError: no computer has an exabyte to give

    monkeypatch.setattr("pipeline.review.check.check", greedy)
    code, out, err = invoke("--project", str(project), "check")
    assert code == 1 and out == ""
    prefix = (
        "pufa: error: out of memory; close other programs or build fewer episodes at once (--jobs 1) and run again "
        "(the details are in "
    )
    assert err.startswith(prefix) and err.endswith(".log)\n") and err.count("\n") == 1
    assert "MemoryError" in Path(err[len(prefix) : -2]).read_text(encoding="utf-8")


def test_terminal_escape_shows_controls() -> None:
    assert escape("a\x1b[2Jb\rc\u2028") == "a\\x1b[2Jb\\rc\\u2028"
    assert escape("第一行\n第二行\t", keep_newlines=True) == "第一行\n第二行\t"
    assert escape("x\ny") == "x\\ny"


def test_an_unexpected_error_in_one_episode_is_its_one_line_failure(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.build import build
    from pipeline.config import load_config

    write_script("0001-a.md", "---\nepisode: 1\ntitle: 测试\ntopic: 民法典\n---\n## 开场\n你好。\n")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("scene")

    monkeypatch.setattr("pipeline.build.render_episode", broken)
    report = build(load_config(project), jobs=1)
    [failure] = report.failed
    prefix = "scripts/0001-a.md: error: unexpected KeyError: 'scene' (a bug in pufa; the details are in "
    assert failure.message.endswith(".log)") and "\n" not in failure.message
    assert failure.message.split(prefix[len("scripts/0001-a.md") :])[0].endswith("0001-a.md")
    log = Path(failure.message.rsplit("the details are in ", 1)[1][:-1])
    assert "KeyError: 'scene'" in log.read_text(encoding="utf-8")
