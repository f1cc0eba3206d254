"""Encoding: the prerendered screen states plus the narration become one MP4, all inside ffmpeg.

The states go in through ffmpeg's concat demuxer, each with the time it is held. Colour
conversion runs once per distinct state, before the ``fps`` filter repeats it to a constant
frame rate, so the per-frame cost is x264's alone and nothing passes through Python per frame.
ffmpeg itself comes from the imageio-ffmpeg wheel.

Moving pictures, transitions and highlighted words need a filter graph. Every input of one
graph is decoded when ffmpeg starts, and each transition's frames are made as soon as its
still arrives, so a whole episode in one graph holds every picture and transition of the
episode at once (800 MB for a minute). Such an episode is encoded section by section (title
card, each scene, closing card), each section's graph holding only its own picture and
transition, and the sections are joined without re-encoding as the sound is added.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import RenderError
from pipeline.i18n import _
from pipeline.media.ffmpeg import ffmpeg_exe
from pipeline.picture.frames import Fade, MovingPicture, RenderPlan

# The frames say they are BT.709 (matrix, primaries, transfer) and limited range, so players
# and platforms never guess; the stream's own tags alone leave primaries and transfer unknown.
TAGS = "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv"


@dataclass(frozen=True)
class EncodeSettings:
    """How x264 and AAC encode: quality (CRF), speed preset, x264 threads, audio bitrate and rate (Hz)."""

    crf: int = 20
    preset: str = "veryfast"
    # x264's own default is 1.5 threads per core; each frame thread holds its own frames
    # (23 MB a thread at 1080x1920, measured), and one per core keeps both cores as busy.
    threads: int = field(default_factory=lambda: max(os.cpu_count() or 1, 1))
    audio_bitrate: str = "128k"
    audio_rate: int = 48000


def write_concat_list(plan: RenderPlan, path: Path) -> None:
    """An ffconcat file holding each state for its frames; the last is named twice, as the demuxer needs."""
    _write_list([(state.path, state.end_frame - state.first_frame) for state in plan.states], plan.fps, path)


def write_word_list(plan: RenderPlan, path: Path) -> None:
    """An ffconcat file of the word band over the whole video: each marked word for its frames, clear between."""
    assert plan.blank_word is not None
    entries: list[tuple[Path, int]] = []
    cursor = 0
    for word in plan.words:
        if word.first_frame > cursor:
            entries.append((plan.blank_word, word.first_frame - cursor))
        entries.append((word.path, word.end_frame - word.first_frame))
        cursor = word.end_frame
    if plan.total_frames > cursor or not entries:
        entries.append((plan.blank_word, max(plan.total_frames - cursor, 1)))
    _write_list(entries, plan.fps, path)


def _write_list(entries: Sequence[tuple[Path, int]], fps: int, path: Path, *, images: bool = True) -> None:
    """An ffconcat file of (file, frames) entries; a list of still images names its last one twice, or the
    demuxer would not hold it for its duration (a list of videos must not: the last would play twice)."""
    lines = ["ffconcat version 1.0"]
    # Each entry starts at its first frame's time rounded down to the microsecond (the demuxer's unit), never
    # just after it: an overlay then takes it on that frame and not the next.
    cursor = 0
    for image, frames in entries:
        start, end = cursor * 1_000_000 // fps, (cursor + frames) * 1_000_000 // fps
        lines.append(f"file '{_relative(image, path.parent)}'")
        if images:
            lines.append(f"option framerate {fps}")  # the still's clock counts frames, so no time falls between
        lines.append(f"duration {(end - start) / 1_000_000:.6f}")
        cursor += frames
    if entries and images:
        lines.append(f"file '{_relative(entries[-1][0], path.parent)}'")
        lines.append(f"option framerate {fps}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _relative(image: Path, folder: Path) -> str:
    return image.name if image.parent == folder else str(image)


def sections(plan: RenderPlan) -> list[tuple[int, int]]:
    """The frame ranges [first, end) encoded one at a time: title card, each scene, closing card.

    A range is never cut inside a moving picture or a transition (those start a section anyway).
    """
    cuts = [0]
    previous: object = None
    for state in plan.states:
        section = state.key[1] if state.key and state.key[0] == "scene" else (state.key[0] if state.key else None)
        if previous is not None and section != previous and state.first_frame > cuts[-1]:
            cuts.append(state.first_frame)
        previous = section
    inside = [(m.first_frame, m.end_frame) for m in plan.moving] + [(f.first_frame, f.end_frame) for f in plan.fades]
    cuts = [c for c in cuts if not any(first < c < end for first, end in inside)]
    ends = [*cuts[1:], plan.total_frames]
    return [(first, end) for first, end in zip(cuts, ends, strict=True) if end > first]


def section_plan(plan: RenderPlan, first: int, end: int) -> RenderPlan:
    """The part of ``plan`` in frames [first, end), its frames counted from 0."""

    def clip(a: int, b: int) -> tuple[int, int] | None:
        a, b = max(a, first), min(b, end)
        return (a - first, b - first) if b > a else None

    states = []
    for state in plan.states:
        span = clip(state.first_frame, state.end_frame)
        if span is not None:
            states.append(dataclasses.replace(state, first_frame=span[0], end_frame=span[1]))
    moving = [
        dataclasses.replace(m, first_frame=span[0], end_frame=span[1])
        for m in plan.moving
        if (span := clip(m.first_frame, m.end_frame)) is not None
    ]
    fades = [
        dataclasses.replace(f, first_frame=span[0], end_frame=span[1])
        for f in plan.fades
        if (span := clip(f.first_frame, f.end_frame)) is not None
    ]
    words = [
        dataclasses.replace(w, first_frame=span[0], end_frame=span[1])
        for w in plan.words
        if (span := clip(w.first_frame, w.end_frame)) is not None
    ]
    return dataclasses.replace(
        plan,
        total_frames=end - first,
        states=tuple(states),
        moving=tuple(moving),
        fades=tuple(fades),
        words=tuple(words),
    )


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
    An episode with moving pictures or transitions is encoded a section at a time (see the module).
    """
    folder = plan.states[0].path.parent
    if not (plan.moving or plan.fades):
        command = _video_command(plan, folder, "episode")
        _run(command, audio, target, settings, label, progress, plan.total_frames, plan.fps, tags)
        return
    parts = sections(plan)
    total = max(plan.total_frames, 1)
    done = 0
    made: list[tuple[Path, int]] = []
    for index, (first, end) in enumerate(parts):
        part = section_plan(plan, first, end)
        path = folder / f"section-{index:03d}.mp4"

        def report(fraction: float, start: int = done, frames: int = end - first) -> None:
            if progress:
                progress(min((start + fraction * frames) / total, 1.0))

        command = _video_command(part, folder, f"section-{index:03d}")
        _run(command, None, path, settings, label, report, end - first, plan.fps)
        made.append((path, end - first))
        done += end - first
    joined = folder / "sections.ffconcat"
    _write_list(made, plan.fps, joined, images=False)
    command = ["-f", "concat", "-safe", "0", "-i", str(joined)]
    _run(command, audio, target, settings, label, None, plan.total_frames, plan.fps, tags, copy=True)
    if progress:
        progress(1.0)


def _video_command(plan: RenderPlan, folder: Path, name: str) -> list[str]:
    """The inputs and the video filter (or graph) of ``plan``, ending with its video mapped as ``[video]``
    or filtered by ``-vf``; the states list and the word list are written into ``folder`` as ``name``."""
    concat = folder / f"{name}.ffconcat"
    write_concat_list(plan, concat)
    command = ["-f", "concat", "-safe", "0", "-i", str(concat)]
    if not (plan.moving or plan.fades or plan.words):
        # Colour conversion before fps: once per distinct state, not once per frame.
        return [*command, "-vf", f"scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,fps={plan.fps},{TAGS}"]
    # One frame each: zoompan makes every frame of a scene from the single decoded picture.
    for picture in plan.moving:
        command += ["-i", str(picture.path)]
    for fade in plan.fades:
        command += ["-i", str(fade.path)]
    if plan.words:
        words = folder / f"{name}-words.ffconcat"
        write_word_list(plan, words)
        command += ["-f", "concat", "-safe", "0", "-i", str(words)]
    return [*command, "-filter_complex", motion_graph(plan, 1), "-map", "[video]"]


def _run(
    inputs: list[str],
    audio: Path | None,
    target: Path,
    settings: EncodeSettings,
    label: str,
    progress: Callable[[float], None] | None,
    frames: int,
    fps: int,
    tags: Mapping[str, str] | None = None,
    *,
    copy: bool = False,
) -> None:
    """One ffmpeg run: the video ``inputs`` (a graph maps ``[video]``), the sound if any, into ``target``.

    ``copy`` joins already encoded sections (the one input) without encoding the video again.
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y", "-progress", "pipe:1"]
    # The sound is an input too: it goes before the filters, which are output options.
    filters = next((i for i, option in enumerate(inputs) if option in ("-vf", "-filter_complex")), len(inputs))
    command += inputs[:filters]
    if audio is not None:
        command += ["-i", str(audio)]
    command += inputs[filters:]
    if audio is not None:
        if copy:
            command += ["-map", "0:v"]
        if copy or "-filter_complex" in inputs:
            command += ["-map", f"{inputs.count('-i')}:a"]
    if copy:
        command += ["-c:v", "copy"]
    else:
        command += [
            "-frames:v", str(frames),
            "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf), "-profile:v", "high",
            "-threads", str(settings.threads),
            # A keyframe at least every 10 s: seeking stays quick; more would triple the size of static video.
            "-g", str(fps * 10),
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
                progress(min(int(line[6:]) / max(frames, 1), 1.0))
        code = process.wait()
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
    if code != 0:
        detail = (message.splitlines() or [f"exit status {code}"])[-1]
        raise RenderError(_("{label}: ffmpeg failed to encode the video: {detail}").format(label=label, detail=detail))


def motion_graph(plan: RenderPlan, first_input: int) -> str:
    """The filter graph for pictures that move, transitions between sections and highlighted words.

    Input 0 is the states; the pictures, the transition stills and the word band follow from
    ``first_input`` in that order. Each picture zooms slowly (1.00 to 1.08) behind the states'
    transparent window during its scene; the states are overlaid on top, so captions and
    branding stay sharp and still. The word band lies over the caption; at each change of
    section the outgoing screen (one still, drawn once) is laid over the first frames of the
    next and faded out. Every step is in YUV: the states are converted once each (before
    ``fps`` repeats them), so the per-frame work is the zoom of one picture, the overlays, and a
    fade only while one lasts.
    """
    width, height, fps = plan.width, plan.height, plan.fps
    total = plan.total_frames / fps
    convert = "scale=out_color_matrix=bt709:out_range=tv"
    # The first input of every overlay is a generated frame at each frame time, made only when the encoder
    # wants it; the states and the word band come in once each and the overlays hold them until the next.
    # The fps filter is not used here: it makes frames as fast as it can, and each one an overlay wrote into
    # was held ahead of the encoder (300 MB to 1 GB in a scene).
    # A still's time, as its demuxer keeps it, can fall just after its frame's: put it on its frame.
    snap = f"setpts='round(T*{fps})/({fps}*TB)'"
    steps = [f"color=c=black:s={width}x{height}:r={fps}:d={total:.6f},format=yuv420p[layer0]"]
    for index, picture in enumerate(plan.moving):
        left, top, right, bottom = picture.box
        w, h = right - left, bottom - top
        frames = max(picture.end_frame - picture.first_frame, 1)
        # Zoomed from one and a half times the box size: smooth at this speed, and cheap.
        big_w, big_h = 3 * w // 4 * 2, 3 * h // 4 * 2
        if picture.fit == "contain":
            fit = (
                f"scale={big_w}:{big_h}:force_original_aspect_ratio=decrease,"
                f"pad={big_w}:{big_h}:(ow-iw)/2:(oh-ih)/2"
            )
        else:
            fit = f"scale={big_w}:{big_h}:force_original_aspect_ratio=increase,crop={big_w}:{big_h}"
        zoom = f"zoompan=z='1+0.08*on/{frames}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d={frames}:s={w}x{h}:fps={fps}"
        shift = f"setpts=PTS-STARTPTS+{picture.first_frame}/({fps}*TB)"
        steps.append(f"[{first_input + index}:v]{fit},{zoom},{convert},format=yuv420p,{shift}[picture{index}]")
        overlay = f"overlay=x={left}:y={top}:format=yuv420:enable='{_during(picture, fps)}':eof_action=pass"
        steps.append(f"[layer{index}][picture{index}]{overlay}[layer{index + 1}]")
    # Without a window to show a picture through, the states are opaque and the overlay only copies them.
    states = "yuva420p" if plan.moving else "yuv420p"
    steps.append(f"[0:v]{convert},format={states},{snap}[states]")
    steps.append(f"[layer{len(plan.moving)}][states]overlay=0:0:format=yuv420,format=yuv420p[composed]")
    layer = "composed"
    if plan.words:
        words_input = first_input + len(plan.moving) + len(plan.fades)
        steps.append(f"[{words_input}:v]{convert},format=yuva420p,{snap}[words]")
        steps.append(f"[composed][words]overlay=0:{plan.word_box[1]}:format=yuv420,format=yuv420p[worded]")
        layer = "worded"
    return ";".join(steps + _fade_steps(plan, first_input + len(plan.moving), layer, convert))


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
        overlay = f"overlay=0:0:format=yuv420:enable='{_during(fade, fps)}':eof_action=pass"
        steps.append(f"[{layer}][fade{index}]{overlay}[faded{index}]")
        layer = f"faded{index}"
    steps.append(f"[{layer}]format=yuv420p,{TAGS}[video]")
    return steps


def _during(span: MovingPicture | Fade, fps: int) -> str:
    """An overlay's enable expression for the frames [first, end) of ``span``, by time (frames may come unevenly)."""
    return f"between(t,{span.first_frame / fps:.6f},{(span.end_frame - 0.5) / fps:.6f})"
