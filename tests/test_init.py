"""`pufa init` makes a project that works as the bureau's does."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from pipeline.config import BUILTIN_THEMES, load_config
from pipeline.media.sound import RATE, decode
from pipeline.project import init_project


def test_the_theme_switch_takes_effect(tmp_path: Path) -> None:
    root = tmp_path / "series"
    init_project(root)
    text = (root / "pufa.toml").read_text(encoding="utf-8")
    assert '\n# background = "#0E3A66"\n' in text and '\n# band = "#00000099"\n' in text
    (root / "pufa.toml").write_text(text.replace('\nname = "default"\n', '\nname = "crimson"\n'), encoding="utf-8")
    config = load_config(root)
    crimson = BUILTIN_THEMES["crimson"]
    assert (config.theme.background, config.theme.title_layout) == (crimson["theme"]["background"], "banner")
    assert config.captions.band == crimson["captions"]["band"]


def test_series_music_and_both_stings_are_set(tmp_path: Path) -> None:
    """Neither card of a new series is near-silent: the opening and the closing sting are both set."""
    root = tmp_path / "series"
    init_project(root)
    config = load_config(root)
    assert (config.sound.music, config.sound.opening_stinger, config.sound.closing_stinger) == (
        "assets/music/gentle-steps.m4a",
        "assets/music/opening-sting.m4a",
        "assets/music/closing-sting.m4a",
    )
    assert 23.5 < len(decode(root / config.sound.music)) / RATE < 24.5
    assert 1.9 < len(decode(root / config.sound.opening_stinger)) / RATE < 2.1
    assert config.video.title_seconds >= 2.0  # the sting fits under the title card
    closing = len(decode(root / config.sound.closing_stinger)) / RATE
    assert 1.0 < closing <= config.video.closing_seconds, "the closing sting fits under the closing card"


def test_laws_dir_points_at_a_laws_folder_beside(tmp_path: Path) -> None:
    (tmp_path / "shared" / "laws").mkdir(parents=True)
    init_project(tmp_path / "series")
    assert load_config(tmp_path / "series").review.laws_dir == "../shared/laws"
    (tmp_path / "laws").mkdir()
    init_project(tmp_path / "other")
    assert load_config(tmp_path / "other").review.laws_dir == "../laws"
    init_project(tmp_path / "deeper" / "series")
    assert load_config(tmp_path / "deeper" / "series").review.laws_dir == ""


def test_the_example_says_it_is_a_sample(tmp_path: Path) -> None:
    init_project(tmp_path / "series")
    example = (tmp_path / "series" / "scripts" / "0001-example.md").read_text(encoding="utf-8")
    assert "\ntitle: 示例：" in example and "tags: [示例]" in example and "这是一期【示例】脚本" in example


def test_help_examples_name_scripts_that_exist() -> None:
    import re

    from pipeline.cli import main
    from tests.conftest import REPO

    def helps(command: click.Command) -> list[str]:
        texts = [command.help or ""]
        if isinstance(command, click.Group):
            for sub in command.commands.values():
                texts += helps(sub)
        return texts

    named = {name for text in helps(main) for name in re.findall(r"scripts/[\w\-]+\.md", text)}
    assert named, "the help shows scripts by name"
    assert [name for name in sorted(named) if not (REPO / name).is_file()] == []


def test_an_unknown_script_name_suggests_the_closest(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    root = tmp_path / "series"
    init_project(root)
    (root / "scripts" / "1260-gaokong-paowu.md").write_text(
        (root / "scripts" / "0001-example.md").read_text(encoding="utf-8").replace("episode: 1", "episode: 1260"),
        encoding="utf-8",
    )
    runner = CliRunner()
    for command, typed in (("check", "1260-gaokong.md"), ("build", "1260-gaokong-paowo.md"), ("preview", "1260")):
        result = runner.invoke(main, ["--project", str(root), command, str(root / "scripts" / typed)])
        assert result.exit_code == 1
        assert f"did you mean {root / 'scripts' / '1260-gaokong-paowu.md'}?" in result.output, (command, result.output)
    result = runner.invoke(main, ["--project", str(root), "check", str(root / "scripts" / "zzz.md")])
    assert result.stdout == f"{root / 'scripts' / 'zzz.md'}:1:1: error: no such script\n"


@pytest.mark.parametrize("target", ["folder", "file", "nothing"])
def test_init_refuses_a_project_folder_that_is_a_link(tmp_path: Path, target: str) -> None:
    """`pufa init L` with L a link (to a folder, a file or nothing) writes nothing through it."""
    from click.testing import CliRunner

    from pipeline.cli import main

    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim"
    if target == "folder":
        victim.mkdir()
    elif target == "file":
        victim.write_text("keep\n", encoding="utf-8")
    link = tmp_path / "series"
    link.symlink_to(victim)
    before = sorted(outside.rglob("*"))
    result = CliRunner().invoke(main, ["init", str(link)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        f"pufa: error: {link} is a symbolic link; pufa init writes nothing through links, remove it first\n"
    )
    assert sorted(outside.rglob("*")) == before
