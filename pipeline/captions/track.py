"""The caption track: every caption placed on the timeline in whole frames, and its SubRip text.

Captions are timed from the narration (when each piece is spoken) and snapped to frames;
the SRT uses exactly the same frame times as the burned-in captions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.captions.split import CaptionPlan
from pipeline.script import Episode
from pipeline.speech.narration import Narration


@dataclass(frozen=True)
class Cue:
    """A caption on the timeline, in whole frames: on screen for frames [first, last).

    ``index`` counts from 1; ``scene``/``block`` index the episode's scenes and the scene's
    blocks; ``kind`` is the block's kind (narration, law, points); ``point`` indexes the
    block's points for a caption of a list, else -1.
    """

    index: int
    scene: int
    block: int
    kind: str
    lines: tuple[str, ...]
    spoken: str
    first_frame: int
    end_frame: int
    fps: int
    point: int = -1

    @property
    def start(self) -> float:
        return self.first_frame / self.fps

    @property
    def end(self) -> float:
        return self.end_frame / self.fps

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class SceneSpan:
    index: int
    label: str
    first_frame: int
    end_frame: int


@dataclass(frozen=True)
class CaptionTrack:
    """The episode's timeline in frames: title card, scenes with their cues, closing card."""

    fps: int
    total_frames: int
    title_end_frame: int
    closing_first_frame: int
    scenes: tuple[SceneSpan, ...]
    cues: tuple[Cue, ...]

    @property
    def duration(self) -> float:
        return self.total_frames / self.fps


def to_frame(seconds: float, fps: int) -> int:
    return round(seconds * fps)


def time_captions(episode: Episode, plan: CaptionPlan, narration: Narration, fps: int) -> CaptionTrack:
    """Place every caption exactly over the audio that speaks it, snapped to whole frames."""
    cues: list[Cue] = []
    planned = [p for scene in plan.scenes for p in scene]
    for index, (item, timing) in enumerate(zip(planned, narration.pieces, strict=True)):
        first = to_frame(timing[0], fps)
        end = max(to_frame(timing[1], fps), first + 1)
        cues.append(
            Cue(
                index + 1,
                item.scene,
                item.block,
                item.kind,
                item.text.lines,
                item.text.spoken,
                first,
                end,
                fps,
                item.point,
            )
        )
    scenes = tuple(
        SceneSpan(i, episode.scenes[i].label, to_frame(start, fps), to_frame(end, fps))
        for i, (start, end) in enumerate(narration.scenes)
    )
    total = to_frame(narration.duration, fps)
    return CaptionTrack(
        fps=fps,
        total_frames=total,
        title_end_frame=scenes[0].first_frame if scenes else 0,
        closing_first_frame=scenes[-1].end_frame if scenes else total,
        scenes=scenes,
        cues=tuple(cues),
    )


def format_srt(track: CaptionTrack) -> str:
    """The SubRip text of a track: the same text and times as the burned-in captions."""
    blocks = [
        f"{cue.index}\n{_srt_time(cue.first_frame, track.fps)} --> {_srt_time(cue.end_frame, track.fps)}\n{cue.text}\n"
        for cue in track.cues
    ]
    return "\n".join(blocks)


def _srt_time(frame: int, fps: int) -> str:
    millis = round(frame * 1000 / fps)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d},{millis:03d}"
