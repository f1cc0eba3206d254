"""``pufa init``: lay out a new series project that works as the bureau's does.

The series music and the opening sting are copied in and set; ``review.laws_dir`` points at a
folder of official law texts when one lies beside the project (``../laws`` or
``../shared/laws``); the theme's keys are left to the theme; the example script says it is one.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from pipeline.config import CONFIG_NAME, default_config_text
from pipeline.errors import PufaError

GITIGNORE = "/output/*\n!/output/.gitkeep\n/catalog.db-*\n"
FOLDERS = ("scripts", "assets/fonts", "assets/images", "assets/music", "output")
MUSIC = "assets/music/gentle-steps.m4a"
STING = "assets/music/opening-sting.m4a"
LAWS_BESIDE = ("../laws", "../shared/laws")


def init_project(directory: Path) -> list[Path]:
    """Create ``directory`` as a project; refuse if it already holds a pufa.toml. Returns what was created."""
    config_path = directory / CONFIG_NAME
    if config_path.exists():
        raise PufaError(f"{config_path} already exists; not overwriting an existing project")
    if directory.exists() and not directory.is_dir():
        raise PufaError(f"{directory} exists and is not a folder")
    created: list[Path] = []
    for folder in FOLDERS:
        path = directory / folder
        if not path.exists():
            path.mkdir(parents=True)
            created.append(path)
    values: dict[str, dict[str, Any]] = {"sound": {"music": MUSIC, "opening_stinger": STING}}
    laws = next((folder for folder in LAWS_BESIDE if (directory / folder).is_dir()), None)
    if laws is not None:
        values["review"] = {"laws_dir": laws}
    templates = files("pipeline").joinpath("templates")
    for name in (MUSIC, STING):
        path = directory / name
        if not path.exists():
            path.write_bytes(templates.joinpath(Path(name).name).read_bytes())
            created.append(path)
    files_to_write = {
        config_path: default_config_text(values),
        directory / "scripts" / "0001-example.md": files("pipeline")
        .joinpath("templates/example.md")
        .read_text("utf-8"),
        directory / "output" / ".gitkeep": "",
        directory / ".gitignore": GITIGNORE,
    }
    for path, text in files_to_write.items():
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            created.append(path)
    return created
