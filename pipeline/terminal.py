"""Text bound for a terminal: its width in columns, and escaping what a terminal would obey.

Used by every module that prints, so none of them depends on another to measure a line.
"""

from __future__ import annotations

import unicodedata


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
