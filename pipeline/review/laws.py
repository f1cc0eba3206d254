"""The official texts of the laws, for checking that a law card quotes its article exactly.

Reads a folder of laws in the LawRefBook layout: one Markdown file per law (or per part of
the Civil Code), the law's full name as the first ``# `` line, dates up to
``<!-- INFO END -->``, then articles as paragraphs starting ``第…条 ``. Where a law has
several versions, the file with the latest date in its name wins.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import read_text
from pipeline.i18n import _

_ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)\s+(.*)$")
_DATE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")
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

    def article(self, law: str, number: str) -> str | None:
        """The text of ``number`` (第一千二百五十四条) of ``law`` (with or without 《》), paragraphs joined."""
        return self.articles.get((law.strip("《》"), number))

    def has_law(self, law: str) -> bool:
        """Whether the folder holds ``law`` (with or without 《》) at all."""
        title = law.strip("《》")
        return any(key[0] == title for key in self.articles)

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
    agreed, at = 0, official.find(part[:1], start)
    while agreed < len(part) and official.find(part[: agreed + 1], start) >= 0:
        agreed += 1
        at = official.find(part[:agreed], start)
    if agreed == 0:
        return _("'{part}…' is not in the official text (or not after the words quoted before it)").format(
            part=part[:12]
        )
    low = max(agreed - 4, 0)
    quoted = part[low : agreed + 4]
    enacted = official[at + low : at + low + len(quoted)]
    return _("'…{quoted}…' where the official text has '…{enacted}…'").format(quoted=quoted, enacted=enacted)


@functools.lru_cache(maxsize=4)
def load_laws(folder: Path) -> LawLibrary:
    articles: dict[tuple[str, str], str] = {}
    files = sorted(folder.rglob("*.md"), key=lambda p: (_DATE.findall(p.name) or [""])[-1])
    for path in files:
        lines = read_text(path).splitlines()
        if not lines or not lines[0].startswith("# ") or "<!-- INFO END -->" not in lines:
            continue
        title = lines[0][2:].strip()
        current: str | None = None
        for line in lines[lines.index("<!-- INFO END -->") + 1 :]:
            text = line.strip()
            match = _ARTICLE.match(text)
            if match:
                current = match[1]
                articles[(title, current)] = match[2].strip()
            elif text.startswith("#"):
                current = None
            elif text and current is not None:
                articles[(title, current)] += text
    return LawLibrary(folder, articles)
