"""A content-addressed cache of synthesised speech.

The key is everything that decides the audio: engine, engine version, voice settings and
the spoken text of every piece. Editing one scene changes only that scene's key, so a
rebuild synthesises that scene alone, and a cache hit needs no network. The cache lives
outside output/ (``PUFA_CACHE_DIR``, else ``$XDG_CACHE_HOME/pufa``, else ``~/.cache/pufa``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

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


def cache_usage(folder: Path | None = None) -> CacheUsage:
    folder = folder or audio_cache_dir()
    sizes = [p.stat().st_size for p in folder.rglob("*.npz")] if folder.is_dir() else []
    return CacheUsage(len(sizes), sum(sizes))


def clear_cache(folder: Path | None = None) -> CacheUsage:
    """Delete every cached recording; returns what was removed."""
    folder = folder or audio_cache_dir()
    usage = cache_usage(folder)
    shutil.rmtree(folder, ignore_errors=True)
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
        cached = _read(path)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        utterance = self.engine.speak(pieces, settings)
        _write(path, utterance)
        return utterance


def _read(path: Path) -> Utterance | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return Utterance(
                samples=data["samples"].astype(np.int16),
                sample_rate=int(data["sample_rate"]),
                pieces=tuple((float(a), float(b)) for a, b in data["pieces"]),
                notes=tuple(str(n) for n in data["notes"]),
            )
    except (OSError, KeyError, ValueError):
        # Missing or damaged (an interrupted write from an older version): synthesise again.
        return None


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
            )
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
