from __future__ import annotations

from dataclasses import fields

from pipeline.cli import main
from pipeline.config import SECTIONS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_quick_start_is_two_make_commands() -> None:
    assert "make demo" in README and "make test" in README


def test_readme_documents_every_command() -> None:
    for name in main.commands:
        assert f"`pufa {name}" in README, name


def test_readme_documents_every_config_key() -> None:
    for section, schema in SECTIONS.items():
        assert f"**[{section}]**" in README, section
        for spec in fields(schema):
            assert f"| `{spec.name}` |" in README, f"{section}.{spec.name}"
