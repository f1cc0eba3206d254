"""Markdown that editors type by habit: highlights, lists of points and rule lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ScriptError
from pipeline.script import Span, parse_inline, parse_script
from tests.conftest import ScriptWriter

HEAD = "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\n---\n## 开场\n"


def problems(raw: str) -> list[str]:
    found: list[str] = []
    parse_inline(raw, 5, lambda line, message, column=0: found.append(f"{line}:{column}: {message}"))
    return found


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("说一个**非常重要**的问题", [("说一个", False), ("非常重要", True), ("的问题", False)]),
        ("说一个__非常重要__的问题", [("说一个", False), ("非常重要", True), ("的问题", False)]),
        ("问题：_高空抛物_。", [("问题：", False), ("高空抛物", True), ("。", False)]),
        ("问题：*高空抛物*。", [("问题：", False), ("高空抛物", True), ("。", False)]),
        ("***加粗斜体***", [("加粗斜体", True)]),
        ("**外面*里面*外面**", [("外面里面外面", True)]),
        ("file_name 和 3*4 不是标记", [("file_name 和 3*4 不是标记", False)]),
        (r"字面的\*星号\*", [("字面的*星号*", False)]),
    ],
)
def test_highlights_are_marked_and_their_markers_removed(raw: str, expected: list[tuple[str, bool]]) -> None:
    spans = parse_inline(raw)
    assert [(s.shown, s.emphasis) for s in spans if s.shown] == expected
    assert "".join(s.spoken for s in spans) == "".join(text for text, _ in expected)
    assert problems(raw) == []


def test_a_highlight_around_a_pronunciation_keeps_both() -> None:
    assert parse_inline("**{3年|三年}**以下") == [Span("3年", "三年", fixed=True, emphasis=True), Span("以下", "以下")]


def test_an_unclosed_highlight_is_an_error_naming_its_column() -> None:
    assert problems("这是**重点") == [
        "5:3: '**' opens a highlight that is never closed on this line;"
        " write **重点**, or \\*\\* for the characters themselves, or delete the '**'"
    ]


def test_a_list_is_a_block_of_points_one_per_item(write_script: ScriptWriter) -> None:
    path = write_script(
        "a.md",
        HEAD
        + "记住两点：\n\n* 第一，不要往楼下扔东西。\n* 第二，发现有人扔东西要**报警**。\n- 第三，\n  写在两行。\n\n"
        "1. 编号一\n2、编号二\n\n最后一段。\n",
    )
    blocks = parse_script(path).scenes[0].blocks
    assert [b.kind for b in blocks] == ["narration", "points", "narration"]
    points = blocks[1].points
    assert [(p.line, p.marker, p.shown) for p in points] == [
        (9, "*", "第一，不要往楼下扔东西。"),
        (10, "*", "第二，发现有人扔东西要报警。"),
        (11, "-", "第三，写在两行。"),
        (14, "1", "编号一"),
        (15, "2", "编号二"),
    ]
    assert Span("报警", "报警", emphasis=True) in points[1].spans
    assert blocks[1].line == 9 and blocks[1].parts == tuple(p.spans for p in points)
    assert blocks[1].shown == "".join(p.shown for p in points)


@pytest.mark.parametrize("rule", ["---", "***", "___", "- - -", "* * *", "-----"])
def test_a_rule_line_inside_a_scene_is_an_error_with_its_line(write_script: ScriptWriter, rule: str) -> None:
    path = write_script("a.md", HEAD + f"第一段。\n\n{rule}\n\n第二段。\n")
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    assert [(d.line, d.message) for d in caught.value.diagnostics] == [
        (
            9,
            f"a rule line '{rule}' is not part of a script; delete it"
            " (a blank line separates paragraphs, '## 标题' starts a new scene)",
        )
    ]


def test_a_highlighted_heading_has_a_plain_label(write_script: ScriptWriter) -> None:
    path = write_script("a.md", HEAD.replace("## 开场", "## **开场**") + "你好。\n")
    assert parse_script(path).scenes[0].label == "开场"


def test_case_14_markdown_markup_reports_both_rules() -> None:
    path = Path(__file__).parent / "cases/scripts/14-markdown-markup.md"
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    assert [d.line for d in caught.value.diagnostics] == [12, 19]


def test_each_point_is_its_own_caption(write_script: ScriptWriter) -> None:
    from pipeline.captions.split import plan_captions

    path = write_script("a.md", HEAD + "* 第一，不要扔。\n* 第二，要报警。\n")
    plan = plan_captions(parse_script(path), lambda text: float(len(text)), 16, 2)
    assert [(c.kind, c.point, c.text.text) for c in plan.scenes[0]] == [
        ("points", 0, "第一，不要扔"),
        ("points", 1, "第二，要报警"),
    ]


def test_case_14_without_its_rules_speaks_and_shows_no_marker(tmp_path: Path) -> None:
    from pipeline.captions.split import plan_captions
    from pipeline.speech.normalize import speak_spans

    lines = (Path(__file__).parent / "cases/scripts/14-markdown-markup.md").read_text(encoding="utf-8").split("\n")
    path = tmp_path / "14.md"
    path.write_text("\n".join(line for number, line in enumerate(lines, 1) if number not in (12, 19)), "utf-8")
    episode = parse_script(path)
    blocks = episode.scenes[0].blocks
    assert [b.kind for b in blocks] == ["narration", "narration", "points"]
    assert blocks[1].shown == "今天说一个非常重要的问题：高空抛物。"
    assert [s.shown for s in blocks[1].spans if s.emphasis] == ["非常重要", "高空抛物"]
    assert [p.shown for p in blocks[2].points] == ["第一，不要往楼下扔东西。", "第二，发现有人扔东西要报警。"]
    plan = plan_captions(episode, lambda text: float(len(text)), 16, 2)
    for caption in plan.scenes[0]:
        for text in (caption.text.text, caption.text.spoken, speak_spans(blocks[1].spans)):
            assert not any(mark in text for mark in ("*", "_", "---", "- ")), text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("看`代码`和[链接](http://example.org)", "看代码和链接"),
        (r"\#号和\[方括号\]", "#号和[方括号]"),
    ],
)
def test_code_links_and_escapes_show_their_words_only(raw: str, shown: str) -> None:
    assert "".join(s.shown for s in parse_inline(raw)) == shown and problems(raw) == []


def test_struck_through_text_is_an_error() -> None:
    assert problems("这句~~删掉~~不要") == [
        "5:3: '~~' (struck-through text) is not part of a script; delete the struck words, or the '~~' to keep them"
    ]


def test_more_list_and_heading_habits(write_script: ScriptWriter) -> None:
    path = write_script("a.md", HEAD.replace("## 开场", "## 开场 ##") + "- [ ] 待办一\n- [x] 待办二\n１．全角编号\n")
    scene = parse_script(path).scenes[0]
    assert scene.label == "开场"
    assert [p.shown for p in scene.blocks[0].points] == ["待办一", "待办二", "全角编号"]


def test_a_setext_underline_is_an_error(write_script: ScriptWriter) -> None:
    with pytest.raises(ScriptError) as caught:
        parse_script(write_script("a.md", HEAD + "标题\n===\n正文。\n"))
    assert [d.line for d in caught.value.diagnostics] == [8]


@pytest.mark.parametrize("raw", ["限速**120**公里", "拨打**120**", "**2**名民警", "罚款**￥1,234.50**"])
def test_a_highlight_is_read_with_the_words_around_it(raw: str) -> None:
    from pipeline.speech.normalize import speak_spans

    plain = raw.replace("**", "")
    assert speak_spans(parse_inline(raw)) == speak_spans(parse_inline(plain))


def test_a_highlight_inside_a_pronunciation_is_not_shown() -> None:
    assert parse_inline("{**3年**|三年}以下") == [Span("3年", "三年", fixed=True, emphasis=True), Span("以下", "以下")]


def test_html_tags_are_dropped_and_an_inline_picture_is_an_error() -> None:
    assert "".join(s.shown for s in parse_inline("<u>重点</u>和<br>换行")) == "重点和换行"
    assert problems("这是![图](a.png)图片") == ["5:3: a picture goes on a line of its own: ![说明](path)"]
