"""One builder per episode at a time, across processes: an exclusive lock on a small file.

Two ``pufa build`` runs on one project take the same episode's lock in turn; the second
then finds the episode up to date and skips it. A lock dies with its process, so a killed
build never leaves an episode locked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def episode_lock(folder: Path, number: int) -> Iterator[None]:
    with file_lock(folder / f"{number:04d}.lock"):
        yield


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` (created if missing), released when the block ends or the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        _lock(handle.fileno())
        try:
            yield
        finally:
            _unlock(handle.fileno())


@contextmanager
def try_file_lock(path: Path) -> Iterator[bool]:
    """Like :func:`file_lock` without waiting: yields False at once when another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        if not _try_lock(handle.fileno()):
            yield False
            return
        try:
            yield True
        finally:
            _unlock(handle.fileno())


class HeldLock:
    """A lock taken by :func:`try_lock`, held until :meth:`release` (or the process ends)."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle

    def release(self) -> None:
        if not self._handle.closed:
            _unlock(self._handle.fileno())
            self._handle.close()


def try_lock(path: Path) -> HeldLock | None:
    """Take the lock on ``path`` if nobody holds it, without waiting; None if another process has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+b")
    if _try_lock(handle.fileno()):
        return HeldLock(handle)
    handle.close()
    return None


def try_episode_lock(folder: Path, number: int) -> HeldLock | None:
    return try_lock(folder / f"{number:04d}.lock")


if sys.platform == "win32":  # pragma: no cover - exercised on the editors' Windows PCs, not in CI
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _lock(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
