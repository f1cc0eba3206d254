"""ffmpeg itself: where the binary is (the imageio-ffmpeg wheel) and what a video file holds.

Every module that runs ffmpeg finds it here, so speech, sound and encoding share no
dependency on each other.
"""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.i18n import _


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    duration: float
    video_codec: str
    pixel_format: str
    audio_codec: str | None
    audio_rate: int | None
    moov_first: bool


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def probe(path: Path) -> VideoInfo:
    """What a user would check of a video: size, frame rate, duration, codecs, pixel format, moov position."""
    if not path.is_file():
        raise RenderError(_("{path}: no such video").format(path=path))
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, text=True, check=False
    )
    report = result.stderr
    duration = _DURATION.search(report)
    video = _VIDEO_STREAM.search(report)
    if duration is None or video is None:
        raise RenderError(_("{path}: not a readable video").format(path=path))
    audio = _AUDIO_STREAM.search(report)
    hours, minutes, seconds = duration.groups()
    return VideoInfo(
        width=int(video["width"]),
        height=int(video["height"]),
        fps=float(video["fps"]),
        duration=int(hours) * 3600 + int(minutes) * 60 + float(seconds),
        video_codec=video["codec"],
        pixel_format=video["pix_fmt"],
        audio_codec=audio["codec"] if audio else None,
        audio_rate=int(audio["rate"]) if audio else None,
        moov_first=_moov_before_mdat(path),
    )


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO_STREAM = re.compile(
    r"Stream #\S+.*?: Video: (?P<codec>\w+)[^,]*, (?P<pix_fmt>\w+)(?:\([^)]*\))?, (?P<width>\d+)x(?P<height>\d+)"
    r".*?, (?P<fps>[\d.]+) fps"
)
_AUDIO_STREAM = re.compile(r"Stream #\S+.*?: Audio: (?P<codec>\w+).*?, (?P<rate>\d+) Hz")


def _moov_before_mdat(path: Path) -> bool:
    """Whether the index (moov box) precedes the media data, so playback starts before the download ends."""
    with path.open("rb") as handle:
        while header := handle.read(8):
            if len(header) < 8:
                return False
            size, kind = struct.unpack(">I4s", header)
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            if size < 8:
                return False
            handle.seek(size - 8, 1)
    return False
