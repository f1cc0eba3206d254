"""The law citations of a script: their form, ``laws:`` and the enacted text they quote.

A misquoted article on screen is the series' costliest mistake, so these rules are shared:
``pufa check`` reports every finding, and ``pufa build`` refuses an episode with any of the
errors (:func:`citation_errors`) before rendering it, as the README promises ("the errors
are everything the build would reject").
"""

from __future__ import annotations

import re

from pipeline.config import Config
from pipeline.errors import Diagnostic
from pipeline.i18n import _
from pipeline.review.laws import LawLibrary, load_laws
from pipeline.script import Episode
from pipeline.speech.normalize import cardinal

_CN_NUMERAL = "零〇一二三四五六七八九十百千万两"
ARTICLE = rf"第(?:[{_CN_NUMERAL}]+|\d+)条(?:之(?:[{_CN_NUMERAL}]+|\d+))?"
STANDARD_CITATION = re.compile(rf"^《中华人民共和国[^《》]+》{ARTICLE}(?:第(?:[{_CN_NUMERAL}]+|\d+)款)?$")
CARD_CITATION = re.compile(rf"^(?P<law>《[^《》]+》)?(?P<article>{ARTICLE})")


def canonical_citation(law: str, article: str) -> str:
    """《中华人民共和国民法典》第一千二百五十四条, whatever numerals it was written with."""
    article = re.sub(r"\d+", lambda m: cardinal(int(m[0])), article)
    return f"{law}{article}"


def law_library(config: Config) -> LawLibrary | None:
    """The enacted texts in ``review.laws_dir`` (relative to the project), or None if unset or not a folder."""
    if not config.review.laws_dir:
        return None
    folder = (config.root / config.review.laws_dir).resolve()
    return load_laws(folder) if folder.is_dir() else None


def _quote_of(card: str, citation_end: int) -> str:
    """The quoted words of a law card: what follows its citation and an optional 规定 and colon."""
    rest = card[citation_end:]
    return re.sub(r"^\s*(规定)?\s*[：:，,]?\s*", "", rest)


def citation_findings(episode: Episode, library: LawLibrary | None = None) -> list[Diagnostic]:
    """Every finding on the episode's citations, errors and warnings, in script order.

    Errors: a card citing an article not listed in ``laws:``; a card whose words are not the
    enacted text (with ``library``). Warnings: a citation not in the standard form, a card
    without its citation or law, a law name not in ``library`` (a typo such as 民发典).
    """
    path = episode.path
    findings: list[Diagnostic] = []
    listed: set[str] = set()
    line = episode.line_of("laws")
    for law in episode.laws:
        if not STANDARD_CITATION.match(law):
            findings.append(
                Diagnostic(
                    path,
                    line,
                    _("'{law}' is not in the standard form 《中华人民共和国X法》第…条").format(law=law),
                    "warning",
                    1,
                )
            )
        match = CARD_CITATION.match(law)
        if match and match["law"]:
            listed.add(canonical_citation(match["law"], match["article"]))
            if library is not None and not library.has_law(match["law"]):
                message = _("laws: {law} is not a law in {name}/; check its name").format(
                    law=match["law"], name=library.folder.name
                )
                findings.append(Diagnostic(path, line, message, "warning", 1))
    current_law: str | None = None
    for scene in episode.scenes:
        for block in scene.blocks:
            if block.kind != "law":
                continue
            match = CARD_CITATION.match(block.shown)
            if match is None:
                message = _(
                    "a law card should start with its citation, e.g. 《中华人民共和国民法典》第一千二百五十四条"
                )
                findings.append(Diagnostic(path, block.line, message, "warning", 1))
                continue
            current_law = match["law"] or current_law
            if current_law is None:
                message = _("law card cites {article} without naming the law").format(article=match["article"])
                findings.append(Diagnostic(path, block.line, message, "warning", 1))
                continue
            citation = canonical_citation(current_law, match["article"])
            if library is not None:
                article = canonical_citation("", match["article"])
                if library.article(current_law, article) is None:
                    folder = library.folder.name
                    message = _("{citation} is not in the law texts in {name}/; its wording was not checked").format(
                        citation=citation, name=folder
                    )
                    findings.append(Diagnostic(path, block.line, message, "warning", 1))
                else:
                    wrong = library.mismatch(current_law, article, _quote_of(block.shown, match.end()))
                    if wrong is not None:
                        message = _("law card does not quote {citation} as enacted: {wrong}").format(
                            citation=citation, wrong=wrong
                        )
                        findings.append(Diagnostic(path, block.line, message, "error", 1))
            if match["law"] and not current_law.startswith("《中华人民共和国"):
                message = _("'{current_law}' is not the full title; write 《中华人民共和国…》").format(
                    current_law=current_law
                )
                findings.append(Diagnostic(path, block.line, message, "warning", 1))
            if citation not in listed:
                message = _("law card cites {citation}, which is not listed in laws:").format(citation=citation)
                findings.append(Diagnostic(path, block.line, message, "error", 1))
    return findings


def citation_errors(config: Config, episode: Episode) -> list[Diagnostic]:
    """The citation findings the build refuses an episode for (see :func:`citation_findings`)."""
    return [d for d in citation_findings(episode, law_library(config)) if d.severity == "error"]
