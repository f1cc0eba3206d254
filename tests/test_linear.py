"""Caption splitting and text layout take near-linear work in the length of the text.

Nothing is timed: a counting ``measure`` says how many times text was measured, and that
count may grow at most linearly (a quadratic path would multiply it by 16 for 4 times the text).
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.captions.split import split_captions
from pipeline.picture.layout import wrap_offsets
from pipeline.script import Span

SENTENCE = "禁止从建筑物中抛掷物品从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的由侵权人依法承担侵权责任"


def counting() -> tuple[Callable[[str], float], list[int]]:
    calls = [0]

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
