from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ScriptError
from pipeline.picture.fonts import FontFace, bundled_font_path
from pipeline.script import Span, parse_script, parse_scripts
from tests.conftest import SHORT_SCRIPT, ScriptWriter

FONT = FontFace(bundled_font_path(), 2)


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        parse_script(path, FONT.missing)
    return [f"{d.line}: {d.message}" for d in caught.value.diagnostics]


def test_parses_front_matter_scenes_law_cards_images_and_overrides(write_script: ScriptWriter, project: Path) -> None:
    episode = parse_script(write_script("0007-gaokong.md", SHORT_SCRIPT), FONT.missing)
    assert (episode.number, episode.title, episode.topic, episode.status) == (7, "高空抛物要担责", "民法典", "final")
    assert episode.laws == ("《中华人民共和国民法典》第一千二百五十四条",)
    assert episode.tags == ("高空抛物",)
    assert [s.label for s in episode.scenes] == ["开场", "法条", "提醒"]
    assert [s.line for s in episode.scenes] == [10, 13, 17]
    law = episode.scenes[1].blocks[0]
    assert law.kind == "law" and law.shown.startswith("《中华人民共和国民法典》第一千二百五十四条规定")
    assert episode.scenes[1].image == (project / "assets/images/building.png").resolve()
    reminder = episode.scenes[2].blocks[0]
    assert reminder.shown == "有困难，请拨打12348。"
    assert reminder.spoken == "有困难，请拨打幺二三四八。"
    assert Span("12348", "幺二三四八", fixed=True) in reminder.spans
    assert episode.slug == "0007-gaokong"


def test_comments_are_ignored_and_lines_of_a_paragraph_join(write_script: ScriptWriter) -> None:
    path = write_script(
        "a.md",
        """\
        ---
        episode: 3
        title: 标题
        topic: 刑法
        ---
        <!-- 注释
        跨两行 -->
        ## 开场
        第一行<!-- 行内注释 -->接着
        第二行。

        新段落。
        """,
    )
    scene = parse_script(path, FONT.missing).scenes[0]
    assert [b.shown for b in scene.blocks] == ["第一行接着第二行。", "新段落。"]
    assert scene.blocks[1].line == 12


def test_defaults_for_optional_fields(write_script: ScriptWriter) -> None:
    path = write_script("a.md", "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n## 开场\n你好。\n")
    episode = parse_script(path)
    assert (episode.laws, episode.tags, episode.voice, episode.status) == ((), (), None, "draft")


BAD_INPUTS = [
    ("empty file", "", ["1: the file is empty; a script needs front matter and at least one scene"]),
    (
        "broken YAML",
        "---\nepisode: 3\ntitle: [unclosed\ntopic: 刑法\n---\n## 开场\n你好。\n",
        ["3: front matter: the list opened with '[' on this line is never closed with ']'"],
    ),
    (
        "missing fields",
        "---\nepisode: 3\n---\n## 开场\n你好。\n",
        ["1: missing field 'title' in the front matter", "1: missing field 'topic' in the front matter"],
    ),
    (
        "wrongly typed fields",
        "---\nepisode: 第三期\ntitle: 标题\ntopic: 刑法\ntags: 一个\n---\n## 开场\n你好。\n",
        [
            "2: 'episode' must be a whole number like 1260, not '第三期'",
            "5: 'tags' must be a list of text items like [a, b], not '一个'",
        ],
    ),
    (
        "unknown field and bad status",
        "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\nstatus: done\nauthor: 张三\n---\n## 开场\n你好。\n",
        [
            "5: 'status' must be one of draft, final, not 'done'",
            "6: unknown field 'author' (known: episode, title, topic, laws, tags, voice, status, short_title, music, summary)",
        ],
    ),
    (
        "scene with no narration",
        "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n## 开场\n你好。\n## 空场景\n\n## 结尾\n再见。\n",
        ["8: scene '空场景' has no narration"],
    ),
    (
        "missing image",
        "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n## 开场\n![图](../assets/images/none.jpg)\n你好。\n",
        ["7: image not found: ../assets/images/none.jpg"],
    ),
    (
        "character the font cannot draw",
        "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n## 开场\n你好\U0001f600。\n",
        ["7: the caption font cannot draw '\U0001f600' (U+1F600); replace it or choose another font"],
    ),
    (
        "no front matter",
        "## 开场\n你好。\n",
        ["1: the file must start with '---' and front matter (episode, title, topic)"],
    ),
    (
        "text before the first scene and a broken override",
        "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n开场白。\n## 开场\n请拨打{12348。\n",
        [
            "6: text before the first scene heading; start a scene with '## 标题'",
            "8: unmatched '{' or '}'; a pronunciation is written {显示|读作}",
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_reported_with_its_line(
    write_script: ScriptWriter, case: str, text: str, expected: list[str]
) -> None:
    assert errors_of(write_script("bad.md", text)) == expected


def test_non_utf8_file_names_the_line(project: Path) -> None:
    path = project / "scripts" / "gbk.md"
    path.write_bytes("---\nepisode: 3\ntitle: 标题\n".encode() + "topic: 刑法\n".encode("gbk"))
    assert errors_of(path) == ["4: not UTF-8 text (byte 0xd0); save the file as UTF-8"]


def test_every_error_of_a_file_is_reported_at_once(write_script: ScriptWriter) -> None:
    path = write_script("bad.md", "---\nepisode: 0\ntitle: 标题\n---\n## 开场\n![图](x.png)\n## 空\n")
    assert errors_of(path) == [
        "2: 'episode' must be positive, not 0",
        "1: missing field 'topic' in the front matter",
        "6: image not found: x.png",
        "5: scene '开场' has no narration",
        "7: scene '空' has no narration",
    ]


def test_diagnostic_format_is_path_line_error(
    write_script: ScriptWriter, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    path = write_script("bad.md", "")
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    assert (
        str(caught.value)
        == "scripts/bad.md:1: error: the file is empty; a script needs front matter and at least one scene"
    )


def test_duplicate_episode_numbers_fail_both_files(
    write_script: ScriptWriter, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    body = "---\ntitle: 标题\nepisode: 9\ntopic: 刑法\n---\n## 开场\n你好。\n"
    first, second = write_script("a.md", body), write_script("b.md", body)
    third = write_script("c.md", body.replace("episode: 9", "episode: 10"))
    episodes, failures = parse_scripts([first, second, third])
    assert [e.number for e in episodes] == [10]
    assert str(failures[first]) == "scripts/a.md:3: error: episode 9 is also used by scripts/b.md"
    assert str(failures[second]) == "scripts/b.md:3: error: episode 9 is also used by scripts/a.md"
