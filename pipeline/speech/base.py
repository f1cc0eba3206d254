"""The contract every TTS engine meets: caption pieces in, one audio track plus piece timings out.

An engine is given a whole scene as the spoken text of its captions, in order, so that an
engine that reports word boundaries (edge-tts) can synthesise the scene in few requests and
an engine that cannot (eSpeak NG) can synthesise piece by piece. Either way it answers with
where each piece starts and ends in the audio it returns.
"""

from __future__ import annotations

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
    """

    samples: npt.NDArray[np.int16]
    sample_rate: int
    pieces: tuple[tuple[float, float], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


class TtsEngine(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def speak(self, pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        """Speak ``pieces`` one after another; raise VoiceError naming what failed."""
        ...
