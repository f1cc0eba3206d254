"""The finished episode's sound: narration over background music, ducked while the voice
speaks, then normalised to broadcast loudness (−16 LUFS integrated, true peak ≤ −1.5 dBTP).

Ducking follows the narration's own timing rather than a compressor listening to it: the
build knows to the sample when every caption is spoken, so the music dips a fixed 15 dB
under speech, holds through short gaps (no pumping between phrases) and recovers in real
pauses. Loudness is measured and corrected by ffmpeg's EBU R128 filters and the measured
values go into the manifest.
"""

from __future__ import annotations

import re
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .errors import RenderError
from .video import ffmpeg_exe

RATE = 48000
TARGET_LUFS = -16.0
TARGET_TRUE_PEAK = -1.5
DUCK_DB = -15.0
HOLD = 0.35  # seconds the music stays down after speech, so short gaps do not pump
RAMP = 0.25  # seconds for the music to go down or come back
LOOP_CROSSFADE = 0.4
FADE_IN, FADE_OUT = 1.5, 2.5

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Loudness:
    integrated: float
    true_peak: float
    range: float


@dataclass(frozen=True)
class Mix:
    path: Path
    music: str | None
    loudness: Loudness


def decode(path: Path, channels: int = 2) -> Samples:
    """Any audio file as float samples at 48 kHz, shape (n, channels)."""
    result = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "f32le", "-ac", str(channels), "-ar", str(RATE), "pipe:1"],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RenderError(f"{path}: cannot read this audio file")
    return np.frombuffer(result.stdout, dtype="<f4").reshape(-1, channels).astype(np.float32)


def loop_to(music: Samples, length: int) -> Samples:
    """Repeat ``music`` to ``length`` samples, crossfading each join so the loop has no seam."""
    if len(music) >= length:
        return music[:length].copy()
    fade = min(int(LOOP_CROSSFADE * RATE), len(music) // 4)
    rise = np.linspace(0.0, 1.0, fade, dtype=np.float32)[:, None]
    out = np.zeros((length + len(music), music.shape[1]), dtype=np.float32)
    for count, start in enumerate(range(0, length, len(music) - fade)):
        piece = music.copy()
        if count:
            piece[:fade] *= rise
        piece[-fade:] *= rise[::-1]
        out[start : start + len(piece)] += piece
    return out[:length]


def duck_envelope(length: int, speech: Sequence[tuple[float, float]]) -> Samples:
    """Gain for the music, sample by sample: DUCK_DB under speech (held HOLD after it), 0 dB elsewhere."""
    down = np.zeros(length, dtype=bool)
    for start, end in speech:
        first = max(int((start - RAMP) * RATE), 0)
        last = min(int((end + HOLD + RAMP / 2) * RATE), length)
        down[first:last] = True
    target = np.where(down, 10 ** (DUCK_DB / 20), 1.0).astype(np.float32)
    # A moving average (by running sums, linear in the length) turns the steps into RAMP-long slopes.
    width = max(int(RAMP * RATE), 1)
    padded = np.pad(target.astype(np.float64), (width // 2, width - width // 2), mode="edge")
    sums = np.cumsum(padded)
    return ((sums[width:] - sums[:-width]) / width)[:length].astype(np.float32)


def music_bed(music: Samples, length: int, speech: Sequence[tuple[float, float]], level_db: float) -> Samples:
    bed = loop_to(music, length) * np.float32(10 ** (level_db / 20))
    fade_in = np.minimum(np.arange(length, dtype=np.float32) / (FADE_IN * RATE), 1.0)
    fade_out = np.minimum((length - np.arange(length, dtype=np.float32)) / (FADE_OUT * RATE), 1.0)
    gain: Samples = (duck_envelope(length, speech) * fade_in * fade_out).astype(np.float32)
    result: Samples = (bed * gain[:, None]).astype(np.float32)
    return result


def read_wav(path: Path) -> Samples:
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").astype(np.float32) / 32768
    if rate != RATE:
        positions = np.arange(int(len(data) * RATE / rate)) * (rate / RATE)
        data = np.interp(positions, np.arange(len(data)), data).astype(np.float32)
    return np.asarray(data, dtype=np.float32)[:, None]


def mix(
    narration: Path,
    speech: Sequence[tuple[float, float]],
    target: Path,
    *,
    music: Path | None,
    music_level_db: float,
    stingers: Sequence[tuple[Path, float]] = (),
) -> Mix:
    """Voice, music bed and stingers mixed, then normalised to −16 LUFS / −1.5 dBTP into ``target`` (WAV)."""
    voice = read_wav(narration)
    length = len(voice)
    stereo = np.repeat(voice, 2, axis=1)
    if music is not None:
        stereo = stereo + music_bed(decode(music), length, speech, music_level_db)
    for path, at in stingers:
        sting = decode(path)
        start = int(at * RATE)
        end = min(start + len(sting), length)
        if start < length:
            stereo[start:end] += sting[: end - start]
    raw = target.with_name(target.stem + "-raw.wav")
    _write_float_wav(raw, stereo)
    _normalise(raw, target)
    return Mix(target, music.name if music else None, measure(target))


def _write_float_wav(path: Path, samples: Samples) -> None:
    clipped = np.clip(samples, -1.0, 1.0)
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes((clipped * 32767).astype("<i2").tobytes())


def _normalise(source: Path, target: Path) -> None:
    """Gain to the target loudness, then a peak limiter with headroom for inter-sample peaks.

    ffmpeg's loudnorm does this in one filter but resamples to 192 kHz on the way, which
    costs several seconds a minute; a gain and a limiter cost a fraction of one. The result
    is measured afterwards with the true-peak meter, and the limiter tightened if needed.
    """
    gain = TARGET_LUFS - measure(source, true_peak=False).integrated
    for ceiling in (TARGET_TRUE_PEAK - 0.8, TARGET_TRUE_PEAK - 2.0, TARGET_TRUE_PEAK - 4.0):
        limit = 10 ** (ceiling / 20)
        chain = f"volume={gain:.2f}dB,alimiter=limit={limit:.4f}:level=false:attack=2:release=60:latency=true"
        result = subprocess.run(
            [
                ffmpeg_exe(),
                "-v",
                "error",
                "-nostdin",
                "-y",
                "-i",
                str(source),
                "-af",
                chain,
                "-c:a",
                "pcm_s16le",
                str(target),
            ],
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            raise RenderError(f"{source}: could not normalise loudness")
        if measure(target).true_peak <= TARGET_TRUE_PEAK:
            return
    raise RenderError(f"{source}: could not bring the true peak under {TARGET_TRUE_PEAK} dBTP")


def measure(path: Path, *, true_peak: bool = True) -> Loudness:
    """Integrated loudness, loudness range and true peak by the EBU R128 meter (ffmpeg's ebur128 filter)."""
    meter = "ebur128=peak=true" if true_peak else "ebur128"
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-af", meter, "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    summary = result.stderr[result.stderr.rfind("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    lra = re.search(r"LRA:\s+(-?[\d.]+) LU", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    if result.returncode != 0 or not (integrated and lra and (peak or not true_peak)):
        raise RenderError(f"{path}: could not measure loudness")
    return Loudness(float(integrated[1]), float(peak[1]) if peak else 0.0, float(lra[1]))
