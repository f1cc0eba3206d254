"""The one exception tree of pufa.

Every error the library raises on purpose is a :class:`PufaError`; the CLI prints
its message as one line and exits with status 1. Messages name the file and line,
or the episode and scene, that they concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.i18n import _
from pipeline.terminal import escape

# Problems of one severity shown for one file; the rest are counted on one line, so a 200 KB
# script of 100,000 '#' lines is 51 lines of output, not 100,000.
SHOWN_PER_FILE = 50


class PufaError(Exception):
    """Base of every error pufa reports to the user."""


class ConfigError(PufaError):
    """pufa.toml is missing, malformed, or holds an unknown key or a bad value."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one input file, in the compiler-style form editors can click on."""

    path: Path
    line: int
    message: str
    severity: str = "error"
    column: int = 0  # 1-based; 0 when the problem is the whole line

    def format(self, relative_to: Path | None = None, *, with_column: bool = False) -> str:
        where = f"{self.line}:{max(self.column, 1)}" if with_column else str(self.line)
        # One line whatever the message quotes (a file name, a title): a line break in it is shown as \n.
        return escape(f"{display_path(self.path, relative_to)}:{where}: {self.severity}: {self.message}")


class ScriptError(PufaError):
    """One or more problems in an episode script; all of a file's problems at once."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        lines = [d.format() for d in self.diagnostics[:SHOWN_PER_FILE]]
        if len(self.diagnostics) > SHOWN_PER_FILE:
            first = self.diagnostics[SHOWN_PER_FILE]
            more = more_in_file(first.severity, len(self.diagnostics) - SHOWN_PER_FILE)
            lines.append(Diagnostic(first.path, first.line, more, first.severity).format())
        super().__init__("\n".join(lines))


def more_in_file(severity: str, count: int) -> str:
    """The line that stands for ``count`` problems of ``severity`` in one file beyond those shown."""
    if severity == "error":
        return _("and {count} more errors in this file").format(count=count)
    if severity == "warning":
        return _("and {count} more warnings in this file").format(count=count)
    return _("and {count} more notes in this file").format(count=count)


class VoiceError(PufaError):
    """The TTS engine could not speak a scene."""


class RenderError(PufaError):
    """Drawing frames or encoding the video failed."""


class CatalogError(PufaError):
    """catalog.db could not be read or written."""


class TextFileError(PufaError):
    """A text file pufa reads is not UTF-8 (or not readable as text)."""


class DiskFullError(PufaError):
    """A write failed because its disk is full: 'no space left on DEVICE while writing FILE'."""


def shown_path(path: Path, relative_to: Path | None = None) -> str:
    """:func:`display_path` for a line of output: a line break or an escape sequence in a file name is shown
    escaped (``\\n``, ``\\x1b``), so the name cannot split the line or forge another."""
    return escape(display_path(path, relative_to))


def display_path(path: Path, relative_to: Path | None = None) -> str:
    """A path as the user typed it: relative to the working folder when it lies below it."""
    try:
        base = relative_to or Path.cwd()
        return str(path.resolve().relative_to(base.resolve()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, unreadable on the way (/proc/1/root), a link loop
        return str(path)
