"""Plain-text tables for the terminal, aligned by display width (a Chinese character is two columns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.catalog import Entry
from pipeline.errors import display_path
from pipeline.i18n import C_, NC_, _
from pipeline.progress import outcome_word
from pipeline.terminal import display_width

if TYPE_CHECKING:
    from pipeline.build import BuildReport
    from pipeline.plan import BuildPlan


# An episode's status in the catalog (the script's, or published) in the user's language.
SCRIPT_STATUSES = {
    "draft": NC_("script status", "draft"),
    "final": NC_("script status", "final"),
    "published": NC_("script status", "published"),
}


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def catalog_table(entries: Sequence[Entry]) -> str:
    """One line per episode: its fields, who reviewed its current build and when, and its posts with their URLs."""
    from pipeline.review.trail import verdict_word

    if not entries:
        return _("no episodes yet: run 'pufa build'")
    body = []
    for entry in entries:
        r, review = entry.row, entry.review
        reviewed = f"{review.reviewer} {_local_time(review.at)}" if review else "-"
        if review and review.verdict == "rejected":
            reviewed += " " + verdict_word("rejected")
        posts = sorted(entry.publications.values(), key=lambda p: p.channel)
        body.append(
            [
                f"{r.number:04d}",
                r.title,
                r.topic,
                f"{int(r.duration // 60)}:{r.duration % 60:04.1f}",
                C_("script status", SCRIPT_STATUSES[r.status]) if r.status in SCRIPT_STATUSES else r.status,
                f"{r.voice_engine}/{r.voice}" + (_(" (draft voice)") if r.draft_voice else ""),
                _local_time(r.built_at),
                reviewed,
                " ".join(f"{p.channel}:{p.state}" for p in posts) or "-",
                " ".join(f"{p.channel}:{p.url}" for p in posts if p.url) or "-",
                r.video,
            ]
        )
    headers = [
        _("No."),
        _("Title"),
        _("Topic"),
        _("Duration"),
        _("Status"),
        _("Voice"),
        _("Built"),
        _("Review"),
        _("Published"),
        _("Links"),
        _("Video"),
    ]
    return table(headers, body)


def _local_time(iso: str) -> str:
    """An ISO 8601 time from the catalog as 'YYYY-MM-DD HH:MM' (as stored: UTC)."""
    return iso.replace("T", " ")[:16]


def reason_text(reason: str) -> str:
    """A plan's reason ('new', 'outputs missing', 'script, theme changed' …) in the user's language.

    The reasons stay English inside the plan, where the build compares them ('forced').
    """
    words = {
        "new": _("new"),
        "up to date": _("up to date"),
        "outputs missing": _("outputs missing"),
        "inputs changed": _("inputs changed"),
        "forced": _("forced"),
        "built meanwhile by another build": _("built meanwhile by another build"),
    }
    if reason in words:
        return words[reason]
    if reason.endswith(" changed"):
        return _("{names} changed").format(names=reason.removesuffix(" changed"))
    return reason


def build_summary(report: BuildReport, *, verbose: bool = False) -> str:
    """The table at the end of a build (built and failed episodes; skipped ones with ``verbose``), then one line."""
    rows = [[f"{b.number:04d}", b.title, outcome_word("built"), f"{b.seconds:.1f} s"] for b in report.built]
    rows += [["", display_path(f.script), outcome_word("failed"), ""] for f in report.failed]
    if verbose:
        rows += [
            [f"{p.episode.number:04d}", p.episode.title, outcome_word("skipped"), reason_text(p.reason)]
            for p in report.skipped
        ]
    rows.sort(key=lambda r: r[0])
    counts = _("built {built}, skipped {skipped}, failed {failed}").format(
        built=len(report.built), skipped=len(report.skipped), failed=len(report.failed)
    )
    line = _("{counts} in {seconds:.1f} s").format(counts=counts, seconds=report.seconds)
    if report.not_started:
        line += _("; {not_started} not started (--fail-fast)").format(not_started=report.not_started)
    return (table([_("No."), _("Title"), _("Result"), _("Time")], rows) + "\n" if rows else "") + line


def plan_table(plan: BuildPlan, *, verbose: bool = False) -> str:
    rows = [
        [f"{p.episode.number:04d}", p.episode.title, _("build") if p.build else _("skip"), reason_text(p.reason)]
        for p in plan.episodes
        if p.build or verbose
    ]
    line = _("{to_build} to build, {to_skip} up to date, {failed} with errors").format(
        to_build=len(plan.to_build), to_skip=len(plan.to_skip), failed=len(plan.failures)
    )
    if plan.engine:
        line += _("; voice engine: {engine}").format(engine=plan.engine)
    return (table([_("No."), _("Title"), _("Action"), _("Reason")], rows) + "\n" if rows else "") + line
