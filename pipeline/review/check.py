"""``pufa check``: everything an editor and a legal reviewer should see before a render.

Reports what the build would reject (as errors) and what a reviewer should look at
(warnings): captions that cannot fit, long scenes, the estimated duration against the series
target, law citations not in the standard form or not listed in ``laws:``, the channel's
short title, characters the voice cannot read, and (as notes) every span the voice will read
differently from how it is written, with its class (date, money, telephone …). Nothing is
rendered; a script takes milliseconds.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from pipeline.captions.split import CLOSING, plan_captions, split_captions, tokenize
from pipeline.config import Config
from pipeline.errors import SHOWN_PER_FILE, Diagnostic, display_path, more_in_file
from pipeline.fsutil import inside, resolved
from pipeline.i18n import _
from pipeline.picture.fonts import FontFace, resolve_bold_font, resolve_font
from pipeline.picture.layout import Layout, caption_measure, check_episode_layout, describe, planned_captions
from pipeline.plan import (
    check_logo,
    check_sounds,
    no_such_script,
    outside_script,
    refusals,
    script_paths,
)
from pipeline.review.citations import citation_findings, law_library
from pipeline.review.labels import check_labels
from pipeline.script import Episode, parse_scripts
from pipeline.speech.normalize import Lexicon, ReadingError, explain, load_lexicon, unread, unreadable
from pipeline.terminal import escape

SPOKEN_CHARS_PER_SECOND = 4.0
LONG_SCENE_SECONDS = 60.0
SCENE_GAP_SECONDS = 0.75
SHORT_TITLE_RANGE = (6, 16)

_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    column: int
    severity: str  # error, warning or note
    message: str

    def format(self) -> str:
        # One line whatever the message quotes (a file name, a title): a line break in it is shown as \n.
        return escape(f"{display_path(self.path)}:{self.line}:{max(self.column, 1)}: {self.severity}: {self.message}")


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]  # as shown: at most SHOWN_PER_FILE of each severity per file, then one 'and N more'
    scripts: int
    counts: tuple[tuple[str, int], ...] = ()  # every finding, shown or not, by severity

    def count(self, severity: str) -> int:
        return dict(self.counts).get(severity, 0)

    def failed(self, strict: bool = False) -> bool:
        return self.count("error") > 0 or (strict and self.count("warning") > 0)

    def to_json(self) -> str:
        items = [{**asdict(f), "path": display_path(f.path)} for f in self.findings]
        return json.dumps({"scripts": self.scripts, "findings": items}, ensure_ascii=False, indent=2)


def check(config: Config, scripts: Sequence[Path] = ()) -> CheckReport:
    """Check ``scripts`` (default: every script in scripts/); the numbers are checked across all of scripts/."""
    font = resolve_font(config)
    check_logo(config)
    check_sounds(config)
    lexicon = load_lexicon(config.root / config.voice.lexicon)
    every = [resolved(p) for p in script_paths(config)]
    wanted = [resolved(p) for p in scripts] if scripts else every
    findings = [Finding(p, 1, 1, "error", no_such_script(config, p)) for p in wanted if not p.is_file()]
    # A script outside the project is refused unread, as the build refuses it.
    outside = {p for p in wanted if p.is_file() and not inside(p, config.root)}
    findings += [Finding(p, 1, 1, "error", outside_script()) for p in sorted(outside)]
    wanted = [p for p in wanted if p.is_file() and p not in outside]
    episodes, failures = parse_scripts(dict.fromkeys([*wanted, *every]), font.missing, root=config.root)
    for path in wanted:
        if path in failures:
            findings += [_finding(d) for d in failures[path].diagnostics]
    for episode in episodes:
        if episode.path in set(wanted):
            findings += [_finding(d) for d in episode.notes]
            findings += check_episode(config, episode, font, lexicon)
    if config.review.laws_dir and law_library(config) is None:
        message = _(
            "review.laws_dir: {laws_dir} is not a folder; law cards were not compared with the law texts"
        ).format(laws_dir=config.review.laws_dir)
        findings.append(Finding(config.path, _line_of_key(config.path, "laws_dir"), 1, "warning", message))
    labelled = [e for e in episodes if e.path in set(wanted)]
    for path, severity, message in check_labels(config, font, labelled):
        findings.append(Finding(path, 1, 1, severity, message))
    counts = Counter(f.severity for f in findings)
    return CheckReport(tuple(_shown(findings)), len(wanted), tuple(sorted(counts.items())))


def _shown(findings: list[Finding]) -> list[Finding]:
    """The findings in file and line order, at most SHOWN_PER_FILE of each severity in each file, then one line
    (where the first one left out is) counting the rest, as the parser counts unknown front-matter fields."""
    order = {"error": 0, "warning": 1, "note": 2}
    findings = sorted(findings, key=lambda f: (str(f.path), f.line, f.column, order.get(f.severity, 3)))
    seen: Counter[tuple[Path, str]] = Counter()
    left_out: dict[tuple[Path, str], Finding] = {}
    shown = []
    for finding in findings:
        kind = (finding.path, finding.severity)
        seen[kind] += 1
        if seen[kind] <= SHOWN_PER_FILE:
            shown.append(finding)
        else:
            left_out.setdefault(kind, finding)
    for (path, severity), first in left_out.items():
        more = more_in_file(severity, seen[path, severity] - SHOWN_PER_FILE)
        shown.append(Finding(path, first.line, first.column, severity, more))
    shown.sort(key=lambda f: (str(f.path), f.line, f.column, order.get(f.severity, 3)))
    return shown


def _line_of_key(path: Path, key: str) -> int:
    """The 1-based line of ``key = …`` in a TOML file (1 when it cannot be found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((n for n, line in enumerate(lines, 1) if line.strip().startswith(f"{key} ")), 1)


def _finding(diagnostic: Diagnostic) -> Finding:
    return Finding(diagnostic.path, diagnostic.line, max(diagnostic.column, 1), diagnostic.severity, diagnostic.message)


def check_episode(config: Config, episode: Episode, font: FontFace, lexicon: Lexicon) -> list[Finding]:
    """The review rules for one script that parsed cleanly.

    First what the build refuses before any work (numbers too long to say, the narration
    limit, files outside the project), as cheaply as the build finds it; an episode over a
    limit gets only that line, nothing is split or laid out for it.
    """
    refused, over = refusals(config, episode, lexicon)
    findings = [_finding(d) for d in refused]
    if over:
        return findings

    def add(line: int, severity: str, message: str, column: int = 1) -> None:
        findings.append(Finding(episode.path, line, column, severity, message))

    raw = episode.path.read_text(encoding="utf-8-sig").splitlines() if episode.path.is_file() else []

    layout = Layout(config, font, resolve_bold_font(config), config.video.width, config.video.height)
    measure = caption_measure(layout)
    line_width = layout.caption_width()
    for scene in episode.scenes:
        scene_seconds = 0.0
        for block in scene.blocks:
            # A law card's captions are not shown (the card is): only the subtitle file has them.
            for token in tokenize(block.spans) if block.kind != "law" else ():
                if measure(token.shown.strip().rstrip("".join(CLOSING))) > line_width:
                    if token.breaks:  # a 《》 title: shown in parts, broken between its words
                        message = _("'{shown}' is wider than a caption line; it is shown in parts").format(
                            shown=token.shown.strip()
                        )
                        add(block.line, "note", message)
                        continue
                    add(
                        block.line,
                        "warning",
                        _("caption cannot fit: '{shown}' is wider than the frame and will be broken").format(
                            shown=token.shown.strip()
                        ),
                    )
            captions = [
                caption
                for part in block.parts
                for caption in split_captions(part, measure, line_width, config.captions.max_lines)
            ]
            if any(len(c.lines) > config.captions.max_lines for c in captions):
                add(
                    block.line,
                    "warning",
                    _("a caption needs more than {max_lines} lines").format(max_lines=config.captions.max_lines),
                )
            try:
                readings = explain(block.spans, lexicon)
            except ReadingError:  # one of the refusals above
                continue
            scene_seconds += estimate_seconds("".join(r.spoken for r in readings))
            for reading in readings:
                if reading.kind not in ("text", "title") and reading.written != reading.spoken:
                    note = _("spoken as: {written} → {spoken} ({kind})").format(
                        written=reading.written, spoken=reading.spoken, kind=reading.kind
                    )
                    line, column = locate(raw, block.line, reading.written)
                    add(line, "note", note, column)
            for number in unread(readings):
                message = _("pufa cannot read '{number}' aloud; write it in words or with {{显示|读作}}").format(
                    number=number
                )
                line, column = locate(raw, block.line, number)
                add(line, "warning", message, column)
            for span in block.spans:
                for rare in [] if span.fixed else unreadable(span.shown):
                    message = _("the voice cannot read '{char}' (U+{code:04X}); write {override}").format(
                        char=rare.char, code=ord(rare.char), override=rare.override
                    )
                    line, column = locate(raw, block.line, rare.char)
                    add(line, "warning", message, column)
        if scene_seconds > LONG_SCENE_SECONDS:
            add(
                scene.line,
                "warning",
                _("scene '{label}' is long: about {scene_seconds:.0f} s of narration; consider splitting it").format(
                    label=scene.label, scene_seconds=scene_seconds
                ),
            )
    total_seconds = estimated_duration(config, episode, lexicon)
    low, high = config.series.target_min_seconds, config.series.target_max_seconds
    if not low <= total_seconds <= high:
        add(
            1,
            "warning",
            _("estimated duration {total_seconds:.0f} s is outside the series target of {low:.0f}–{high:.0f} s").format(
                total_seconds=total_seconds, low=low, high=high
            ),
        )

    # Every screen state laid out with the real fonts, as the build will draw it.
    plan = plan_captions(episode, measure, line_width, config.captions.max_lines)
    for problem in check_episode_layout(layout, episode, planned_captions(plan)):
        line, message = describe(problem, episode)
        add(line, "error", message)
    findings += [_finding(d) for d in citation_findings(episode, law_library(config))]
    short = short_title(episode)
    if not SHORT_TITLE_RANGE[0] <= len(short) <= SHORT_TITLE_RANGE[1]:
        field = "short_title" if episode.short_title else "title"
        low_chars, high_chars = SHORT_TITLE_RANGE
        hint = "" if episode.short_title else _(" (set short_title: to choose one)")
        message = _(
            "short title '{short}' has {count} characters; the channel wants {low_chars}–{high_chars}{hint}"
        ).format(short=short, count=len(short), low_chars=low_chars, high_chars=high_chars, hint=hint)
        add(episode.line_of(field), "warning", message)
    if episode.status == "final":
        add(
            episode.line_of("status"),
            "note",
            (
                _(
                    "'status: final' no longer approves an episode: the review trail does (pufa "
                    "review approve {number} --by NAME); the line can go"
                ).format(number=episode.number)
            ),
        )
    return findings


def estimated_duration(config: Config, episode: Episode, lexicon: Lexicon) -> float:
    """Seconds the episode will last: title and closing cards, the narration at a presenter's pace, scene gaps."""
    total = config.video.title_seconds + config.video.closing_seconds
    for scene in episode.scenes:
        for block in scene.blocks:
            try:
                total += estimate_seconds("".join(r.spoken for r in explain(block.spans, lexicon)))
            except ReadingError:  # reported by check_episode; its written form is close enough for an estimate
                total += estimate_seconds(block.shown)
        total += SCENE_GAP_SECONDS
    return total


def locate(lines: Sequence[str], first: int, text: str) -> tuple[int, int]:
    """Where ``text`` is written in the paragraph starting at line ``first`` (1-based): (line, column)."""
    for number in range(first, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip() and number > first:
            break
        if text in line:
            return number, line.index(text) + 1
    return first, 1


# Channels (视频号) short titles may keep these marks (书名号, quotes, colon, plus, question mark,
# percent, degree); a comma becomes a space, as the platform suggests; any other mark is dropped.
SHORT_TITLE_KEEPS = frozenset("《》“”:：+＋?？%％°℃")
_COMMAS = re.compile(r"[，,、；;]+")


def short_title(episode: Episode) -> str:
    """The title for the channel: ``short_title:``, else the title, with only the marks the platform allows."""
    text = _COMMAS.sub(" ", episode.short_title or episode.title)
    kept = "".join(c for c in text if c in SHORT_TITLE_KEEPS or c == " " or not _PUNCTUATION.fullmatch(c))
    return " ".join(kept.split())


def estimate_seconds(spoken: str) -> float:
    """Narration time: syllables at a presenter's pace plus the pauses punctuation asks for."""
    syllables = len(_PUNCTUATION.sub("", spoken))
    pauses = sum(0.4 for c in spoken if c in "。！？；") + sum(0.2 for c in spoken if c in "，、：")
    return syllables / SPOKEN_CHARS_PER_SECOND + pauses
