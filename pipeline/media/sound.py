"""The finished episode's sound: narration over background music, ducked while the voice
speaks, then normalised to broadcast loudness (−16 LUFS integrated, true peak ≤ −1.5 dBTP).

Ducking follows the narration's own timing rather than a compressor listening to it: the
build knows to the sample when every caption is spoken, so the music dips a fixed 15 dB
under speech, holds through short gaps (no pumping between phrases) and recovers in real
pauses. Loudness is measured and corrected by ffmpeg's EBU R128 filters and the measured
values go into the manifest.
"""

from __future__ import annotations

import functools
import math
import re
import subprocess
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipeline.errors import RenderError
from pipeline.i18n import _
from pipeline.media.ffmpeg import ffmpeg_exe

RATE = 48000
TARGET_LUFS = -16.0
TARGET_TRUE_PEAK = -1.5
DUCK_DB = -15.0
HOLD = 0.35  # seconds the music stays down after speech, so short gaps do not pump
RAMP = 0.25  # seconds for the music to go down or come back
LOOP_CROSSFADE = 0.4
# A sting plays where nobody speaks (title and closing cards); set at the voice's own loudness
# it jumps out of a phone's speaker (measured −9.5 LUFS momentary against −16 for the episode
# when stings were mixed at their file level), so it sits this far under the voice.
STING_UNDER_VOICE_LU = 4.0
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


def decode(path: Path, channels: int = 2, seconds: float | None = None) -> Samples:
    """Any audio file as float samples at 48 kHz, shape (n, channels); only its first ``seconds`` when given.

    ``-t`` goes before ``-i`` so ffmpeg stops reading the input there: an hour of music costs
    no more than the few minutes an episode needs.
    """
    limit = ["-t", f"{max(seconds, 0.0):.3f}"] if seconds is not None else []
    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-nostdin",
            *limit,
            "-i",
            str(path),
            "-f",
            "f32le",
            "-ac",
            str(channels),
            "-ar",
            str(RATE),
            "pipe:1",
        ],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise RenderError(_("{path}: cannot read this audio file").format(path=path))
    return np.frombuffer(result.stdout, dtype="<f4").reshape(-1, channels).astype(np.float32)


def readable_audio(path: Path) -> bool:
    """Whether ffmpeg decodes sound from ``path``: its first half second, once per file version.

    So ``pufa check`` finds a music or sting file that is not audio (a picture renamed .mp3,
    a half-copied file) before a build spends minutes on the pictures first.
    """
    status = path.stat()
    return _readable_audio(path, status.st_size, status.st_mtime)


@functools.lru_cache(maxsize=32)
def _readable_audio(path: Path, size: int, mtime: float) -> bool:
    try:
        return len(decode(path, channels=1, seconds=0.5)) > 0
    except RenderError:
        return False


def loop_period(music: Samples) -> Samples:
    """One period of a seamless loop: the track with its tail crossfaded into its head."""
    fade = min(int(LOOP_CROSSFADE * RATE), len(music) // 4)
    period = music[: len(music) - fade].copy()
    rise = np.linspace(0.0, 1.0, fade, dtype=np.float32)[:, None]
    period[:fade] = music[:fade] * rise + music[len(music) - fade :] * (1 - rise)
    return period


def loop_to(music: Samples, length: int) -> Samples:
    """Repeat ``music`` to ``length`` samples with crossfaded joins, so the loop has no seam."""
    if len(music) >= length:
        return music[:length].copy()
    period = loop_period(music)
    return period[np.arange(length) % len(period)]


def duck_envelope(length: int, speech: Sequence[tuple[float, float]]) -> Samples:
    """Gain for the music, sample by sample: DUCK_DB under speech (held HOLD after it), 0 dB elsewhere."""
    return _envelope(0, length, speech)


def _envelope(start: int, count: int, speech: Sequence[tuple[float, float]]) -> Samples:
    """The ducking gain for samples [start, start + count): steps under speech, smoothed into RAMP-long slopes."""
    width = max(int(RAMP * RATE), 1)
    low = start - width // 2
    down = np.zeros(count + width, dtype=bool)
    for begin, end in speech:
        first = int((begin - RAMP) * RATE) - low
        last = int((end + HOLD + RAMP / 2) * RATE) - low
        if last > 0 and first < len(down):
            down[max(first, 0) : last] = True
    target = np.where(down, 10 ** (DUCK_DB / 20), 1.0)
    # A moving average by running sums: linear in the block's length.
    sums = np.concatenate(([0.0], np.cumsum(target)))
    return ((sums[width : width + count] - sums[:count]) / width).astype(np.float32)


def _bed_block(
    period: Samples, start: int, count: int, length: int, speech: Sequence[tuple[float, float]], level_db: float
) -> Samples:
    """The music for samples [start, start + count): looped, faded in and out, ducked under speech."""
    index = np.arange(start, start + count)
    fades = np.minimum(np.minimum(index / (FADE_IN * RATE), (length - index) / (FADE_OUT * RATE)), 1.0)
    gain = (_envelope(start, count, speech) * fades * 10 ** (level_db / 20)).astype(np.float32)
    block: Samples = period[index % len(period)] * gain[:, None]
    return block


def music_bed(music: Samples, length: int, speech: Sequence[tuple[float, float]], level_db: float) -> Samples:
    """The whole music bed at once (for inspection; the mix itself goes block by block)."""
    return _bed_block(loop_period(music), 0, length, length, speech, level_db)


class _Voice:
    """The narration WAV kept as it is (16-bit at the engine's rate), resampled to 48 kHz a block at a time."""

    def __init__(self, path: Path) -> None:
        with wave.open(str(path)) as handle:
            self.rate = handle.getframerate()
            self.samples = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
        self.length = int(len(self.samples) * RATE / self.rate)

    def block(self, start: int, count: int) -> Samples:
        positions = np.arange(start, start + count) * (self.rate / RATE)
        base = int(positions[0]) if count else 0
        window = self.samples[base : int(positions[-1]) + 2 if count else base].astype(np.float32) / 32768
        resampled: Samples = np.interp(positions - base, np.arange(len(window)), window).astype(np.float32)
        return resampled


BLOCK = 10 * RATE  # the mix is made ten seconds at a time: memory does not grow with the episode


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
    voice = _Voice(narration)
    length = voice.length
    seconds = length / RATE
    period = loop_period(decode(music, seconds=seconds + LOOP_CROSSFADE)) if music is not None else None
    placed = []
    if stingers:
        voice_lufs = measure(narration, true_peak=False).integrated
        for path, at in stingers:
            sting = decode(path, seconds=seconds - at)
            gain_db = voice_lufs - STING_UNDER_VOICE_LU - _loudness_of(path)
            if math.isfinite(gain_db):
                sting *= np.float32(10 ** (gain_db / 20))
            placed.append((sting, int(at * RATE)))
    raw = target.with_name(target.stem + "-raw.wav")
    with wave.open(str(raw), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        for start in range(0, length, BLOCK):
            count = min(BLOCK, length - start)
            block = np.repeat(voice.block(start, count)[:, None], 2, axis=1)
            if period is not None:
                block += _bed_block(period, start, count, length, speech, music_level_db)
            for sting, at in placed:
                first, last = max(start, at), min(start + count, at + len(sting))
                if first < last:
                    block[first - start : last - start] += sting[first - at : last - at]
            out.writeframes((np.clip(block, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    _normalise(raw, target)
    return Mix(target, music.name if music else None, measure(target))


@functools.lru_cache(maxsize=8)
def _loudness_of_file(path: Path, size: int, mtime: float) -> float:
    return measure(path, true_peak=False).integrated


def _loudness_of(path: Path) -> float:
    """A sting's integrated loudness in LUFS, measured once per file version."""
    status = path.stat()
    return _loudness_of_file(path, status.st_size, status.st_mtime)


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
            raise RenderError(_("{source}: could not normalise loudness").format(source=source))
        if measure(target).true_peak <= TARGET_TRUE_PEAK:
            return
    raise RenderError(
        _("{source}: could not bring the true peak under {TARGET_TRUE_PEAK} dBTP").format(
            source=source, TARGET_TRUE_PEAK=TARGET_TRUE_PEAK
        )
    )


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
        raise RenderError(_("{path}: could not measure loudness").format(path=path))
    return Loudness(float(integrated[1]), float(peak[1]) if peak else 0.0, float(lra[1]))
