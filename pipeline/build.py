"""``pufa build``: plan, then render what is out of date, in parallel, and keep the catalog.

It reads top to bottom as the pipeline: plan the whole batch (parse and check every script,
decide what is up to date), then render each episode that is not, in ``jobs`` worker
processes, each under that episode's lock so that two builds on one project never write the
same episode at once. A bad or failing episode is reported and the rest go on, unless
``fail_fast``. A killed worker costs only the episode it was rendering.
"""

from __future__ import annotations

import ctypes
import os
import queue
import shutil
import signal
import sys
import time
from collections.abc import Callable, Container, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.managers import SyncManager
from pathlib import Path
from typing import Any

from pipeline.catalog import Catalog, export
from pipeline.config import Config
from pipeline.crash import one_line
from pipeline.errors import PufaError, display_path
from pipeline.locks import episode_lock
from pipeline.plan import BuildPlan, Failure, PlannedEpisode, announce, check_up_to_date, plan_build
from pipeline.plan import Outcome as _Outcome
from pipeline.progress import PlainProgress, Progress
from pipeline.render import WORK_PREFIX, BuiltEpisode, Tools, input_digests, input_hash, render_episode

__all__ = ["BuildReport", "BuiltEpisode", "Failure", "build", "default_jobs"]


@dataclass(frozen=True)
class BuildReport:
    built: tuple[BuiltEpisode, ...]
    skipped: tuple[PlannedEpisode, ...]
    failed: tuple[Failure, ...]
    seconds: float = 0.0
    not_started: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def default_jobs() -> int:
    return max(os.cpu_count() or 1, 1)


def build(
    config: Config,
    scripts: Sequence[Path] = (),
    *,
    tts: str | None = None,
    only: Container[int] | None = None,
    force: bool = False,
    jobs: int = 1,
    fail_fast: bool = False,
    progress: Progress | None = None,
    cluster: str | None = None,
) -> BuildReport:
    """Build ``scripts`` (default: every script in scripts/) into output/episodes/.

    ``tts`` overrides the configured voice engine; ``only`` selects episode numbers;
    ``force`` rebuilds up-to-date episodes; ``jobs`` renders that many episodes at once;
    ``cluster`` (a Dask scheduler address or ``local:N``) renders them on a Dask cluster instead.
    """
    started = time.monotonic()
    report = progress or PlainProgress(lambda _line: None)
    plan, tools = plan_build(config, scripts, only=only, force=force, tts=tts)
    if plan.warning:
        report.warning(plan.warning)
    report.begin(len(plan.to_build), len(plan.to_skip))
    outcomes: list[_Outcome] = []
    # --fail-fast: a script refused while planning is the first failure, so nothing is rendered.
    start = bool(plan.to_build) and not (fail_fast and plan.failures)
    if start:
        with Catalog(config.catalog_path) as catalog:
            catalog.check_writable()
    try:
        if start:
            assert tools is not None
            if cluster:
                outcomes = _run_on_cluster(config, plan, tools, cluster, fail_fast, report)
            elif jobs <= 1 or len(plan.to_build) == 1:
                outcomes = _run_here(config, plan, tools, fail_fast, report)
            else:
                outcomes = _run_parallel(config, plan, jobs, fail_fast, report)
    finally:
        with Catalog(config.catalog_path) as catalog:
            export(catalog, config.output_dir)
        report.close()
    return _report(plan, outcomes, time.monotonic() - started)


def _report(plan: BuildPlan, outcomes: list[_Outcome], seconds: float) -> BuildReport:
    by_number = {p.episode.number: p for p in plan.episodes}
    built = tuple(o.built for o in outcomes if o.built is not None)
    failed = list(plan.failures)
    for outcome in outcomes:
        if outcome.failure is not None:
            episode = by_number[outcome.number].episode
            path = episode.path
            # A script's own problem already names its file and line (path:3: error: …).
            located = outcome.failure.startswith(f"{display_path(path)}:")
            message = outcome.failure if located else f"{display_path(path)}: error: {outcome.failure}"
            failed.append(Failure(path, message, episode.number, episode.title))
    skipped = [*plan.to_skip, *(by_number[o.number] for o in outcomes if o.skipped_reason is not None)]
    return BuildReport(
        built=tuple(sorted(built, key=lambda b: b.number)),
        skipped=tuple(sorted(skipped, key=lambda p: p.episode.number)),
        failed=tuple(sorted(failed, key=lambda f: str(f.script))),
        seconds=seconds,
        not_started=len(plan.to_build) - len(outcomes),
    )


def _run_here(config: Config, plan: BuildPlan, tools: Tools, fail_fast: bool, report: Progress) -> list[_Outcome]:
    outcomes = []
    for planned in plan.to_build:
        number = planned.episode.number
        report.started(number, planned.episode.title)

        def stage(name: str, done: float, number: int = number) -> None:
            report.stage(number, name, done)

        outcome = _build_one(config, tools, planned, stage)
        outcomes.append(outcome)
        announce(report, outcome)
        if fail_fast and outcome.failure:
            break
    return outcomes


def _run_on_cluster(
    config: Config, plan: BuildPlan, tools: Tools, address: str, fail_fast: bool, report: Progress
) -> list[_Outcome]:
    from pipeline.cluster.coordinator import run_on_cluster

    return run_on_cluster(config, plan, tools, address, fail_fast=fail_fast, report=report)


def _build_one(config: Config, tools: Tools, planned: PlannedEpisode, stage: Callable[[str, float], None]) -> _Outcome:
    """Render one episode under its lock, unless another build finished it meanwhile."""
    episode = planned.episode
    episodes_dir = config.output_dir / "episodes"
    try:
        with episode_lock(config.output_dir / ".locks", episode.number):
            # Work folders of this episode left by a killed build: nobody else can be using them now.
            for stale in episodes_dir.glob(f"{WORK_PREFIX}{episode.number:04d}-*"):
                shutil.rmtree(stale, ignore_errors=True)
            with Catalog(config.catalog_path) as catalog:
                if planned.reason != "forced":
                    digest = input_hash(input_digests(config, episode, tools))
                    fresh, _reason = check_up_to_date(config, catalog.get(episode.number), digest)
                    if fresh:
                        return _Outcome(episode.number, skipped_reason="built meanwhile by another build")
                return _Outcome(episode.number, built=render_episode(config, episode, tools, catalog, stage))
    except PufaError as exc:
        return _Outcome(episode.number, failure=str(exc))
    except Exception as exc:  # a bug: this episode fails with one line and a log; the batch goes on
        return _Outcome(episode.number, failure=one_line(exc))


# --- parallel -------------------------------------------------------------------------------

_worker_tools: Tools | None = None


def die_with_parent(parent: int) -> None:
    """Runs first in every worker: the kernel kills it when the build that started it dies, even by ``kill -9``.

    Linux's parent-death signal (``prctl(PR_SET_PDEATHSIG)``); elsewhere the pool's own
    broken-pipe detection is all there is. If the parent died before this ran, exit at once.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)  # the running program's symbols, libc's prctl among them
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _worker(config: Config, engine: str, planned: PlannedEpisode, events: Any) -> _Outcome:
    """Runs in a worker process: tools are loaded once per process, stages go back through ``events``."""
    global _worker_tools
    if _worker_tools is None:
        _worker_tools = Tools.load(config, engine)
    number = planned.episode.number
    return _build_one(config, _worker_tools, planned, lambda stage, done: events.put((number, stage, done)))


def _run_parallel(config: Config, plan: BuildPlan, jobs: int, fail_fast: bool, report: Progress) -> list[_Outcome]:
    waiting = list(plan.to_build)
    outcomes: list[_Outcome] = []
    retried: set[int] = set()
    manager = SyncManager()
    manager.start(die_with_parent, (os.getpid(),))
    with manager:
        events = manager.Queue()
        while waiting:
            if _run_pool(config, plan.engine, waiting, jobs, fail_fast, report, events, outcomes, retried):
                break
    return outcomes


def _run_pool(
    config: Config,
    engine: str,
    waiting: list[PlannedEpisode],
    jobs: int,
    fail_fast: bool,
    report: Progress,
    events: Any,
    outcomes: list[_Outcome],
    retried: set[int],
) -> bool:
    """Run ``waiting`` in one pool; True means stop the build.

    When a worker dies the pool is broken and every episode in flight is lost with it: each
    goes back in the queue once, for a fresh pool; an episode that breaks a pool twice fails.
    """
    running: dict[Future[_Outcome], PlannedEpisode] = {}
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(waiting)), initializer=die_with_parent, initargs=(os.getpid(),)
    )
    with pool:
        while waiting or running:
            while waiting and len(running) < jobs:
                planned = waiting.pop(0)
                report.started(planned.episode.number, planned.episode.title)
                running[pool.submit(_worker, config, engine, planned, events)] = planned
            done, _waiting = wait(running, timeout=0.1, return_when=FIRST_COMPLETED)
            _drain(events, report)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                for planned in running.values():
                    number = planned.episode.number
                    if number in retried:
                        outcome = _Outcome(number, failure="the worker process rendering it died twice")
                        outcomes.append(outcome)
                        announce(report, outcome)
                    else:
                        retried.add(number)
                        waiting.insert(0, planned)
                return False
            for future in done:
                planned = running.pop(future)
                outcome = _result(future, planned)
                outcomes.append(outcome)
                announce(report, outcome)
                if fail_fast and outcome.failure:
                    pool.shutdown(wait=True, cancel_futures=True)
                    return True
    return False


def _result(future: Future[_Outcome], planned: PlannedEpisode) -> _Outcome:
    try:
        return future.result(timeout=0)
    except Exception as exc:  # a bug in one worker must not take down the batch; report it as that episode's failure
        return _Outcome(planned.episode.number, failure=one_line(exc))


def _drain(events: Any, report: Progress) -> None:
    while True:
        try:
            number, stage, done = events.get_nowait()
        except (queue.Empty, OSError, EOFError):
            return
        report.stage(number, stage, done)
