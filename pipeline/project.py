"""``pufa init``: lay out a new series project."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pipeline.config import CONFIG_NAME, default_config_text
from pipeline.errors import PufaError

GITIGNORE = "/output/*\n!/output/.gitkeep\n/catalog.db-*\n"
FOLDERS = ("scripts", "assets/fonts", "assets/images", "assets/music", "output")


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
    files_to_write = {
        config_path: default_config_text(),
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
