"""``pufa init``: lay out a new series project that works as the bureau's does.

The series music and the opening and closing stings are copied in and set (so neither card is
near-silent); ``review.laws_dir`` points at a
folder of official law texts when one lies beside the project (``../laws`` or
``../shared/laws``); the theme's keys are left to the theme; the example script says it is one.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipeline.config import CONFIG_NAME, default_config_text
from pipeline.errors import PufaError
from pipeline.i18n import _

GITIGNORE = "/output/*\n!/output/.gitkeep\n/catalog.db-*\n"
FOLDERS = ("scripts", "assets/fonts", "assets/images", "assets/music", "output")
MUSIC = "assets/music/gentle-steps.m4a"
STING = "assets/music/opening-sting.m4a"
CLOSING_STING = "assets/music/closing-sting.m4a"
LAWS_BESIDE = ("../laws", "../shared/laws")


def init_project(directory: Path) -> list[Path]:
    """Create ``directory`` as a project; refuse if it already holds a pufa.toml. Returns what was created.

    Nothing is written through a symbolic link: ``directory`` itself being one, or a link anywhere
    below it where pufa would create a folder or a file (even a dangling one), is refused before
    anything is written, and files are created with O_EXCL | O_NOFOLLOW, so a link made meanwhile
    is not followed either.
    """
    if directory.is_symlink():
        raise PufaError(
            _("{part} is a symbolic link; pufa init writes nothing through links, remove it first").format(
                part=directory
            )
        )
    config_path = directory / CONFIG_NAME
    if config_path.exists() or config_path.is_symlink():
        raise PufaError(
            _("{config_path} already exists; not overwriting an existing project").format(config_path=config_path)
        )
    if directory.exists() and not directory.is_dir():
        raise PufaError(_("{directory} exists and is not a folder").format(directory=directory))
    targets = [
        directory / MUSIC,
        directory / STING,
        directory / CLOSING_STING,
        config_path,
        directory / "scripts" / "0001-example.md",
    ]
    targets += [directory / "output" / ".gitkeep", directory / ".gitignore"]
    for path in [*(directory / f for f in FOLDERS), *targets]:
        for part in (path, *path.parents):
            if part == directory:
                break
            if part.is_symlink():
                raise PufaError(
                    _("{part} is a symbolic link; pufa init writes nothing through links, remove it first").format(
                        part=part
                    )
                )
    created: list[Path] = []
    for folder in FOLDERS:
        path = directory / folder
        if not path.exists():
            path.mkdir(parents=True)
            created.append(path)
    values: dict[str, dict[str, Any]] = {
        "sound": {"music": MUSIC, "opening_stinger": STING, "closing_stinger": CLOSING_STING}
    }
    laws = next((folder for folder in LAWS_BESIDE if (directory / folder).is_dir()), None)
    if laws is not None:
        values["review"] = {"laws_dir": laws}
    templates = files("pipeline").joinpath("templates")
    contents: list[bytes] = [
        templates.joinpath(Path(MUSIC).name).read_bytes(),
        templates.joinpath(Path(STING).name).read_bytes(),
        templates.joinpath(Path(CLOSING_STING).name).read_bytes(),
        default_config_text(values).encode("utf-8"),
        templates.joinpath("example.md").read_bytes(),
        b"",
        GITIGNORE.encode("utf-8"),
    ]
    for path, content in zip(targets, contents, strict=True):
        if not path.exists():
            _create(path, content)
            created.append(path)
    return created


def _create(path: Path, data: bytes) -> None:
    """Write a new file; never through a link, never over an existing file."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        raise PufaError(_("{path}: cannot create it ({strerror})").format(path=path, strerror=exc.strerror)) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
