"""Plain-text tables for the terminal, aligned by display width (a Chinese character is two columns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pipeline.catalog import Entry
from pipeline.errors import display_path
from pipeline.i18n import C_, NC_, _, shown_name
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


GENDERS = {"Female": NC_("voice gender", "Female"), "Male": NC_("voice gender", "Male")}
# The words edge-tts describes its voices with (VoiceTag), and the Kokoro table's note; others are shown as given.
VOICE_WORDS = {
    "General": NC_("voice style", "General"),
    "News": NC_("voice style", "News"),
    "Novel": NC_("voice style", "Novel"),
    "Cartoon": NC_("voice style", "Cartoon"),
    "Sports": NC_("voice style", "Sports"),
    "Dialect": NC_("voice style", "Dialect"),
    "Conversation": NC_("voice style", "Conversation"),
    "Warm": NC_("voice style", "Warm"),
    "Lively": NC_("voice style", "Lively"),
    "Passion": NC_("voice style", "Passion"),
    "Sunshine": NC_("voice style", "Sunshine"),
    "Cute": NC_("voice style", "Cute"),
    "Professional": NC_("voice style", "Professional"),
    "Reliable": NC_("voice style", "Reliable"),
    "Humorous": NC_("voice style", "Humorous"),
    "Bright": NC_("voice style", "Bright"),
    "Friendly": NC_("voice style", "Friendly"),
    "Positive": NC_("voice style", "Positive"),
    "Confident": NC_("voice style", "Confident"),
    "Calm": NC_("voice style", "Calm"),
    "Cheerful": NC_("voice style", "Cheerful"),
    "series default": NC_("voice style", "series default"),
}


def voice_row(name: str, gender: str, style: str) -> list[str]:
    """A row of ``pufa voices``: the voice's name as spelt, its gender and style in the user's language."""
    groups = [
        C_("separator", ", ").join(
            C_("voice style", word) if word in VOICE_WORDS else word for word in group.split(", ") if word
        )
        for group in style.split("; ")
    ]
    shown_gender = shown_name("voice gender", GENDERS, gender)
    return [name, shown_gender, C_("separator", "; ").join(groups)]


# Where an episode stands on a channel (the publishing journal's identifiers), for people.
CHANNELS = {
    "channels": NC_("channel", "channels"),
    "mp": NC_("channel", "mp"),
    "broadcast": NC_("channel", "broadcast"),
}
POST_STATES = {
    "prepared": NC_("publication state", "prepared"),
    "uploading": NC_("publication state", "uploading"),
    "uploading-cover": NC_("publication state", "uploading-cover"),
    "uploaded": NC_("publication state", "uploaded"),
    "drafting": NC_("publication state", "drafting"),
    "drafted": NC_("publication state", "drafted"),
    "submitting": NC_("publication state", "submitting"),
    "submitted": NC_("publication state", "submitted"),
    "published": NC_("publication state", "published"),
    "failed": NC_("publication state", "failed"),
    "preparing-broadcast": NC_("publication state", "preparing-broadcast"),
    "broadcast-ready": NC_("publication state", "broadcast-ready"),
    "sending": NC_("publication state", "sending"),
    "sent": NC_("publication state", "sent"),
}


def channel_name(channel: str) -> str:
    """A publishing channel (channels, mp, broadcast) in the user's language: 视频号, 公众号, 群发."""
    return shown_name("channel", CHANNELS, channel)


def post_state(state: str) -> str:
    """A publication's state in the journal (prepared, drafted, published …) in the user's language."""
    return shown_name("publication state", POST_STATES, state)


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
                shown_name("script status", SCRIPT_STATUSES, r.status),
                f"{r.voice_engine}/{r.voice}" + (_(" (draft voice)") if r.draft_voice else ""),
                _local_time(r.built_at),
                reviewed,
                " ".join(f"{channel_name(p.channel)}:{post_state(p.state)}" for p in posts) or "-",
                " ".join(f"{channel_name(p.channel)}:{p.url}" for p in posts if p.url) or "-",
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
    rows += [
        [f"{f.number:04d}", f.title, outcome_word("failed"), ""]
        if f.number is not None
        else ["", display_path(f.script), outcome_word("failed"), ""]
        for f in report.failed
    ]
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
