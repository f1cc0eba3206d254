"""The caption track: every caption placed on the timeline in whole frames, and its SubRip text.

Captions are timed from the narration (when each piece is spoken) and snapped to frames;
the SRT uses exactly the same frame times as the burned-in captions.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.captions.split import RULES, CaptionPlan, PlannedCaption, ReadingRules, chars, speakable
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


def time_captions(
    episode: Episode, plan: CaptionPlan, narration: Narration, fps: int, rules: ReadingRules = RULES
) -> CaptionTrack:
    """Place every caption over the audio that speaks it, keep it inside the reading rules, snap to frames.

    Each caption starts when its words start. Then, wherever the narration allows:

    - a caption on screen longer than ``rules.max_seconds`` is cut between its lines, its time
      shared by what each line says;
    - a caption too short (under ``rules.min_seconds``) or too fast to read (over
      ``rules.max_chars_per_second``) stays up into the silence after it, until the next
      caption or the end of its scene;
    - one still too short joins its neighbour from the same paragraph (or point) when the two
      together have at most ``plan.max_lines`` lines and stay inside the rules.
    """
    planned = [p for scene in plan.scenes for p in scene]
    timed = [
        _Timed(item, item.text.lines, item.text.spoken, start, end)
        for item, (start, end) in zip(planned, narration.pieces, strict=True)
    ]
    timed = [part for cue in timed for part in _cut_long(cue, rules)]
    limits = {i: end for i, (_start, end) in enumerate(narration.scenes)}
    _hold(timed, limits, rules)
    timed = _join_short(timed, plan.max_lines, rules)
    _hold(timed, limits, rules)
    cues: list[Cue] = []
    for index, cue in enumerate(timed):
        first = to_frame(cue.start, fps)
        end = max(to_frame(cue.end, fps), first + 1)
        item = cue.item
        cues.append(
            Cue(index + 1, item.scene, item.block, item.kind, cue.lines, cue.spoken, first, end, fps, item.point)
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


@dataclass
class _Timed:
    """A caption with its time in seconds while the rules are applied."""

    item: PlannedCaption
    lines: tuple[str, ...]
    spoken: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def characters(self) -> float:
        return sum(chars(line) for line in self.lines)

    def too_short(self, rules: ReadingRules) -> bool:
        return self.seconds < rules.min_seconds - 1e-9

    def too_fast(self, rules: ReadingRules) -> bool:
        return self.characters > rules.max_chars_per_second * max(self.seconds, 1e-9) + 1e-9

    def same_paragraph(self, other: _Timed) -> bool:
        a, b = self.item, other.item
        return (a.scene, a.block, a.point) == (b.scene, b.block, b.point)


def _cut_long(cue: _Timed, rules: ReadingRules) -> list[_Timed]:
    """A caption on screen too long becomes one caption a line, timed by what each line says."""
    spoken = cue.item.text.line_spoken
    if cue.seconds <= rules.max_seconds or len(cue.lines) < 2 or len(spoken) != len(cue.lines):
        return [cue]
    weights = [speakable(text) for text in spoken]
    parts: list[_Timed] = []
    start = cue.start
    for index, (line, text) in enumerate(zip(cue.lines, spoken, strict=True)):
        end = cue.end if index == len(cue.lines) - 1 else start + cue.seconds * weights[index] / sum(weights)
        parts.append(_Timed(cue.item, (line,), text, start, end))
        start = end
    return parts


def _hold(cues: list[_Timed], scene_ends: dict[int, float], rules: ReadingRules) -> None:
    """Keep short or fast captions up into the silence that follows them."""
    for index, cue in enumerate(cues):
        if not (cue.too_short(rules) or cue.too_fast(rules)):
            continue
        following = cues[index + 1] if index + 1 < len(cues) else None
        limit = scene_ends.get(cue.item.scene, cue.end)
        if following is not None and following.item.scene == cue.item.scene:
            limit = min(limit, following.start)
        wanted = max(cue.start + rules.min_seconds, cue.start + cue.characters / rules.max_chars_per_second)
        cue.end = max(cue.end, min(wanted, limit, cue.start + rules.max_seconds))


def _join_short(cues: list[_Timed], max_lines: int, rules: ReadingRules) -> list[_Timed]:
    """Join a caption still too short with a neighbour of the same paragraph, when the two fit together."""
    result: list[_Timed] = []
    index = 0
    while index < len(cues):
        cue = cues[index]
        following = cues[index + 1] if index + 1 < len(cues) else None
        if cue.too_short(rules) and following is not None and _joinable(cue, following, max_lines, rules):
            result.append(_joined(cue, following))
            index += 2
            continue
        if cue.too_short(rules) and result and _joinable(result[-1], cue, max_lines, rules):
            result[-1] = _joined(result[-1], cue)
            index += 1
            continue
        result.append(cue)
        index += 1
    return result


def _joinable(first: _Timed, second: _Timed, max_lines: int, rules: ReadingRules) -> bool:
    return (
        first.same_paragraph(second)
        and len(first.lines) + len(second.lines) <= max_lines
        and second.end - first.start <= rules.max_seconds
    )


def _joined(first: _Timed, second: _Timed) -> _Timed:
    spoken = "".join(s for s in (first.spoken, second.spoken) if s)
    return _Timed(first.item, first.lines + second.lines, spoken, first.start, max(first.end, second.end))


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
