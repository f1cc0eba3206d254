"""Compose the series' closing sting: short bright chimes made from first principles.

The file in assets/music/ was made by this script for the project, so the project may
redistribute it (see assets/README.md). Run from the repository root:
``.venv/bin/python tools/make_sting.py``. It writes ``closing-sting.m4a`` (3.0 s, under the
closing card): bell tones falling to a warm F-to-C cadence that fades out, in the key of the
series music (C major). The opening sting is made by ``tools/make_music.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.media.ffmpeg import ffmpeg_exe

RATE = 48000


def bell(midi: int, seconds: float, loudness: float, decay: float) -> np.ndarray:
    """A bell-like tone: inharmonic partials that die away at different speeds, with a soft strike."""
    t = np.arange(int(seconds * RATE)) / RATE
    frequency = 440.0 * 2 ** ((midi - 69) / 12)
    partials = ((1.0, 1.0, 1.0), (2.0, 0.45, 0.6), (2.76, 0.25, 0.4), (4.07, 0.12, 0.25), (5.4, 0.06, 0.15))
    wave = sum(
        level * np.exp(-t / (decay * speed)) * np.sin(2 * np.pi * frequency * ratio * t)
        for ratio, level, speed in partials
    )
    attack = np.minimum(t / 0.004, 1.0)
    return loudness * wave * attack


def pad(midis: list[int], seconds: float, loudness: float, rise: float) -> np.ndarray:
    """A soft sustained chord that swells in over ``rise`` seconds and fades at the end."""
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(
        np.sin(2 * np.pi * 440.0 * 2 ** ((m - 69) / 12) * t)
        + 0.3 * np.sin(2 * np.pi * 880.0 * 2 ** ((m - 69) / 12) * t)
        for m in midis
    )
    envelope = np.minimum(t / rise, 1.0) * np.clip((seconds - t) / 0.8, 0.0, 1.0)
    return loudness * wave * envelope


def place(track: np.ndarray, sound: np.ndarray, at: float) -> None:
    start = int(at * RATE)
    end = min(start + len(sound), len(track))
    track[start:end] += sound[: end - start]


def closing() -> np.ndarray:
    track = np.zeros(int(3.0 * RATE))
    place(track, pad([41, 57, 65, 69], 1.4, 0.045, 0.3), 0.0)
    place(track, pad([48, 55, 64, 67], 1.8, 0.045, 0.2), 1.2)
    for index, note in enumerate((84, 79, 76, 72)):
        place(track, bell(note, 2.2, 0.2, 0.8), 0.05 + index * 0.18)
    for note in (60, 67, 72, 76):
        place(track, bell(note, 1.8, 0.1, 1.0), 1.2)
    return track


def write(samples: np.ndarray, name: str) -> None:
    fade = np.clip((len(samples) - np.arange(len(samples))) / (0.15 * RATE), 0.0, 1.0)
    samples = samples * fade
    samples /= np.abs(samples).max() / 0.7
    stereo = np.stack([samples, np.roll(samples, 180)], axis=1).astype(np.float32)
    target = Path(__file__).resolve().parents[1] / "assets" / "music" / name
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
         "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(target)],
        input=stereo.tobytes(),
        check=True,
    )  # fmt: skip
    print(f"wrote {target} ({len(samples) / RATE:.1f} s)")


def main() -> None:
    write(closing(), "closing-sting.m4a")


if __name__ == "__main__":
    main()
