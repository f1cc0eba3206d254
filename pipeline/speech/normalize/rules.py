"""What a class module gives the tagger: rules that recognise a span by its shape and context.

A :class:`Rule` is tried at a position of the sentence; its pattern must match there, and its
``read`` function looks at the match (and the words around it, through ``match.string``) and
returns the spoken form, or ``None`` when the span is not of its class after all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A clause ends at these; context words are looked for only inside the span's own clause.
_CLAUSE_END = re.compile(r"[。！？；，,;!?\n]")


@dataclass(frozen=True)
class Rule:
    """One shape of one class: ``kind`` names the class (date, time, money …)."""

    kind: str
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str]], str | None]


def before(match: re.Match[str], width: int = 8) -> str:
    """Up to ``width`` characters before the span, within its clause."""
    text = match.string[max(0, match.start() - width) : match.start()]
    return _CLAUSE_END.split(text)[-1]


def after(match: re.Match[str], width: int = 8) -> str:
    """Up to ``width`` characters after the span, within its clause."""
    return _CLAUSE_END.split(match.string[match.end() : match.end() + width])[0]
