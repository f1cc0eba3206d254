"""Reporting a build while it runs.

On a terminal: an overall bar and one line per running episode with its stage and percent,
redrawn in place. Elsewhere (a log file, CI): plain lines, one per event worth keeping.
The build calls the same methods either way.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from typing import Protocol, TextIO

from pipeline.i18n import N_, NC_, _, shown_name
from pipeline.terminal import display_width

STAGE_NAMES = {
    "voice": NC_("build stage", "voice"),
    "frames": NC_("build stage", "frames"),
    "encode": NC_("build stage", "encode"),
    "finish": NC_("build stage", "finish"),
}
OUTCOMES = {"built": N_("built"), "failed": N_("failed"), "skipped": N_("skipped")}


def stage_word(stage: str) -> str:
    """A build stage (voice, frames, encode, finish) in the user's language."""
    return shown_name("build stage", STAGE_NAMES, stage)


def outcome_word(outcome: str) -> str:
    """An episode's outcome (built, failed, skipped) in the user's language."""
    return _(OUTCOMES[outcome]) if outcome in OUTCOMES else outcome


class Progress(Protocol):
    def begin(self, to_build: int, to_skip: int) -> None: ...
    def warning(self, text: str) -> None: ...
    def started(self, number: int, title: str) -> None: ...
    def stage(self, number: int, stage: str, fraction: float) -> None: ...
    def finished(self, number: int, outcome: str, detail: str) -> None: ...
    def close(self) -> None: ...


class PlainProgress:
    """Plain log lines: what started, what finished, and with ``verbose`` every stage."""

    def __init__(self, echo: Callable[[str], None], *, verbose: bool = False, quiet: bool = False) -> None:
        self.echo = echo
        self.verbose = verbose
        self.quiet = quiet
        self.total = 0
        self.done = 0
        self._last_stage: dict[int, str] = {}

    def begin(self, to_build: int, to_skip: int) -> None:
        self.total = to_build
        if not self.quiet:
            self.echo(_("{to_build} to build, {to_skip} up to date").format(to_build=to_build, to_skip=to_skip))

    def warning(self, text: str) -> None:
        self.echo(_("warning: {text}").format(text=text))

    def started(self, number: int, title: str) -> None:
        if not self.quiet:
            self.echo(_("{number:04d} {title}: started").format(number=number, title=title))

    def stage(self, number: int, stage: str, fraction: float) -> None:
        if self.verbose and self._last_stage.get(number) != stage:
            self._last_stage[number] = stage
            self.echo(f"  {number:04d} {stage_word(stage)}")

    def finished(self, number: int, outcome: str, detail: str) -> None:
        self.done += 1
        if not self.quiet or outcome == "failed":
            self.echo(
                _("[{done}/{total}] {number:04d} {outcome}: {detail}").format(
                    done=self.done, total=self.total, number=number, outcome=outcome_word(outcome), detail=detail
                )
            )

    def close(self) -> None:
        return None


class TerminalProgress:
    """An overall bar plus a line per running episode, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.started_at = time.monotonic()
        self.running: dict[int, tuple[str, str, float]] = {}
        self._drawn_lines = 0
        self._last_draw = 0.0

    def begin(self, to_build: int, to_skip: int) -> None:
        self.total = to_build
        self._print(_("{to_build} to build, {to_skip} up to date").format(to_build=to_build, to_skip=to_skip))

    def warning(self, text: str) -> None:
        self._print(_("warning: {text}").format(text=text))

    def started(self, number: int, title: str) -> None:
        self.running[number] = (title, "voice", 0.0)
        self._draw(force=True)

    def stage(self, number: int, stage: str, fraction: float) -> None:
        title = self.running.get(number, ("", "", 0.0))[0]
        self.running[number] = (title, stage, fraction)
        self._draw()

    def finished(self, number: int, outcome: str, detail: str) -> None:
        self.done += 1
        self.running.pop(number, None)
        self._print(f"{number:04d} {outcome_word(outcome)}: {detail}")

    def close(self) -> None:
        self._clear()
        self.stream.flush()

    def _print(self, line: str) -> None:
        self._clear()
        self.stream.write(line + "\n")
        self._draw(force=True)

    def _clear(self) -> None:
        if self._drawn_lines:
            self.stream.write(f"\x1b[{self._drawn_lines}F\x1b[J")
            self._drawn_lines = 0

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        self._clear()
        width = min(shutil.get_terminal_size((80, 20)).columns, 100)
        share = self.done / self.total if self.total else 1.0
        bar_width = max(width - 30, 10)
        filled = round(bar_width * share)
        elapsed = now - self.started_at
        lines = [f"[{'#' * filled}{'.' * (bar_width - filled)}] {self.done}/{self.total} {elapsed:5.0f}s"]
        for number, (title, stage, fraction) in sorted(self.running.items()):
            label = f"  {number:04d} {title}"
            while display_width(label) > width - 24 and len(label) > 8:
                label = label[:-2] + "…"
            lines.append(f"{label}  {stage_word(stage)} {fraction * 100:3.0f}%")
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()
        self._drawn_lines = len(lines)
