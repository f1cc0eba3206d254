"""Writing files so that a reader never sees half of one: a temporary name, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def temporary_sibling(target: Path) -> Path:
    """A fresh hidden name in ``target``'s folder, so the final rename is atomic."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    # mkstemp makes the file private; outputs are ordinary files others may read.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def commit(temporary: Path, target: Path) -> None:
    os.replace(temporary, target)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    temporary = temporary_sibling(target)
    try:
        temporary.write_bytes(data)
        commit(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_text(target: Path, text: str, encoding: str = "utf-8") -> None:
    atomic_write_bytes(target, text.encode(encoding))
