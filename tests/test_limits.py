"""Every input limit: one exact line naming file, line and limit, exit status 1, nothing written,
and bounded memory (the command runs as a child process under RLIMIT_AS)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipeline import limits
from pipeline.plan import parse_only
from pipeline.speech.normalize import normalize
from tests.conftest import REPO, ScriptWriter

CASES = Path(__file__).parent / "cases" / "robustness"
MEMORY_MB = 500  # pufa check needs about 250 MB of address space; every bomb here wanted gigabytes

HEAD = """\
---
episode: {n}
title: 测试
topic: 民法典
---
"""


def pufa(
    project: Path, *args: str, memory_mb: int = MEMORY_MB, cpu_seconds: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``pufa`` in a child process whose address space is capped at ``memory_mb``.

    ``cpu_seconds`` caps its processor time too (SIGXCPU past it): a bound on work, not a timing,
    for a generous multiple of what a linear algorithm needs, far below what a quadratic one does.
    """
    limit = memory_mb * 2**20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if cpu_seconds is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), *args],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        preexec_fn=cap,
        check=False,
        timeout=600,
    )


def errors_of(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (result.stdout + result.stderr).splitlines() if ": error:" in line]


def nothing_built(project: Path) -> bool:
    episodes = project / "output" / "episodes"
    return not episodes.exists() or not any(episodes.rglob("*.mp4"))


def test_billion_laughs_is_refused_before_any_alias_is_expanded(project: Path) -> None:
    (project / "scripts" / "billion-laughs.md").write_bytes((CASES / "billion-laughs.md").read_bytes())
    expected = "front matter: not valid YAML: anchors (&a0) are not allowed in front matter"
    checked = pufa(project, "check")
    assert checked.returncode == 1
    assert errors_of(checked) == [f"scripts/billion-laughs.md:2:1: error: {expected}"]
    built = pufa(project, "build")
    assert built.returncode == 1
    assert errors_of(built) == [f"scripts/billion-laughs.md:2: error: {expected}"]
    assert nothing_built(project)


def test_a_long_paragraph_without_punctuation_is_checked_in_bounded_memory(project: Path) -> None:
    """The case file: 2,000 characters without a mark once took 272 s in check; now its two warnings, under RLIMIT_AS."""
    (project / "scripts" / "no-punctuation-2000.md").write_bytes((CASES / "no-punctuation-2000.md").read_bytes())
    checked = pufa(project, "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.splitlines() == [
        "scripts/no-punctuation-2000.md:1:1: warning: estimated duration 506 s is outside the series target of "
        "60–180 s",
        "scripts/no-punctuation-2000.md:9:1: warning: scene '长段' is long: about 500 s of narration; "
        "consider splitting it",
    ]
    planned = pufa(project, "build", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert "0941" in planned.stdout


def test_an_alias_without_an_anchor_is_refused_too(write_script: ScriptWriter, project: Path) -> None:
    write_script("0001.md", HEAD.format(n=1).replace("topic: 民法典", "topic: 民法典\ntags: *x") + "## 开场\n你好。\n")
    result = pufa(project, "check")
    assert errors_of(result) == [
        "scripts/0001.md:5:1: error: front matter: not valid YAML: aliases (*x) are not allowed in front matter"
    ]


def test_deep_nesting_is_one_line_not_a_recursion_error(write_script: ScriptWriter, project: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    write_script("0001.md", HEAD.format(n=1).replace("topic: 民法典", f"topic: 民法典\ntags: {deep}") + "## 开场\n你好。\n")
    result = pufa(project, "check")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:5:1: error: front matter: not valid YAML: nested more than 8 levels deep (limit yaml_depth)"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (str(2**63), f"'episode' must be at most 99999 (episode_number), not {2**63}"),
        ("9" * 5000, "front matter: not valid YAML: the number 99999999999999999999… is too large"),
    ],
)
def test_episode_numbers_out_of_range(write_script: ScriptWriter, project: Path, value: str, message: str) -> None:
    write_script("0001.md", HEAD.format(n=value) + "## 开场\n你好。\n")
    result = pufa(project, "build")
    assert result.returncode == 1
    assert errors_of(result) == [f"scripts/0001.md:2: error: {message}"]
    assert nothing_built(project)


def test_front_matter_lists_and_unknown_fields_are_bounded(write_script: ScriptWriter, project: Path) -> None:
    laws = "laws: [" + ",".join(["《中华人民共和国民法典》第一条"] * 1000) + "]\n"
    keys = "".join(f"k{i}: 1\n" for i in range(10000))
    write_script("0001.md", HEAD.format(n=1).replace("topic: 民法典\n", "topic: 民法典\n" + laws + keys) + "## 开场\n你好。\n")
    result = pufa(project, "check")
    assert result.returncode == 1
    known = "episode, title, topic, laws, tags, voice, status, short_title, music, summary"
    assert errors_of(result) == [
        "scripts/0001.md:5:1: error: 'laws' has 1000 items; the limit is 50 (list_items)",
        *(f"scripts/0001.md:{6 + i}:1: error: unknown field 'k{i}' (known: {known})" for i in range(10)),
        "scripts/0001.md:16:1: error: and 9990 more unknown fields",
    ]


@pytest.mark.parametrize(
    "kind", ["deep pufa.toml", "huge pufa.toml", "huge lexicon", "long lexicon", "huge law text", "huge theme"]
)
def test_other_text_files_are_bounded_too(write_script: ScriptWriter, project: Path, kind: str) -> None:
    """pufa.toml, a theme, the lexicon and the law texts: a 2 GB file (sparse) is refused from its first 16 MB,
    and TOML nested past the parser's stack is one line, not a RecursionError."""
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n")
    config = project / "pufa.toml"
    over = "the limit for a text file (text_bytes)"
    if kind == "deep pufa.toml":
        config.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
        expected = f"pufa: error: {config}: not valid TOML: arrays or tables nested too deeply"
    elif kind == "huge pufa.toml":
        os.truncate(config, 2 * 2**30)
        expected = f"pufa: error: {config}: over 16 MB, {over}"
    elif kind == "huge lexicon":
        (project / "assets" / "lexicon.tsv").touch()
        os.truncate(project / "assets" / "lexicon.tsv", 2 * 2**30)
        expected = f"assets/lexicon.tsv:1: error: the file is over 16 MB, {over}"
    elif kind == "long lexicon":
        lexicon = project / "assets" / "lexicon.tsv"
        lexicon.write_text("".join(f"词{i}\t读音\n" for i in range(300_000)), encoding="utf-8")
        expected = f"{lexicon}:5001: error: more than 5000 entries, the limit for the lexicon (lexicon_entries)"
    elif kind == "huge law text":
        (project / "laws").mkdir()
        (project / "laws" / "民法典.md").touch()
        os.truncate(project / "laws" / "民法典.md", 2 * 2**30)
        config.write_text('[voice]\nengine = "espeak"\n[review]\nlaws_dir = "laws"\n', encoding="utf-8")
        expected = f"laws/民法典.md:1: error: the file is over 16 MB, {over}"
    else:
        theme = project / "assets" / "themes" / "mine.toml"
        theme.parent.mkdir(parents=True)
        theme.touch()
        os.truncate(theme, 2 * 2**30)
        config.write_text('[voice]\nengine = "espeak"\n[theme]\nname = "mine"\n', encoding="utf-8")
        expected = f"pufa: error: {theme}: over 16 MB, {over}"
    for command in ("check",) if kind == "huge law text" else ("check", "build"):  # only check reads the laws
        result = pufa(project, command)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [expected], command
    assert nothing_built(project)


LAW_CONFIG = '[voice]\nengine = "espeak"\n[review]\nlaws_dir = "laws"\n'


@pytest.mark.parametrize("kind", ["FIFO", "folder"])
def test_a_law_text_that_is_not_a_file_is_one_line_and_never_opened(
    write_script: ScriptWriter, project: Path, kind: str
) -> None:
    """A FIFO would block the reader for ever; a folder named like a law once raised IsADirectoryError."""
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n")
    (project / "pufa.toml").write_text(LAW_CONFIG, encoding="utf-8")
    (project / "laws").mkdir()
    if kind == "FIFO":
        os.mkfifo(project / "laws" / "a.md")
        expected = (
            "laws/a.md: error: not a regular file (a pipe or a device); every .md in review.laws_dir is read as "
            "a law, remove it"
        )
    else:
        (project / "laws" / "a.md").mkdir()
        expected = "laws/a.md: error: a folder named like a law text; every .md in review.laws_dir is read as a law, rename it"
    result = pufa(project, "check", cpu_seconds=60)
    assert (result.returncode, result.stderr.splitlines()) == (1, [expected])


def test_a_long_law_text_is_read_in_linear_work(write_script: ScriptWriter, project: Path) -> None:
    """The audit's law of 4 MB, one article of a million lines, took 58 s of quadratic copying in check.

    Read linearly it costs about a second of processor time; the child may use 20 (a bound on
    work, not a timing: a slow or busy machine does not change how much work is done).
    """
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n")
    (project / "pufa.toml").write_text(LAW_CONFIG, encoding="utf-8")
    (project / "laws").mkdir()
    law = "# 中华人民共和国测试法\n<!-- INFO END -->\n第一条 开始\n" + "啊\n" * 1_000_000
    (project / "laws" / "q.md").write_text(law, encoding="utf-8")
    result = pufa(project, "check", cpu_seconds=20)
    assert result.returncode == 0, result.stderr
    assert errors_of(result) == []


def test_a_lexicon_reading_is_bounded_before_it_is_spoken(write_script: ScriptWriter, project: Path) -> None:
    """A 3 MB reading once made 2,000 characters of narration need gigabytes in check and say. A reading at
    the limit keeps the spoken form within reach of the duration limit, which then gives its own line."""
    lexicon = project / "assets" / "lexicon.tsv"
    lexicon.write_text("好\t" + "啊" * 1_000_000 + "\n", encoding="utf-8")
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n" + "好" * 2000 + "\n")
    expected = f"{lexicon}:1: error: the reading has 1000000 characters; the limit is 50 (lexicon_chars)"
    for args in (("check",), ("say", "好")):
        result = pufa(project, *args)
        assert (result.returncode, result.stderr.splitlines()) == (1, [expected]), args
    lexicon.write_text("好\t" + "啊" * 50 + "\n", encoding="utf-8")
    result = pufa(project, "check")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:6:1: error: about 25000 s of narration; the limit is 600 s (episode_seconds); split the episode"
    ]


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ("大家\t\x1b[2J大家", "the reading contains the control character U+001B; remove it"),
        ("大\x07家\t大家", "the written form contains the control character U+0007; remove it"),
        ("大家\t" + "4" * 40, "the reading of '大家' has the digit '4'; write numbers in words as they are said"),
        ("大家\t大家１", "the reading of '大家' has the digit '１'; write numbers in words as they are said"),
        ("大家\t{大伙|大家}", "the reading of '大家' has '{'; a reading is said as written, {显示|读作} applies in scripts"),
        ("北" * 51 + "\t北", "the written form has 51 characters; the limit is 50 (lexicon_chars)"),
    ],
    ids=["escape", "bell in written", "ASCII digits", "full-width digit", "markup", "long written form"],
)
def test_a_lexicon_reading_is_words_as_said(
    write_script: ScriptWriter, project: Path, entry: str, problem: str
) -> None:
    """A reading goes to the voice as it is: a control character, a digit or {…} markup would be said raw."""
    lexicon = project / "assets" / "lexicon.tsv"
    lexicon.write_text(f"# written\tspoken\n单县\t善县\n{entry}\n", encoding="utf-8")
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n大家好。\n")
    for command in ("check", "build"):
        result = pufa(project, command)
        assert (result.returncode, result.stderr.splitlines()) == (1, [f"{lexicon}:3: error: {problem}"]), command
    assert nothing_built(project)


def test_script_file_size(write_script: ScriptWriter, project: Path) -> None:
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n" + "<!-- 注释 -->\n" * 30000)
    result = pufa(project, "check")
    assert errors_of(result) == [
        "scripts/0001.md:1:1: error: the file is over 256 KB, the limit for a script (script_bytes)"
    ]


def test_scenes_per_episode(write_script: ScriptWriter, project: Path) -> None:
    write_script("0001.md", HEAD.format(n=1) + "".join(f"## 场景{i}\n你好。\n\n" for i in range(5000)))
    result = pufa(project, "build")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:186: error: 5000 scenes; the limit is 60 (scenes); split the episode"
    ]
    assert nothing_built(project)


def test_characters_per_paragraph(write_script: ScriptWriter, project: Path) -> None:
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n" + "法" * 50_000 + "\n")
    result = pufa(project, "check")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:7:1: error: a paragraph of 50000 characters; the limit is 3000 (paragraph_chars); "
        "break it into paragraphs"
    ]


def test_estimated_narration(write_script: ScriptWriter, project: Path) -> None:
    paragraphs = "\n\n".join("法" * 2000 for _ in range(2))
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n" + paragraphs + "\n")
    result = pufa(project, "build")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:6: error: about 1000 s of narration; the limit is 600 s (episode_seconds); split the episode"
    ]
    assert nothing_built(project)


def test_picture_bomb_is_refused_from_its_header(write_script: ScriptWriter, project: Path) -> None:
    bomb = project / "assets" / "images" / "bomb.png"
    subprocess.run([sys.executable, str(CASES / "make_png_bomb.py"), str(bomb), "30000", "30000"], check=True)
    assert bomb.stat().st_size < 1_000_000
    (project / "pufa.toml").write_text('[voice]\nengine = "espeak"\n[theme]\nmotion = "push-in"\n', encoding="utf-8")
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n![炸弹](../assets/images/bomb.png)\n你好。\n")
    message = (
        "../assets/images/bomb.png is too large: 30000x30000 = 900,000,000 pixels; "
        "the limit is 50,000,000 (picture_pixels); scale it down"
    )
    checked = pufa(project, "check")
    assert errors_of(checked) == [f"scripts/0001.md:7:1: error: {message}"]
    built = pufa(project, "build")
    assert built.returncode == 1
    assert errors_of(built) == [f"scripts/0001.md:7: error: {message}"]
    assert nothing_built(project)


def test_pictures_that_are_not_decodable_are_found_by_check(write_script: ScriptWriter, project: Path) -> None:
    images = project / "assets" / "images"
    (images / "notes.png").write_text("这不是图片\n", encoding="utf-8")
    Image.new("RGB", (800, 600), (10, 120, 200)).save(images / "whole.jpg", quality=90)
    whole = (images / "whole.jpg").read_bytes()
    (images / "half.jpg").write_bytes(whole[: len(whole) // 2])
    body = "## 一\n![a](../assets/images/notes.png)\n你好。\n\n## 二\n![b](../assets/images/half.jpg)\n再见。\n"
    write_script("0001.md", HEAD.format(n=1) + body)
    result = pufa(project, "check")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:7:1: error: ../assets/images/notes.png is not a picture pufa can read "
        "(unknown format; save it as PNG or JPEG)",
        "scripts/0001.md:11:1: error: ../assets/images/half.jpg is not a picture pufa can read "
        "(damaged or cut short; export it again)",
    ]


def test_a_huge_sparse_picture_file_is_refused_by_its_size(write_script: ScriptWriter, project: Path) -> None:
    sparse = project / "assets" / "images" / "sparse.png"
    with sparse.open("wb") as handle:
        handle.truncate(2 * 2**30)
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n![s](../assets/images/sparse.png)\n你好。\n")
    result = pufa(project, "build", "--dry-run")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0001.md:7: error: ../assets/images/sparse.png is too large: 2 GB; the limit is 100 MB (picture_bytes)"
    ]


def test_music_is_hashed_in_blocks(write_script: ScriptWriter, project: Path) -> None:
    """A 400 MB music file (a sparse WAV of silence: quick to make) is hashed by a process that may hold 500 MB."""
    music = project / "assets" / "music.wav"
    size = 400 * 2**20
    header = b"RIFF" + (size - 8).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    header += (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (48000).to_bytes(4, "little")
    header += (96000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    header += b"data" + (size - 44).to_bytes(4, "little")
    with music.open("wb") as handle:
        handle.write(header)
        handle.truncate(size)
    (project / "pufa.toml").write_text('[voice]\nengine = "espeak"\n[sound]\nmusic = "assets/music.wav"\n', "utf-8")
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n")
    result = pufa(project, "build", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "0001" in result.stdout


def test_only_ranges_are_matched_not_expanded(write_script: ScriptWriter, project: Path) -> None:
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n")
    write_script("0002.md", HEAD.format(n=2) + "## 开场\n你好。\n")
    result = pufa(project, "build", "--dry-run", "--only", "2-1000000000000")
    assert result.returncode == 0, result.stderr
    assert "0002" in result.stdout and "0001" not in result.stdout
    selection = parse_only("1250-1252,1260")
    assert selection is not None and 1251 in selection and 1253 not in selection
    bad = pufa(project, "build", "--only", "1" * 5000)
    assert bad.returncode == 1
    assert bad.stderr.startswith("pufa: error: --only: '1111111111") and bad.stderr.count("\n") == 1


def test_control_characters_are_refused_in_titles_tags_and_laws(write_script: ScriptWriter, project: Path) -> None:
    write_script(
        "0001.md",
        '---\nepisode: 1\ntitle: "标题\\r伪造"\ntopic: 民法典\ntags: ["a\\u001cb"]\nlaws: ["《民法典》\\n第一条"]\n---\n'
        "## 开场\n你好。\n",
    )
    result = pufa(project, "check")
    assert errors_of(result) == [
        "scripts/0001.md:3:1: error: 'title' contains the control character U+000D; write it on one line without it",
        "scripts/0001.md:5:1: error: 'tags' contains the control character U+001C; write it on one line without it",
        "scripts/0001.md:6:1: error: 'laws' contains the control character U+000A; write it on one line without it",
    ]


def test_control_characters_in_the_text(write_script: ScriptWriter, project: Path) -> None:
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好\x1b[2J。\n")
    result = pufa(project, "check")
    assert errors_of(result) == ["scripts/0001.md:7:3: error: control character U+001B in the text; remove it"]


def test_numbers_of_any_length_are_read_or_refused_in_one_line(write_script: ScriptWriter, project: Path) -> None:
    assert normalize("罚款10000000000000000元") == "罚款一亿亿元"
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n罚款" + "9" * 2000 + "元。\n")
    result = pufa(project, "check")
    assert result.returncode == 1
    assert [
        line for line in errors_of(result) if line.startswith("scripts/0001.md:7:1: error: cannot read the number 999")
    ]
    said = pufa(project, "say", "罚款" + "9" * 5000 + "元")
    assert said.returncode == 1
    assert said.stderr == "pufa: error: the text has 5003 characters; the limit is 3000 (paragraph_chars)\n"


def test_a_number_too_long_to_say_is_refused_before_rendering(write_script: ScriptWriter, project: Path) -> None:
    digits = "1234567890" * 4
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n\n## 罚款\n罚款" + digits + "元。\n")
    message = (
        f"cannot read the number {digits[:20]}…: it has 40 digits and at most 20 are read in words; "
        "write it with {显示|读作}"
    )
    checked = pufa(project, "check")
    assert checked.returncode == 1
    assert errors_of(checked) == [f"scripts/0001.md:10:1: error: {message}"]
    built = pufa(project, "build", "--tts", "espeak")
    assert built.returncode == 1
    assert errors_of(built) == [f"scripts/0001.md:10: error: {message}"]
    assert nothing_built(project)
    assert not (project / "output" / "episodes").exists() or not any((project / "output" / "episodes").iterdir())


def test_the_narration_limit_is_on_the_spoken_form_and_comes_first(write_script: ScriptWriter, project: Path) -> None:
    """300 fines of 1254 yuan: 585 s as written, 810 s read out (一千二百五十四). check gives that one line and
    nothing else for the script: no caption was split and no screen laid out (each number would be a note)."""
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n" + "罚款1254元，" * 300 + "\n")
    message = "about 810 s of narration; the limit is 600 s (episode_seconds); split the episode"
    checked = pufa(project, "check")
    assert checked.returncode == 1
    assert [line for line in checked.stdout.splitlines() if "0001.md" in line] == [
        f"scripts/0001.md:6:1: error: {message}"
    ]
    built = pufa(project, "build", "--tts", "espeak")
    assert built.returncode == 1
    assert errors_of(built) == [f"scripts/0001.md:6: error: {message}"]
    assert nothing_built(project)


def test_the_readme_lists_every_limit() -> None:
    """The README's table says what the code does: every limit, its value, what it bounds and why."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Limits") :]
    rows = {}
    for line in section[: section.index("\n## ")].splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    assert sorted(rows) == sorted(limit.name for limit in limits.LIMITS)
    scale = {"KB": 2**10, "MB": 2**20, "GB": 2**30}
    for limit in limits.LIMITS:
        value, what, why = rows[limit.name]
        number, _, unit = value.partition(" ")
        assert int(number.replace(",", "")) * scale.get(unit, 1) == limit.value, limit.name
        assert unit in (limit.unit, *scale) and (unit in scale) == (limit.unit == "bytes"), limit.name
        assert (what, why) == (limit.what, limit.reason), limit.name


def test_limits_have_reasons() -> None:
    assert len({limit.name for limit in limits.LIMITS}) == len(limits.LIMITS)
    for limit in limits.LIMITS:
        assert limit.value > 0 and limit.reason and limit.what


def test_logo_bomb_is_refused_before_work(write_script: ScriptWriter, project: Path) -> None:
    logo = project / "assets" / "logo.png"
    subprocess.run([sys.executable, str(CASES / "make_png_bomb.py"), str(logo), "20000", "20000"], check=True)
    (project / "pufa.toml").write_text('[voice]\nengine = "espeak"\n[theme]\nlogo = "assets/logo.png"\n', "utf-8")
    write_script("0001.md", HEAD.format(n=1) + "## 开场\n你好。\n")
    for command in ("check", "build"):
        result = pufa(project, command)
        assert result.returncode == 1
        assert result.stderr == (
            f"pufa: error: {project / 'pufa.toml'}: 'theme.logo' assets/logo.png is too large: 20000x20000 = "
            "400,000,000 pixels; the limit is 50,000,000 (picture_pixels); scale it down\n"
        )
    assert nothing_built(project)


MIX_IN_A_SMALL_PROCESS = """
import sys, wave
import numpy as np
from pathlib import Path
from pipeline.media.sound import mix
folder = Path(sys.argv[1])
with wave.open(str(folder / "voice.wav"), "wb") as out:
    out.setnchannels(1); out.setsampwidth(2); out.setframerate(24000)
    tone = (np.sin(np.arange(3 * 24000) * 2 * np.pi * 220 / 24000) * 8000).astype("<i2")
    out.writeframes(tone.tobytes())
result = mix(folder / "voice.wav", [(0.5, 2.5)], folder / "mix.wav", music=folder / "hour.wav", music_level_db=-20,
             stingers=[(folder / "hour.wav", 2.0)])
with wave.open(str(result.path)) as done:
    print(done.getnframes() / done.getframerate())
"""


def test_music_is_decoded_only_as_far_as_the_episode_lasts(tmp_path: Path) -> None:
    """An hour of music (and the same hour as a stinger) under a 3-second episode, mixed by a process
    that may use 800 MB (ffmpeg alone reserves about 400 MB): decoded whole it would be 1.4 GB of samples."""
    from pipeline.media.ffmpeg import ffmpeg_exe

    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=f=330:r=8000:d=3600", "-c:a", "pcm_u8",
         str(tmp_path / "hour.wav")],
        check=True,
    )  # fmt: skip
    limit = 800 * 2**20
    result = subprocess.run(
        [sys.executable, "-c", MIX_IN_A_SMALL_PROCESS, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"},
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert abs(float(result.stdout) - 3.0) < 0.01


def test_a_huge_script_with_only_costs_no_memory(write_script: ScriptWriter, project: Path) -> None:
    huge = project / "scripts" / "0002-huge.md"
    with huge.open("wb") as handle:
        handle.write(HEAD.format(n=2).encode())
        handle.truncate(3 * 2**30)
    result = pufa(project, "build", "--only", "2")
    assert result.returncode == 1
    assert errors_of(result) == [
        "scripts/0002-huge.md:1: error: the file is over 256 KB, the limit for a script (script_bytes)"
    ]
