"""Encoding: the prerendered screen states plus the narration become one MP4, all inside ffmpeg.

The states go in through ffmpeg's concat demuxer, each with the time it is held. Colour
conversion runs once per distinct state, before the ``fps`` filter repeats it to a constant
frame rate, so the per-frame cost is x264's alone and nothing passes through Python per frame.
ffmpeg itself comes from the imageio-ffmpeg wheel.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.i18n import _
from pipeline.media.ffmpeg import ffmpeg_exe
from pipeline.picture.frames import RenderPlan

# The frames say they are BT.709 (matrix, primaries, transfer) and limited range, so players
# and platforms never guess; the stream's own tags alone leave primaries and transfer unknown.
TAGS = "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv"


@dataclass(frozen=True)
class EncodeSettings:
    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: str = "128k"
    audio_rate: int = 48000


def write_concat_list(plan: RenderPlan, path: Path) -> None:
    """An ffconcat file holding each state for its frames; the last is named twice, as the demuxer needs."""
    lines = ["ffconcat version 1.0"]
    for state in plan.states:
        lines.append(f"file '{state.path.name}'")
        lines.append(f"duration {(state.end_frame - state.first_frame) / plan.fps:.6f}")
    if plan.states:
        lines.append(f"file '{plan.states[-1].path.name}'")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def encode(
    plan: RenderPlan,
    audio: Path | None,
    target: Path,
    settings: EncodeSettings,
    *,
    label: str,
    progress: Callable[[float], None] | None = None,
    tags: Mapping[str, str] | None = None,
) -> None:
    """Encode ``plan`` (and ``audio``) into ``target``, an MP4 with H.264 yuv420p, AAC and the moov atom first.

    ``tags`` are written as custom MP4 metadata (``use_metadata_tags``), e.g. the ``AIGC`` label.
    """
    concat = plan.states[0].path.parent / "states.ffconcat"
    write_concat_list(plan, concat)
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y", "-progress", "pipe:1"]
    command += ["-f", "concat", "-safe", "0", "-i", str(concat)]
    if audio is not None:
        command += ["-i", str(audio)]
    if plan.moving or plan.fades:
        first_picture = 2 if audio is not None else 1
        # One frame each: zoompan makes every frame of a scene from the single decoded picture.
        for picture in plan.moving:
            command += ["-i", str(picture.path)]
        for fade in plan.fades:
            command += ["-i", str(fade.path)]
        command += ["-filter_complex", motion_graph(plan, first_picture), "-map", "[video]"]
        if audio is not None:
            command += ["-map", "1:a"]
    else:
        # Colour conversion before fps: once per distinct state, not once per frame.
        command += ["-vf", f"scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,fps={plan.fps},{TAGS}"]
    command += [
        "-frames:v", str(plan.total_frames),
        "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf), "-profile:v", "high",
        # A keyframe at least every 10 s: seeking stays quick; more would triple the size of static video.
        "-g", str(plan.fps * 10),
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
    ]  # fmt: skip
    if audio is not None:
        # The fast AAC coder: four times quicker than the default and transparent for speech at 128k.
        command += ["-c:a", "aac", "-aac_coder", "fast", "-b:a", settings.audio_bitrate]
        command += ["-ar", str(settings.audio_rate), "-ac", "2"]
    for key, value in (tags or {}).items():
        command += ["-metadata", f"{key}={value}"]
    command += ["-movflags", "+faststart+use_metadata_tags" if tags else "+faststart", "-f", "mp4", str(target)]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            if progress and line.startswith("frame="):
                progress(min(int(line[6:]) / max(plan.total_frames, 1), 1.0))
        code = process.wait()
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
    if code != 0:
        detail = (message.splitlines() or [f"exit status {code}"])[-1]
        raise RenderError(_("{label}: ffmpeg failed to encode the video: {detail}").format(label=label, detail=detail))


def motion_graph(plan: RenderPlan, first_input: int) -> str:
    """The filter graph for pictures that move and transitions between sections.

    Each picture zooms slowly (1.00 to 1.08) behind the states' transparent window during its
    scene; the states are overlaid on top, so captions and branding stay sharp and still. At
    each change of section the outgoing screen (one still, drawn once) is laid over the first
    frames of the next and faded out. Every step is in YUV: the states are converted once each
    (before ``fps`` repeats them), so the per-frame work is the zoom of one picture, the
    overlays, and a fade only while one lasts. Episodes with neither never come here.
    """
    width, height, fps = plan.width, plan.height, plan.fps
    total = plan.total_frames / fps
    convert = "scale=out_color_matrix=bt709:out_range=tv"
    if not plan.moving:
        steps = [f"[0:v]{convert},format=yuv420p,fps={fps}[layer0]"]
        return ";".join(steps + _fade_steps(plan, first_input, "layer0", convert))
    steps = [f"color=c=black:s={width}x{height}:r={fps}:d={total:.6f},format=yuv420p[layer0]"]
    for index, picture in enumerate(plan.moving):
        left, top, right, bottom = picture.box
        w, h = right - left, bottom - top
        frames = max(picture.end_frame - picture.first_frame, 1)
        # Zoomed from one and a half times the box size: smooth at this speed, and cheap.
        big_w, big_h = 3 * w // 4 * 2, 3 * h // 4 * 2
        if picture.fit == "contain":
            fit = f"scale={big_w}:{big_h}:force_original_aspect_ratio=decrease,pad={big_w}:{big_h}:(ow-iw)/2:(oh-ih)/2"
        else:
            fit = f"scale={big_w}:{big_h}:force_original_aspect_ratio=increase,crop={big_w}:{big_h}"
        zoom = f"zoompan=z='1+0.08*on/{frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d={frames}:s={w}x{h}:fps={fps}"
        shift = f"setpts=PTS-STARTPTS+{picture.first_frame}/({fps}*TB)"
        steps.append(f"[{first_input + index}:v]{fit},{zoom},{convert},format=yuv420p,{shift}[picture{index}]")
        enable = f"between(n,{picture.first_frame},{picture.end_frame - 1})"
        overlay = f"overlay=x={left}:y={top}:format=yuv420:enable='{enable}':eof_action=pass"
        steps.append(f"[layer{index}][picture{index}]{overlay}[layer{index + 1}]")
    steps.append(f"[0:v]{convert},format=yuva420p,fps={fps}[states]")
    steps.append(f"[layer{len(plan.moving)}][states]overlay=0:0:format=yuv420,format=yuv420p[composed]")
    return ";".join(steps + _fade_steps(plan, first_input + len(plan.moving), "composed", convert))


def _fade_steps(plan: RenderPlan, first_input: int, source: str, convert: str) -> list[str]:
    """Each transition still fading out over the frames after a change of section, then the colour tags."""
    fps = plan.fps
    steps: list[str] = []
    layer = source
    for index, fade in enumerate(plan.fades):
        frames = fade.end_frame - fade.first_frame
        seconds = frames / fps
        shift = f"setpts=PTS-STARTPTS+{fade.first_frame}/({fps}*TB)"
        steps.append(
            f"[{first_input + index}:v]{convert},format=yuva420p,loop=loop={frames - 1}:size=1:start=0,"
            f"fps={fps},fade=t=out:st=0:d={seconds:.6f}:alpha=1,{shift}[fade{index}]"
        )
        enable = f"between(n,{fade.first_frame},{fade.end_frame - 1})"
        steps.append(f"[{layer}][fade{index}]overlay=0:0:format=yuv420:enable='{enable}':eof_action=pass[faded{index}]")
        layer = f"faded{index}"
    steps.append(f"[{layer}]format=yuv420p,{TAGS}[video]")
    return steps
