"""Killing the main ``pufa build`` with ``kill -9`` stops its workers: nothing goes on rendering unseen."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import ScriptWriter
from tests.test_batch import EPISODE, LONG, catalog_numbers, encoding_ffmpeg, parent_of, pufa, small, wait_for

__all__ = ["small"]


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if parent_of(int(entry.name)) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_workers_stop_when_the_build_is_killed(small: Path, write_script: ScriptWriter) -> None:
    write_script("0001-long.md", EPISODE.format(n=1, text=LONG * 3))
    write_script("0002-long.md", EPISODE.format(n=2, text=LONG * 3))
    process = pufa(small, "--jobs", "2")
    wait_for(lambda: encoding_ffmpeg(small), timeout=300)
    workers = children(process.pid)
    encoders = encoding_ffmpeg(small)
    assert {parent_of(e) for e in encoders} <= set(workers)
    os.kill(process.pid, signal.SIGKILL)  # the main process only, as a user's kill -9 would
    process.wait()
    wait_for(lambda: not any(alive(p) for p in [*workers, *encoders]), timeout=60)
    assert catalog_numbers(small) == [], "no worker went on to record an episode"
    assert not list((small / "output" / "episodes").rglob("*.mp4")), "no worker went on to place a video"
