"""Narration: the whole episode's voice track, and when each caption is spoken.

The track starts with silence under the title card, then every scene (a short lead-in so
the scene label is seen before the voice starts), then silence under the closing card.
Its length is a whole number of video frames, so audio and video end together.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipeline.captions.split import CaptionPlan
from pipeline.errors import PufaError, VoiceError
from pipeline.i18n import _
from pipeline.limits import NARRATION_SECONDS
from pipeline.script import Episode
from pipeline.speech.engines import TtsEngine, VoiceSettings

SCENE_LEAD_IN = 0.3
SCENE_TAIL = 0.45


@dataclass(frozen=True)
class Narration:
    audio_path: Path
    sample_rate: int
    duration: float
    scenes: tuple[tuple[float, float], ...]
    pieces: tuple[tuple[float, float], ...]
    engine: str
    engine_version: str
    voice: str
    notes: tuple[str, ...] = ()
    # Per piece, when each of its speakable characters starts (episode seconds): Utterance.char_times.
    times: tuple[tuple[float, ...], ...] = ()


def narrate(
    episode: Episode,
    plan: CaptionPlan,
    engine: TtsEngine,
    *,
    settings: VoiceSettings,
    fps: int,
    title_seconds: float,
    closing_seconds: float,
    audio_path: Path,
) -> Narration:
    """Speak every scene with ``engine`` and write the episode's track to ``audio_path`` (WAV)."""
    parts: list[npt.NDArray[np.int16]] = []
    scenes: list[tuple[float, float]] = []
    pieces: list[tuple[float, float]] = []
    times: list[tuple[float, ...]] = []
    notes: list[str] = []
    sample_rate = 0
    cursor = title_seconds
    for scene, captions in zip(episode.scenes, plan.scenes, strict=True):
        try:
            spoken = [c.text.spoken for c in captions]
            utterance = engine.speak(spoken, settings)
        except PufaError as exc:
            raise VoiceError(
                _("episode {number}, scene '{label}': {exc}").format(number=episode.number, label=scene.label, exc=exc)
            ) from None
        if sample_rate and utterance.sample_rate != sample_rate:
            raise VoiceError(
                _("episode {number}: the voice changed sample rate mid-episode").format(number=episode.number)
            )
        sample_rate = utterance.sample_rate
        notes += [f"scene '{scene.label}', {note}" for note in utterance.notes]
        start = cursor
        cursor += SCENE_LEAD_IN
        pieces += [(cursor + a, cursor + b) for a, b in utterance.pieces]
        times += [tuple(cursor + t for t in utterance.char_times(i, text)) for i, text in enumerate(spoken)]
        parts.append(utterance.samples)
        cursor += utterance.duration + SCENE_TAIL
        scenes.append((start, cursor))
        if cursor > NARRATION_SECONDS.value:
            raise VoiceError(
                _(
                    "episode {number}: the narration runs past {value} s at scene '{label}' ({name});"
                    " shorten the script"
                ).format(
                    number=episode.number,
                    value=NARRATION_SECONDS.value,
                    label=scene.label,
                    name=NARRATION_SECONDS.name,
                )
            )
    total_frames = round((cursor + closing_seconds) * fps)
    duration = total_frames / fps
    track = _assemble(parts, scenes, sample_rate, duration)
    _write_wav(audio_path, track, sample_rate)
    return Narration(
        audio_path=audio_path,
        sample_rate=sample_rate,
        duration=duration,
        scenes=tuple(scenes),
        pieces=tuple(pieces),
        engine=engine.name,
        engine_version=engine.version,
        voice=settings.voice,
        notes=tuple(notes),
        times=tuple(times),
    )


def _assemble(
    parts: list[npt.NDArray[np.int16]],
    scenes: list[tuple[float, float]],
    sample_rate: int,
    duration: float,
) -> npt.NDArray[np.int16]:
    track = np.zeros(round(duration * sample_rate), dtype=np.int16)
    for samples, (start, _end) in zip(parts, scenes, strict=True):
        offset = round((start + SCENE_LEAD_IN) * sample_rate)
        track[offset : offset + len(samples)] = samples[: len(track) - offset]
    return track


def _write_wav(path: Path, samples: npt.NDArray[np.int16], sample_rate: int) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(sample_rate)
        handle.writeframes(samples.astype("<i2").tobytes())
