"""A content-addressed cache of synthesised speech.

The key is everything that decides the audio: engine, engine version, voice settings and
the spoken text of every piece. Editing one scene changes only that scene's key, so a
rebuild synthesises that scene alone, and a cache hit needs no network. The cache lives
outside output/ (``PUFA_CACHE_DIR``, else ``$XDG_CACHE_HOME/pufa``, else ``~/.cache/pufa``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import stat
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.lib.format as npformat
import numpy.typing as npt

from pipeline.fsutil import temporary_sibling
from pipeline.speech.base import TtsEngine, Utterance, VoiceSettings


def cache_root() -> Path:
    explicit = os.environ.get("PUFA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pufa"


def audio_cache_dir() -> Path:
    return cache_root() / "audio"


@dataclass(frozen=True)
class CacheUsage:
    files: int
    bytes: int


# Matched with fullmatch: "$" would also match before a trailing newline, and a file named
# "<sha256>.npz\n" is not one pufa wrote.
_ENTRY = re.compile(r"[0-9a-f]{64}\.npz")
_LEFTOVER = re.compile(r"\.[0-9a-f]{64}\.npz\.[a-z0-9_]+\.part")  # mkstemp's random part


def _entries(folder: Path) -> list[Path]:
    """The files pufa wrote in the cache: ``xx/<sha256>.npz`` (and interrupted ``.part`` writes), nothing else."""
    if not folder.is_dir():
        return []
    found = []
    for shard in folder.iterdir():
        if shard.is_dir() and not shard.is_symlink() and re.fullmatch(r"[0-9a-f]{2}", shard.name):
            found += [
                p
                for p in shard.iterdir()
                if p.is_file() and not p.is_symlink() and (_ENTRY.fullmatch(p.name) or _LEFTOVER.fullmatch(p.name))
            ]
    return found


def cache_usage(folder: Path | None = None) -> CacheUsage:
    sizes = [p.stat().st_size for p in _entries(folder or audio_cache_dir()) if p.suffix == ".npz"]
    return CacheUsage(len(sizes), sum(sizes))


def clear_cache(folder: Path | None = None) -> CacheUsage:
    """Delete every cached recording pufa wrote, and nothing else; returns what was removed.

    The folder may be shared (``PUFA_CACHE_DIR`` pointing at a folder that also holds other
    files): only ``xx/<sha256>.npz`` files are removed, then the shard folders they leave empty.
    """
    folder = folder or audio_cache_dir()
    usage = cache_usage(folder)
    entries = _entries(folder)
    for entry in entries:
        entry.unlink(missing_ok=True)
    for emptied in [*{p.parent for p in entries}, folder]:
        with contextlib.suppress(OSError):
            emptied.rmdir()  # only when nothing else is in it
    return usage


class CachedEngine:
    """Wraps an engine; answers from the cache when the same speech was made before."""

    def __init__(self, engine: TtsEngine, folder: Path | None = None) -> None:
        self.engine = engine
        self.name = engine.name
        self.folder = folder or audio_cache_dir()
        self.hits = 0
        self.misses = 0

    @property
    def version(self) -> str:
        return self.engine.version

    def key(self, pieces: Sequence[str], settings: VoiceSettings) -> str:
        identity = {
            "engine": self.engine.name,
            "version": self.engine.version,
            "settings": asdict(settings),
            "pieces": list(pieces),
        }
        return hashlib.sha256(json.dumps(identity, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    def entry_path(self, key: str) -> Path:
        """Where the recording with ``key`` is kept (it may not exist)."""
        return self.folder / key[:2] / f"{key}.npz"

    def speak(self, pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        key = self.key(pieces, settings)
        path = self.entry_path(key)
        cached = _read(path, len(pieces))
        if cached is None and (path.exists() or path.is_symlink()):
            # Damaged (a truncated write, a disk error): discard it and synthesise again, once.
            with contextlib.suppress(OSError):  # a folder in its place stays; writing over it fails below
                path.unlink(missing_ok=True)
            sys.stderr.write(f"pufa: note: a damaged cached recording was discarded and will be made again: {path}\n")
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        utterance = self.engine.speak(pieces, settings)
        try:
            _write(path, utterance)
        except OSError as exc:
            # The cache only saves time: a full or read-only cache disk must not fail the build.
            sys.stderr.write(f"pufa: note: could not keep the recording in the audio cache ({exc.strerror})\n")
        return utterance


def _read(path: Path, count: int) -> Utterance | None:
    """The recording kept at ``path`` for ``count`` pieces, or None if missing or of any other shape.

    Every field is checked against what :func:`_write` saves, so a damaged or foreign entry
    is spoken again instead of failing the build on every run.
    """
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None  # a folder, a link or a FIFO (which would block) is never opened
        _check_sizes(path)
        with np.load(path, allow_pickle=False) as data:
            return _utterance(data, count)
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
        # Missing or damaged (an interrupted write, a truncated file, a field of the wrong shape).
        return None


def _check_sizes(path: Path) -> None:
    """ValueError unless every array's header claims no more bytes than its member holds.

    numpy allocates what a header claims before reading the data, so a damaged header
    (a shape of billions) would cost that much memory; pufa's entries are stored, not compressed.
    """
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{member.filename} is compressed")
            with archive.open(member) as handle:
                version = npformat.read_magic(handle)
                if version == (1, 0):
                    shape, _fortran, dtype = npformat.read_array_header_1_0(handle)
                else:
                    shape, _fortran, dtype = npformat.read_array_header_2_0(handle)
            if dtype.hasobject or math.prod(shape) * dtype.itemsize > member.file_size:
                raise ValueError(f"{member.filename} claims more than it holds")


def _array(data: Any, name: str, kinds: str, ndim: int) -> npt.NDArray[Any]:
    """The array ``name`` in ``data``; ValueError unless it has ``ndim`` dimensions and a dtype kind in ``kinds``."""
    array = data[name]
    if not isinstance(array, np.ndarray) or array.ndim != ndim or array.dtype.kind not in kinds:
        raise ValueError(f"{name} has the wrong shape")
    return array


def _utterance(data: Any, count: int) -> Utterance:
    samples = _array(data, "samples", "i", 1)
    if samples.dtype != np.int16:
        raise ValueError("samples are not 16-bit")
    sample_rate = int(_array(data, "sample_rate", "iu", 0))
    if not 1000 <= sample_rate <= 384_000:
        raise ValueError("sample rate out of range")
    pieces = _array(data, "pieces", "f", 2)
    if pieces.shape != (count, 2) or not np.isfinite(pieces).all():
        raise ValueError("pieces do not match")
    notes = _array(data, "notes", "U", 1)
    times: tuple[tuple[float, ...], ...] = ()
    if "times" in data:
        flat, counts = _array(data, "times", "f", 1), _array(data, "counts", "iu", 1)
        if len(counts) not in (0, count) or (counts < 0).any() or not np.isfinite(flat).all():
            raise ValueError("character times do not match")
        times = _unflatten(flat, counts)
    return Utterance(
        samples=samples,
        sample_rate=sample_rate,
        pieces=tuple((float(a), float(b)) for a, b in pieces.tolist()),
        notes=tuple(str(n) for n in notes.tolist()),
        times=times,
    )


def _write(path: Path, utterance: Utterance) -> None:
    temporary = temporary_sibling(path)
    try:
        with temporary.open("wb") as handle:
            np.savez(
                handle,
                samples=utterance.samples,
                sample_rate=np.array(utterance.sample_rate),
                pieces=np.array(utterance.pieces, dtype=np.float64).reshape(-1, 2),
                notes=np.array(utterance.notes, dtype=str),
                # Each piece's character times one after another, and how many each piece has.
                times=np.array([t for piece in utterance.times for t in piece], dtype=np.float64),
                counts=np.array([len(piece) for piece in utterance.times], dtype=np.int64),
            )
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _unflatten(times: npt.NDArray[np.float64], counts: npt.NDArray[np.int64]) -> tuple[tuple[float, ...], ...]:
    """Each piece's character times from the flat array and the per-piece counts it was saved as."""
    pieces: list[tuple[float, ...]] = []
    position = 0
    for count in counts.tolist():
        pieces.append(tuple(float(t) for t in times[position : position + count]))
        position += count
    if position != len(times):
        raise ValueError("character times do not add up")
    return tuple(pieces)
