"""What a worker does with one episode: rebuild a private copy of the project, render, send the files back.

The project copy holds only what the episode reads, at the same paths relative to the
project root, so the manifest, the subtitles and the input digest are exactly those a
local build writes. A worker process renders one episode at a time, however many threads
Dask gives it: eSpeak NG and the font caches are per process.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import build_id
from pipeline.catalog import Catalog, CatalogRow
from pipeline.config import Config
from pipeline.errors import PufaError
from pipeline.fsutil import atomic_write_bytes
from pipeline.i18n import _
from pipeline.render import Tools, relative, render_episode
from pipeline.script import parse_script

# Stage reports are sent at most this often per episode (seconds), and on every change of stage.
STAGE_INTERVAL = 0.5


@dataclass(frozen=True)
class EpisodeTask:
    """Everything a worker needs besides the file contents.

    ``files`` maps each project file the episode reads (posix path relative to the project
    root) to the SHA-256 of its content; the contents travel beside the task, keyed by that
    digest. With ``send_recordings`` the worker sends back every recording the episode used
    that did not come with the task (the coordinator's cache lacks it); workers on the
    coordinator's own computer share its cache and send nothing.
    """

    number: int
    title: str
    config: Config
    engine: str
    script: str
    files: Mapping[str, str]
    font_digest: str
    input_hash: str
    pufa_version: str
    send_recordings: bool
    topic: str


@dataclass(frozen=True)
class TaskResult:
    """A worker's answer: the finished files (posix path relative to the project root → bytes) and the catalog row.

    ``files`` is ordered as they must be committed: the manifest last. ``audio`` holds the
    recordings the coordinator lacked, keyed by cache key, for the coordinator's cache.
    On failure only ``number``, ``failure`` and ``worker`` are set.
    """

    number: int
    worker: str
    failure: str | None = None
    files: tuple[tuple[str, bytes], ...] = ()
    row: CatalogRow | None = None
    duration: float = 0.0
    seconds: float = 0.0
    synthesised_scenes: int = 0
    audio: Mapping[str, bytes] = dataclasses.field(default_factory=dict)


_one_at_a_time = threading.Lock()


def render_task(
    task: EpisodeTask, shared: Mapping[str, bytes], own: Mapping[str, bytes], audio: Mapping[str, bytes]
) -> TaskResult:
    """Render ``task`` in a temporary project made of its files; never raises a PufaError.

    ``shared`` (series-wide files) and ``own`` (the episode's files) map content digests to
    bytes; ``audio`` maps audio cache keys to recordings the coordinator already had.
    """
    blobs = {**shared, **own}
    where = _worker_address()
    with _one_at_a_time:
        if task.pufa_version != build_id():
            return TaskResult(
                task.number,
                where,
                failure=_(
                    "worker {where} has pufa {theirs}, this build is pufa {ours}; install the same pufa on every "
                    "worker (pufa cluster check)"
                ).format(where=where, theirs=build_id(), ours=task.pufa_version),
            )
        try:
            with tempfile.TemporaryDirectory(prefix=f"pufa-{task.number:04d}-") as temporary:
                return _render(task, blobs, audio, Path(temporary), where)
        except PufaError as exc:
            return TaskResult(task.number, where, failure=str(exc))


def _render(
    task: EpisodeTask, blobs: Mapping[str, bytes], audio: Mapping[str, bytes], temporary: Path, where: str
) -> TaskResult:
    started = time.monotonic()
    root = temporary / "project"
    for name, digest in task.files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[digest])
    config = dataclasses.replace(task.config, root=root)
    tools = Tools.load(config, task.engine)
    if tools.font.digest() != task.font_digest:
        raise PufaError(
            _(
                "worker {where} draws with a different font ({name}); install the same pufa and "
                "noto-cjk-sans-otc versions on every worker"
            ).format(where=where, name=tools.font.path.name)
        )
    cache = tools.voice.engine
    for key, data in audio.items():
        if not cache.entry_path(key).is_file():
            atomic_write_bytes(cache.entry_path(key), data)
    episode = parse_script(root / task.script, tools.font.missing)
    with Catalog(temporary / "catalog.db") as catalog:
        built = render_episode(config, episode, tools, catalog, _stage_sender(task.topic, task.number))
        row = catalog.get(task.number)
    if row is None or row.input_hash != task.input_hash:
        raise PufaError(
            _(
                "worker {where} saw different inputs than this computer (its pufa, font or voice "
                "differ); run pufa cluster check"
            ).format(where=where)
        )
    wanted = [key for key in built.recordings if key not in audio] if task.send_recordings else []
    made = {key: cache.entry_path(key).read_bytes() for key in wanted if cache.entry_path(key).is_file()}
    # In the order the coordinator commits them: the manifest last.
    outputs = (built.cover, built.subtitles, built.subtitles.with_suffix(".vtt"), built.video, built.manifest)
    files = tuple((relative(path, root), path.read_bytes()) for path in outputs)
    return TaskResult(
        number=task.number,
        worker=where,
        files=files,
        row=row,
        duration=built.duration,
        seconds=time.monotonic() - started,
        synthesised_scenes=built.synthesised_scenes,
        audio=made,
    )


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return platform.node()


def _stage_sender(topic: str, number: int) -> Callable[[str, float], None]:
    """Sends ``[number, stage, fraction]`` events to the coordinator through the scheduler's event log."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return lambda _stage, _done: None
    last_stage, last_sent = "", 0.0

    def send(stage: str, done: float) -> None:
        nonlocal last_stage, last_sent
        now = time.monotonic()
        if stage == last_stage and done < 1.0 and now - last_sent < STAGE_INTERVAL:
            return
        last_stage, last_sent = stage, now
        worker.log_event(topic, [number, stage, round(done, 3)])

    return send


def worker_facts() -> dict[str, object]:
    """What ``pufa cluster check`` shows about a worker; runs there (sent by value, so any pufa can answer)."""
    import importlib

    try:
        module = importlib.import_module("pipeline")
        # The version with a digest of the code (build_id); a pufa older than build_id gives its number.
        version = str(module.build_id() if hasattr(module, "build_id") else module.__version__)
    except (ImportError, AttributeError):
        version = ""
    try:
        import psutil

        memory = int(psutil.virtual_memory().total)
    except ImportError:
        memory = 0
    return {
        "pufa": version,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
        "host": platform.node(),
        "cores": os.cpu_count() or 1,
        "memory": memory,
        "executable": sys.executable,
    }
