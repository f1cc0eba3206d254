"""The ``pufa`` command: parses options and calls one library function per command.

Every :class:`PufaError` becomes one line on standard error and exit status 1.
Heavy imports happen inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from pipeline import __version__
from pipeline.errors import PufaError
from pipeline.i18n import _, setup, translate_help
from pipeline.terminal import escape

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Every error as one line on standard error and exit status 1: pufa's own errors as they are, anything
    else as one line naming the log file that holds its traceback (printed too with ``--debug``)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            _exit_for(exc)

    return wrapper  # type: ignore[return-value]


def _exit_for(exc: BaseException) -> NoReturn:
    if isinstance(exc, PufaError):
        for line in str(exc).splitlines() or ["error"]:
            line = escape(line)
            click.echo(line if ": error:" in line else _("pufa: error: {message}").format(message=line), err=True)
        sys.exit(1)
    if isinstance(exc, KeyboardInterrupt):
        click.echo(_("pufa: interrupted; finished outputs are kept, nothing partial was written"), err=True)
        sys.exit(130)
    from pipeline.crash import one_line

    if _debugging():
        import traceback

        traceback.print_exception(exc)
    click.echo(_("pufa: error: {message}").format(message=one_line(exc)), err=True)
    sys.exit(1)


class OneLineUsageError(click.UsageError):
    """A mistyped command line as one line, like every other error (exit status 2, as click and getopt use)."""

    def show(self, file: Any = None) -> None:
        command = self.ctx.command_path if self.ctx else "pufa"
        line = _("{command}: error: {message} (see {command} --help)").format(
            command=command, message=" ".join(self.message.split())
        )
        click.echo(escape(line), err=True)


def _one_line(exc: click.UsageError) -> click.UsageError:
    # A group named without its command (pufa cache) shows its help, as click means it to: the
    # help is the answer there, not a mistake squeezed into one line.
    if isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
        return exc
    # format_message, not message: it holds the "did you mean" and the missing parameter's name.
    return OneLineUsageError(exc.format_message(), exc.ctx)


class PufaGroup(click.Group):
    """The top-level group: whatever a command raises, even one without ``reports_errors``, becomes one line."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except OneLineUsageError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OneLineUsageError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc) from None
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit, SystemExit):
            raise
        except (Exception, KeyboardInterrupt) as exc:
            _exit_for(exc)


def _say(text: str, err: bool = False) -> None:
    """Print text that carries the user's words (titles, findings, tables): control characters shown escaped."""
    click.echo(escape(text, keep_newlines=True), err=err)


def _debugging() -> bool:
    context = click.get_current_context(silent=True)
    root = context.find_root() if context else None
    return bool(os.environ.get("PUFA_DEBUG")) or bool(root and (root.obj or {}).get("debug"))


def _project(ctx: click.Context) -> Path:
    from pipeline.config import find_project

    given: Path | None = ctx.obj.get("project")
    return given.resolve() if given else find_project()


@click.group(cls=PufaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pufa")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (holding pufa.toml). Default: the nearest one at or above the current folder.",
)
@click.option("--debug", is_flag=True, help="On an unexpected error, also print its traceback (kept in a log file).")
@click.pass_context
def main(ctx: click.Context, project: Path | None, debug: bool) -> None:
    """pufa turns 普法小讲堂 episode scripts into narrated, captioned vertical videos.

    \b
    Examples:
      pufa init my-series          # a new series project with an example script
      pufa build                   # build every script in scripts/
      pufa check                   # review scripts without rendering
      pufa preview scripts/1260-gaokong-paowu.md --open
      pufa build scripts/1260-gaokong-paowu.md
      pufa publish 1260 --to channels
      pufa catalog --format csv > episodes.csv
    """
    ctx.ensure_object(dict)
    ctx.obj["project"] = project
    ctx.obj["debug"] = debug


TTS_OPTION = click.option(
    "--tts",
    type=click.Choice(["auto", "edge", "kokoro", "espeak"]),
    help="Voice engine for this run, instead of voice.engine in pufa.toml "
    "(kokoro: offline neural voice; espeak: fastest offline draft voice).",
)


@main.command()
@click.argument("scripts", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@TTS_OPTION
@click.option("--only", metavar="NUMBERS", help="Episode numbers to build, e.g. 1250-1260 or 1250,1253,1260-1262.")
@click.option("--force", is_flag=True, help="Rebuild episodes that are up to date.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Episodes rendered at once, each in its own process. [default: cores]",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Render on a Dask cluster: its scheduler (tcp://HOST:8786) or local:N for N worker processes here; "
    "off renders here. [default: build.cluster in pufa.toml]",
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first episode that fails.")
@click.option(
    "--theme",
    metavar="NAME",
    help="Theme for this build instead of theme.name, e.g. large (适老化: large high-contrast captions).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be built and why; render nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print only failures and the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Print every stage of every episode, and every skipped one.")
@click.pass_context
@reports_errors
def build(
    ctx: click.Context,
    scripts: tuple[Path, ...],
    tts: str | None,
    only: str | None,
    force: bool,
    jobs: int | None,
    cluster: str | None,
    fail_fast: bool,
    theme: str | None,
    dry_run: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Build episode videos from SCRIPTS (default: every script in scripts/).

    Each episode goes to output/episodes/<NNNN>-<name>/: <NNNN>.mp4, <NNNN>.srt,
    cover.jpg and manifest.json, and gets a row in catalog.db. Episodes whose
    script, pictures, config, font, lexicon and voice are unchanged since their
    last build are skipped. A bad script is reported as path:line: error: ...;
    the other scripts still build. Exit status is 1 if any script failed.

    \b
    Examples:
      pufa build                           # everything that changed
      pufa build --only 1250-1260 --jobs 2
      pufa build scripts/1260-gaokong-paowu.md --force
      pufa build --tts kokoro              # offline neural voice, even when online
      pufa build --tts espeak              # fastest offline draft voice
      pufa build --dry-run -v              # what would be built, and why
      pufa build --cluster tcp://192.168.1.20:8786 --force
    """
    from pipeline.build import build as build_all
    from pipeline.build import default_jobs
    from pipeline.config import load_config
    from pipeline.plan import parse_only, plan_build
    from pipeline.progress import PlainProgress, TerminalProgress
    from pipeline.report import build_summary, plan_table

    config = load_config(_project(ctx), theme=theme)
    selection = parse_only(only)
    address = _cluster_address(cluster, config.build.cluster, jobs)
    if dry_run:
        plan, _tools = plan_build(config, scripts, only=selection, force=force, tts=tts)
        if plan.warning:
            _say(_("warning: {text}").format(text=plan.warning), err=True)
        for failure in plan.failures:
            _say(failure.message, err=True)
        _say(plan_table(plan, verbose=verbose))
        sys.exit(1 if plan.failures else 0)
    interactive = sys.stderr.isatty() and not quiet and not verbose
    progress = TerminalProgress() if interactive else PlainProgress(_say, verbose=verbose, quiet=quiet)
    report = build_all(
        config,
        scripts,
        tts=tts,
        only=selection,
        force=force,
        jobs=jobs or default_jobs(),
        fail_fast=fail_fast,
        progress=progress,
        cluster=address,
    )
    for failure in report.failed:
        _say(failure.message, err=True)
    _say(build_summary(report, verbose=verbose))
    if not report.ok:
        sys.exit(1)


def _gib(size: int) -> str:
    return f"{size / 2**30:.1f} GiB"


def _cluster_address(given: str | None, configured: str, jobs: int | None) -> str | None:
    """The cluster a build uses: --cluster, else build.cluster; ``off`` or empty: none."""
    from pipeline.cluster.coordinator import parse_address

    address = given if given is not None else configured
    if not address or address == "off":
        return None
    if jobs is not None:
        raise PufaError(
            _(
                "--jobs does not apply to a cluster build (each worker renders as many episodes "
                "as it has threads); add --cluster off to render on this computer"
            )
        )
    return parse_address(address)


@main.group()
def cluster() -> None:
    """Dask clusters that pufa build --cluster renders on.

    \b
    Examples:
      pufa cluster check tcp://192.168.1.20:8786
    """


@cluster.command("check")
@click.argument("address")
@reports_errors
def cluster_check(address: str) -> None:
    """Show the workers of the Dask cluster at ADDRESS: pufa version, threads, cores, memory.

    A worker with another pufa version than this computer's is an error (exit status 1).

    \b
    Examples:
      pufa cluster check tcp://192.168.1.20:8786
      pufa cluster check local:2
    """
    from pipeline import build_id
    from pipeline.cluster.coordinator import check_cluster
    from pipeline.report import table

    found = check_cluster(address)
    rows = [
        [w.address, w.name, w.host, w.pufa or "-", w.python, str(w.threads), str(w.cores), _gib(w.memory)]
        for w in found
    ]
    if rows:
        click.echo(
            table(
                [_("worker"), _("name"), _("computer"), "pufa", "python", _("threads"), _("cores"), _("memory")], rows
            )
        )
    threads = sum(w.threads for w in found)
    click.echo(
        _("{count} workers, {threads} threads; this computer has pufa {__version__}").format(
            count=len(found), threads=threads, __version__=build_id()
        )
    )
    problems = [w.problem for w in found if w.problem]
    if not found:
        problems.append(
            _("no workers are connected to {address}; start one with: dask worker {address}").format(address=address)
        )
    if problems:
        raise PufaError("\n".join(problems))


@main.group("export")
def export_group() -> None:
    """Hand a built episode to another tool.

    \b
    Examples:
      pufa export jianying 1260                  # a 剪映 draft, to finish by hand
      pufa export jianying 1260 --to D:/drafts
    """


@export_group.command("jianying")
@click.argument("episode", type=int)
@click.option(
    "--to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the draft folder into. [default: 剪映's drafts folder when installed, else output/jianying/]",
)
@click.pass_context
@reports_errors
def export_jianying(ctx: click.Context, episode: int, to: Path | None) -> None:
    """Write built EPISODE as a 剪映 (JianyingPro) draft: pictures, sound, captions and law cards on tracks.

    The media is copied into the draft folder; every time is the manifest's, in microseconds.

    \b
    Examples:
      pufa export jianying 1260
      pufa export jianying 1260 --to output/drafts
    """
    from pipeline.config import load_config
    from pipeline.errors import display_path
    from pipeline.export.jianying import export_jianying as write_draft

    made = write_draft(load_config(_project(ctx.find_root())), episode, to)
    counts = ", ".join(f"{name} {len(segments)}" for name, segments in made.tracks.items())
    click.echo(
        _("draft: {folder} ({value:.1f} s; segments: {counts})").format(
            folder=display_path(made.folder), value=made.duration / 1e6, counts=counts
        )
    )


@main.group(invoke_without_command=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for reading, json or csv for other tools.",
)
@click.pass_context
@reports_errors
def catalog(ctx: click.Context, output_format: str) -> None:
    """Show every episode in catalog.db, with its review and where it was published.

    ``pufa catalog import FILE`` restores a lost catalog from its export.

    \b
    Examples:
      pufa catalog
      pufa catalog --format json
      pufa catalog --format csv > episodes.csv
      pufa catalog import output/catalog.json
    """
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.catalog import Catalog, to_csv, to_json
    from pipeline.config import load_config
    from pipeline.report import catalog_table

    config = load_config(_project(ctx))
    with Catalog(config.catalog_path) as db:
        entries = db.entries()
    if output_format == "json":
        click.echo(to_json(entries), nl=False)
    elif output_format == "csv":
        click.echo(to_csv(entries), nl=False)
    else:
        _say(catalog_table(entries))


@catalog.command("import")
@click.argument("export", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--replace-damaged",
    is_flag=True,
    help="If catalog.db is not a readable database, rename it to catalog.db.damaged-TIME first (never deleted).",
)
@click.pass_context
@reports_errors
def catalog_import(ctx: click.Context, export: Path, replace_damaged: bool) -> None:
    """Restore a lost or empty catalog.db from its export (output/catalog.json).

    The episodes come back with their status, paths and input hashes, so up-to-date
    episodes are not rebuilt. The publish journal is not in the export.

    \b
    Examples:
      pufa catalog import output/catalog.json
      pufa catalog import --replace-damaged output/catalog.json
    """
    from pipeline.catalog import Catalog, from_json, set_aside_damaged
    from pipeline.config import load_config
    from pipeline.fsutil import read_text

    config = load_config(_project(ctx.find_root()))
    rows = from_json(read_text(export), export)
    if replace_damaged:
        aside = set_aside_damaged(config.catalog_path)
        if aside is not None:
            click.echo(_("moved the damaged {path} aside to {aside}").format(path=config.catalog_path, aside=aside))
    with Catalog(config.catalog_path, fresh=True) as db:
        count = db.restore(rows)
    click.echo(_("imported {count} episodes into {catalog_path}").format(count=count, catalog_path=config.catalog_path))


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@reports_errors
def init(directory: Path) -> None:
    """Create a new series project in DIRECTORY.

    Writes pufa.toml (every setting with its default), an example script in
    scripts/, and the assets/ folders. An existing pufa.toml is never overwritten.

    \b
    Example:
      pufa init 抚宁普法 && cd 抚宁普法 && pufa build
    """
    from pipeline.project import init_project

    created = init_project(directory)
    for path in created:
        click.echo(_("created {path}").format(path=path))
    click.echo(_("next: cd {folder} && pufa studio (the web studio), or pufa build").format(folder=directory))


@main.command()
@click.argument("text")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Also synthesise to this WAV file."
)
@click.option("--explain", is_flag=True, help="Also list each span with its class (date, money …) and reading.")
@TTS_OPTION
@click.pass_context
@reports_errors
def say(ctx: click.Context, text: str, output: Path | None, explain: bool, tts: str | None) -> None:
    """Print how TEXT will be read aloud (what the voice engine is given).

    Numbers, dates, hotlines and abbreviations are normalised the way a presenter
    reads them; assets/lexicon.tsv and {显示|读作} apply first.

    \b
    Examples:
      pufa say "依据《民法典》第1254条，2023年5月拨打12345"
      pufa say --explain "2019年以来，拨打135-4567-8900"
      pufa say "请拨打96110" -o check.wav --tts espeak
    """
    from pipeline.config import load_config
    from pipeline.limits import PARAGRAPH_CHARS
    from pipeline.speech.say import explain_text
    from pipeline.speech.say import say as say_text

    if len(text) > PARAGRAPH_CHARS.value:
        raise PufaError(
            _("the text has {count} characters; the limit is {value} ({name})").format(
                count=len(text), value=PARAGRAPH_CHARS.value, name=PARAGRAPH_CHARS.name
            )
        )
    config = load_config(_project(ctx))
    if explain:
        explanation = explain_text(config, text)
        click.echo(explanation.spoken)
        for line in explanation.lines():
            click.echo(f"  {line}")
        for warning in explanation.warnings:
            click.echo(_("warning: {text}").format(text=warning), err=True)
    if output is None and explain:
        return
    said = say_text(config, text, output, tts)
    if not explain:
        click.echo(said.spoken)
        for warning in explain_text(config, text).warnings:
            click.echo(_("warning: {warning}").format(warning=warning), err=True)
    if said.warning:
        click.echo(_("warning: {text}").format(text=said.warning), err=True)
    if said.output is not None:
        click.echo(
            _("wrote {path} ({seconds:.1f} s, {engine} {voice})").format(
                path=said.output, seconds=said.duration, engine=said.engine, voice=said.voice
            ),
            err=True,
        )


@main.command()
@reports_errors
def voices() -> None:
    """List the voices: the zh-CN voices of edge-tts (name, gender, style), then the offline Kokoro voices.

    Without a network connection it shows the built-in table of known edge-tts voices. Set
    voice.name (edge-tts) or voice.kokoro_name (Kokoro) in pufa.toml, or voice: in a script.

    \b
    Example:
      pufa voices
    """
    from pipeline.report import table, voice_row
    from pipeline.speech.say import voices as list_voices

    found = list_voices()
    if not found.live:
        message = _("offline ({problem}); showing the built-in list of known zh-CN voices")
        click.echo(message.format(problem=found.problem), err=True)
    click.echo(table([_("voice"), _("gender"), _("style")], [voice_row(*v) for v in found.voices]))
    click.echo(_("\noffline voices (Kokoro, shipped with pufa):"))
    click.echo(table([_("voice"), _("gender"), _("style")], [voice_row(*v) for v in found.offline]))


@main.group()
def cache() -> None:
    """The audio cache: synthesised speech kept so unchanged scenes are never spoken twice.

    \b
    Examples:
      pufa cache info
      pufa cache clear
    """


@cache.command("info")
@reports_errors
def cache_info() -> None:
    """Show where the audio cache is and how big it is.

    \b
    Example:
      pufa cache info
    """
    from pipeline.speech.cache import audio_cache_dir, cache_usage

    usage = cache_usage()
    click.echo(
        _("{folder}: {files} recordings, {megabytes:.1f} MB").format(
            folder=audio_cache_dir(), files=usage.files, megabytes=usage.bytes / 1e6
        )
    )


@cache.command("clear")
@reports_errors
def cache_clear() -> None:
    """Delete every cached recording (the next build synthesises again).

    \b
    Example:
      pufa cache clear
    """
    from pipeline.speech.cache import audio_cache_dir, clear_cache

    removed = clear_cache()
    click.echo(
        _("removed {files} recordings ({megabytes:.1f} MB) from {folder}").format(
            files=removed.files, megabytes=removed.bytes / 1e6, folder=audio_cache_dir()
        )
    )


@main.command()
@click.argument("scripts", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output form.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
@click.pass_context
@reports_errors
def check(ctx: click.Context, scripts: tuple[Path, ...], output_format: str, strict: bool) -> None:
    """Check SCRIPTS (default: every script) without rendering anything.

    Reports, one per line as path:line:col: error|warning|note: message, what the
    build would reject, captions that cannot fit, long scenes, the estimated
    duration against the series target, law citations (standard form, listed in
    laws:), the channel's short title, and how numbers will be read aloud.
    Exit status 1 on errors, or on warnings with --strict.

    \b
    Examples:
      pufa check
      pufa check scripts/1260-gaokong-paowu.md --strict
      pufa check --format json > check.json
    """
    from pipeline.config import load_config
    from pipeline.review.check import check as check_scripts

    report = check_scripts(load_config(_project(ctx)), scripts)
    if output_format == "json":
        click.echo(report.to_json())
    else:
        for finding in report.findings:
            _say(finding.format())
        click.echo(
            _("{scripts} scripts: {errors} errors, {warnings} warnings, {notes} notes").format(
                scripts=report.scripts,
                errors=report.count("error"),
                warnings=report.count("warning"),
                notes=report.count("note"),
            ),
            err=True,
        )
    if report.failed(strict):
        sys.exit(1)


@main.command()
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@TTS_OPTION
@click.option("--open", "open_page", is_flag=True, help="Open the review page in the default browser.")
@click.pass_context
@reports_errors
def preview(ctx: click.Context, script: Path, tts: str | None, open_page: bool) -> None:
    """Make a quick draft of SCRIPT for editing and review (法制审核).

    Writes output/preview/<NNNN>/: video.mp4 (540x960, 样片 watermark, offline
    voice unless --tts), storyboard.png (every screen state with its start time)
    and index.html, a review page that opens from the file system: the video,
    each caption beside its time (click to seek), the law cards, the cited
    articles and the check results.

    \b
    Examples:
      pufa preview scripts/1260-gaokong-paowu.md --open
      pufa preview scripts/1260-gaokong-paowu.md --tts edge
    """
    from pipeline.config import load_config
    from pipeline.errors import display_path
    from pipeline.plan import no_such_script
    from pipeline.review.preview import preview as make_preview

    config = load_config(_project(ctx))
    if not script.is_file():
        raise PufaError(f"{script}: {no_such_script(config, script)}")
    result = make_preview(config, script, tts)
    errors = sum(1 for f in result.findings if f.severity == "error")
    click.echo(
        _("draft: {path} ({duration:.1f} s video in {seconds:.1f} s)").format(
            path=display_path(result.video), duration=result.duration, seconds=result.seconds
        )
    )
    click.echo(_("storyboard: {path}").format(path=display_path(result.storyboard)))
    click.echo(_("review page: {path}").format(path=display_path(result.page)))
    if errors:
        click.echo(_("{errors} check errors: see the review page or run pufa check").format(errors=errors), err=True)
    if open_page:
        import webbrowser

        webbrowser.open(result.page.resolve().as_uri())


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this computer (127.0.0.1) needs the access token printed at start.",
)
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@TTS_OPTION
@click.pass_context
@reports_errors
def studio(ctx: click.Context, port: int, host: str, no_browser: bool, tts: str | None) -> None:
    """Start 普法小讲堂 工作台, the web studio for editors and reviewers, and open it in the browser.

    Write and check scripts, preview, review (法制审核), build, publish and see the
    statistics, all in Chinese, on this computer only. One studio per project;
    Ctrl-C stops it.

    \b
    Examples:
      pufa studio
      pufa studio --port 8800 --no-browser
      pufa studio --tts espeak             # offline draft voice for previews and builds
    """
    from pipeline.studio.server import serve

    serve(_project(ctx), host=host, port=port, open_browser=not no_browser, tts=tts, echo=click.echo)


@main.group()
def review() -> None:
    """The review trail (法制审核): approve or reject an episode's current build.

    An approval is recorded in catalog.db against the build (its input hash): it
    makes the episode final without rendering anything, and pufa publish needs it.
    Any later change to the episode's inputs voids it until the new build is approved.

    \b
    Examples:
      pufa review approve 1260 --by 张律师 --note "法条引用无误"
      pufa review reject 1260 --by 张律师 --note "第二段案例时间有误"
      pufa review status
    """


BY_OPTION = click.option("--by", "by", required=True, metavar="NAME", help="Who reviewed it (review.reviewers).")


@review.command("approve")
@click.argument("episode", type=int)
@BY_OPTION
@click.option("--note", default="", help="What the reviewer said.")
@click.pass_context
@reports_errors
def review_approve(ctx: click.Context, episode: int, by: str, note: str) -> None:
    """Approve the current build of EPISODE (a number) for publishing.

    \b
    Example:
      pufa review approve 1260 --by 张律师 --note "法条引用无误"
    """
    from pipeline.config import load_config
    from pipeline.review.trail import approve, shown_time

    made = approve(load_config(_project(ctx.find_root())), episode, by, note)
    click.echo(
        _("{episode:04d}: build {input_hash} approved by {reviewer} at {at}").format(
            episode=episode, input_hash=made.input_hash[:10], reviewer=made.reviewer, at=shown_time(made.at)
        )
    )


@review.command("reject")
@click.argument("episode", type=int)
@BY_OPTION
@click.option("--note", required=True, help="Why it is rejected: what the editors must change.")
@click.pass_context
@reports_errors
def review_reject(ctx: click.Context, episode: int, by: str, note: str) -> None:
    """Reject the current build of EPISODE (a number), saying why.

    \b
    Example:
      pufa review reject 1260 --by 张律师 --note "第二段案例时间有误"
    """
    from pipeline.config import load_config
    from pipeline.review.trail import reject, shown_time

    made = reject(load_config(_project(ctx.find_root())), episode, by, note)
    click.echo(
        _("{episode:04d}: build {input_hash} rejected by {reviewer} at {at}: {note}").format(
            episode=episode,
            input_hash=made.input_hash[:10],
            reviewer=made.reviewer,
            at=shown_time(made.at),
            note=made.note,
        )
    )


@review.command("status")
@click.argument("episodes", nargs=-1, type=int)
@click.pass_context
@reports_errors
def review_status(ctx: click.Context, episodes: tuple[int, ...]) -> None:
    """Show where EPISODES (default: every built episode) stand in review.

    \b
    Example:
      pufa review status 1260
    """
    from pipeline.config import load_config
    from pipeline.review.trail import review_states

    config = load_config(_project(ctx.find_root()))
    for state in review_states(config, episodes or None):
        click.echo(f"{state.words}  {state.describe(config.review.reviewers)}")


class PublishGroup(click.Group):
    """``pufa publish 1260 --to mp`` and ``pufa publish mark|sync``: episode numbers or a subcommand.

    Anything that is not a subcommand (episode numbers, or options such as ``--to``) goes to
    ``send``, and ``pufa publish --help`` lists send's options, so the common case reads as one command.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["send", *args]
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        send = self.commands["send"]
        options = [p for p in send.get_params(ctx) if isinstance(p, click.Option)]
        records = [r for r in (p.get_help_record(ctx) for p in options) if r is not None]
        with formatter.section(
            _("Options ({usage})").format(usage="pufa publish EPISODE... --to channels|mp [OPTIONS]")
        ):
            formatter.write_dl(records)
        self.format_commands(ctx, formatter)


@main.group(cls=PublishGroup, options_metavar="EPISODE... --to channels|mp [OPTIONS]")
def publish() -> None:
    """Publish finished episodes to WeChat Channels (视频号) or the Official Account (公众号).

    \b
    Examples:
      pufa publish 1260 --to channels              # an upload package for 视频号
      pufa publish 1260 1261 --to mp               # uploads and a draft on the 公众号
      pufa publish 1260 --to mp --submit           # ... and publish the draft
      pufa publish 1260 --to mp --as broadcast     # 群发 the video to subscribers
      pufa publish 1260 --to mp --dry-run          # say what would be sent
      pufa publish mark 1260 --channel channels --url https://...
      pufa publish sync                            # record articles published by hand
    """


@publish.command("send")
@click.argument("episodes", nargs=-1, required=True, type=int)
@click.option("--to", "channel", type=click.Choice(["channels", "mp"]), required=True, help="Where to publish.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent or written; touch nothing.")
@click.option("--allow-draft-voice", is_flag=True, help="Publish even if the offline draft voice spoke it.")
@click.option("--submit", is_flag=True, help="With --to mp: also publish the draft (freepublish) and wait for it.")
@click.option(
    "--as",
    "mode",
    type=click.Choice(["article", "broadcast"]),
    default="article",
    show_default=True,
    help="With --to mp: article (uploads and a draft; --submit publishes it) or broadcast (群发 the video "
    "to every subscriber, recorded apart from the article).",
)
@click.pass_context
@reports_errors
def publish_send(
    ctx: click.Context,
    episodes: tuple[int, ...],
    channel: str,
    dry_run: bool,
    allow_draft_voice: bool,
    submit: bool,
    mode: str,
) -> None:
    """Publish EPISODES (numbers) to CHANNEL.

    \b
    Examples:
      pufa publish 1260 --to channels
      pufa publish 1260 --to mp --submit
    """
    from pipeline.config import load_config
    from pipeline.publish.episodes import publish as publish_episodes

    config = load_config(_project(ctx.find_root()))
    outcomes = publish_episodes(
        config,
        episodes,
        channel,
        dry_run=dry_run,
        allow_draft_voice=allow_draft_voice,
        submit=submit,
        broadcast=mode == "broadcast",
        echo=_say,
    )
    if not dry_run:
        for outcome in outcomes:
            for line in outcome.lines:
                _say(line)


@publish.command("mark")
@click.argument("episode", type=int)
@click.option("--channel", type=click.Choice(["channels", "mp"]), required=True, help="Where it was posted.")
@click.option("--url", required=True, help="The post's address.")
@click.pass_context
@reports_errors
def publish_mark(ctx: click.Context, episode: int, channel: str, url: str) -> None:
    """Record that EPISODE was posted by hand on CHANNEL at URL.

    \b
    Example:
      pufa publish mark 1260 --channel channels --url https://channels.weixin.qq.com/...
    """
    from pipeline.config import load_config
    from pipeline.publish.episodes import mark

    entry = mark(load_config(_project(ctx.find_root())), episode, channel, url)
    _say(f"{entry.episode:04d} {entry.channel}: {entry.state} {entry.url}")


@publish.command("sync")
@click.pass_context
@reports_errors
def publish_sync(ctx: click.Context) -> None:
    """Record articles published by hand on the Official Account (matched by title).

    \b
    Example:
      pufa publish sync
    """
    from pipeline.config import load_config
    from pipeline.publish.episodes import sync

    found = sync(load_config(_project(ctx.find_root())))
    for entry in found:
        _say(_("{episode:04d} mp: published {url}").format(episode=entry.episode, url=entry.url))
    click.echo(_("{count} newly recorded").format(count=len(found)))


setup()
translate_help(main)
