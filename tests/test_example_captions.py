"""The example episodes in scripts/: every caption breaks between words and keeps the reading rules."""

from __future__ import annotations

from itertools import accumulate
from pathlib import Path

import pytest

from pipeline.captions.split import RULES, chars, plan_captions, words
from pipeline.captions.track import CaptionTrack, time_captions
from pipeline.config import load_config
from pipeline.render import Tools, voice_settings
from pipeline.script import Episode, parse_script
from pipeline.speech.narration import narrate
from tests.conftest import REPO

EXAMPLES = sorted((REPO / "scripts").glob("*.md"))


def timed(path: Path, work: Path) -> tuple[Episode, CaptionTrack]:
    config = load_config(REPO)
    tools = Tools.load(config, "espeak")
    episode = parse_script(path)
    scale = config.video.width / 1080
    font = tools.font.pil(round(config.captions.font_size * scale))
    width = config.video.width - 2 * round(config.captions.margin * scale)
    plan = plan_captions(episode, font.getlength, width, config.captions.max_lines, tools.speak)
    narration = narrate(
        episode,
        plan,
        tools.voice.engine,
        settings=voice_settings(config, episode, tools.voice),
        fps=config.video.fps,
        title_seconds=config.video.title_seconds,
        closing_seconds=config.video.closing_seconds,
        audio_path=work / "narration.wav",
    )
    return episode, time_captions(episode, plan, narration, config.video.fps)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_captions_break_between_words_and_keep_the_reading_rules(path: Path, tmp_path: Path) -> None:
    episode, track = timed(path, tmp_path)
    paragraphs = {
        (s, b, p): "".join(span.shown for span in part)
        for s, scene in enumerate(episode.scenes)
        for b, block in enumerate(scene.blocks)
        for p, part in enumerate(block.parts)
    }
    broken: list[str] = []
    position: dict[tuple[int, int, int], int] = {}
    for cue in track.cues:
        key = (cue.scene, cue.block, max(cue.point, 0))
        text = paragraphs[key]
        edges = {0, *accumulate(len(w) for w in words(text))}
        for line in cue.lines:
            at = text.index(line, position.get(key, 0))
            if at not in edges:
                broken.append(f"{text[max(at - 4, 0):at]}|{line[:4]}")
            position[key] = at + len(line)
    assert broken == [], "a caption line starts inside a word"
    for cue in track.cues:
        seconds = cue.end - cue.start
        shown = sum(chars(line) for line in cue.lines)
        assert len(cue.lines) <= 2 and all(chars(line) <= RULES.max_line_chars for line in cue.lines), cue.lines
        assert RULES.min_seconds - 0.02 <= seconds <= RULES.max_seconds + 0.02, (cue.lines, seconds)
        assert shown / seconds <= RULES.max_chars_per_second + 0.1, (cue.lines, seconds)


CASES = Path(__file__).parent / "cases" / "scripts"


@pytest.mark.parametrize("name", ["21-word-split-across-captions.md", "22-long-title-caption-sync.md"])
def test_case_captions_when_narrated(name: str, tmp_path: Path) -> None:
    episode, track = timed(CASES / name, tmp_path)
    text = episode.scenes[0].blocks[0].shown
    edges = {0, *accumulate(len(w) for w in words(text))}
    position = 0
    for cue in track.cues:
        assert cue.spoken, "every caption is spoken while it is shown"
        assert RULES.min_seconds - 0.02 <= cue.end - cue.start <= RULES.max_seconds + 0.02
        for line in cue.lines:
            position = text.index(line, position)
            assert position in edges, line
            position += len(line)
    if name.startswith("22"):
        title = [cue for cue in track.cues if "》" in cue.text or "《" in cue.text]
        assert len(title) >= 2 and all(c.start < c.end for c in title)
