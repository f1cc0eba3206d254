"""The official texts of the laws, for checking that a law card quotes its article exactly.

Reads a folder of laws in the LawRefBook layout: one Markdown file per law (or per part of
the Civil Code), the law's full name as the first ``# `` line, dates up to
``<!-- INFO END -->``, then articles as paragraphs starting ``第…条 ``. Where a law has
several versions, the file with the latest date in its name wins.
"""

from __future__ import annotations

import functools
import io
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import TextFileError, display_path
from pipeline.fsutil import read_text
from pipeline.i18n import _

_ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)\s+(.*)$")
_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")
_INFO_END = re.compile(r"^<!-- INFO END -->\r?$", re.MULTILINE)
ELLIPSIS = re.compile(r"…+|\.{3,}")
_EDGE_PUNCTUATION = "，。；：、！？,.;:!? "
# A colon or comma typed half-width in one text and full-width in the other is the same
# punctuation, not a misquote (some official texts set '劳动合同:（一）'); one character for one, so
# positions in the folded text are positions in the original.
_WIDTH_FOLD = str.maketrans(":,;()?!", "：，；（）？！")


@dataclass(frozen=True)
class LawLibrary:
    folder: Path
    articles: dict[tuple[str, str], str]
    titles: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", frozenset(title for title, _number in self.articles))

    def article(self, law: str, number: str) -> str | None:
        """The text of ``number`` (第一千二百五十四条) of ``law`` (with or without 《》), paragraphs joined."""
        return self.articles.get((law.strip("《》"), number))

    def has_law(self, law: str) -> bool:
        """Whether the folder holds ``law`` (with or without 《》) at all."""
        return law.strip("《》") in self.titles

    def mismatch(self, law: str, number: str, quote: str) -> str | None:
        """None if ``quote`` is the article's own words (ellipses may skip parts), else where it departs."""
        official = self.article(law, number)
        if official is None:
            return None
        official = official.translate(_WIDTH_FOLD)
        position = 0
        for part in ELLIPSIS.split(quote.translate(_WIDTH_FOLD)):
            part = part.strip().strip(_EDGE_PUNCTUATION)
            if not part:
                continue
            found = official.find(part, position)
            if found < 0:
                return _departure(part, official, position)
            position = found + len(part)
        return None


def _departure(part: str, official: str, start: int) -> str:
    """'…抛弃物品…' where the official text has '…抛掷物品…': the first place the quote goes its own way."""
    # The longest start of ``part`` found in the official text, by bisection: if a start is
    # found, so is every shorter one. A find per halving, not one per character quoted.
    low, high = 0, len(part)
    while low < high:
        middle = (low + high + 1) // 2
        if official.find(part[:middle], start) >= 0:
            low = middle
        else:
            high = middle - 1
    agreed = low
    if agreed == 0:
        return _("'{part}…' is not in the official text (or not after the words quoted before it)").format(
            part=part[:12]
        )
    at = official.find(part[:agreed], start)
    low = max(agreed - 4, 0)
    quoted = part[low : agreed + 4]
    enacted = official[at + low : at + low + len(quoted)]
    return _("'…{quoted}…' where the official text has '…{enacted}…'").format(quoted=quoted, enacted=enacted)


@functools.lru_cache(maxsize=4)
def load_laws(folder: Path) -> LawLibrary:
    articles: dict[tuple[str, str], str] = {}
    files = sorted(folder.rglob("*.md"), key=lambda p: (_DATE.findall(p.name) or [""])[-1])
    for path in files:
        _refuse_unless_file(path)
        text = read_text(path)
        info_end = _INFO_END.search(text)
        if not text.startswith("# ") or info_end is None:
            continue
        title = text[2 : text.find("\n") if "\n" in text else len(text)].strip()
        body = _lines(text, info_end.end())
        articles.update(((title, number), article) for number, article in parse_articles(body))
    return LawLibrary(folder, articles)


def _lines(text: str, start: int) -> Iterator[str]:
    """The lines of ``text`` from ``start`` on, one at a time (a list of them all would cost 60 bytes a line)."""
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end]
        start = end + 1


def parse_articles(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(第…条, its text with its paragraphs joined) for each article in a law's ``lines``, in order.

    Each article's paragraphs are written to a buffer and read out once: adding each paragraph
    to the text so far would copy the text once per paragraph, quadratic in a long article.
    """
    number: str | None = None
    current = io.StringIO()
    for line in lines:
        text = line.strip()
        match = _ARTICLE.match(text)
        if match or text.startswith("#"):
            if number is not None:
                yield number, current.getvalue()
            number, current = (match[1], io.StringIO(match[2].strip())) if match else (None, io.StringIO())
            current.seek(0, io.SEEK_END)
        elif text and number is not None:
            current.write(text)
    if number is not None:
        yield number, current.getvalue()


def _refuse_unless_file(path: Path) -> None:
    """One line for a law 'file' that is a folder, a FIFO or a device: it is never opened (a FIFO would block)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise TextFileError(f"{display_path(path)}: error: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        if stat.S_ISDIR(mode):
            problem = _("a folder named like a law text; every .md in review.laws_dir is read as a law, rename it")
        else:
            problem = _(
                "not a regular file (a pipe or a device); every .md in review.laws_dir is read as a law, remove it"
            )
        raise TextFileError(f"{display_path(path)}: error: {problem}")
