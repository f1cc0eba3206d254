"""The project lexicon (``assets/lexicon.tsv``): written forms the editor wants read another way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.fsutil import read_text
from pipeline.i18n import _
from pipeline.limits import CONTROL, LEXICON_CHARS, LEXICON_ENTRIES


@dataclass(frozen=True)
class Lexicon:
    """Written form → spoken form, longest written forms first (for polyphones and place names)."""

    entries: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _by_first(self) -> dict[str, tuple[tuple[str, str], ...]]:
        index: dict[str, list[tuple[str, str]]] = {}
        for entry in self.entries:
            index.setdefault(entry[0][0], []).append(entry)
        return {first: tuple(entries) for first, entries in index.items()}

    def match(self, text: str, position: int) -> tuple[str, str] | None:
        """The longest entry written at ``position`` of ``text``, as (written, spoken)."""
        for written, spoken in self._by_first.get(text[position], ()):
            if text.startswith(written, position):
                return written, spoken
        return None

    def apply(self, text: str) -> str:
        """``text`` with every entry replaced by its spoken form, longest first, left to right."""
        out: list[str] = []
        position = 0
        while position < len(text):
            entry = self.match(text, position)
            out.append(entry[1] if entry else text[position])
            position += len(entry[0]) if entry else 1
        return "".join(out)


def load_lexicon(path: Path) -> Lexicon:
    """Read ``written<TAB>spoken`` lines; ``#`` starts a comment. A malformed line is an error naming it.

    A reading goes to the voice as it is, so it must be words as said: bounded in length (a
    reading cannot blow the narration up past its limits before they are checked), without
    control characters, digits (nothing would read them) or pufa's ``{显示|读作}`` markup.
    """
    if not path.is_file():
        return Lexicon()
    entries: dict[str, str] = {}
    for number, line in enumerate(read_text(path, "utf-8-sig").splitlines(), start=1):
        content = line.split("#", 1)[0].rstrip()
        if not content.strip():
            continue
        parts = content.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            shown = line if len(line) <= 60 else line[:60] + "…"
            problem = _("a lexicon line is 'written<TAB>spoken', got {line!r}").format(line=shown)
            raise ConfigError(f"{path}:{number}: error: {problem}")
        written, spoken = parts[0].strip(), parts[1].strip()
        wrong = _entry_problem(written, spoken)
        if wrong:
            raise ConfigError(f"{path}:{number}: error: {wrong}")
        entries[written] = spoken
        if len(entries) > LEXICON_ENTRIES.value:
            raise ConfigError(
                f"{path}:{number}: error: more than {LEXICON_ENTRIES.value} entries, the limit for the lexicon "
                f"({LEXICON_ENTRIES.name})"
            )
    return Lexicon(tuple(sorted(entries.items(), key=lambda e: -len(e[0]))))


_DIGIT = re.compile(r"\d")


def _entry_problem(written: str, spoken: str) -> str | None:
    """Why ``written<TAB>spoken`` cannot be a lexicon entry, or None."""
    for text, which in ((written, _("the written form")), (spoken, _("the reading"))):
        if len(text) > LEXICON_CHARS.value:
            return _("{which} has {count} characters; the limit is {value} ({name})").format(
                which=which, count=len(text), value=LEXICON_CHARS.value, name=LEXICON_CHARS.name
            )
        control = CONTROL.search(text)
        if control:
            return _("{which} contains the control character U+{code:04X}; remove it").format(
                which=which, code=ord(control[0])
            )
    digit = _DIGIT.search(spoken)
    if digit:
        return _("the reading of '{written}' has the digit '{digit}'; write numbers in words as they are said").format(
            written=written, digit=digit[0]
        )
    brace = next((c for c in spoken if c in "{}"), None)
    if brace:
        return _(
            "the reading of '{written}' has '{brace}'; a reading is said as written, {{显示|读作}} applies in scripts"
        ).format(written=written, brace=brace)
    return None
