"""Compose the series' background music: a calm piano-like loop made from first principles.

The track in assets/music/ was made by this script for the project, so the project may
redistribute it (see assets/README.md). Run from the repository root:
``.venv/bin/python tools/make_music.py``. It writes a 24-second loop whose end flows into
its start (I–V–vi–IV in C major, soft plucked chords over a sustained bass).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline.media.ffmpeg import ffmpeg_exe

RATE = 48000
BEAT = 0.75  # seconds: 80 beats a minute
CHORDS = [  # MIDI notes: C, G, Am, F
    (48, [60, 64, 67, 72]),
    (43, [59, 62, 67, 71]),
    (45, [60, 64, 69, 72]),
    (41, [60, 65, 69, 72]),
]


def tone(midi: int, seconds: float, loudness: float, decay: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    frequency = 440.0 * 2 ** ((midi - 69) / 12)
    wave = sum(np.sin(2 * np.pi * frequency * k * t) / k**1.6 for k in (1, 2, 3, 4))
    envelope = np.exp(-t / decay) * np.minimum(t / 0.01, 1.0)
    return loudness * wave * envelope


def main() -> None:
    bar = 4 * BEAT
    length = bar * len(CHORDS) * 2
    track = np.zeros(int((length + 4) * RATE))
    for repeat in range(2):
        for index, (bass, notes) in enumerate(CHORDS):
            start = (repeat * len(CHORDS) + index) * bar
            at = int(start * RATE)
            low = tone(bass, bar + 1.5, 0.22, 1.6)
            track[at : at + len(low)] += low
            for beat in range(4):
                for offset, note in enumerate(notes[beat % 2 :: 2] if beat % 2 else notes[:2]):
                    begin = int((start + beat * BEAT + offset * 0.12) * RATE)
                    pluck = tone(note, 2.0, 0.09, 0.7)
                    track[begin : begin + len(pluck)] += pluck
    # Fold the tail that rings past the end back onto the start: the loop joins without a click.
    loop = track[: int(length * RATE)].copy()
    tail = track[int(length * RATE) :]
    loop[: len(tail)] += tail
    loop /= np.abs(loop).max() / 0.5
    stereo = np.stack([loop, np.roll(loop, 240)], axis=1).astype(np.float32)
    target = Path(__file__).resolve().parents[1] / "assets" / "music" / "gentle-steps.m4a"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
         "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(target)],
        input=stereo.tobytes(),
        check=True,
    )  # fmt: skip
    print(f"wrote {target} ({length:.0f} s loop)")


if __name__ == "__main__":
    main()
