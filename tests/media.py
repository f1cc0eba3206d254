"""Reading back what a build wrote, the way a user would check it: through ffmpeg, not our own state."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from pipeline.media.ffmpeg import ffmpeg_exe


@dataclass(frozen=True)
class SrtCue:
    index: int
    start: float
    end: float
    text: str


def parse_srt(text: str) -> list[SrtCue]:
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        match = re.fullmatch(r"(\d+):(\d+):(\d+),(\d+) --> (\d+):(\d+):(\d+),(\d+)", lines[1])
        assert match, lines[1]
        h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
        cues.append(
            SrtCue(
                int(lines[0]),
                h1 * 3600 + m1 * 60 + s1 + ms1 / 1000,
                h2 * 3600 + m2 * 60 + s2 + ms2 / 1000,
                "\n".join(lines[2:]),
            )
        )
    return cues


def frame_at(video: Path, seconds: float, width: int = 1080) -> Image.Image:
    raw = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-ss",
            f"{seconds:.3f}",
            "-i",
            str(video),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    height = len(raw) // (width * 3)
    return Image.frombytes("RGB", (width, height), raw)


def audio_samples(video: Path, rate: int = 16000) -> npt.NDArray[np.float64]:
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(video), "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float64)


def rms(samples: npt.NDArray[np.float64], start: float, end: float, rate: int = 16000) -> float:
    window = samples[round(start * rate) : round(end * rate)]
    return float(np.sqrt(np.mean(window**2))) if window.size else 0.0
