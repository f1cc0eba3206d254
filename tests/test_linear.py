"""Caption splitting and text layout take near-linear work in the length of the text.

Nothing is timed: a counting ``measure`` says how many times text was measured, and that
count may grow at most linearly (a quadratic path would multiply it by 16 for 4 times the text).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from pipeline.captions.split import plan_captions, split_captions
from pipeline.config import load_config
from pipeline.picture.fonts import FontFace, resolve_bold_font, resolve_font
from pipeline.picture.layout import Layout, caption_measure, check_episode_layout, planned_captions, wrap_offsets
from pipeline.script import Span, parse_script
from tests.conftest import make_project

SENTENCE = "禁止从建筑物中抛掷物品从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的由侵权人依法承担侵权责任"


def counting() -> tuple[Callable[[str], float], list[int]]:
    calls: ClassVar[list[int]] = [0]

    def measure(text: str) -> float:
        calls[0] += 1
        return 52.0 * len(text)

    return measure, calls


def split_calls(text: str) -> int:
    measure, calls = counting()
    captions = split_captions([Span(text, text)], measure, 1000.0, 2)
    assert "".join("".join(c.lines) for c in captions).replace("，", "") == text.replace("，", "")
    return calls[0]


def wrap_calls(text: str) -> int:
    measure, calls = counting()
    lines = wrap_offsets(text, measure, 1000)
    assert "".join(text[start:end] for start, end in lines) == text
    return calls[0]


def text_of(length: int, *, punctuation: bool) -> str:
    source = SENTENCE + ("，" if punctuation else "")
    return (source * (length // len(source) + 1))[:length]


def test_splitting_without_punctuation_is_linear() -> None:
    small, large = split_calls(text_of(500, punctuation=False)), split_calls(text_of(2000, punctuation=False))
    assert large <= 4.5 * small + 100, (small, large)


def test_splitting_with_punctuation_is_linear() -> None:
    small, large = split_calls(text_of(500, punctuation=True)), split_calls(text_of(2000, punctuation=True))
    assert large <= 4.5 * small + 100, (small, large)


def test_the_case_file_paragraph_is_split_in_linear_work() -> None:
    small, large = split_calls(text_of(2000, punctuation=False)), split_calls(text_of(8000, punctuation=False))
    assert large <= 4.5 * small + 100, (small, large)


def test_law_card_and_title_layout_is_linear() -> None:
    small, large = wrap_calls(text_of(2000, punctuation=False)), wrap_calls(text_of(8000, punctuation=False))
    assert large <= 4.5 * small + 100, (small, large)


class CountingFace(FontFace):
    """A real face that counts how often text is measured with it."""

    calls: ClassVar[list[int]] = [0]

    def length(self, size: int, text: str) -> float:
        CountingFace.calls[0] += 1
        return super().length(size, text)


def layout_calls(root: Path, body: str, kind: str) -> int:
    """Measurements made by the layout pass of ``pufa check`` over an episode whose one scene is ``body``."""
    paragraph = f"> 《中华人民共和国民法典》第一千二百五十四条规定：{body}" if kind == "law" else body
    script = root / "scripts" / f"{len(body):04d}-{kind}.md"
    script.write_text(
        f"---\nepisode: {len(body)}\ntitle: 没有标点的长段落\ntopic: 民法典\n---\n## 长段\n{paragraph}\n",
        encoding="utf-8",
    )
    config = load_config(root)
    regular, bold = resolve_font(config), resolve_bold_font(config)
    layout = Layout(
        config,
        CountingFace(regular.path, regular.index, regular.language),
        CountingFace(bold.path, bold.index, bold.language),
        config.video.width,
        config.video.height,
    )
    episode = parse_script(script)
    plan = plan_captions(episode, caption_measure(layout), layout.caption_width(), config.captions.max_lines)
    CountingFace.calls[0] = 0
    found = check_episode_layout(layout, episode, planned_captions(plan))
    assert found == [], [p.message for p in found]
    return CountingFace.calls[0]


@pytest.mark.parametrize("kind", ["narration", "law"])
@pytest.mark.parametrize("punctuation", [False, True], ids=["no-punctuation", "punctuation"])
def test_the_layout_pass_of_check_is_linear(tmp_path: Path, kind: str, punctuation: bool) -> None:
    """Every screen state of a 500- and a 2,000-character scene (a board without a picture, or a law card)."""
    root = make_project(tmp_path / "series")
    small = layout_calls(root, text_of(500, punctuation=punctuation), kind)
    large = layout_calls(root, text_of(2000, punctuation=punctuation), kind)
    assert large <= 4.5 * small + 100, (small, large)


class CountingText(str):
    """An official law text that counts how often it is searched."""

    finds = 0

    def find(self, *args: object) -> int:  # type: ignore[override]
        CountingText.finds += 1
        return super().find(*args)  # type: ignore[arg-type]


def departure_finds(length: int) -> int:
    from pipeline.review.laws import _departure

    official = text_of(length, punctuation=False)
    quote = official[: length - 1] + "错"  # agrees with the law up to its last character
    CountingText.finds = 0
    message = _departure(quote, CountingText(official), 0)
    assert message.endswith(f"where the official text has '…{official[-5:]}…'"), message
    return CountingText.finds


def test_a_misquoted_law_card_is_located_in_logarithmic_searches() -> None:
    """Each search is linear in the law's text, so one per character quoted would be quadratic."""
    small, large = departure_finds(500), departure_finds(8000)
    assert large <= small + 8, (small, large)
