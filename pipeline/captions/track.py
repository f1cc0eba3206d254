"""The caption track: every caption placed on the timeline in whole frames, and its SubRip text.

Captions are timed from the narration (when each piece is spoken) and snapped to frames;
the SRT uses exactly the same frame times as the burned-in captions.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.captions.split import RULES, CaptionPlan, PlannedCaption, ReadingRules, chars, speakable, words
from pipeline.script import Episode
from pipeline.speech.base import speakable as said_characters
from pipeline.speech.base import spread
from pipeline.speech.narration import Narration


@dataclass(frozen=True)
class Cue:
    """A caption on the timeline, in whole frames: on screen for frames [first, last).

    ``index`` counts from 1; ``scene``/``block`` index the episode's scenes and the scene's
    blocks; ``kind`` is the block's kind (narration, law, points); ``point`` indexes the
    block's points for a caption of a list, else -1. ``words`` (only when captions highlight
    words) are the caption's words as (line, start, end, first frame): characters [start, end)
    of ``lines[line]`` are being said from that frame until the next word's (the last until
    ``end_frame``); a 《》 title or 第…条 is one word.
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
    words: tuple[tuple[int, int, int, int], ...] = ()

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
    episode: Episode,
    plan: CaptionPlan,
    narration: Narration,
    fps: int,
    rules: ReadingRules = RULES,
    *,
    words: bool = False,
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

    With ``words``, each cue also gets its words' frames (:attr:`Cue.words`), from when the
    narration says each character (:attr:`Narration.times`).
    """
    planned = [p for scene in plan.scenes for p in scene]
    times = narration.times if len(narration.times) == len(planned) else ((),) * len(planned)
    timed = [
        _Timed(item, item.text.lines, item.text.spoken, start, end, said)
        for item, (start, end), said in zip(planned, narration.pieces, times, strict=True)
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
        found = word_frames(cue.lines, cue.spoken, cue.character_times(), first, end, fps) if words else ()
        cues.append(
            Cue(index + 1, item.scene, item.block, item.kind, cue.lines, cue.spoken, first, end, fps, item.point, found)
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
    times: tuple[float, ...] = ()  # when each speakable character of ``spoken`` starts

    def character_times(self) -> tuple[float, ...]:
        count = len(said_characters(self.spoken))
        return self.times if len(self.times) == count else spread(count, self.start, self.end)

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
    counts = [len(said_characters(text)) for text in spoken]
    known = cue.times if len(cue.times) == sum(counts) else ()
    parts: list[_Timed] = []
    start = cue.start
    first = 0
    for index, (line, text) in enumerate(zip(cue.lines, spoken, strict=True)):
        end = cue.end if index == len(cue.lines) - 1 else start + cue.seconds * weights[index] / sum(weights)
        parts.append(_Timed(cue.item, (line,), text, start, end, known[first : first + counts[index]]))
        start = end
        first += counts[index]
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
    times = first.character_times() + second.character_times()
    return _Timed(first.item, first.lines + second.lines, spoken, first.start, max(first.end, second.end), times)


# A 《》 title (or the part of one on this line) and an article number 第…条 are highlighted as one word.
_NUMBER = r"[零〇一二三四五六七八九十百千万两\d]+"
_UNIT = re.compile(rf"《[^《》]*》?|第{_NUMBER}条(?:之{_NUMBER})?(?:第{_NUMBER}款)?")


def highlight_units(line: str) -> list[tuple[int, int]]:
    """The words of a caption line as (start, end) offsets: jieba words, with a 《》 title and 第…条 whole.

    Punctuation joins the word before it. A line that opens inside a title (its 《 was on the line
    before) starts with that part of the title as one word.
    """
    units: list[tuple[int, int]] = []
    position = 0
    closing = line.find("》")
    if closing >= 0 and "《" not in line[:closing]:
        units.append((0, closing + 1))
        position = closing + 1
    for match in _UNIT.finditer(line, position):
        units += _words(line, position, match.start())
        units.append((match.start(), match.end()))
        position = match.end()
    units += _words(line, position, len(line))
    merged: list[tuple[int, int]] = []
    for start, end in units:
        if merged and not said_characters(line[start:end]):
            merged[-1] = (merged[-1][0], end)
        elif merged and not said_characters(line[merged[-1][0] : merged[-1][1]]):
            merged[-1] = (merged[-1][0], end)  # opening punctuation joins the word after it
        else:
            merged.append((start, end))
    return merged


def _words(line: str, start: int, end: int) -> list[tuple[int, int]]:
    found = []
    for word in words(line[start:end]):
        found.append((start, start + len(word)))
        start += len(word)
    return found


def word_frames(
    lines: tuple[str, ...], spoken: str, times: tuple[float, ...], first: int, end: int, fps: int
) -> tuple[tuple[int, int, int, int], ...]:
    """Each word of a caption's ``lines`` as (line, start, end, frame): the frame its first character is said.

    ``times`` says when each speakable character of ``spoken`` starts; the shown text is matched
    to the spoken one (they differ where numbers and symbols are read out), and a shown character
    with no match takes its place in proportion between matched neighbours. Frames rise and stay
    in [first, end); the first word starts with the caption.
    """
    shown = said_characters("".join(lines))
    said = said_characters(spoken)
    if len(times) != len(said):
        times = spread(len(said), first / fps, end / fps)
    position = _matcher(shown, said)
    result: list[tuple[int, int, int, int]] = []
    counted = 0
    previous = first
    for row, line in enumerate(lines):
        for index, (a, b) in enumerate(highlight_units(line)):
            before = counted + len(said_characters(line[:a]))
            if index == 0 and result and "》" in line[a:b] and "《" not in line[a:b]:
                frame = result[-1][3]  # the rest of a title broken across lines lights with its start
            elif times:
                frame = round(times[min(position(before), len(times) - 1)] * fps)
            else:
                frame = previous
            frame = min(max(frame, previous), end - 1)
            result.append((row, a, b, frame if result else first))
            previous = result[-1][3]
        counted += len(said_characters(line))
    return tuple(result)


def _matcher(shown: str, said: str) -> Callable[[int], int]:
    """Maps an offset into ``shown`` to that of the same character in ``said`` (interpolated where they differ)."""
    blocks = difflib.SequenceMatcher(None, shown, said, autojunk=False).get_matching_blocks()
    anchors = [(0, 0)]
    for a, b, size in blocks:
        anchors += [(a + k, b + k) for k in range(size)]
    anchors.append((len(shown), len(said)))

    def position(offset: int) -> int:
        low = max((p for p in anchors if p[0] <= offset), key=lambda p: p[0])
        high = min((p for p in anchors if p[0] >= offset), key=lambda p: p[0])
        if high[0] == low[0]:
            return low[1]
        return low[1] + round((high[1] - low[1]) * (offset - low[0]) / (high[0] - low[0]))

    return position


def format_srt(track: CaptionTrack) -> str:
    """The SubRip text of a track: the same text and times as the burned-in captions."""
    blocks = [
        f"{cue.index}\n{cue_time(cue.first_frame, track.fps)} --> {cue_time(cue.end_frame, track.fps)}\n{cue.text}\n"
        for cue in track.cues
    ]
    return "\n".join(blocks)


def cue_time(frame: int, fps: int, separator: str = ",") -> str:
    """The start of ``frame`` as a cue time, HH:MM:SS,mmm (SubRip) or with ``separator`` "." (WebVTT)."""
    millis = round(frame * 1000 / fps)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
