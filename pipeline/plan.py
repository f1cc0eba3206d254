"""Deciding what a build has to do, before anything is rendered.

Every script is parsed and checked first (episode numbers must be unique across scripts/),
then each selected episode's inputs are digested: the script, its pictures, the config,
the font, the lexicon, the voice and the pipeline version. An episode whose digest matches
its catalog row and whose outputs all exist is up to date and skipped.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.catalog import Catalog, CatalogRow
from pipeline.config import Config
from pipeline.errors import ConfigError, Diagnostic, PufaError, ScriptError, display_path, shown_path
from pipeline.fsutil import inside, resolved
from pipeline.i18n import _
from pipeline.limits import (
    ONLY_RANGES,
    SCRIPT_BYTES,
    SOUND_BYTES,
    estimate_seconds,
    narration_problem,
    picture_problem,
    size_word,
)
from pipeline.media.sound import readable_audio
from pipeline.picture.fonts import resolve_font
from pipeline.progress import Progress
from pipeline.render import BuiltEpisode, Tools, find_music, input_digests, input_hash
from pipeline.review.citations import citation_errors
from pipeline.script import Episode, parse_scripts
from pipeline.speech.engines import choose_engine
from pipeline.speech.normalize import Lexicon, ReadingError, explain, load_lexicon
from pipeline.terminal import escape

_EPISODE_LINE = re.compile(r"^episode:\s*(\d+)\s*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class Failure:
    """A script that was not built: its path, the one-line message, and its number and title once parsed."""

    script: Path
    message: str
    number: int | None = None
    title: str = ""


@dataclass(frozen=True)
class PlannedEpisode:
    episode: Episode
    input_hash: str
    build: bool
    reason: str


@dataclass(frozen=True)
class BuildPlan:
    engine: str
    warning: str | None
    episodes: tuple[PlannedEpisode, ...]
    failures: tuple[Failure, ...]

    @property
    def to_build(self) -> tuple[PlannedEpisode, ...]:
        return tuple(p for p in self.episodes if p.build)

    @property
    def to_skip(self) -> tuple[PlannedEpisode, ...]:
        return tuple(p for p in self.episodes if not p.build)


@dataclass(frozen=True)
class Selection:
    """Episode numbers as inclusive ranges, matched rather than expanded: ``1-1000000000`` costs two integers."""

    ranges: tuple[tuple[int, int], ...]

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and any(first <= number <= last for first, last in self.ranges)

    def __str__(self) -> str:
        return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in self.ranges)


@dataclass(frozen=True)
class Outcome:
    """What became of one planned episode: built, failed (with the reason) or skipped (with the reason)."""

    number: int
    built: BuiltEpisode | None = None
    failure: str | None = None
    skipped_reason: str | None = None


def announce(report: Progress, outcome: Outcome) -> None:
    """Report an episode's end in the build's display, wherever it was rendered."""
    if outcome.built is not None:
        built = outcome.built
        detail = _("{path} ({duration:.1f} s video in {seconds:.1f} s)").format(
            path=display_path(built.video), duration=built.duration, seconds=built.seconds
        )
        report.finished(outcome.number, "built", detail)
    elif outcome.failure is not None:
        report.finished(outcome.number, "failed", outcome.failure)
    else:
        report.finished(outcome.number, "skipped", outcome.skipped_reason or "")


def parse_only(spec: str | None) -> Selection | None:
    """``1250-1260,1262`` → the episode numbers it names."""
    if spec is None:
        return None
    parts = spec.replace("，", ",").split(",")
    if len(parts) > ONLY_RANGES.value:
        raise PufaError(
            _("--only: {count} items; the limit is {value} ({name})").format(
                count=len(parts), value=ONLY_RANGES.value, name=ONLY_RANGES.name
            )
        )
    ranges: list[tuple[int, int]] = []
    for part in parts:
        match = re.fullmatch(r"\s*(\d{1,18})\s*(?:-\s*(\d{1,18})\s*)?", part)
        if not match:
            shown = escape(part.strip()[:40])
            raise PufaError(
                _("--only: '{shown}' is not an episode number or a range like 1250-1260").format(shown=shown)
            )
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise PufaError(_("--only: the range '{part}' runs backwards").format(part=part.strip()))
        ranges.append((first, last))
    return Selection(tuple(ranges))


def check_logo(config: Config) -> None:
    """The theme's logo passes the same picture checks as scene pictures, before any work."""
    if not config.theme.logo:
        return
    path = config.root / config.theme.logo
    if not path.is_file():
        raise ConfigError(
            _("{path}: 'theme.logo' names {logo}, which does not exist").format(
                path=config.path, logo=config.theme.logo
            )
        )
    if not inside(path, config.root):
        raise ConfigError(
            _("{path}: 'theme.logo' {logo} is outside the project folder; copy it into assets/").format(
                path=config.path, logo=config.theme.logo
            )
        )
    problem = picture_problem(path)
    if problem:
        raise ConfigError(
            _("{path}: 'theme.logo' {logo} is {problem}").format(
                path=config.path, logo=config.theme.logo, problem=problem
            )
        )


def check_sounds(config: Config) -> None:
    """The series' music and stingers (the sound section of pufa.toml) exist, lie in the project and are in size."""
    for key, name in (
        ("sound.music", config.sound.music),
        ("sound.opening_stinger", config.sound.opening_stinger),
        ("sound.closing_stinger", config.sound.closing_stinger),
    ):
        if not name or (key == "sound.music" and name.lower() == "none"):
            continue
        path = config.root / name
        problem = _("does not exist") if not path.is_file() else sound_problem(path, config.root)
        if problem:
            raise ConfigError(f"{config.path}: '{key}' {name} {problem}")


def sound_problem(path: Path, root: Path) -> str | None:
    """Why the sound file ``path`` (which exists) cannot be used, or None: outside the project, too large, not audio."""
    if not inside(path, root):
        return _("is outside the project folder; copy it into assets/music/")
    size = path.stat().st_size
    if size > SOUND_BYTES.value:
        return _("is {size_word}; the limit is {size_word2} ({name})").format(
            size_word=size_word(size), size_word2=size_word(SOUND_BYTES.value), name=SOUND_BYTES.name
        )
    if not readable_audio(path):
        return _("is not a sound file ffmpeg can read (MP3, M4A, WAV…)")
    return None


def music_problems(config: Config, episode: Episode) -> list[Diagnostic]:
    """The script's own ``music:``: it exists, lies in the project and is within ``sound_bytes``.

    The series' music is checked by :func:`check_sounds`.
    """
    if not episode.music:
        return []
    path = find_music(config, episode)
    if path is None:
        return []
    problem = _("does not exist") if not path.is_file() else sound_problem(path, config.root)
    return (
        [
            Diagnostic(
                episode.path,
                episode.line_of("music"),
                _("music {music} {problem}").format(music=episode.music, problem=problem),
            )
        ]
        if problem
        else []
    )


def outside_script() -> str:
    """The line for a script outside the project folder, which check, preview and build refuse unread."""
    return _("the script is outside the project folder; move it into scripts/")


def outside_pictures(config: Config, episode: Episode) -> list[Diagnostic]:
    """Scene pictures outside the project (absolute paths, ``..`` out of it, links out of it): errors.

    A project is copied, backed up and shared as one folder, and manifests record paths
    relative to it; a picture elsewhere on this machine would be missing everywhere else.
    """
    return [
        Diagnostic(
            episode.path,
            scene.line,
            (
                _(
                    "the picture of scene '{label}' is outside the project folder ({image}); copy it "
                    "into assets/images/"
                ).format(label=scene.label, image=scene.image)
            ),
        )
        for scene in episode.scenes
        if scene.image is not None and not inside(scene.image, config.root)
    ]


def spoken_problems(episode: Episode, lexicon: Lexicon) -> tuple[list[Diagnostic], bool]:
    """What the voice would be asked to say, checked before anything is split, laid out or spoken.

    Every block is normalised once (linear in its length, a few milliseconds for the longest
    paragraph allowed): a number too long to say in words is an error naming its block's line,
    and the narration estimated from the spoken form (1254 read 一千二百五十四) must stay within
    ``episode_seconds``. Returns the errors and whether that limit was breached, in which case
    nothing more should be done with the episode.
    """
    problems: list[Diagnostic] = []
    seconds = 0.0
    for scene in episode.scenes:
        for block in scene.blocks:
            try:
                spoken = "".join(reading.spoken for reading in explain(block.spans, lexicon))
            except ReadingError as exc:
                problems.append(Diagnostic(episode.path, block.line, str(exc)))
                spoken = block.spoken
            seconds += estimate_seconds(spoken)
    over = narration_problem(seconds)
    if over:
        problems.append(Diagnostic(episode.path, episode.scenes[0].line if episode.scenes else 1, over))
    return problems, over is not None


def refusals(config: Config, episode: Episode, lexicon: Lexicon) -> tuple[list[Diagnostic], bool]:
    """Every reason the build refuses ``episode`` once it has parsed, found without rendering anything.

    ``pufa check`` reports the same lines; the second value says a limit was breached (see
    :func:`spoken_problems`).
    """
    spoken, over = spoken_problems(episode, lexicon)
    return [*spoken, *outside_pictures(config, episode), *music_problems(config, episode)], over


def script_paths(config: Config) -> list[Path]:
    return sorted(config.scripts_dir.glob("*.md"))


def no_such_script(config: Config, path: Path) -> str:
    """ "no such script", naming the closest script in scripts/ when one is close: a typo, a short name, a number."""
    if path.is_symlink():
        return _(
            "a symbolic link that leads to no file (nowhere, or round in a loop); remove it or point it at a script"
        )
    names = [p.name for p in script_paths(config)]
    wanted = path.name if path.suffix == ".md" else f"{path.name}.md"
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    starting = [n for n in names if n.startswith(path.stem) or n.split("-")[0].lstrip("0") == path.stem.lstrip("0")]
    found = close[0] if close else starting[0] if len(starting) == 1 else None
    if found is None:
        return _("no such script")
    return _("no such script; did you mean {value}?").format(value=display_path(config.scripts_dir / found))


def plan_build(
    config: Config,
    scripts: Sequence[Path] = (),
    *,
    only: Container[int] | None = None,
    force: bool = False,
    tts: str | None = None,
) -> tuple[BuildPlan, Tools | None]:
    """What to build and what is up to date; also the tools the build will use (None if nothing is selected)."""
    font = resolve_font(config)
    check_logo(config)
    check_sounds(config)
    lexicon = load_lexicon(config.root / config.voice.lexicon)
    every = [resolved(p) for p in script_paths(config)]
    wanted = [resolved(p) for p in scripts] if scripts else every
    failures = [Failure(p, f"{shown_path(p)}:1: error: {no_such_script(config, p)}") for p in wanted if not p.is_file()]
    outside = [p for p in wanted if p.is_file() and not inside(p, config.root)]
    failures += [Failure(p, f"{shown_path(p)}:1: error: " + outside_script()) for p in outside]
    wanted = [p for p in wanted if p.is_file() and p not in outside]
    episodes, bad = parse_scripts(dict.fromkeys([*wanted, *every]), font.missing, root=config.root)
    wanted_set = set(wanted)
    for path, error in bad.items():
        if path in wanted_set and (only is None or _number_in(path, only)):
            failures.append(Failure(path, _format(error)))
    selected = []
    for episode in episodes:
        if episode.path in wanted_set and (only is None or episode.number in only):
            refused, over = refusals(config, episode, lexicon)
            if not over:  # a misquoted or unlisted article is refused too, as check reports it
                refused += citation_errors(config, episode)
            if refused:
                failures.append(Failure(episode.path, _format(ScriptError(refused)), episode.number, episode.title))
            else:
                selected.append(episode)
    if not selected and not failures and isinstance(only, Selection):
        # A typo in an episode number must not look like "nothing to do".
        raise PufaError(
            _("--only {only}: no script in {folder}/ has that episode number").format(
                only=only, folder=display_path(config.scripts_dir)
            )
        )
    if not selected:
        return BuildPlan("", None, (), tuple(sorted(failures, key=lambda f: str(f.script)))), None

    choice = choose_engine(tts or config.voice.engine, threads=config.voice.threads)
    tools = Tools(font, choice, lexicon)
    with Catalog(config.catalog_path) as catalog:
        rows = {row.number: row for row in catalog.rows()}
    planned = []
    for episode in selected:
        inputs = input_digests(config, episode, tools)
        digest = input_hash(inputs)
        fresh, reason = check_up_to_date(config, rows.get(episode.number), digest, inputs)
        planned.append(PlannedEpisode(episode, digest, force or not fresh, "forced" if force else reason))
    plan = BuildPlan(
        choice.engine.name, choice.warning, tuple(planned), tuple(sorted(failures, key=lambda f: str(f.script)))
    )
    return plan, tools


def check_up_to_date(
    config: Config, row: CatalogRow | None, digest: str, inputs: dict[str, object] | None = None
) -> tuple[bool, str]:
    """Whether an episode's outputs are current, and if not, why in a few words."""
    if row is None:
        return False, "new"
    outputs = [config.root / p for p in (row.video, row.subtitles, row.cover, row.manifest)]
    if not all(p.is_file() for p in outputs):
        return False, "outputs missing"
    if row.input_hash == digest:
        return True, "up to date"
    return False, _what_changed(config.root / row.manifest, inputs)


def _what_changed(manifest: Path, inputs: dict[str, object] | None) -> str:
    try:
        before = json.loads(manifest.read_text(encoding="utf-8")).get("inputs", {})
    except (OSError, ValueError):
        return "inputs changed"
    changed = [key for key in (inputs or {}) if before.get(key) != (inputs or {})[key]]
    return f"{', '.join(changed)} changed" if changed else "inputs changed"


def _number_in(path: Path, only: Container[int]) -> bool:
    """For a script too broken to parse: does its episode line put it in the selection?"""
    try:
        with path.open("rb") as handle:
            head = handle.read(SCRIPT_BYTES.value).decode("utf-8", errors="replace")
        match = _EPISODE_LINE.search(head)
    except OSError:
        return False
    return match is not None and int(match[1]) in only


def _format(error: ScriptError) -> str:
    return "\n".join(d.format() for d in error.diagnostics)
