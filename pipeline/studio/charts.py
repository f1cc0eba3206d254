"""统计: the catalog's counts, and bar charts of them drawn here as SVG (no script, nothing fetched).

Every label is escaped; sizes are in CSS pixels.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from pipeline.catalog import CatalogRow

DURATION_BUCKETS = ((0, 60, "1分钟以内"), (60, 90, "1–1.5分钟"), (90, 120, "1.5–2分钟"), (120, 180, "2–3分钟"))
BAR_COLOUR = "#0E3A66"
ACCENT = "#C8102E"


@dataclass(frozen=True)
class Stats:
    episodes: int
    total_seconds: float
    per_month: tuple[tuple[str, int], ...]  # (YYYY-MM, episodes built that month), oldest first
    durations: tuple[tuple[str, int], ...]  # (bucket label, episodes)
    topics: tuple[tuple[str, int], ...]  # most episodes first
    laws: tuple[tuple[str, int], ...]  # law titles, most cited first

    def as_json(self) -> dict[str, object]:
        return {
            "episodes": self.episodes,
            "total_seconds": self.total_seconds,
            "per_month": [list(item) for item in self.per_month],
            "durations": [list(item) for item in self.durations],
            "topics": [list(item) for item in self.topics],
            "laws": [list(item) for item in self.laws],
        }


def stats(rows: list[CatalogRow]) -> Stats:
    months = Counter(row.built_at[:7] for row in rows)
    buckets = Counter(_bucket(row.duration) for row in rows)
    topics = Counter(row.topic for row in rows)
    laws = Counter(law_title(law) for row in rows for law in dict.fromkeys(row.laws))
    labels = [label for _, _, label in DURATION_BUCKETS] + ["3分钟以上"]
    return Stats(
        episodes=len(rows),
        total_seconds=round(sum(row.duration for row in rows), 1),
        per_month=tuple(sorted(months.items())),
        durations=tuple((label, buckets.get(label, 0)) for label in labels),
        topics=tuple(topics.most_common()),
        laws=tuple(laws.most_common(12)),
    )


def _bucket(seconds: float) -> str:
    for low, high, label in DURATION_BUCKETS:
        if low <= seconds < high:
            return label
    return "3分钟以上"


def law_title(citation: str) -> str:
    """《中华人民共和国民法典》第一千二百五十四条 → 《中华人民共和国民法典》."""
    end = citation.find("》")
    return citation[: end + 1] if citation.startswith("《") and end > 0 else citation


def column_chart(title: str, items: tuple[tuple[str, int], ...], width: int = 560, height: int = 260) -> str:
    """Vertical bars, one per item in order, each with its count above and its label below."""
    top, bottom, left = 52, 44, 12
    peak = max((count for _, count in items), default=0) or 1
    slot = (width - 2 * left) / max(len(items), 1)
    bar = min(slot * 0.6, 64)
    parts = [_open(width, height, title)]
    for index, (label, count) in enumerate(items):
        x = left + index * slot + (slot - bar) / 2
        h = (height - top - bottom) * count / peak
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BAR_COLOUR}"/>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" class="n">{count}</text>')
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, items: tuple[tuple[str, int], ...], width: int = 560) -> str:
    """Horizontal bars, one line per item: label on the left, bar and count on the right."""
    top, row, label_width = 36, 28, 230
    height = top + row * max(len(items), 1) + 8
    peak = max((count for _, count in items), default=0) or 1
    span = width - label_width - 48
    parts = [_open(width, height, title)]
    for index, (label, count) in enumerate(items):
        y = top + index * row
        w = span * count / peak
        shown = label if len(label) <= 16 else label[:15] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end">{escape(shown)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" fill="{ACCENT}"/>')
        parts.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 18}" class="n">{count}</text>')
    if not items:
        parts.append(f'<text x="{width / 2}" y="{top + 18}" text-anchor="middle">（还没有数据）</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart">'
        f"<title>{escape(title)}</title>"
        f'<text x="12" y="22" class="t">{escape(title)}</text>'
    )
