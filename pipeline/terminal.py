"""Text bound for a terminal: its width in columns, and escaping what a terminal would obey.

Used by every module that prints, so none of them depends on another to measure a line.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls (ESC starts every escape sequence), DEL, and the Unicode line and
# paragraph separators: a terminal would act on them, so they are shown as \xNN or \uNNNN.
# So are the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder
# what follows them on the line ("Trojan Source", CVE-2021-42574).
# Lone surrogates (undecodable bytes of a file name) cannot even be encoded for printing.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every control character shown escaped (``\\x1b``, ``\\r``), so printing it cannot
    move the cursor, clear the screen, retitle the window or forge a line of output.

    Tabs are kept; newlines only with ``keep_newlines`` (for multi-line output that pufa itself made).
    """
    pattern = _CONTROL if keep_newlines else _CONTROL_OR_BREAK

    def shown(match: re.Match[str]) -> str:
        char = match[0]
        if char == "\t":
            return char
        named = {"\r": "\\r", "\n": "\\n"}.get(char)
        if named:
            return named
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            return f"\\x{code - 0xDC00:02x}"  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return pattern.sub(shown, text)
