"""Writing files so that a reader never sees half of one: a temporary name, fsync, then a rename.

Data is flushed to the disk before the rename that makes it final, and the folder after it,
so a power cut leaves either the old file or the new one, never a zero-length file under a
final name. A full disk is reported as one line naming the disk and the file; the
temporary file is removed.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from pipeline.errors import DiskFullError, TextFileError, display_path
from pipeline.i18n import _
from pipeline.limits import TEXT_BYTES, size_word


def temporary_sibling(target: Path, mode: int | None = None) -> Path:
    """A fresh hidden name in ``target``'s folder, so the final rename is atomic.

    mkstemp creates the file 0600 (``os.open`` with that mode), so a private file (``mode``
    0o600, the token cache) is never readable by others, not even empty; without ``mode``
    the file is widened to what the umask allows, as outputs are ordinary files.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(name, 0o666 & ~umask)
    elif mode != 0o600:
        os.chmod(name, mode)
    return Path(name)


def sync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename inside it) to the disk; not possible, nor needed, on Windows."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename is still atomic
    finally:
        os.close(fd)


def commit(temporary: Path, target: Path) -> None:
    """Make a complete ``temporary`` file final as ``target``: its data on disk first, then the rename."""
    try:
        sync_file(temporary)
        os.replace(temporary, target)
        sync_folder(target.parent)
    except OSError as exc:
        raise disk_error(exc, target) from None


def atomic_write_bytes(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``target`` all or nothing; ``mode`` (e.g. 0o600) is set when the file is created."""
    try:
        temporary = temporary_sibling(target, mode)
    except OSError as exc:
        raise disk_error(exc, target) from None
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        sync_folder(target.parent)
    except OSError as exc:
        raise disk_error(exc, target) from None
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write_text(target: Path, text: str, encoding: str = "utf-8", mode: int | None = None) -> None:
    atomic_write_bytes(target, text.encode(encoding), mode)


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A text file pufa reads (law texts, lexicon, credentials): not UTF-8, or over ``text_bytes``, is one line
    naming the file (and the line); a larger file is never read into memory."""
    with path.open("rb") as handle:
        data = handle.read(TEXT_BYTES.value + 1)
    if len(data) > TEXT_BYTES.value:
        raise TextFileError(
            f"{display_path(path)}:1: error: the file is over {size_word(TEXT_BYTES.value)}, the limit for a text "
            f"file ({TEXT_BYTES.name})"
        )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = _("not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8").format(byte=data[exc.start])
        raise TextFileError(f"{display_path(path)}:{line}: error: {problem}") from None


def disk_error(exc: OSError, target: Path) -> OSError | DiskFullError:
    """A full disk as pufa's one-line error; any other OSError unchanged."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(no_space_message(target))
    return exc


def no_space_message(target: Path) -> str:
    return _("no space left on {mount_point} while writing {target}; free some space and run again").format(
        mount_point=mount_point(target), target=display_path(target)
    )


def mount_point(path: Path) -> Path:
    """The mount point of the file system holding ``path`` (or its nearest existing folder)."""
    here = Path(os.path.abspath(path))
    while not here.exists() and here.parent != here:
        here = here.parent
    device = here.stat().st_dev
    while here.parent != here and here.parent.stat().st_dev == device:
        here = here.parent
    return here


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links followed, lies in the project folder ``root``."""
    return resolved(path).is_relative_to(root.resolve())


def resolved(path: Path) -> Path:
    """``path`` with its links followed; a link loop or an unreadable folder on the way leaves it as given
    (absolute), so one such script is a finding of its own and does not stop the others being checked."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # Python 3.11 says "Symlink loop" with a RuntimeError
        return path.absolute()
