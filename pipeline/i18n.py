"""pufa in the user's language: Chinese when the locale is Chinese, English otherwise.

Messages and help come from the gettext catalogue ``pipeline/locale/zh_CN/LC_MESSAGES/pufa.mo``
(extracted with Babel from the whole ``pipeline`` package by ``tools/messages.py``, compiled
and committed). Message ids are the English texts, so a text nobody has translated yet shows
in English. The library marks what it tells the user with :func:`_` where the message is
made (a finding, an error, a progress line), so the CLI and the studio say the same words;
``path:line: error:`` prefixes stay English, for editors and tools that jump to the line.
A text made at import time is marked with :func:`N_` and translated where it is shown; a short
word that means different things in different places carries a context (:func:`C_`, :func:`NC_`).

The language is the locale's for the process; :func:`speaking` changes it for one context
(a request or a job of the studio, which is always Chinese). click's own words (Usage,
Options, "Show this message and exit.") are in the same catalogue: pufa binds it as the
process's gettext domain, which click reads.
"""

from __future__ import annotations

import gettext
import inspect
import locale
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

DOMAIN = "pufa"
LOCALE_DIR = Path(__file__).parent / "locale"
_KEYS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def chinese_locale(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the user reads Chinese: the first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG set, else the system's."""
    environ = os.environ if environ is None else environ
    for key in _KEYS:
        value = environ.get(key, "")
        if value:
            return value.split(":")[0].lower().startswith("zh")
    if sys.platform == "win32":  # pragma: no cover - the editors' PCs, which set no LANG
        name = locale.getlocale()[0] or ""
        return name.lower().startswith(("zh", "chinese"))
    return False


@lru_cache(maxsize=2)
def translation(chinese: bool) -> gettext.NullTranslations:
    """The Chinese catalogue, or no translation at all (English)."""
    if not chinese:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=["zh_CN"], fallback=True)


_active = translation(chinese_locale())
_context: ContextVar[gettext.NullTranslations | None] = ContextVar("pufa_language", default=None)


def _(message: str) -> str:
    """``message`` in the current language (see :func:`speaking`), else the user's."""
    return (_context.get() or _active).gettext(message)


def N_(message: str) -> str:
    """``message`` unchanged, marked for the catalogue (gettext's "extract, translate later").

    For texts made at import time; they are translated with :func:`_` where they are shown.
    """
    return message


def C_(context: str, message: str) -> str:
    """``message`` in the current language, as meant in ``context`` (gettext's ``pgettext``).

    For a short word whose Chinese depends on where it is shown: 'approved' is 已通过审核 as a
    review state and 通过 as a verdict in the trail.
    """
    return (_context.get() or _active).pgettext(context, message)


def NC_(context: str, message: str) -> str:
    """``message`` unchanged, marked for the catalogue in ``context``; translated with :func:`C_` where shown."""
    return message


def shown_name(context: str, names: Mapping[str, str], key: str) -> str:
    """``key``'s display name from ``names`` (marked with :func:`NC_` in ``context``), translated; else ``key``."""
    return C_(context, names[key]) if key in names else key


# click translates these with gettext at run time but marks them nowhere its catalogue can be extracted from:
# '[required]' after an option's help.
CLICK_WORDS = (N_("required"),)


def chinese_now() -> bool:
    """Whether messages made now come out in Chinese."""
    return (_context.get() or _active) is translation(True)


@contextmanager
def speaking(chinese: bool) -> Iterator[None]:
    """Messages made inside the block (in this thread or task) are in Chinese, or in English."""
    token = _context.set(translation(chinese))
    try:
        yield
    finally:
        _context.reset(token)


def setup() -> None:
    """Make the catalogue the process's gettext domain, so click's own words follow the same language."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    if chinese_locale() and not any(os.environ.get(key) for key in _KEYS):  # pragma: no cover - Windows
        os.environ["LANGUAGE"] = "zh_CN"


def translate_help(command: click.Command) -> None:
    """Every help text of ``command``, its options and its subcommands, in the user's language."""
    import click

    if command.help:
        command.help = "\n\n".join(_translate_paragraph(p) for p in _paragraphs(command.help))
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            param.help = _(param.help)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            translate_help(sub)


def help_texts(command: click.Command, path: str = "pufa") -> list[tuple[str, str]]:
    """(where, text) for every translatable piece of help under ``command``: what tools/messages.py extracts.

    A command's help is translated paragraph by paragraph, so editing one paragraph leaves the
    others translated; an example block (click's ``\\b`` paragraph) is kept as written but for its
    heading ("Examples:").
    """
    import click

    found = [(path, text) for p in _paragraphs(command.help) for text in _translatable(p)] if command.help else []
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            found.append((f"{path} {param.opts[-1]}", param.help))
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += help_texts(sub, f"{path} {name}")
    return found


def _paragraphs(text: str) -> list[str]:
    return inspect.cleandoc(text).split("\n\n")


def _translatable(paragraph: str) -> list[str]:
    """A paragraph's message ids: the paragraph; for an example block, its heading and each comment after '# '."""
    if not paragraph.startswith("\b\n"):
        return [paragraph]
    lines = paragraph.split("\n")
    return [lines[1], *(line.split(" # ", 1)[1] for line in lines[2:] if " # " in line)]


def _translate_paragraph(paragraph: str) -> str:
    if not paragraph.startswith("\b\n"):
        return _(paragraph)
    lines = paragraph.split("\n")
    examples = []
    for line in lines[2:]:
        command, sep, comment = line.partition(" # ")
        examples.append(f"{command}{sep}{_(comment)}" if sep else line)
    return "\n".join([lines[0], _(lines[1]), *examples])
