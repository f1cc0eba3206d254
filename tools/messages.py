"""The gettext catalogue of pufa: extract with Babel, merge into the Chinese .po, compile the .mo.

Run from the repository root after changing any message or help text:
``.venv/bin/python tools/messages.py``. It writes ``pipeline/locale/pufa.pot`` (every ``_()``,
``N_()``, ``C_()`` and ``NC_()`` message in the ``pipeline`` package, the last two with their
context, and click's own ``_()``, found by Babel's extractor, and every command's and option's
help text, read from the click commands themselves), merges it into
``pipeline/locale/zh_CN/LC_MESSAGES/pufa.po`` (a new text stays untranslated, and shows in
English, until someone writes its Chinese there) and compiles ``pufa.mo`` beside it; both are
committed, so an installed pufa needs no build step.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.cli import main as cli  # noqa: E402
from pipeline.i18n import LOCALE_DIR, help_texts  # noqa: E402

SOURCES = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "pipeline").rglob("*.py"))
CLICK = Path(click.__file__).parent
CLICK_SOURCES = ("core.py", "decorators.py", "exceptions.py", "formatting.py", "parser.py", "types.py")


def template() -> Catalog:
    catalog = Catalog(project="pufa", domain="pufa", charset="utf-8")
    for name in SOURCES:
        keywords = {"_": None, "N_": None, "C_": ((1, "c"), 2), "NC_": ((1, "c"), 2)}
        for line, message, _comments, context in extract_from_file("python", REPO / name, keywords=keywords):
            catalog.add(message, locations=[(name, line)], context=context)
    for name in CLICK_SOURCES:
        keywords = {"_": None, "ngettext": (1, 2)}
        for line, message, _comments, _context in extract_from_file("python", CLICK / name, keywords=keywords):
            catalog.add(message, locations=[(f"click/{name}", line)])
    for where, text in help_texts(cli):
        catalog.add(text, auto_comments=[where])
    return catalog


def main() -> None:
    pot = template()
    with (LOCALE_DIR / "pufa.pot").open("wb") as handle:
        write_po(handle, pot, width=120, omit_header=True)
    po_path = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "pufa.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.is_file():
        with po_path.open("rb") as handle:
            po = read_po(handle, locale="zh_CN", domain="pufa")
        po.update(pot, no_fuzzy_matching=True)
    else:
        po = Catalog(locale="zh_CN", domain="pufa", project="pufa", charset="utf-8")
        for message in pot:
            if message.id:
                po.add(
                    message.id,
                    locations=message.locations,
                    auto_comments=message.auto_comments,
                    context=message.context,
                )
    with po_path.open("wb") as handle:
        write_po(handle, po, width=120, omit_header=False, ignore_obsolete=True)
    with po_path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, po)
    own = [m for m in po if m.id and not any(str(f).startswith("click/") for f, _ in m.locations)]
    missing = [m for m in own if not m.string]
    print(f"{len(po)} messages ({len(own)} of pufa's); {len(missing)} of pufa's without Chinese")
    for message in missing:
        print(f"  untranslated: {str(message.id)[:80]!r}")


if __name__ == "__main__":
    main()
