"""The review trail (法制审核): who approved or rejected which build of an episode, and when.

A verdict is recorded against one *build*, identified by its input hash (the digest of the
script, pictures, config, font, lexicon, voice and pipeline version that make the video), in
the ``reviews`` table of catalog.db. The reviewer judges the current inputs: usually the
built video, or a preview before the build (the build made from those inputs is then
approved when it appears). Approval makes the episode final without rendering anything; any
later change to the episode's inputs gives it another input hash, and the approval no
longer covers it (it is *void*) until someone approves the new inputs. ``pufa publish``
sends only an episode whose current build is approved.

The studio's 审核 page and the CLI both call :func:`approve`, :func:`reject` and
:func:`review_state` / :func:`review_states`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pipeline.catalog import Catalog, CatalogRow, Review, export
from pipeline.config import Config
from pipeline.errors import PufaError, ScriptError
from pipeline.i18n import C_, NC_, _, shown_name
from pipeline.render import Tools, input_digests, input_hash
from pipeline.script import parse_script

State = Literal["approved", "rejected", "void", "unreviewed", "changed", "unbuilt"]

# Each state's name for people (an English identifier stays in ``ReviewState.state``).
STATE_WORDS: dict[str, str] = {
    "approved": NC_("review state", "approved"),
    "rejected": NC_("review state", "rejected"),
    "void": NC_("review state", "approval void (changed since)"),
    "unreviewed": NC_("review state", "awaiting review"),
    "changed": NC_("review state", "script changed, rebuild"),
    "unbuilt": NC_("review state", "not built"),
}
VERDICT_WORDS: dict[str, str] = {
    "approved": NC_("verdict", "approved"),
    "rejected": NC_("verdict", "rejected"),
}


def verdict_word(verdict: str) -> str:
    """A verdict of the trail (approved, rejected) in the user's language: 通过, 未通过."""
    return shown_name("verdict", VERDICT_WORDS, verdict)


class ReviewError(PufaError):
    """A review could not be recorded: the episode is not built, changed since, or the reviewer is not allowed."""


def shown_time(at: str) -> str:
    """A verdict's time as a reviewer reads it: 'YYYY-MM-DD HH:MM' in this computer's time zone.

    The trail stores ISO 8601 in UTC (``2026-12-01T05:00:00+00:00``); an unreadable value is shown as stored.
    """
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


@dataclass(frozen=True)
class ReviewState:
    """Where an episode stands in review.

    ``state`` is one of: ``approved`` (its current build is approved), ``rejected`` (the last
    verdict on the current build is a rejection), ``void`` (an earlier build was approved, the
    current one is not reviewed), ``unreviewed``, ``changed`` (the inputs changed since the
    last build: rebuild before review) and ``unbuilt`` (not in the catalog).
    ``built_hash`` is the catalog's build, ``current_hash`` what the inputs hash to now
    (None when the script cannot be read); ``review`` the last verdict on the built build;
    ``history`` every verdict on any build of the episode, oldest first.
    """

    episode: int
    state: State
    built_hash: str | None
    current_hash: str | None
    review: Review | None
    history: tuple[Review, ...]
    reason: str = ""

    @property
    def approved(self) -> bool:
        return self.state == "approved"

    @property
    def last_approval(self) -> Review | None:
        """The latest approval of any build, for saying whose approval an edit voided."""
        return next((r for r in reversed(self.history) if r.verdict == "approved"), None)

    @property
    def words(self) -> str:
        """The state in the user's language (已通过审核 … in Chinese), for pages and tables."""
        return C_("review state", STATE_WORDS[self.state])

    def describe(self, reviewers: tuple[str, ...] = ()) -> str:
        """One line: the state, who said so and when, and what has to happen next."""
        number, review = self.episode, self.review
        build = _("build {hash}").format(hash=self.built_hash[:10]) if self.built_hash else _("no build")
        who = _("a reviewer ({names})").format(names=_(" or ").join(reviewers)) if reviewers else _("a reviewer")
        approve = _("pufa review approve {number} --by NAME").format(number=number)
        if self.state == "approved" and review is not None:
            return _("episode {number}: {build} approved by {reviewer} at {at}").format(
                number=number, build=build, reviewer=review.reviewer, at=shown_time(review.at)
            )
        if self.state == "rejected" and review is not None:
            said = _(": {note}").format(note=review.note) if review.note else ""
            return _(
                "episode {number}: {build} was rejected by {reviewer} at {at}{said}; revise the "
                "script, rebuild, and {who} must approve the new build ({approve})"
            ).format(
                number=number,
                build=build,
                reviewer=review.reviewer,
                at=shown_time(review.at),
                said=said,
                who=who,
                approve=approve,
            )
        verdict = ""
        if review is not None:
            said = (
                _("; its current inputs were approved by {reviewer} at {at}")
                if review.verdict == "approved"
                else _("; its current inputs were rejected by {reviewer} at {at}")
            )
            verdict = said.format(reviewer=review.reviewer, at=shown_time(review.at))
        if self.state == "unbuilt":
            if self.current_hash is None:
                return _("episode {number}: {reason}").format(number=number, reason=self.reason)
            if review is not None:
                return _("episode {number} is not built{verdict}; run pufa build").format(
                    number=number, verdict=verdict
                )
            return _("episode {number} is not built; run pufa build, and {who} must approve it ({approve})").format(
                number=number, who=who, approve=approve
            )
        if self.state == "changed":
            if review is not None:
                return _("episode {number} changed since it was built ({reason}){verdict}; run pufa build").format(
                    number=number, reason=self.reason, verdict=verdict
                )
            return _(
                "episode {number} changed since it was built ({reason}); run pufa build, and "
                "{who} must approve the new build ({approve})"
            ).format(number=number, reason=self.reason, who=who, approve=approve)
        earlier = self.last_approval
        voided = (
            _("; the approval by {reviewer} at {at} was for an earlier build {input_hash}").format(
                reviewer=earlier.reviewer, at=shown_time(earlier.at), input_hash=earlier.input_hash[:10]
            )
            if self.state == "void" and earlier is not None
            else ""
        )
        return _("episode {number}: {build} has no approval{voided}; {who} must approve it ({approve})").format(
            number=number, build=build, voided=voided, who=who, approve=approve
        )


def current_hash(config: Config, script: Path, engine: str, tools: dict[str, Tools] | None = None) -> str:
    """What the inputs of the episode in ``script`` hash to now, spoken by ``engine`` (edge, kokoro or espeak).

    ``tools`` keeps the loaded tools per engine across calls (one page lists many episodes).
    Raises :class:`ReviewError` when the script can no longer be read or parsed.
    """
    loaded = tools if tools is not None else {}
    try:
        if engine not in loaded:
            loaded[engine] = Tools.load(config, engine)
        episode = parse_script(script, loaded[engine].font.missing)
    except ScriptError as exc:
        raise ReviewError(
            _("{format} (fix the script before review)").format(format=exc.diagnostics[0].format())
        ) from None
    return input_hash(input_digests(config, episode, loaded[engine]))


def review_states(
    config: Config,
    numbers: tuple[int, ...] | None = None,
    *,
    scripts: Mapping[int, Path] | None = None,
    engine: str | None = None,
) -> list[ReviewState]:
    """The review state of ``numbers`` (default: every episode in the catalog), in episode order.

    ``scripts`` maps episode numbers to their scripts when the caller has read scripts/ already
    (else an episode that is not in the catalog is looked for there); ``engine`` is the voice
    engine the next build uses (``pufa studio --tts``), for episodes that are not built yet
    (default: voice.engine in pufa.toml).
    """
    rows: dict[int, CatalogRow] = {}
    reviews: list[Review] = []
    if config.catalog_path.is_file():
        with Catalog(config.catalog_path) as catalog:
            rows = {row.number: row for row in catalog.rows()}
            reviews = catalog.reviews()
    wanted = sorted(rows) if numbers is None else list(numbers)
    lookup = _Lookup(config, scripts, engine)
    return [lookup.state(n, rows.get(n), tuple(r for r in reviews if r.episode == n)) for n in wanted]


def review_state(config: Config, episode: int, *, engine: str | None = None) -> ReviewState:
    """The review state of one episode (see :class:`ReviewState`)."""
    return review_states(config, (episode,), engine=engine)[0]


class _Lookup:
    """Finds episodes' scripts and hashes their inputs, loading each engine's tools once."""

    def __init__(self, config: Config, scripts: Mapping[int, Path] | None, engine: str | None) -> None:
        self.config = config
        self.scripts = scripts
        self.engine = engine
        self.tools: dict[str, Tools] = {}

    def script_of(self, number: int, row: CatalogRow | None) -> tuple[Path, str] | None:
        """The episode's script and the voice engine its build uses: the catalog's, else the next build's."""
        if row is not None:
            return self.config.root / row.script, row.voice_engine
        if self.scripts is not None:
            path = self.scripts.get(number)
            return (path, self.next_engine()) if path is not None else None
        from pipeline.plan import script_paths

        for path in script_paths(self.config):
            try:
                if parse_script(path).number == number:
                    return path, self.next_engine()
            except ScriptError:
                continue
        return None

    def next_engine(self) -> str:
        if self.engine is None or self.engine == "auto":
            engine = self.engine or self.config.voice.engine
            if engine == "auto":
                from pipeline.speech.engines import choose_engine

                engine = choose_engine(engine).engine.name
            self.engine = engine
        return self.engine

    def state(self, number: int, row: CatalogRow | None, history: tuple[Review, ...]) -> ReviewState:
        found = self.script_of(number, row)
        if found is None:
            reason = _("no script of episode {number} in scripts/").format(number=number)
            return ReviewState(number, "unbuilt", None, None, None, history, reason)
        built = row.input_hash if row else None
        try:
            now = current_hash(self.config, *found, tools=self.tools)
        except (ReviewError, OSError) as exc:
            return ReviewState(number, "changed" if row else "unbuilt", built, None, None, history, str(exc))
        on_now = [r for r in history if r.input_hash == now]
        review = on_now[-1] if on_now else None
        if row is None:
            return ReviewState(number, "unbuilt", None, now, review, history)
        if now != row.input_hash:
            return ReviewState(number, "changed", built, now, review, history, "its inputs differ from the build")
        if review is not None:
            return ReviewState(number, review.verdict, built, now, review, history)  # type: ignore[arg-type]
        state: State = "void" if any(r.verdict == "approved" for r in history) else "unreviewed"
        return ReviewState(number, state, built, now, None, history)


def approve(config: Config, episode: int, by: str, note: str = "", *, engine: str | None = None) -> Review:
    """Record that ``by`` approved the current build of ``episode``; it becomes final, nothing is rendered.

    ``engine``: the voice engine the next build uses, for an episode not built yet (see :func:`review_states`).
    """
    return _verdict(config, episode, "approved", by, note, engine)


def reject(config: Config, episode: int, by: str, note: str, *, engine: str | None = None) -> Review:
    """Record that ``by`` rejected the current build of ``episode``, saying why in ``note``."""
    if not note.strip():
        raise ReviewError(
            _("episode {episode}: say why it is rejected with --note TEXT, so the editors can fix it").format(
                episode=episode
            )
        )
    return _verdict(config, episode, "rejected", by, note, engine)


def _verdict(config: Config, episode: int, verdict: str, by: str, note: str, engine: str | None) -> Review:
    """Record ``verdict`` on the episode's current inputs: its build, or the build those inputs will make."""
    reviewer = by.strip()
    if not reviewer:
        raise ReviewError(_("--by must name the reviewer"))
    allowed = config.review.reviewers
    if allowed and reviewer not in allowed:
        names = ", ".join(allowed)
        raise ReviewError(
            _("{reviewer} is not a reviewer of this series (review.reviewers in pufa.toml: {names})").format(
                reviewer=reviewer, names=names
            )
        )
    state = review_state(config, episode, engine=engine)
    if state.current_hash is None:
        raise ReviewError(_("episode {episode}: {reason}").format(episode=episode, reason=state.reason))
    with Catalog(config.catalog_path) as catalog:
        review = catalog.add_review(episode, state.current_hash, verdict, reviewer, note.strip())
        export(catalog, config.output_dir)
    return review
