"""What the user sees when pufa itself fails: one line, and the traceback in a log file.

Every entry point (the CLI's commands, each build worker) turns an exception that is not a
:class:`PufaError` into one line naming the log file that holds the traceback, for a bug
report. A full disk is not a bug: it becomes "no space left on DEVICE while writing FILE".
"""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

from pipeline import __version__
from pipeline.errors import display_path
from pipeline.fsutil import no_space_message
from pipeline.i18n import _
from pipeline.terminal import escape


def log_folder() -> Path:
    """Where tracebacks go: ``$PUFA_CACHE_DIR/logs`` (else the user's cache folder), beside the audio cache."""
    explicit = os.environ.get("PUFA_CACHE_DIR")
    if explicit:
        return Path(explicit) / "logs"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pufa" / "logs"


def write_log(exc: BaseException) -> Path:
    """Write ``exc``'s traceback, pufa's version and the command line to a new log file; returns its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = (
        f"pufa {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
        f"command: {' '.join(sys.argv)}\n\n" + "".join(traceback.format_exception(exc))
    )
    for folder in (log_folder(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"pufa-{stamp}-{os.getpid()}.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path("(the log could not be written)")


# What the operating system says of a path (no such folder, no permission, a file where a folder
# should be, a name too long, a read-only disk): the user's to fix, not a bug to report.
_REFUSED_BY_THE_SYSTEM = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.ENAMETOOLONG,
        errno.EROFS,
        errno.EEXIST,
        errno.ELOOP,
        errno.ENXIO,
        errno.ENODEV,
        errno.EBUSY,
        errno.ETXTBSY,
    }
)
_PART = re.compile(r"\.(.+)\.[^.]+\.part")


def _final_name(path: Path) -> Path:
    """The final name for pufa's own temporary file (``.NAME.XXXX.part``, see fsutil), else ``path``."""
    match = _PART.fullmatch(path.name)
    return path.with_name(match[1]) if match else path


def one_line(exc: BaseException) -> str:
    """The one line for an exception pufa did not expect (without the ``pufa: error:`` prefix).

    A full disk names the disk and the file; memory running out says so (every input is
    bounded, so it is this computer's memory, or a limit set on it, that is short); a path the
    system refuses (no such folder, no permission, a name too long) names the path and the
    reason; anything else is called a bug. The traceback goes to a log file named in the line.
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        if exc.filename:
            return no_space_message(Path(os.fsdecode(exc.filename)))
        return _("no space left on the disk being written; free some space and run again")
    if isinstance(exc, OSError) and exc.filename and exc.errno in _REFUSED_BY_THE_SYSTEM:
        # The system refused a path the user gave or pointed at: their folder, not pufa, is the matter.
        return _("cannot use {path}: {strerror}").format(
            path=escape(display_path(_final_name(Path(os.fsdecode(exc.filename))))),
            strerror=exc.strerror or errno.errorcode.get(exc.errno, str(exc.errno)),
        )
    if isinstance(exc, RuntimeError) and str(exc).startswith("Symlink loop from "):
        # pathlib's resolve() on links that lead round in a loop (Python 3.11 says so with a RuntimeError).
        looped = str(exc).removeprefix("Symlink loop from ").strip("'\"")
        return _("cannot use {path}: its symbolic links lead round in a loop").format(path=escape(looped))
    log = write_log(exc)
    if isinstance(exc, MemoryError):
        return (
            "out of memory; close other programs or build fewer episodes at once (--jobs 1) and run again "
            f"(the details are in {log})"
        )
    detail = escape(str(exc).splitlines()[0] if str(exc) else "")[:200]
    return _("unexpected {__name__}{value} (a bug in pufa; the details are in {log})").format(
        __name__=type(exc).__name__, value=": " + detail if detail else "", log=log
    )
