"""``pufa check``'s AI-content label findings: the series' settings, and the labels of built episodes.

GB 45438-2025 asks for both an explicit label (a visible notice in the opening picture) and
an implicit one (the ``AIGC`` metadata field). The build writes and verifies both; ``pufa
check`` says, before anything is published, whether the settings would produce them and
whether each built video still carries what its build recorded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pipeline.catalog import Catalog
from pipeline.config import Config
from pipeline.i18n import _
from pipeline.media.aigc import read_aigc
from pipeline.picture.fonts import FontFace
from pipeline.picture.notice import opening_layout
from pipeline.script import Episode

# (file, severity, message): pufa check turns each into a finding at line 1 of the file.
Finding = tuple[Path, str, str]


def check_labels(config: Config, font: FontFace, episodes: Sequence[Episode]) -> list[Finding]:
    """Findings about the AI-content labels of the series and of the built ``episodes``."""
    findings = _settings(config, font)
    if config.catalog_path.is_file():
        with Catalog(config.catalog_path) as catalog:
            rows = {row.number: row for row in catalog.rows()}
        for episode in episodes:
            row = rows.get(episode.number)
            video = config.root / row.video if row else None
            if row is None or video is None or not video.is_file():
                continue
            found = read_aigc(video)
            where = f"the built video {row.video}"
            if config.compliance.ai_generated and not row.aigc:
                message = _("{where} was built without AI-content labels; rebuild it (pufa build --force)").format(
                    where=where
                )
                findings.append((episode.path, "error", message))
            elif row.aigc and (found is None or found.to_json() != row.aigc):
                read = "no AIGC metadata" if found is None else f"the AIGC metadata {found.to_json()}"
                message = _(
                    "{where} has {read}, not the label its build wrote; rebuild it (pufa build --force)"
                ).format(where=where, read=read)
                findings.append((episode.path, "error", message))
            elif row.aigc:
                findings += _notice_of(config, episode, row.manifest)
    return findings


def _settings(config: Config, font: FontFace) -> list[Finding]:
    compliance = config.compliance
    here = config.path
    if not compliance.ai_generated:
        message = _(
            "compliance.ai_generated is false: episodes carry no AI-content label; if a "
            "synthetic voice speaks them, publishing them breaks the 人工智能生成合成内容标识办法 (GB "
            "45438-2025)"
        )
        return [(here, "warning", message)]
    findings: list[Finding] = []
    missing = font.missing(compliance.notice_text + (compliance.corner_text if compliance.corner_notice else ""))
    if missing:
        message = _("the theme's font cannot draw {items} of the AI notice (compliance.notice_text)").format(
            items=", ".join(missing)
        )
        findings.append((here, "error", message))
    if not compliance.notice_text.strip():
        message = _("compliance.notice_text is empty: the opening notice says nothing")
        findings.append((here, "error", message))
    layout = opening_layout(config, font, config.video.width, config.video.height)
    if len(layout.lines) > 2:
        message = _("the AI notice wraps to {count} lines at the size the standard asks; shorten it").format(
            count=len(layout.lines)
        )
        findings.append((here, "warning", message))
    return findings


def _notice_of(config: Config, episode: Episode, manifest_path: str) -> list[Finding]:
    """The opening notice as the build recorded it: tall enough, and on screen long enough."""
    try:
        manifest = json.loads((config.root / manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    notice = manifest.get("ai_label", {}).get("opening_notice", {})
    shown = float(notice.get("end", 0.0)) - float(notice.get("start", 0.0))
    if notice.get("text_height", 0) < notice.get("required_height", 1) or shown < config.compliance.notice_seconds:
        message = _(
            "the built video's opening AI notice is {get} px tall for {shown:.1f} s; the "
            "standard asks {get2} px for {notice_seconds:.0f} s"
        ).format(
            get=notice.get("text_height", 0),
            shown=shown,
            get2=notice.get("required_height", "?"),
            notice_seconds=config.compliance.notice_seconds,
        )
        return [(episode.path, "error", message)]
    return []
