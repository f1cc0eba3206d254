"""The contract every TTS engine meets: caption pieces in, one audio track plus piece timings out.

An engine is given a whole scene as the spoken text of its captions, in order, so that an
engine that reports word boundaries (edge-tts) can synthesise the scene in few requests and
an engine that cannot (eSpeak NG) can synthesise piece by piece. Either way it answers with
where each piece starts and ends in the audio it returns.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class VoiceSettings:
    """Who speaks and how: the voice name, and rate and volume as multiples of normal, pitch in Hz."""

    voice: str
    rate: float = 1.0
    volume: float = 1.0
    pitch: int = 0


@dataclass(frozen=True, eq=False)
class Utterance:
    """Mono 16-bit audio and the [start, end) seconds of every piece that was asked for.

    ``notes`` records anything a reviewer should know, such as pieces whose timing had to be
    estimated from their length because the engine's word boundaries could not be matched.
    ``times`` holds, per piece, the second at which each of its speakable characters (letters
    and digits, :func:`speakable`) starts to be said, rising from the piece's start; engines
    that know when words are said fill it (edge-tts's word boundaries, Kokoro's token
    durations). Empty, or empty for a piece: spread evenly over the piece (:func:`char_times`).
    """

    samples: npt.NDArray[np.int16]
    sample_rate: int
    pieces: tuple[tuple[float, float], ...]
    notes: tuple[str, ...] = field(default=())
    times: tuple[tuple[float, ...], ...] = field(default=())

    def char_times(self, index: int, text: str) -> tuple[float, ...]:
        """When each speakable character of piece ``index`` (whose text is ``text``) starts, in seconds."""
        count = len(speakable(text))
        known = self.times[index] if index < len(self.times) else ()
        if len(known) == count:
            return known
        start, end = self.pieces[index]
        return spread(count, start, end)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


def speakable(text: str) -> str:
    """The characters a voice says: letters (Han included) and digits, no punctuation or spaces."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def spread(count: int, start: float, end: float) -> tuple[float, ...]:
    """``count`` characters said one after another at an even pace from ``start`` to ``end``."""
    step = (end - start) / max(count, 1)
    return tuple(start + step * i for i in range(count))


def interpolate(count: int, start: float, end: float, known: dict[int, float]) -> tuple[float, ...]:
    """Times for ``count`` characters: those in ``known`` as given (kept rising), the rest evenly between them."""
    anchors = sorted((i, t) for i, t in known.items() if 0 <= i < count)
    points = [(-1, start), *anchors, (count, end)]
    times = [start] * count
    for (i0, t0), (i1, t1) in itertools.pairwise(points):
        t1 = max(t1, t0)
        for i in range(max(i0, 0), min(i1, count)):
            times[i] = t0 if i == i0 else t0 + (t1 - t0) * (i - max(i0, 0)) / max(i1 - max(i0, 0), 1)
    for i in range(1, count):
        times[i] = max(times[i], times[i - 1])
    return tuple(times)


class TtsEngine(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def speak(self, pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        """Speak ``pieces`` one after another; raise VoiceError naming what failed."""
        ...
