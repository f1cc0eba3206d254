"""``pufa preview``: a quick draft of one script for editing and legal review (法制审核).

A draft render at 540x960 with a 样片 watermark, spoken by the offline voice unless told
otherwise; a storyboard (one PNG with every distinct screen state and when it starts); and
a review page that works straight from the file system: the video, every caption beside its
time (a click seeks there), the law cards and cited articles, and the check results.
Everything goes to ``output/preview/<NNNN>/``; nothing is recorded in the catalog.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path

from PIL import Image, ImageDraw

from pipeline.captions.track import CaptionTrack
from pipeline.config import Config
from pipeline.errors import Diagnostic, ScriptError, display_path
from pipeline.fsutil import commit, inside
from pipeline.i18n import NC_, _, chinese_now, shown_name
from pipeline.picture.fonts import FontFace
from pipeline.picture.frames import RenderedState, RenderPlan, still_frame
from pipeline.plan import outside_script, refusals
from pipeline.render import StageReport, Tools, produce
from pipeline.review.check import Finding, check
from pipeline.script import Episode, parse_script

DRAFT_SIZE = (540, 960)
WATERMARK = "样片"
THUMBNAIL = (180, 320)
COLUMNS = 6


@dataclass(frozen=True)
class PreviewResult:
    folder: Path
    video: Path
    storyboard: Path
    page: Path
    duration: float
    seconds: float
    findings: tuple[Finding, ...]


def draft_config(config: Config) -> Config:
    """The series config at draft size and speed: same layout, a quarter of the pixels, pictures still and cuts.

    Motion and cross-fades are drawn by ffmpeg on every frame and would make a draft about three
    times slower than real time needs; the storyboard shows the pictures as they start anyway.
    """
    width, height = DRAFT_SIZE
    video = replace(config.video, width=width, height=height, preset="ultrafast", crf=28)
    return replace(config, video=video, theme=replace(config.theme, motion="none", transition="none"))


def preview(config: Config, script: Path, tts: str | None = None, stage: StageReport | None = None) -> PreviewResult:
    """Render the draft, storyboard and review page of ``script``; ``stage`` hears (stage name, fraction done)."""
    started = time.monotonic()
    tools = Tools.load(config, tts or "espeak")
    if not inside(script, config.root):  # refused unread, as check and build refuse it
        raise ScriptError([Diagnostic(script.resolve(), 1, outside_script())])
    episode = parse_script(script.resolve(), tools.font.missing, root=config.root)
    refused, _over = refusals(config, episode, tools.lexicon)
    if refused:  # what the build would refuse is not drafted either
        raise ScriptError(refused)
    findings = tuple(f for f in check(config, [script]).findings)
    folder = config.output_dir / "preview" / f"{episode.number:04d}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".work-", dir=folder.parent))
    try:
        draft = draft_config(config)
        made = produce(draft, episode, tools, work, stage or (lambda _stage, _done: None), watermark=WATERMARK)
        storyboard(made.render, made.track, tools.font).save(work / "storyboard.png", optimize=False)
        (work / "index.html").write_text(review_page(episode, made.track, findings, config), encoding="utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        for name, source in (("video.mp4", made.video), ("storyboard.png", work / "storyboard.png")):
            commit(source, folder / name)
        commit(work / "index.html", folder / "index.html")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return PreviewResult(
        folder=folder,
        video=folder / "video.mp4",
        storyboard=folder / "storyboard.png",
        page=folder / "index.html",
        duration=made.narration.duration,
        seconds=time.monotonic() - started,
        findings=findings,
    )


def storyboard(render: RenderPlan, track: CaptionTrack, font: FontFace) -> Image.Image:
    """A contact sheet: each distinct screen state once, in order of first appearance, with its start time."""
    first_seen: dict[Path, RenderedState] = {}
    for state in render.states:
        first_seen.setdefault(state.path, state)
    width, height = THUMBNAIL
    label_height = 34
    rows = (len(first_seen) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * (width + 12) + 12, rows * (height + label_height + 12) + 12), (32, 32, 36))
    draw = ImageDraw.Draw(sheet)
    label_font = font.pil(22)
    for index, state in enumerate(first_seen.values()):
        x = 12 + (index % COLUMNS) * (width + 12)
        y = 12 + (index // COLUMNS) * (height + label_height + 12)
        # A moving picture is drawn in as it starts, so the sheet shows what the viewer sees.
        sheet.paste(still_frame(render, state).resize(THUMBNAIL, Image.Resampling.BILINEAR), (x, y))
        start = state.first_frame / render.fps
        draw.text((x + 4, y + height + 6), f"#{index + 1}  {_clock(start)}", font=label_font, fill=(235, 235, 235))
    return sheet


def _official_text(citation: str, config: Config) -> str:
    """The enacted wording of a cited article, when the series has the law texts (review.laws_dir)."""
    from pipeline.review.citations import CARD_CITATION, canonical_citation
    from pipeline.review.laws import load_laws

    match = CARD_CITATION.match(citation)
    folder = (config.root / config.review.laws_dir).resolve() if config.review.laws_dir else None
    if match is None or not match["law"] or folder is None or not folder.is_dir():
        return ""
    text = load_laws(folder).article(match["law"], canonical_citation("", match["article"]))
    return f'<blockquote class="official">{html.escape(text)}</blockquote>' if text else ""


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"


SEVERITY_WORDS = {
    "error": NC_("severity", "error"),
    "warning": NC_("severity", "warning"),
    "note": NC_("severity", "note"),
}


def _review_fields(config: Config, number: int) -> dict[str, str]:
    """The approval state of the episode's built video and its review trail, for the page."""
    from pipeline.review.trail import review_state, shown_time, verdict_word

    e = html.escape
    state = review_state(config, number)
    trail = "".join(
        f"<tr><td>{e(shown_time(r.at))}</td><td>{e(r.reviewer)}</td><td>{e(verdict_word(r.verdict))}</td>"
        f"<td>{e(r.input_hash[:10])}</td><td>{e(r.note)}</td></tr>"
        for r in state.history
    )
    head = _row("th", _("Time"), _("Reviewer"), _("Verdict"), _("Build"), _("Note"))
    review = _("Legal review: {state} · {description}").format(
        state=state.words, description=state.describe(config.review.reviewers)
    )
    none = _("(no reviews yet)")
    return {
        "review_state": state.state,
        "review": e(review),
        "trail": f"<table><thead>{head}</thead><tbody>{trail}</tbody></table>" if trail else f"<p>{e(none)}</p>",
    }


def _severity(severity: str) -> str:
    return shown_name("severity", SEVERITY_WORDS, severity)


def _row(cell: str, *texts: str) -> str:
    return "<tr>" + "".join(f"<{cell}>{html.escape(text)}</{cell}>" for text in texts) + "</tr>"


def review_page(episode: Episode, track: CaptionTrack, findings: tuple[Finding, ...], config: Config) -> str:
    """One self-contained HTML page (no server, no network, nothing fetched), in the user's language."""
    e = html.escape
    cues_by_scene: dict[int, list[str]] = {}
    for cue in track.cues:
        item = (
            f'<li><button type="button" class="cue" data-start="{cue.start:.3f}" data-end="{cue.end:.3f}">'
            f"<time>{_clock(cue.start)}</time><span>{e(cue.text).replace(chr(10), '<br>')}</span></button></li>"
        )
        cues_by_scene.setdefault(cue.scene, []).append(item)
    scenes = "\n".join(
        f'<section class="scene"><h3>{e(scene.label)}</h3><ol>{"".join(cues_by_scene.get(index, []))}</ol></section>'
        for index, scene in enumerate(episode.scenes)
    )
    cards = [
        f"<blockquote>{e(block.shown)}</blockquote>"
        for scene in episode.scenes
        for block in scene.blocks
        if block.kind == "law"
    ]
    laws = "".join(f"<li>{e(law)}{_official_text(law, config)}</li>" for law in episode.laws)
    rows = "".join(
        f'<tr class="{e(f.severity)}"><td>{f.line}:{f.column}</td><td>{e(_severity(f.severity))}</td>'
        f"<td>{e(f.message)}</td></tr>"
        for f in findings
    )
    head = _row("th", _("Line"), _("Severity"), _("Finding"))
    no_findings = _("No findings.")
    check_table = f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>" if rows else f"<p>{e(no_findings)}</p>"
    no_cards, no_laws = _("(this episode has no law card)"), _("(none listed)")
    data = json.dumps({"episode": episode.number, "cues": len(track.cues)})
    template = files("pipeline").joinpath("templates/review.html").read_text("utf-8")
    summary = _("Draft · duration {duration} · script {script}").format(
        duration=_clock(track.duration), script=display_path(episode.path)
    )
    return template.format(
        lang="zh-CN" if chinese_now() else "en",
        title=e(f"第{episode.number}期 {episode.title}"),
        t_page=e(_("draft review")),
        series=e(config.series.name),
        number=episode.number,
        heading=e(episode.title),
        summary=e(summary),
        **_review_fields(config, episode.number),
        t_captions=e(_("Captions and times")),
        t_seek=e(_("Click a caption to seek the video there.")),
        scenes=scenes,
        t_cards=e(_("Law cards")),
        cards="".join(cards) or f"<p>{e(no_cards)}</p>",
        t_laws=e(_("Cited articles")),
        laws=laws or f"<li>{e(no_laws)}</li>",
        t_trail=e(_("Review trail")),
        t_check=e(_("Check results")),
        check=check_table,
        t_storyboard=e(_("Storyboard")),
        t_storyboard_alt=e(_("Storyboard: each screen state once, with the time it starts")),
        data=e(data),
    )
