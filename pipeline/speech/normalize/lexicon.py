"""The project lexicon (``assets/lexicon.tsv``): written forms the editor wants read another way."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.fsutil import read_text
from pipeline.i18n import _
from pipeline.limits import LEXICON_ENTRIES


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
    """Read ``written<TAB>spoken`` lines; ``#`` starts a comment. A malformed line is an error naming it."""
    if not path.is_file():
        return Lexicon()
    entries: dict[str, str] = {}
    for number, line in enumerate(read_text(path, "utf-8-sig").splitlines(), start=1):
        content = line.split("#", 1)[0].rstrip()
        if not content.strip():
            continue
        parts = content.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            problem = _("a lexicon line is 'written<TAB>spoken', got {line!r}").format(line=line)
            raise ConfigError(f"{path}:{number}: error: {problem}")
        entries[parts[0].strip()] = parts[1].strip()
        if len(entries) > LEXICON_ENTRIES.value:
            raise ConfigError(
                f"{path}:{number}: error: more than {LEXICON_ENTRIES.value} entries, the limit for the lexicon "
                f"({LEXICON_ENTRIES.name})"
            )
    return Lexicon(tuple(sorted(entries.items(), key=lambda e: -len(e[0]))))
