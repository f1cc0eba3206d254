"""Batch production: what triggers a rebuild, failure isolation, interrupted and concurrent builds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline import render as render_module
from pipeline.build import build
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.errors import RenderError
from pipeline.media.ffmpeg import probe
from pipeline.plan import parse_only, plan_build
from tests.conftest import ScriptWriter

SMALL = '[video]\nwidth = 360\nheight = 640\n\n[voice]\nengine = "espeak"\n'
EPISODE = "---\nepisode: {n}\ntitle: 第{n}期\ntopic: 刑法\n---\n## 开场\n{text}\n"
PICTURE = "---\nepisode: {n}\ntitle: 有图\ntopic: 刑法\n---\n## 案例\n![图](../assets/images/building.png)\n你好。\n"


@pytest.fixture
def small(project: Path) -> Path:
    (project / "pufa.toml").write_text(SMALL, encoding="utf-8")
    return project


def reasons(project: Path) -> dict[int, str]:
    plan, _ = plan_build(load_config(project))
    return {p.episode.number: p.reason for p in plan.episodes}


def test_what_triggers_a_rebuild(small: Path, write_script: ScriptWriter) -> None:
    first = write_script("0001-a.md", EPISODE.format(n=1, text="你好。"))
    write_script("0002-b.md", PICTURE.format(n=2))
    assert build(load_config(small)).ok
    assert reasons(small) == {1: "up to date", 2: "up to date"}

    first.write_text(EPISODE.format(n=1, text="大家好。"), encoding="utf-8")
    assert reasons(small) == {1: "script changed", 2: "up to date"}
    assert [b.number for b in build(load_config(small)).built] == [1]

    Image.new("RGB", (320, 240), (10, 20, 30)).save(small / "assets" / "images" / "building.png")
    assert reasons(small) == {1: "up to date", 2: "images changed"}
    build(load_config(small))

    (small / "assets" / "lexicon.tsv").write_text("你好\t您好\n", encoding="utf-8")
    assert reasons(small) == {1: "lexicon changed", 2: "lexicon changed"}
    build(load_config(small))

    (small / "pufa.toml").write_text(SMALL + '\n[theme]\naccent = "#CC0000"\n', encoding="utf-8")
    assert reasons(small) == {1: "config changed", 2: "config changed"}, "a theme change rebuilds every episode"
    build(load_config(small))

    (small / "output" / "episodes" / "0001-a" / "0001.mp4").unlink()
    assert reasons(small) == {1: "outputs missing", 2: "up to date"}
    build(load_config(small))

    first.rename(small / "scripts" / "0001-renamed.md")
    assert reasons(small)[1] == "script_path changed"

    forced, _ = plan_build(load_config(small), force=True)
    assert [(p.build, p.reason) for p in forced.episodes] == [(True, "forced"), (True, "forced")]


def test_no_op_rebuild_builds_nothing(small: Path, write_script: ScriptWriter) -> None:
    write_script("0001-a.md", EPISODE.format(n=1, text="你好。"))
    build(load_config(small))
    again = build(load_config(small))
    assert (again.built, [p.episode.number for p in again.skipped], again.failed) == ((), [1], ())


def test_only_selects_by_episode_number(small: Path, write_script: ScriptWriter) -> None:
    for n in (1, 2, 3):
        write_script(f"{n:04d}.md", EPISODE.format(n=n, text="你好。"))
    plan, _ = plan_build(load_config(small), only=parse_only("2-3"))
    assert [p.episode.number for p in plan.episodes] == [2, 3]
    selection = parse_only("1250-1252,1260")
    assert [n for n in range(1240, 1270) if n in selection] == [1250, 1251, 1252, 1260]
    with pytest.raises(Exception, match="--only: 'x1' is not an episode number or a range like 1250-1260"):
        parse_only("x1")


def test_failure_isolation_summary_and_exit_status(small: Path, write_script: ScriptWriter) -> None:
    write_script("0001-good.md", EPISODE.format(n=1, text="你好。"))
    write_script("0002-bad.md", "---\nepisode: 2\n---\n")
    write_script("0003-good.md", EPISODE.format(n=3, text="再见。"))
    result = CliRunner().invoke(main, ["--project", str(small), "build", "--jobs", "2"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("No."))) + 2 : -1]
    assert [row.split()[:3] for row in table] == [
        [str(small / "scripts" / "0002-bad.md"), "failed"],
        ["0001", "第1期", "built"],
        ["0003", "第3期", "built"],
    ]
    assert lines[-1].startswith("built 2, skipped 0, failed 1 in ")
    assert "0002-bad.md:1: error: missing field 'title' in the front matter" in result.stderr


def test_fail_fast_stops_at_the_first_failure(
    small: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in (1, 2, 3):
        write_script(f"{n:04d}.md", EPISODE.format(n=n, text="你好。"))

    def failing_encode(*_args: object, label: str, **_kwargs: object) -> None:
        raise RenderError(f"{label}: ffmpeg failed to encode the video: no space left on device")

    monkeypatch.setattr(render_module, "encode", failing_encode)
    result = CliRunner().invoke(main, ["--project", str(small), "build", "--jobs", "1", "--fail-fast"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].startswith("built 0, skipped 0, failed 1 in ")
    assert result.stdout.splitlines()[-1].endswith("; 2 not started (--fail-fast)")


def pufa(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--project", str(project), "build", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def encoding_ffmpeg(project: Path) -> list[int]:
    """ffmpeg processes encoding into this project, found through /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and b"ffmpeg" in command[0] and any(str(project).encode() in part for part in command):
                found.append(int(entry.name))
    return found


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


LONG = "大家好，欢迎收看普法小讲堂。" * 6


def catalog_numbers(project: Path) -> list[int]:
    if not (project / "catalog.db").exists():
        return []
    return [
        n for (n,) in sqlite3.connect(project / "catalog.db").execute("SELECT number FROM episodes ORDER BY number")
    ]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds processes through /proc")
def test_a_build_killed_mid_encode_leaves_nothing_partial_and_the_next_run_finishes(
    small: Path, write_script: ScriptWriter
) -> None:
    write_script("0001-long.md", EPISODE.format(n=1, text=LONG))
    process = pufa(small, "--jobs", "1")
    wait_for(lambda: encoding_ffmpeg(small))
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    folder = small / "output" / "episodes" / "0001-long"
    assert not (folder / "0001.mp4").exists(), "no video under its final name"
    assert catalog_numbers(small) == [], "no catalog row for an unfinished episode"

    resumed = pufa(small, "--jobs", "1")
    _out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert catalog_numbers(small) == [1]
    assert probe(folder / "0001.mp4").height == 640
    assert not list((small / "output" / "episodes").glob(".work-*")), "the killed build's work folder is cleared"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds processes through /proc")
def test_a_killed_worker_costs_a_retry_not_the_batch(small: Path, write_script: ScriptWriter) -> None:
    write_script("0001-long.md", EPISODE.format(n=1, text=LONG))
    write_script("0002-long.md", EPISODE.format(n=2, text=LONG))
    process = pufa(small, "--jobs", "2")
    wait_for(lambda: encoding_ffmpeg(small))
    encoder = encoding_ffmpeg(small)[0]
    worker = parent_of(encoder)
    assert worker != process.pid
    os.kill(worker, signal.SIGKILL)
    os.kill(encoder, signal.SIGKILL)
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    assert out.splitlines()[-1].startswith("built 2, skipped 0, failed 0")
    assert catalog_numbers(small) == [1, 2]
    for n in (1, 2):
        assert probe(small / "output" / "episodes" / f"{n:04d}-long" / f"{n:04d}.mp4").width == 360


def test_two_builds_at_once_on_one_project(small: Path, write_script: ScriptWriter) -> None:
    for n in (1, 2, 3):
        write_script(f"{n:04d}-ep.md", EPISODE.format(n=n, text="你好，大家好。"))
    first, second = pufa(small, "--jobs", "1"), pufa(small, "--jobs", "1")
    results = [p.communicate(timeout=180) for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), results
    built = [int(out.splitlines()[-1].split()[1].rstrip(",")) for out, _ in results]
    assert sum(built) == 3, "each episode is built by one of the two builds only"
    assert catalog_numbers(small) == [1, 2, 3]
    for n in (1, 2, 3):
        assert probe(small / "output" / "episodes" / f"{n:04d}-ep" / f"{n:04d}.mp4").width == 360
