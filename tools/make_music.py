"""Compose the series' background music: a calm piano-like loop made from first principles.

The track in assets/music/ was made by this script for the project, so the project may
redistribute it (see assets/README.md). Run from the repository root:
``.venv/bin/python tools/make_music.py``. It writes a 24-second loop whose end flows into
its start (I–V–vi–IV in C major, soft plucked chords over a sustained bass), and the opening
sting: a rising C major arpeggio over a low C, 2 seconds, fading out under the title card.
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


def write_m4a(samples: np.ndarray, target: Path) -> None:
    """Mono samples (−1..1) as stereo AAC, the right channel 5 ms behind for a little width."""
    stereo = np.stack([samples, np.roll(samples, 240)], axis=1).astype(np.float32)
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "f32le", "-ar", str(RATE), "-ac", "2", "-i", "pipe:0",
         "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(target)],
        input=stereo.tobytes(),
        check=True,
    )  # fmt: skip


def sting() -> np.ndarray:
    """Two seconds: C3 under C4–E4–G4–C5 struck 0.12 s apart, every note ringing out, faded to silence."""
    length = 2.0
    track = np.zeros(int(length * RATE))
    low = tone(48, length, 0.25, 0.9)
    track[: len(low)] += low
    for index, note in enumerate((60, 64, 67, 72)):
        begin = int(index * 0.12 * RATE)
        bell = tone(note, length - index * 0.12, 0.16, 0.6)
        track[begin : begin + len(bell)] += bell
    track *= np.minimum(1.0, (length - np.arange(len(track)) / RATE) / 0.5)
    return track / (np.abs(track).max() / 0.6)


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
    music = Path(__file__).resolve().parents[1] / "assets" / "music"
    write_m4a(loop, music / "gentle-steps.m4a")
    print(f"wrote {music / 'gentle-steps.m4a'} ({length:.0f} s loop)")
    write_m4a(sting(), music / "opening-sting.m4a")
    print(f"wrote {music / 'opening-sting.m4a'} (2 s)")


if __name__ == "__main__":
    main()
