"""Background work for the studio: draft previews and the build queue, each reporting progress as events.

A job runs on one daemon thread per kind, first come first served, so a second build waits
for the first (the build queue) and Ctrl-C never waits for a render: every output is written
under a temporary name, so stopping mid-way leaves nothing half-written. Events are kept in
order on the job; the server streams them to the browser as server-sent events.
"""

from __future__ import annotations

import contextvars
import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import PufaError
from pipeline.studio.words import STAGES, located

Event = dict[str, Any]
Work = Callable[["Job"], dict[str, Any]]


@dataclass
class Job:
    """One preview or build: what it is for, its events so far, and how it ended."""

    id: str
    kind: str  # preview or build
    label: str
    episodes: tuple[int, ...]
    state: str = "waiting"  # waiting, running, done or failed
    events: list[Event] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    created: float = field(default_factory=time.time)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def emit(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def events_since(self, seen: int) -> list[Event]:
        """The events after the first ``seen``."""
        with self._lock:
            return self.events[seen:]

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "episodes": list(self.episodes),
            "state": self.state,
            "result": self.result,
            "error": self.error,
            "events": len(self.events),
        }


class Jobs:
    """The studio's queues: one worker thread per kind of job."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._queues: dict[str, queue.Queue[tuple[Job, Work, contextvars.Context]]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def submit(self, kind: str, label: str, episodes: tuple[int, ...], work: Work) -> Job:
        with self._lock:
            job = Job(id=f"{kind}-{next(self._ids)}", kind=kind, label=label, episodes=episodes)
            self._jobs[job.id] = job
            if kind not in self._queues:
                self._queues[kind] = queue.Queue()
                threading.Thread(
                    target=self._serve, args=(self._queues[kind],), name=f"studio-{kind}", daemon=True
                ).start()
        job.emit({"type": "queued", "label": label})
        # The job runs in the submitting request's context: in its language, among others.
        self._queues[kind].put((job, work, contextvars.copy_context()))
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def _serve(self, waiting: queue.Queue[tuple[Job, Work, contextvars.Context]]) -> None:
        while True:
            job, work, context = waiting.get()
            job.state = "running"
            job.emit({"type": "running"})
            try:
                job.result = context.run(work, job)
                job.state = "done"
            except PufaError as exc:
                job.error = str(exc)
                job.state = "failed"
            except Exception as exc:  # a bug must end this job with its reason, not the queue
                job.error = f"意外错误：{type(exc).__name__}: {exc}"
                job.state = "failed"
            lines = [located(line) for line in job.error.splitlines()]
            job.emit({"type": "end", "state": job.state, "result": job.result, "problems": _problems(lines)})


def _problems(lines: list[tuple[int | None, str]]) -> list[dict[str, Any]]:
    return [{"line": line, "text": text} for line, text in lines]


class JobProgress:
    """The build's progress reports (:class:`pipeline.progress.Progress`) as the job's events."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last: dict[int, tuple[str, int]] = {}

    def begin(self, to_build: int, to_skip: int) -> None:
        self.job.emit({"type": "begin", "to_build": to_build, "to_skip": to_skip})

    def warning(self, text: str) -> None:
        self.job.emit({"type": "warning", "text": text})

    def started(self, number: int, title: str) -> None:
        self.job.emit({"type": "started", "number": number, "title": title})

    def stage(self, number: int, stage: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if self._last.get(number) == (stage, percent):
            return
        self._last[number] = (stage, percent)
        label = STAGES.get(stage, stage)
        self.job.emit({"type": "stage", "number": number, "stage": stage, "label": label, "percent": percent})

    def finished(self, number: int, outcome: str, detail: str) -> None:
        line, text = located(detail) if outcome == "failed" else (None, detail)
        self.job.emit({"type": "finished", "number": number, "outcome": outcome, "line": line, "text": text})

    def close(self) -> None:
        return None


def stage_reporter(job: Job, number: int) -> Callable[[str, float], None]:
    """A render's (stage, fraction) callback for one episode of ``job``."""
    progress = JobProgress(job)
    return lambda stage, fraction: progress.stage(number, stage, fraction)
