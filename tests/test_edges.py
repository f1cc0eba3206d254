"""Inputs found by probing pufa as an attacker and a careless editor would (issue 11, second round).

Each gets one line naming the file (and line) and the problem, a non-zero exit status and no
traceback; a file outside the project is refused before it is opened.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.cli import main
from pipeline.crash import one_line
from pipeline.terminal import escape
from tests.conftest import SHORT_SCRIPT

PICTURE_SCRIPT = """\
---
episode: 3
title: 图片
topic: 民法典
---
## 开场
![说明]({src})
大家好。
"""


def invoke(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(project), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def check_lines(project: Path, script: Path) -> tuple[int, list[str]]:
    code, out, _err = invoke(project, "check", str(script))
    return code, out.splitlines()


@pytest.mark.parametrize("field", ["title", "topic"])
def test_an_empty_required_field_is_one_line_not_a_crash(project: Path, field: str) -> None:
    script = project / "scripts" / "0002-null.md"
    text = "---\nepisode: 2\ntitle: 标题\ntopic: 民法典\n---\n## 开场\n大家好。\n".replace(
        f"{field}: ", f"{field}: ~ #", 1
    )
    script.write_text(text, encoding="utf-8")
    (project / "scripts" / "0007-ok.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    line = 3 if field == "title" else 4
    code, lines = check_lines(project, script)
    assert code == 1
    assert lines == [f"{script}:{line}:1: error: '{field}' is empty; write its value after the colon"]
    # The other scripts are still checked: one bad front matter does not stop the series.
    code, lines = check_lines(project, project / "scripts" / "0007-ok.md")
    assert not any(": error:" in line for line in lines)


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _png_with_garbage_data() -> bytes:
    """A PNG whose pixel data is random bytes with correct chunk sums: verify() passes it, decoding does not."""
    good = io.BytesIO()
    Image.new("RGB", (200, 100), "red").save(good, "PNG")
    data = good.getvalue()
    start = data.index(b"IDAT") - 4
    garbage = os.urandom(5000)
    chunk = struct.pack(">I", len(garbage)) + b"IDAT" + garbage + struct.pack(">I", zlib.crc32(b"IDAT" + garbage))
    end = data.index(b"IEND") - 4
    return data[:start] + chunk + data[end:]


def _saved(kind: str) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((300, 200), 64).convert("RGB").save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("half.gif", lambda: _cut(_saved("GIF"))),
        ("half.bmp", lambda: _cut(_saved("BMP"))),
        ("half.tif", lambda: _cut(_saved("TIFF"))),
        ("garbage.png", _png_with_garbage_data),
    ],
)
def test_a_damaged_picture_of_any_format_is_found_by_check(project: Path, name: str, make: object) -> None:
    assert callable(make)
    (project / "assets" / "images" / name).write_bytes(make())
    script = project / "scripts" / "0003-pic.md"
    script.write_text(PICTURE_SCRIPT.format(src=f"../assets/images/{name}"), encoding="utf-8")
    code, lines = check_lines(project, script)
    assert code == 1
    assert lines == [
        f"{script}:7:1: error: ../assets/images/{name} is not a picture pufa can read "
        "(damaged or cut short; export it again)"
    ]


@pytest.mark.parametrize("src", ["/proc/self/environ", "/dev/zero", "../assets/images/passwd.png"])
def test_a_picture_outside_the_project_is_refused_before_it_is_opened(
    project: Path, src: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "assets" / "images" / "passwd.png").symlink_to("/etc/passwd")
    opened: list[Path] = []
    monkeypatch.setattr("pipeline.limits.picture_problem", lambda path: opened.append(path))
    script = project / "scripts" / "0003-pic.md"
    script.write_text(PICTURE_SCRIPT.format(src=src), encoding="utf-8")
    code, lines = check_lines(project, script)
    assert code == 1
    assert lines == [f"{script}:7:1: error: {src} is outside the project folder; copy it into assets/images/"]
    assert opened == []


def test_a_folder_named_as_a_picture_is_not_a_file(project: Path) -> None:
    (project / "assets" / "images" / "folder.png").mkdir()
    script = project / "scripts" / "0003-pic.md"
    script.write_text(PICTURE_SCRIPT.format(src="../assets/images/folder.png"), encoding="utf-8")
    code, lines = check_lines(project, script)
    assert code == 1
    assert lines == [
        f"{script}:7:1: error: ../assets/images/folder.png is not a file (a folder, device or pipe); name a picture file"
    ]


@pytest.mark.parametrize("command", ["check", "preview"])
def test_a_script_outside_the_project_is_refused_unread(project: Path, tmp_path: Path, command: str) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    code, out, err = invoke(project, command, str(outside))
    assert code == 1
    shown = (out + err).splitlines()
    message = f"{outside}:1: error: the script is outside the project folder; move it into scripts/"
    assert any(line.startswith(message[: message.index(": error:")]) and line.endswith(message[-60:]) for line in shown)
    assert "root:x" not in out + err and "front matter" not in out + err


def test_what_the_system_refuses_is_one_line_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(tmp_path / "a-file" / "sub")])
    assert result.exit_code == 1
    assert result.stderr == f"pufa: error: cannot use {tmp_path / 'a-file' / 'sub' / 'scripts'}: Not a directory\n"
    long = tmp_path / ("长" * 100)
    result = runner.invoke(main, ["init", str(long)])
    assert result.exit_code == 1
    assert result.stderr.startswith("pufa: error: cannot use ") and result.stderr.endswith(": File name too long\n")
    assert "a bug in pufa" not in result.stderr and result.stderr.count("\n") == 1


def test_a_file_name_with_a_line_break_and_an_escape_stays_on_its_line(project: Path) -> None:
    (project / "scripts" / "0007-ok.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    (project / "scripts" / "0501-\x1b[31mred\nx.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    code, out, _err = invoke(project, "check")
    assert code == 1
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert errors == [
        f"{project / 'scripts' / '0007-ok.md'}:2:1: error: episode 7 is also used by "
        f"{project / 'scripts'}/0501-\\x1b[31mred\\nx.md",
        f"{project / 'scripts'}/0501-\\x1b[31mred\\nx.md:2:1: error: episode 7 is also used by "
        f"{project / 'scripts' / '0007-ok.md'}",
    ]
    assert "\x1b" not in out


def test_bidirectional_overrides_are_shown_escaped() -> None:
    assert escape("标题\u202e反向\u2066") == "标题\\u202e反向\\u2066"


@pytest.mark.parametrize("value", ["\\u001b[2J", "第一行\\n第二行"])
def test_a_control_character_in_a_text_of_pufa_toml_is_refused(project: Path, value: str) -> None:
    config = project / "pufa.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("测试普法小讲堂", value), encoding="utf-8")
    code, out, err = invoke(project, "check")
    assert code == 1 and out == ""
    code_point = "001B" if "u001b" in value else "000A"
    assert err == (
        f"pufa: error: {config}: 'series.name' contains the control character U+{code_point}; "
        "write it on one line without it\n"
    )


def test_pufa_toml_saved_with_a_byte_order_mark_is_read(project: Path) -> None:
    """Windows Notepad starts a UTF-8 file with a BOM; scripts and the lexicon already accept one."""
    config = project / "pufa.toml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    (project / "scripts" / "0007-ok.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    code, out, err = invoke(project, "check")
    assert code == 0 and "Invalid statement" not in err
    assert not any(": error:" in line for line in out.splitlines()), out


def test_a_symbolic_link_loop_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("loop").symlink_to("loop")
    result = CliRunner().invoke(main, ["init", "loop/x"])
    assert result.exit_code == 1
    assert result.stderr == "pufa: error: cannot use loop/x/scripts: Too many levels of symbolic links\n"
    # pathlib's resolve() says it with a RuntimeError, which is not a bug in pufa either.
    assert one_line(RuntimeError("Symlink loop from '/a/loop/x'")) == (
        "cannot use /a/loop/x: its symbolic links lead round in a loop"
    )


def test_a_script_link_that_loops_is_a_finding_of_its_own(project: Path) -> None:
    (project / "scripts" / "0007-ok.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    loop = project / "scripts" / "0009-loop.md"
    loop.symlink_to(loop)
    code, out, _err = invoke(project, "check")
    assert code == 1
    assert [line for line in out.splitlines() if ": error:" in line] == [
        f"{loop}:1:1: error: a symbolic link that leads to no file (nowhere, or round in a loop); "
        "remove it or point it at a script"
    ]


def test_a_lexicon_outside_the_project_is_refused_unread(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (project / "assets" / "lexicon.tsv").symlink_to(secret)
    (project / "scripts" / "0007-ok.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    code, out, err = invoke(project, "check")
    assert code == 1 and out == ""
    assert err == (
        f"pufa: error: {project / 'pufa.toml'}: 'voice.lexicon' assets/lexicon.tsv is outside the project folder; "
        "copy it into assets/\n"
    )


def test_a_bold_font_that_is_not_a_font_is_one_line(project: Path) -> None:
    (project / "assets" / "junk.otf").write_text("not a font\n", encoding="utf-8")
    config = project / "pufa.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[theme]\nbold_font = "assets/junk.otf"\n', "utf-8")
    (project / "scripts" / "0007-ok.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    code, out, err = invoke(project, "check")
    assert code == 1
    assert err.splitlines()[-1] == (
        f"pufa: error: {(project / 'assets' / 'junk.otf').resolve()}: not a font pufa can draw with "
        "(unknown file format); name an OpenType or TrueType font"
    )
    assert "a bug in pufa" not in out + err


def test_an_export_nested_too_deeply_is_one_line(project: Path) -> None:
    deep = project / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _out, err = invoke(project, "catalog", "import", str(deep))
    assert code == 1
    assert err == f"pufa: error: {deep}: not a catalog export (a JSON list of episodes)\n"
