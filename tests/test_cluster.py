"""Cluster builds on a real Dask scheduler and worker processes on 127.0.0.1, started here with the `dask` CLI.

The workers import this checkout's pufa (PYTHONPATH) and each has its own audio cache, as
on separate PCs; they never see the project folder, only what the tasks carry.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline import __version__, build_id
from pipeline.build import build
from pipeline.catalog import Catalog
from pipeline.cli import main
from pipeline.config import load_config
from pipeline.media.ffmpeg import probe
from pipeline.progress import PlainProgress
from tests.conftest import REPO, make_project

DASK = Path(sys.executable).with_name("dask")
CONFIG = '[video]\nwidth = 360\nheight = 640\n\n[voice]\nengine = "espeak"\n\n[sound]\nmusic = "assets/music/bed.m4a"\n'
SCRIPT = """\
---
episode: {n}
title: 第{n}期 {topic}
topic: {topic}
laws:
  - 《中华人民共和国民法典》第一千二百五十四条
---
## 开场
大家好，这是第{n}期，讲{topic}。

## 法条
![楼](../assets/images/building.png)
> 《中华人民共和国民法典》第一千二百五十四条规定：禁止从建筑物中抛掷物品。

## 提醒
{text}有困难，请拨打{{12348|幺二三四八}}。
"""
TOPICS = ("高空抛物", "电信诈骗", "试用期", "物业纠纷")

pytestmark = pytest.mark.skipif(not DASK.is_file(), reason="the dask CLI is not installed in this environment")


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return int(probe_socket.getsockname()[1])


class Cluster:
    """A `dask scheduler` and `dask worker` processes; each worker with its own audio cache."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._start(
            "scheduler",
            ["scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1], "--no-dashboard"],
            {},
        )

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [str(DASK), *args], stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env}, cwd=self.folder
        )
        self.processes[name] = process
        return process

    def start_worker(self, name: str, pythonpath: Path = REPO) -> subprocess.Popen[bytes]:
        cache = self.folder / f"cache-{name}"
        return self._start(
            name,
            [
                "worker",
                self.address,
                "--name",
                name,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--local-directory",
                str(self.folder / f"dask-{name}"),
            ],
            {"PYTHONPATH": str(pythonpath), "PUFA_CACHE_DIR": str(cache)},
        )

    def wait_for(self, names: set[str], timeout: float = 120.0) -> None:
        from distributed import Client

        deadline = time.monotonic() + timeout
        with Client(self.address, timeout="60s") as client:
            while True:
                present = {w["name"] for w in client.scheduler_info(n_workers=-1)["workers"].values()}
                if present == names:
                    return
                assert time.monotonic() < deadline, f"workers {present}, waiting for {names}; logs in {self.folder}"
                time.sleep(0.3)

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for name in [n for n in self.processes if n != "scheduler"] + ["scheduler"]:
            process = self.processes.pop(name)
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        running.start_worker("w1")
        running.start_worker("w2")
        running.wait_for({"w1", "w2"})
        yield running
    finally:
        running.stop()


def series(root: Path, numbers: tuple[int, ...], text: str = "") -> Path:
    project = make_project(root)
    (project / "pufa.toml").write_text(CONFIG, encoding="utf-8")
    (project / "assets" / "music").mkdir()
    shutil.copyfile(REPO / "assets" / "music" / "gentle-steps.m4a", project / "assets" / "music" / "bed.m4a")
    for n in numbers:
        script = SCRIPT.format(n=n, topic=TOPICS[n % len(TOPICS)], text=text)
        (project / "scripts" / f"{n:04d}-ep.md").write_text(script, encoding="utf-8")
    return project


def catalog_rows(project: Path) -> list[dict[str, object]]:
    with Catalog(project / "catalog.db") as catalog:
        return [{k: v for k, v in row.as_json().items() if k != "built_at"} for row in catalog.rows()]


def outputs(project: Path) -> list[str]:
    return sorted(p.relative_to(project).as_posix() for p in (project / "output" / "episodes").rglob("*"))


def test_cluster_build_matches_a_local_build(cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path / "coordinator-cache"))
    numbers = (1, 2, 3, 4)
    here = series(tmp_path / "here", numbers)
    there = series(tmp_path / "there", numbers)
    local = build(load_config(here), jobs=1)
    assert local.ok and len(local.built) == 4
    # One more script whose picture lies outside the project: it is refused alone, before anything is sent.
    Image.new("RGB", (64, 48), (0, 90, 0)).save(tmp_path / "outside.png")
    stray = there / "scripts" / "0005-stray.md"
    stray.write_text(
        SCRIPT.format(n=5, topic="x", text="").replace("../assets/images/building.png", "../../outside.png")
    )

    lines: list[str] = []
    remote = build(load_config(there), cluster=cluster.address, progress=PlainProgress(lines.append, verbose=True))

    assert [f.message for f in remote.failed] == [
        f"{stray}:12: error: ../../outside.png is outside the project folder; copy it into assets/images/"
    ]
    # A build on this computer refuses it with the same line.
    alone = build(load_config(there), only=frozenset({5}))
    assert [f.message for f in alone.failed] == [f.message for f in remote.failed] and not alone.built
    assert [b.number for b in remote.built] == [1, 2, 3, 4]
    assert [b.synthesised_scenes for b in remote.built] == [0, 0, 0, 0], "the coordinator's audio went with the tasks"
    assert outputs(there) == outputs(here)
    stray.unlink()
    for built in local.built:
        folder = built.folder.relative_to(here)
        for name in (f"{built.number:04d}.srt", "manifest.json"):
            assert (there / folder / name).read_text(encoding="utf-8") == (here / folder / name).read_text(
                encoding="utf-8"
            ), f"{folder}/{name}"
        assert probe(there / folder / f"{built.number:04d}.mp4").duration == probe(built.video).duration
    assert catalog_rows(there) == catalog_rows(here)
    assert json.loads((there / "output" / "catalog.json").read_text(encoding="utf-8"))[0]["number"] == 1
    for n in numbers:
        assert f"{n:04d} 第{n}期 {TOPICS[n % 4]}: started" in lines
        assert f"  {n:04d} encode" in lines
    assert lines[-1].startswith("[4/4] "), "the refused script was never sent"

    again = CliRunner().invoke(main, ["--project", str(there), "build", "--cluster", cluster.address])
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1].startswith("built 0, skipped 4, failed 0 in ")

    # A branding change: the coordinator ships the recordings each manifest lists, splitting no captions.
    def no_split(*_args: object) -> tuple[str, ...]:
        raise AssertionError("the coordinator split an episode's captions")

    monkeypatch.setattr("pipeline.cluster.coordinator.audio_cache_keys", no_split)
    config = (there / "pufa.toml").read_text(encoding="utf-8")
    (there / "pufa.toml").write_text(config + '\n[theme]\naccent = "#E05A2B"\n', encoding="utf-8")
    rebranded = build(load_config(there), cluster=cluster.address)
    assert [b.number for b in rebranded.built] == [1, 2, 3, 4], [f.message for f in rebranded.failed]
    assert [b.synthesised_scenes for b in rebranded.built] == [0, 0, 0, 0]


class KillOnce(PlainProgress):
    """Kills one worker process as soon as an episode is being drawn: mid-episode for both workers."""

    def __init__(self, cluster: Cluster, name: str) -> None:
        super().__init__(lambda _line: None)
        self.cluster, self.name, self.killed = cluster, name, False

    def stage(self, number: int, stage: str, fraction: float) -> None:
        if stage == "frames" and not self.killed:
            self.killed = True
            self.cluster.kill(self.name)


def test_a_worker_killed_mid_run_costs_nothing(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path / "coordinator-cache"))
    project = series(tmp_path / "series", (11, 12, 13, 14), text="今天再提醒一次。")
    config = load_config(project)
    progress = KillOnce(cluster, "w1")
    try:
        report = build(config, cluster=cluster.address, progress=progress)
    finally:
        cluster.start_worker("w3")

    assert progress.killed
    assert report.ok, [f.message for f in report.failed]
    assert sorted(b.number for b in report.built) == [11, 12, 13, 14]
    rows = catalog_rows(project)
    assert [row["number"] for row in rows] == [11, 12, 13, 14]
    for row in rows:
        manifest = json.loads((project / str(row["manifest"])).read_text(encoding="utf-8"))
        assert manifest["input_hash"] == row["input_hash"]
        for key in ("video", "subtitles", "cover"):
            assert (project / str(row[key])).is_file()
    leftovers = [p for p in (project / "output").rglob("*") if p.name.endswith(".part") or ".work-" in p.name]
    assert leftovers == []

    # The workers' recordings came back: this computer re-renders without synthesising anything.
    rebuilt = build(config, force=True, only=frozenset({12}), jobs=1)
    assert [b.synthesised_scenes for b in rebuilt.built] == [0]
    cluster.wait_for({"w2", "w3"})


def test_fail_fast_sends_nothing_after_the_first_failure(cluster: Cluster, tmp_path: Path) -> None:
    project = series(tmp_path / "series", (2, 3))
    stray = project / "scripts" / "0001-stray.md"
    Image.new("RGB", (64, 48), (0, 90, 0)).save(tmp_path / "outside.png")
    stray.write_text(
        SCRIPT.format(n=1, topic="x", text="").replace("../assets/images/building.png", "../../outside.png")
    )
    result = CliRunner().invoke(main, ["--project", str(project), "build", "--cluster", cluster.address, "--fail-fast"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1].startswith("built 0, skipped 0, failed 1 in ")
    assert result.stdout.splitlines()[-1].endswith("; 2 not started (--fail-fast)")
    assert result.stderr == (
        f"{stray}:12: error: ../../outside.png is outside the project folder; copy it into assets/images/\n"
    )
    assert not (project / "output" / "episodes").exists()


def test_cluster_check_refuses_a_worker_with_another_pufa(cluster: Cluster, tmp_path: Path) -> None:
    """Another pufa with the same version number (an older checkout) is told apart by its code."""
    other = tmp_path / "other-pufa"
    shutil.copytree(REPO / "pipeline", other / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    render = other / "pipeline" / "render.py"
    render.write_text(render.read_text(encoding="utf-8") + "\n# an older checkout\n", encoding="utf-8")
    theirs = subprocess.run(
        [sys.executable, "-c", "import pipeline; print(pipeline.build_id())"],
        env={**os.environ, "PYTHONPATH": str(other)},
        cwd=other,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = build_id()
    assert theirs != ours and theirs.split("+")[0] == ours.split("+")[0] == __version__
    cluster.start_worker("old", pythonpath=other)
    try:
        cluster.wait_for({"w2", "w3", "old"})
        result = CliRunner().invoke(main, ["cluster", "check", cluster.address])
    finally:
        cluster.kill("old")

    assert result.exit_code == 1
    table = {line.split()[1]: line.split() for line in result.stdout.splitlines()[2:-1]}
    assert {name: row[3] for name, row in table.items()} == {"w2": ours, "w3": ours, "old": theirs}
    assert all(row[5] == "1" for row in table.values()), "one thread each"
    assert result.stdout.splitlines()[-1] == f"3 workers, 3 threads; this computer has pufa {ours}"
    old = next(row[0] for name, row in table.items() if name == "old")
    assert result.stderr == (
        f"pufa: error: worker {old} ({table['old'][2]}): pufa {theirs}, but this computer has pufa {ours}; "
        "install the same pufa (the same checkout or wheel) on every worker\n"
    )


def test_cluster_options_are_checked_before_anything_runs(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--project", str(project), "build", "--cluster", "192.168.1.20"])
    assert result.exit_code == 1
    assert result.stderr == (
        "pufa: error: --cluster: '192.168.1.20' is neither a scheduler address like tcp://192.168.1.20:8786 "
        "nor local:N\n"
    )
    result = runner.invoke(main, ["--project", str(project), "build", "--cluster", "local:2", "--jobs", "2"])
    assert result.exit_code == 1
    assert "--jobs does not apply to a cluster build" in result.stderr
    unreachable = f"tcp://127.0.0.1:{free_port()}"
    (project / "scripts" / "0001-a.md").write_text(SCRIPT.format(n=1, topic="x", text=""), encoding="utf-8")
    result = runner.invoke(main, ["--project", str(project), "cluster", "check", unreachable])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pufa: error: cannot reach the Dask scheduler at {unreachable}: ")


def test_a_port_where_no_scheduler_answers_is_an_error_not_a_wait(project: Path) -> None:
    """A web server (as on 8787, Dask's dashboard) accepts the connection but never answers as Dask."""
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    address = f"tcp://127.0.0.1:{server.server_address[1]}"
    try:
        (project / "scripts" / "0001-a.md").write_text(SCRIPT.format(n=1, topic="x", text=""), encoding="utf-8")
        for command in (["cluster", "check", address], ["build", "--cluster", address]):
            result = CliRunner().invoke(main, ["--project", str(project), *command])
            assert result.exit_code == 1
            assert result.stderr == (
                f"pufa: error: {address} answers, but not as a Dask scheduler (the scheduler's port is 8786 "
                "unless it was started with --port; 8787 is its dashboard)\n"
            )
    finally:
        server.shutdown()
    assert not (project / "output" / "episodes").exists()
