"""The coordinator's side of a cluster build: hand episodes to Dask, commit what comes back.

``pufa build --cluster ADDRESS`` plans exactly as a local build, then for each episode to
build: takes the episode's lock (without waiting: a locked episode is tried again later),
checks that no other build finished it meanwhile, sends the task with its input files and
cached audio, and, when the files come back, writes them under their final names (manifest
last) and records the catalog row. Only this process writes to the project. A worker that
dies mid-episode is Dask's business: the scheduler gives the task to another worker, and
the episode is committed once, when a result arrives.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import queue
import re
import socket
import sys
import time
import types
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import build_id
from pipeline.catalog import Catalog, CatalogRow
from pipeline.cluster.task import EpisodeTask, TaskResult, render_task, worker_facts
from pipeline.config import Config
from pipeline.errors import PufaError, RenderError
from pipeline.fsutil import atomic_write_bytes
from pipeline.i18n import _
from pipeline.locks import HeldLock, try_episode_lock
from pipeline.plan import BuildPlan, Outcome, PlannedEpisode, announce, check_up_to_date
from pipeline.progress import Progress
from pipeline.render import BuiltEpisode, Tools, audio_cache_keys, music_for, relative, speech_digests

_TCP = re.compile(r"^(tcp|tls)://[^\s/:]+:\d+$")
_LOCAL = re.compile(r"^local:(\d+)$")
CONNECT_TIMEOUT = "10s"
ANSWER_SECONDS = 10.0  # how long a scheduler may take to say who it is
POLL_SECONDS = 0.1
CAPACITY_SECONDS = 2.0


@dataclass
class ClusterStats:
    """Time the coordinator itself spent per episode: preparing tasks and committing results (seconds)."""

    prepare_seconds: float = 0.0
    commit_seconds: float = 0.0
    episodes: int = 0

    @property
    def per_episode(self) -> float:
        return (self.prepare_seconds + self.commit_seconds) / max(self.episodes, 1)


def parse_address(spec: str) -> str:
    """``tcp://HOST:PORT`` (or ``tls://``) or ``local:N``; anything else is an error naming the form."""
    spec = spec.strip()
    local = _LOCAL.match(spec)
    if (local and int(local[1]) >= 1) or _TCP.match(spec):
        return spec
    raise PufaError(
        _("--cluster: '{spec}' is neither a scheduler address like tcp://192.168.1.20:8786 nor local:N").format(
            spec=spec
        )
    )


# For the workers `local:N` starts, what a render does not need from Dask: its statistical
# profiler (samples every thread's stack every 10 ms) and the malloc trim threshold its nanny
# sets (with it, glibc maps and unmaps every large picture buffer: ten times the page faults).
# Together about 0.8 s of CPU per episode in a worker, measured on 25-second episodes.
LOCAL_WORKER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {},
}


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Dask client for ``address``; ``local:N`` starts N single-threaded worker processes on this computer."""
    import distributed

    # distributed has no type annotations: its classes are used as Any.
    dask: Any = distributed
    address = parse_address(address)
    local = _LOCAL.match(address)
    try:
        if local:
            import dask as dask_config

            with dask_config.config.set(LOCAL_WORKER_CONFIG):
                # This computer only; the scheduler's small HTTP server (it has one even without a
                # dashboard) on a free port, or Dask warns when another cluster holds 8787.
                cluster = dask.LocalCluster(
                    n_workers=int(local[1]),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                )
            with cluster, dask.Client(cluster) as client:
                yield client
            return
        _ask_scheduler(address)
        client = dask.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise PufaError(
            _("cannot reach the Dask scheduler at {address}: {exc}").format(address=address, exc=exc)
        ) from None
    with client:
        yield client


def _ask_scheduler(address: str) -> None:
    """Ask ``address`` who it is, within ANSWER_SECONDS; a program that is not a Dask scheduler is an error.

    A Dask client that reaches another program (the dashboard's port 8787, a web server) waits
    for its handshake forever; this asks first, on a connection of its own, with a deadline.
    """
    import asyncio

    import distributed.comm

    comms: Any = distributed.comm  # distributed has no type annotations
    host, _colon, port = address.split("://", 1)[1].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=ANSWER_SECONDS).close()
    except OSError as exc:
        raise PufaError(
            _("cannot reach the Dask scheduler at {address}: {exc}").format(address=address, exc=exc.strerror or exc)
        ) from None

    async def ask() -> object:
        comm = await comms.connect(address, timeout=ANSWER_SECONDS)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        answer = asyncio.run(asyncio.wait_for(ask(), ANSWER_SECONDS))
    except Exception:  # no answer in time, or one that is not Dask's: either way not a scheduler
        answer = None
    if not isinstance(answer, dict) or answer.get("type") != "Scheduler":
        raise PufaError(
            _(
                "{address} answers, but not as a Dask scheduler (the scheduler's port is 8786 unless it was "
                "started with --port; 8787 is its dashboard)"
            ).format(address=address)
        )


# --- pufa cluster check ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerInfo:
    """One Dask worker process: its address and name, its pufa, its threads, and the computer it runs on."""

    address: str
    name: str
    pufa: str
    python: str
    system: str
    host: str
    threads: int
    cores: int
    memory: int

    @property
    def problem(self) -> str | None:
        if not self.pufa:
            return _("worker {address} ({host}): pufa is not installed there").format(
                address=self.address, host=self.host
            )
        if self.pufa != build_id():
            return _(
                "worker {address} ({host}): pufa {theirs}, but this computer has pufa {ours}; install the same "
                "pufa (the same checkout or wheel) on every worker"
            ).format(address=self.address, host=self.host, theirs=self.pufa, ours=build_id())
        return None


def workers(client: Any) -> list[WorkerInfo]:
    """Every worker connected to the scheduler, asked directly what it runs."""
    info = client.scheduler_info(n_workers=-1)["workers"]
    # Sent by value, not by name: a worker with another pufa, or none, can still answer.
    probe = types.FunctionType(
        worker_facts.__code__, {"__builtins__": __builtins__, "os": os, "platform": platform, "sys": sys}
    )
    facts = client.run(probe) if info else {}
    found = []
    for address, worker in sorted(info.items()):
        fact = facts.get(address, {})
        found.append(
            WorkerInfo(
                address=address,
                name=str(worker.get("name", "")),
                pufa=str(fact.get("pufa", "")),
                python=str(fact.get("python", "")),
                system=str(fact.get("system", "")),
                host=str(fact.get("host", "")),
                threads=int(worker.get("nthreads", 0)),
                cores=int(fact.get("cores", 0)),
                memory=int(fact.get("memory", 0)),
            )
        )
    return found


def check_cluster(address: str) -> list[WorkerInfo]:
    """The workers of the cluster at ``address``; see :attr:`WorkerInfo.problem` for what is wrong with each."""
    with connect(address) as client:
        return workers(client)


# --- pufa build --cluster ----------------------------------------------------------------------------


@dataclass
class _Job:
    planned: PlannedEpisode
    lock: HeldLock
    future: Any
    digests: tuple[str, ...]
    started: bool = False


class _Blobs:
    """Series-wide files (music, logo, font…) on the cluster: sent once to every worker, kept while a task needs them.

    Copies on every worker, so a worker that dies takes none of them away. An episode's own
    files (script, pictures, audio) travel inside its task instead, which the scheduler keeps
    and hands to another worker when one dies.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.futures: dict[str, Any] = {}
        self.users: dict[str, int] = {}

    def take(self, key: str, data: bytes) -> Any:
        if key not in self.futures:
            self.futures[key] = self.client.scatter(data, hash=False, broadcast=True)
        self.users[key] = self.users.get(key, 0) + 1
        return self.futures[key]

    def release(self, keys: tuple[str, ...]) -> None:
        for key in keys:
            self.users[key] -= 1
            if not self.users[key]:
                del self.users[key], self.futures[key]


def run_on_cluster(
    config: Config,
    plan: BuildPlan,
    tools: Tools,
    address: str,
    *,
    fail_fast: bool,
    report: Progress,
    stats: ClusterStats | None = None,
    ship_audio: bool | None = None,
) -> list[Outcome]:
    """Build ``plan.to_build`` on the cluster at ``address``; report each episode as a local build does.

    ``ship_audio``: send cached recordings with the tasks and take the workers' new ones back;
    by default only for a remote scheduler (``local:N`` workers share this computer's cache).
    """
    stats = stats or ClusterStats()
    ship = not _LOCAL.match(address) if ship_audio is None else ship_audio
    with connect(address) as client:
        problems = [w.problem for w in workers(client) if w.problem]
        if problems:
            raise PufaError("; ".join(problems))
        return _Run(config, plan, tools, client, ship, fail_fast, report, stats).run()


@dataclass
class _Run:
    """One cluster build: the episodes waiting, the tasks on the cluster, what became of each."""

    config: Config
    plan: BuildPlan
    tools: Tools
    client: Any
    ship_audio: bool
    fail_fast: bool
    report: Progress
    stats: ClusterStats

    def __post_init__(self) -> None:
        self.wide_files: dict[Path, tuple[tuple[int, int], bytes, str]] = {}
        self.topic = f"pufa-progress-{uuid.uuid4().hex}"
        self.events: queue.Queue[Any] = queue.Queue()
        self.blobs = _Blobs(self.client)
        self.outcomes: list[Outcome] = []
        self.warned_idle = False
        self.submitted = 0
        self.capacity, self.capacity_asked = 1, -CAPACITY_SECONDS

    def run(self) -> list[Outcome]:
        waiting = deque(self.plan.to_build)
        running: dict[int, _Job] = {}
        self.client.subscribe_topic(self.topic, self.events.put)
        try:
            with Catalog(self.config.catalog_path) as catalog:
                while waiting or running:
                    self._fill(catalog, waiting, running)
                    if self.fail_fast and any(o.failure for o in self.outcomes):
                        break
                    self._drain(running, timeout=POLL_SECONDS)
                    for number in [n for n, job in running.items() if job.future.done()]:
                        outcome = self._finish(catalog, running.pop(number))
                        if self.fail_fast and outcome.failure:
                            break
                    if self.fail_fast and any(o.failure for o in self.outcomes):
                        break
        finally:
            for job in running.values():
                job.future.cancel()
                job.lock.release()
            with suppress(Exception):
                self.client.unsubscribe_topic(self.topic)
        return self.outcomes

    def _capacity(self) -> int:
        """Tasks to keep on the cluster: asked of the scheduler at most every few seconds, as workers come and go."""
        now = time.monotonic()
        if now - self.capacity_asked < CAPACITY_SECONDS:
            return self.capacity
        self.capacity_asked = now
        threads = int(sum(self.client.nthreads().values()))
        if not threads and not self.warned_idle:
            self.warned_idle = True
            self.report.warning(_("no Dask workers are connected yet; waiting for one (dask worker SCHEDULER)"))
        # Two tasks per thread: the next episode's inputs are on their way while one renders.
        self.capacity = max(2 * threads, 1)
        return self.capacity

    def _fill(self, catalog: Catalog, waiting: deque[PlannedEpisode], running: dict[int, _Job]) -> None:
        locked: list[PlannedEpisode] = []
        capacity = self._capacity() if waiting else 0
        while waiting and len(running) < capacity:
            planned = waiting.popleft()
            lock = try_episode_lock(self.config.output_dir / ".locks", planned.episode.number)
            if lock is None:
                locked.append(planned)
                continue
            started = time.perf_counter()
            try:
                job = self._submit(catalog, planned, lock)
            except PufaError as exc:
                lock.release()
                self._done(Outcome(planned.episode.number, failure=str(exc)))
                continue
            finally:
                self.stats.prepare_seconds += time.perf_counter() - started
            if job is None:
                lock.release()
                continue
            running[planned.episode.number] = job
            if self.fail_fast and any(o.failure for o in self.outcomes):
                break
        # Another build holds these: try them again once it may have finished them.
        waiting.extend(locked)
        if locked and not running:
            time.sleep(POLL_SECONDS)

    def _submit(self, catalog: Catalog, planned: PlannedEpisode, lock: HeldLock) -> _Job | None:
        config, tools, episode = self.config, self.tools, planned.episode
        row = catalog.get(episode.number)
        if planned.reason != "forced":
            fresh, _ = check_up_to_date(config, row, planned.input_hash)
            if fresh:
                self._done(Outcome(episode.number, skipped_reason="built meanwhile by another build"))
                return None
        contents = _project_files(config, planned, self.wide_files)
        files = {name: digest for name, (_, digest, _) in contents.items()}
        shared = {digest: self.blobs.take(digest, data) for data, digest, wide in contents.values() if wide}
        own = {digest: data for data, digest, wide in contents.values() if not wide}
        audio: dict[str, bytes] = {}
        if self.ship_audio:
            cache = tools.voice.engine
            for key in self._recordings(planned, row):
                with suppress(FileNotFoundError):
                    audio[key] = cache.entry_path(key).read_bytes()
        task = EpisodeTask(
            number=episode.number,
            title=episode.title,
            config=config,
            engine=self.plan.engine,
            script=relative(episode.path, config.root),
            files=files,
            font_digest=tools.font.digest(),
            input_hash=planned.input_hash,
            pufa_version=build_id(),
            send_recordings=self.ship_audio,
            topic=self.topic,
        )
        self.submitted += 1
        future = self.client.submit(
            render_task,
            task,
            shared,
            own,
            audio,
            key=f"pufa-{episode.number:04d}-{uuid.uuid4().hex[:8]}",
            pure=False,
            # Earlier episodes first: Dask would otherwise favour the task submitted last.
            priority=-self.submitted,
        )
        return _Job(planned, lock, future, tuple(shared))

    def _recordings(self, planned: PlannedEpisode, row: CatalogRow | None) -> tuple[str, ...]:
        """The audio cache keys the episode's speech will need, without splitting its captions when possible.

        When the episode was built before from the same script, lexicon and voice, its manifest
        lists them (a branding change, a new law text elsewhere: the common re-render). Otherwise
        they come from splitting the captions here. A list gone stale some other way (the caption
        size changed the split) costs only time: the worker synthesises what did not come with it.
        """
        episode = planned.episode
        if row is not None:
            try:
                manifest = json.loads((self.config.root / row.manifest).read_text(encoding="utf-8"))
                listed, inputs = manifest["voice"]["recordings"], manifest["inputs"]
                same = all(inputs[k] == v for k, v in speech_digests(self.config, episode, self.tools).items())
            except (OSError, ValueError, KeyError, TypeError):
                listed, same = None, False
            if same and isinstance(listed, list) and all(isinstance(key, str) for key in listed):
                return tuple(listed)
        return audio_cache_keys(self.config, episode, self.tools)

    def _drain(self, running: dict[int, _Job], timeout: float) -> None:
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            number, stage, done = event[1]
            job = running.get(number)
            if job is not None:
                self._start(job)
                self.report.stage(number, stage, done)
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return

    def _start(self, job: _Job) -> None:
        if not job.started:
            job.started = True
            self.report.started(job.planned.episode.number, job.planned.episode.title)

    def _finish(self, catalog: Catalog, job: _Job) -> Outcome:
        number = job.planned.episode.number
        self._start(job)
        try:
            result = _result(job.future)
            started = time.perf_counter()
            try:
                outcome = self._commit(catalog, job.planned, result)
            finally:
                self.stats.commit_seconds += time.perf_counter() - started
                self.stats.episodes += 1
        except PufaError as exc:
            outcome = Outcome(number, failure=str(exc))
        finally:
            job.lock.release()
            self.blobs.release(job.digests)
        self._done(outcome)
        return outcome

    def _commit(self, catalog: Catalog, planned: PlannedEpisode, result: TaskResult) -> Outcome:
        number = planned.episode.number
        if result.failure is not None or result.row is None:
            return Outcome(number, failure=result.failure or "the worker sent no catalog row")
        root = self.config.root.resolve()
        episodes = (self.config.output_dir / "episodes").resolve()
        for name, data in result.files:
            target = (root / name).resolve()
            if not target.is_relative_to(episodes):
                raise RenderError(
                    _("episode {number}: worker {worker} sent a file outside output/: {name}").format(
                        number=number, worker=result.worker, name=name
                    )
                )
            # In the worker's order: manifest last, so a folder with a manifest is complete.
            atomic_write_bytes(target, data)
        catalog.record(result.row)
        cache = self.tools.voice.engine
        for key, data in result.audio.items():
            if not cache.entry_path(key).is_file():
                atomic_write_bytes(cache.entry_path(key), data)
        paths = {Path(name).name: root / name for name, _ in result.files}
        video, subtitles = root / result.row.video, root / result.row.subtitles
        built = BuiltEpisode(
            number=number,
            title=planned.episode.title,
            folder=video.parent,
            video=video,
            subtitles=subtitles,
            cover=root / result.row.cover,
            manifest=paths["manifest.json"],
            duration=result.duration,
            seconds=result.seconds,
            synthesised_scenes=result.synthesised_scenes,
        )
        return Outcome(number, built=built)

    def _done(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        announce(self.report, outcome)


def _result(future: Any) -> TaskResult:
    from distributed import KilledWorker

    try:
        result: TaskResult = future.result()
    except KilledWorker as exc:
        raise PufaError(_("every worker that tried to render it died ({exc})").format(exc=exc)) from None
    except Exception as exc:  # a bug on one worker must not take down the batch: that episode fails
        raise PufaError(
            _("unexpected error on the worker: {__name__}: {exc}").format(__name__=type(exc).__name__, exc=exc)
        ) from None
    return result


def _project_files(
    config: Config, planned: PlannedEpisode, wide_files: dict[Path, tuple[tuple[int, int], bytes, str]]
) -> dict[str, tuple[bytes, str, bool]]:
    """Every project file rendering the episode reads: posix path relative to the project root →
    (content, its SHA-256, series-wide).

    Rendering must read no other file of the project: a worker has only these. Series-wide
    files are read and hashed once per build (``wide_files``: path → ((mtime ns, size), content,
    SHA-256)), again only if they change.
    """
    episode = planned.episode
    wanted: list[tuple[Path, str, bool]] = [(episode.path, "the script", False)]
    wanted += [(s.image, f"the picture of scene '{s.label}'", False) for s in episode.scenes if s.image is not None]
    music = music_for(config, episode)
    if music is not None:
        wanted.append((music, "the music", True))
    for name, what in (
        (config.sound.opening_stinger, "sound.opening_stinger"),
        (config.sound.closing_stinger, "sound.closing_stinger"),
        (config.theme.logo, "theme.logo"),
        (config.theme.font, "theme.font"),
        (config.theme.bold_font, "theme.bold_font"),
    ):
        if name:
            wanted.append((config.root / name, what, True))
    lexicon = config.root / config.voice.lexicon
    if lexicon.is_file():
        wanted.append((lexicon, "voice.lexicon", True))
    root = config.root.resolve()
    files: dict[str, tuple[bytes, str, bool]] = {}
    for path, what, wide in wanted:
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise RenderError(
                _(
                    "episode {number}: {what} ({path}) is outside the project folder; a cluster build"
                    " sends only files inside it"
                ).format(number=episode.number, what=what, path=path)
            )
        try:
            if wide:
                status = resolved.stat()
                version = (status.st_mtime_ns, status.st_size)
                known = wide_files.get(resolved)
                if known is None or known[0] != version:
                    data = resolved.read_bytes()
                    known = wide_files[resolved] = (version, data, hashlib.sha256(data).hexdigest())
                data, digest = known[1], known[2]
            else:
                data = resolved.read_bytes()
                digest = hashlib.sha256(data).hexdigest()
        except OSError as exc:
            raise RenderError(
                _("episode {number}: cannot read {what}: {exc}").format(number=episode.number, what=what, exc=exc)
            ) from None
        files[resolved.relative_to(root).as_posix()] = (data, digest, wide)
    return files
