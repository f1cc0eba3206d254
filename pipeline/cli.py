"""The ``pufa`` command: parses options and calls one library function per command.

Every :class:`PufaError` becomes one line on standard error and exit status 1.
Heavy imports happen inside the commands so that ``--help`` is instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .errors import PufaError

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PufaError as exc:
            for line in str(exc).splitlines() or ["error"]:
                click.echo(line if ": error:" in line else f"pufa: error: {line}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("pufa: interrupted; finished outputs are kept, nothing partial was written", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _project(ctx: click.Context) -> Path:
    from .config import find_project

    given: Path | None = ctx.obj.get("project")
    return given.resolve() if given else find_project()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pufa")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    help="Project folder (holding pufa.toml). Default: the nearest one at or above the current folder.",
)
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """pufa turns 普法小讲堂 episode scripts into narrated, captioned vertical videos.

    \b
    Examples:
      pufa init my-series          # a new series project with an example script
      pufa build                   # build every script in scripts/
      pufa build scripts/1260-gaokong.md
      pufa catalog --format csv > episodes.csv
    """
    ctx.ensure_object(dict)
    ctx.obj["project"] = project


@main.command()
@click.argument("scripts", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
@reports_errors
def build(ctx: click.Context, scripts: tuple[Path, ...]) -> None:
    """Build episode videos from SCRIPTS (default: every script in scripts/).

    Each episode goes to output/episodes/<NNNN>-<name>/: <NNNN>.mp4, <NNNN>.srt,
    cover.jpg and manifest.json, and gets a row in catalog.db. A bad script is
    reported as path:line: error: ...; the other scripts still build. Exit
    status is 1 if any script failed.

    \b
    Examples:
      pufa build
      pufa build scripts/1260-gaokong.md scripts/1261-zhapian.md
    """
    from .build import build as build_all
    from .config import load_config

    config = load_config(_project(ctx))
    report = build_all(config, scripts, log=click.echo)
    for failure in report.failed:
        click.echo(failure.message, err=True)
    click.echo(f"built {len(report.built)}, failed {len(report.failed)}")
    if not report.ok:
        sys.exit(1)


@main.command()
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
    """Show every episode in catalog.db.

    \b
    Examples:
      pufa catalog
      pufa catalog --format json
      pufa catalog --format csv > episodes.csv
    """
    from .catalog import Catalog, to_csv, to_json
    from .config import load_config
    from .report import catalog_table

    config = load_config(_project(ctx))
    with Catalog(config.catalog_path) as db:
        rows = db.rows()
    if output_format == "json":
        click.echo(to_json(rows), nl=False)
    elif output_format == "csv":
        click.echo(to_csv(rows), nl=False)
    else:
        click.echo(catalog_table(rows))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def init(directory: Path) -> None:
    """Create a new series project in DIRECTORY.

    Writes pufa.toml (every setting with its default), an example script in
    scripts/, and the assets/ folders. An existing pufa.toml is never overwritten.

    \b
    Example:
      pufa init 抚宁普法 && cd 抚宁普法 && pufa build
    """
    from .project import init_project

    created = init_project(directory)
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"next: cd {directory} && pufa build")
