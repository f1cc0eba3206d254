from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import REPO, Built, ScriptWriter


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    if cwd is None:
        result = runner.invoke(main, list(args))
    else:
        with runner.isolated_filesystem(temp_dir=cwd):
            result = runner.invoke(main, ["--project", str(cwd), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command",
    [[], ["build"], ["catalog"], ["init"], ["say"], ["voices"], ["cache"], ["cache", "info"], ["cache", "clear"]],
)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    code, out, _ = run(*command, "--help")
    assert code == 0
    assert "Example" in out


def test_bad_script_is_one_line_per_problem_and_exit_1(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    write_script("bad.md", "")
    code, out, err = run("build")
    assert code == 1
    assert err.splitlines() == [
        "scripts/bad.md:1: error: the file is empty; a script needs front matter and at least one scene"
    ]
    assert out.splitlines()[-1].startswith("built 0, skipped 0, failed 1 in ")


def test_outside_a_project_says_how_to_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("catalog")
    assert code == 1
    expected = f"no pufa.toml in {tmp_path.resolve()} or any folder above it; run 'pufa init DIR' or pass --project DIR"
    assert err == f"pufa: error: {expected}\n"


def test_bad_config_is_one_line(project: Path) -> None:
    (project / "pufa.toml").write_text("[video]\nfps = 'fast'\n", encoding="utf-8")
    code, _, err = run("--project", str(project), "build")
    assert code == 1
    assert err == f"pufa: error: {project / 'pufa.toml'}: 'video.fps' must be a whole number, not 'fast'\n"


def test_missing_script_argument(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    code, _, err = run("build", "scripts/nope.md")
    assert code == 1
    assert err == "scripts/nope.md:1: error: no such script\n"


def test_catalog_formats(built: Built) -> None:
    project = str(built.config.root)
    code, table, _ = run("--project", project, "catalog")
    assert code == 0
    assert table.splitlines()[0].split() == [
        "No.",
        "Title",
        "Topic",
        "Duration",
        "Status",
        "Voice",
        "Built",
        "Review",
        "Published",
        "Links",
        "Video",
    ]
    assert table.splitlines()[2].startswith("0007  高空抛物要担责  民法典")
    code, text, _ = run("--project", project, "catalog", "--format", "json")
    assert [row["number"] for row in json.loads(text)] == [7]
    code, text, _ = run("--project", project, "catalog", "--format", "csv")
    assert text.splitlines()[0].startswith("number,title,topic,laws,tags")


def test_empty_catalog(project: Path) -> None:
    code, out, _ = run("--project", str(project), "catalog")
    assert (code, out) == (0, "no episodes yet: run 'pufa build'\n")


def test_init_then_build_the_example(tmp_path: Path) -> None:
    target = tmp_path / "新系列"
    code, out, _ = run("init", str(target))
    assert code == 0 and "created" in out
    assert (target / "pufa.toml").is_file() and (target / "scripts" / "0001-example.md").is_file()
    assert (target / "assets" / "images").is_dir()
    code, out, err = run("--project", str(target), "build")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("built 1, skipped 0, failed 0 in ")
    assert (target / "output" / "episodes" / "0001-example" / "0001.mp4").is_file()


def test_init_never_overwrites_a_project(project: Path) -> None:
    before = (project / "pufa.toml").read_text(encoding="utf-8")
    code, _, err = run("init", str(project))
    assert code == 1
    assert err == f"pufa: error: {project / 'pufa.toml'} already exists; not overwriting an existing project\n"
    assert (project / "pufa.toml").read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["build", "--foo"],
            "pufa build: error: No such option '--foo'. Did you mean '--force'? (see pufa build --help)",
        ),
        (["buidl"], "pufa: error: No such command 'buidl'. Did you mean 'build'? (see pufa --help)"),
        (
            ["review", "approve", "1"],
            "pufa review approve: error: Missing option '--by'. (see pufa review approve --help)",
        ),
    ],
)
def test_a_mistyped_command_line_is_one_line(args: list[str], line: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LANGUAGE": "en"},
        cwd=REPO,
        check=False,
    )
    assert (result.returncode, result.stderr) == (2, line + "\n")


@pytest.mark.parametrize("group", ["cache", "review", "cluster"])
def test_a_group_named_without_its_command_shows_its_help(group: str) -> None:
    """``pufa cache`` alone is a question: the answer is the group's help, laid out, not one squeezed line."""
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", group],
        capture_output=True,
        text=True,
        env={**os.environ, "LANGUAGE": "en"},
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert output.startswith(f"Usage: pufa {group} [OPTIONS] COMMAND [ARGS]...\n"), output
    assert "\nCommands:\n" in output and "error:" not in output
