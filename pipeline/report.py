"""Plain-text tables for the terminal, aligned by display width (a Chinese character is two columns)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .catalog import CatalogRow


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def catalog_table(rows: Sequence[CatalogRow]) -> str:
    if not rows:
        return "no episodes yet: run 'pufa build'"
    body = [
        [
            f"{r.number:04d}",
            r.title,
            r.topic,
            f"{int(r.duration // 60)}:{r.duration % 60:04.1f}",
            r.status,
            f"{r.voice_engine}/{r.voice}" + (" (草稿配音)" if r.draft_voice else ""),
            r.built_at.replace("T", " ")[:16],
            r.video,
        ]
        for r in rows
    ]
    return table(["期数", "标题", "类别", "时长", "状态", "配音", "生成时间", "视频"], body)
