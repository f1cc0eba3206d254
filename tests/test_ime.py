"""Scripts typed with a Chinese input method: read as their ASCII form with a note, or one clear error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ScriptError
from pipeline.review.check import check
from pipeline.script import Episode, Span, parse_script
from tests.conftest import ScriptWriter

CASES = Path(__file__).parent / "cases" / "ime"
HEAD = "---\nepisode: 3\ntitle: 标题\ntopic: 刑法\nlaws:\n  - 《中华人民共和国民法典》第一千二百五十四条\n---\n"


def notes(episode: Episode) -> list[str]:
    return [f"{n.line}: {n.message}" for n in episode.notes]


def errors(path: Path) -> list[str]:
    with pytest.raises(ScriptError) as caught:
        parse_script(path)
    return [f"{d.line}: {d.message}" for d in caught.value.diagnostics]


def test_case_fullwidth_heading_and_quote_keep_the_structure() -> None:
    episode = parse_script(CASES / "fullwidth-heading.md")
    assert [s.label for s in episode.scenes] == ["开场", "案例"]
    assert [(b.kind, b.line) for b in episode.scenes[1].blocks] == [("narration", 13), ("law", 15)]
    assert notes(episode) == [
        "12: full-width '＃' read as '#': a scene heading (type '## ' with the English input method)",
        "15: full-width '＞' at the start of the line read as '>': a law card",
    ]


def test_case_fullwidth_yaml_colon_and_commas() -> None:
    episode = parse_script(CASES / "fullwidth-yaml.md")
    assert (episode.title, episode.tags) == ("全角冒号", ("高空抛物", "侵权责任", "物业"))
    assert episode.line_of("title") == 3
    assert notes(episode) == [
        "3: full-width colon '：' after 'title' read as ':'",
        "7: full-width comma '，' in the 'tags' list read as ',' between items",
    ]


def test_case_fullwidth_fence() -> None:
    episode = parse_script(CASES / "fullwidth-fence.md")
    assert (episode.number, episode.title, [s.label for s in episode.scenes]) == (933, "全角破折号", ["开场"])
    assert notes(episode) == [
        "1: '———' read as the fence '---' (dash '—'; type three hyphens '-')",
        "8: '———' read as the fence '---' (dash '—'; type three hyphens '-')",
    ]


def test_check_shows_the_notes(project: Path) -> None:
    for case in CASES.glob("*.md"):
        shutil.copy(case, project / "scripts" / case.name)
    report = check(load_config(project), [project / "scripts" / "fullwidth-heading.md"])
    found = [f.format().split("/")[-1] for f in report.findings if f.severity == "note" and "read as" in f.message]
    assert found == [
        "fullwidth-heading.md:12:1: note: full-width '＃' read as '#': a scene heading"
        " (type '## ' with the English input method)",
        "fullwidth-heading.md:15:1: note: full-width '＞' at the start of the line read as '>': a law card",
    ]
    assert not report.failed()


@pytest.mark.parametrize(
    ("front", "field", "value", "note"),
    [
        ("title:全角\n", "title", "全角", "3: no space after 'title:'; read as 'title: 全角'"),
        ("title:\u3000全角\n", "title", "全角", "3: full-width space around the value of 'title' ignored"),
        ("tags：［a，b］\n", "tags", ("a", "b"), "5: full-width colon '：' after 'tags' read as ':'"),
        ("tags: [高空抛物、侵权]\n", "tags", ("高空抛物", "侵权"), "5: enumeration comma '、' in the 'tags' list read as ',' between items"),
        ("tags: 【a，b】\n", "tags", ("a", "b"), "5: bracket '【' in 'tags' read as '['"),
        ("tags:\n\u3000\u3000- a\n", "tags", ("a",), "6: full-width space in the indentation read as spaces"),
        ("tags:\n  － a\n", "tags", ("a",), "6: full-width hyphen '－' read as the list mark '-'"),
        ("tags:\n\t- a\n", "tags", ("a",), "6: tab in the indentation read as spaces"),
    ],
)
def test_front_matter_typed_with_an_input_method(
    write_script: ScriptWriter, front: str, field: str, value: object, note: str
) -> None:
    text = HEAD.replace("title: 标题\n", "") if field == "title" else HEAD
    text = text.replace("topic: 刑法\n", "topic: 刑法\n" + front) if field != "title" else text
    if field == "title":
        text = text.replace("episode: 3\n", "episode: 3\n" + front)
    episode = parse_script(write_script("a.md", text + "## 开场\n你好。\n"))
    assert getattr(episode, field) == value
    assert note in notes(episode)


@pytest.mark.parametrize("fence", ["－－－", "———", "——", "—-—"])
def test_fences_typed_with_an_input_method(write_script: ScriptWriter, fence: str) -> None:
    episode = parse_script(write_script("a.md", HEAD.replace("---", fence) + "## 开场\n你好。\n"))
    assert episode.title == "标题" and len(episode.notes) == 2


@pytest.mark.parametrize(
    ("line", "kind", "shown", "note"),
    [
        ("＃＃\u3000案例", "heading", "案例", "full-width '＃' read as '#'"),
        ("#＃ 案例", "heading", "案例", "full-width '＃' read as '#'"),
        ("》 《中华人民共和国民法典》第一千二百五十四条：禁止。", "law", "《中华人民共和国民法典》第一千二百五十四条：禁止。", "'》' at the start"),
        ("－ 第一，不要扔。", "points", "第一，不要扔。", "full-width hyphen '－' read as the list mark '-'"),
        ("＊ 第一，不要扔。", "points", "第一，不要扔。", "full-width asterisk '＊' read as the list mark '-'"),
        ("这是＊＊重点＊＊。", "narration", "这是重点。", "full-width asterisk '＊' read as a highlight mark '*'"),
        ("请拨打｛12348｜幺二三四八｝。", "narration", "请拨打12348。", "full-width brace '｛', full-width bar '｜'"),
    ],
)
def test_body_marks_typed_with_an_input_method(
    write_script: ScriptWriter, line: str, kind: str, shown: str, note: str
) -> None:
    episode = parse_script(write_script("a.md", HEAD + "## 开场\n你好。\n\n" + line + "\n\n再见。\n"))
    if kind == "heading":
        assert [s.label for s in episode.scenes] == ["开场", shown]
    else:
        block = episode.scenes[0].blocks[1]
        assert (block.kind, block.shown) == (kind, shown)
    assert [n.line for n in episode.notes] == [11] and note in episode.notes[0].message


def test_fullwidth_pronunciation_and_highlight_keep_their_meaning(write_script: ScriptWriter) -> None:
    episode = parse_script(write_script("a.md", HEAD + "## 开场\n这是＊＊重点＊＊，请拨打｛12348｜幺二三四八｝。\n"))
    spans = episode.scenes[0].blocks[0].spans
    assert Span("重点", "重点", emphasis=True) in spans and Span("12348", "幺二三四八", fixed=True) in spans


def test_a_masked_name_keeps_its_fullwidth_asterisks(write_script: ScriptWriter) -> None:
    episode = parse_script(write_script("a.md", HEAD + "## 开场\n被告人张＊＊被判刑。\n"))
    assert episode.scenes[0].blocks[0].shown == "被告人张＊＊被判刑。" and episode.notes == ()


def test_an_image_typed_with_an_input_method(write_script: ScriptWriter, project: Path) -> None:
    episode = parse_script(write_script("a.md", HEAD + "## 开场\n！［楼］（../assets/images/building.png）\n你好。\n"))
    assert episode.scenes[0].image == (project / "assets/images/building.png").resolve()
    assert "read as '![…](…)': a picture" in episode.notes[0].message


@pytest.mark.parametrize("rule", ["———", "－－－", "＊＊＊", "——"])
def test_a_rule_typed_with_an_input_method_is_an_error_with_its_line(write_script: ScriptWriter, rule: str) -> None:
    assert errors(write_script("a.md", HEAD + f"## 开场\n你好。\n\n{rule}\n\n再见。\n")) == [
        f"11: a rule line '{rule}' is not part of a script; delete it"
        " (a blank line separates paragraphs, '## 标题' starts a new scene)"
    ]


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("title: 案例: 高空抛物\n", "3: front matter: a ':' inside the value; put the value in quotes: title: \"案例: 高空抛物\""),
        ("title 高空抛物\n", "3: front matter: this line is not 'field: value'; write it like 'title: 标题'"),
        ("title: \"高空抛物\n", "3: front matter: the quote opened on this line is never closed"),
        ("title: [高空抛物\n", "3: front matter: the list opened with '[' on this line is never closed with ']'"),
        ("title: @高空抛物\n", "3: front matter: a value cannot start with '@'; put it in quotes: title: \"@高空抛物\""),
        ("title: *高空抛物\n", "3: front matter: a value cannot start with '*'; put it in quotes: title: \"*高空抛物\""),
        ("  title: 高空抛物\n", "3: front matter: this line is indented; a field starts at the beginning of its line"),
        ("title: 一\ntitle: 二\n", "4: 'title' is given twice (also on line 3); keep one"),
    ],
)
def test_yaml_errors_point_at_the_line_to_change_in_plain_words(
    write_script: ScriptWriter, front: str, expected: str
) -> None:
    text = "---\nepisode: 3\n" + front + "topic: 刑法\n---\n## 开场\n你好。\n"
    assert expected in errors(write_script("a.md", text))


def test_fullwidth_digits_in_the_episode_number(write_script: ScriptWriter) -> None:
    episode = parse_script(write_script("a.md", HEAD.replace("episode: 3", "episode: １２６０") + "## 开场\n你好。\n"))
    assert episode.number == 1260 and notes(episode) == ["2: full-width digits in 'episode' read as 1260"]


@pytest.mark.parametrize("comment", ["《！－－ 备注：这里要加图片 －－》", "＜!-- 备注 --＞"])
def test_a_comment_typed_with_an_input_method_is_not_narrated(write_script: ScriptWriter, comment: str) -> None:
    episode = parse_script(write_script("a.md", HEAD + f"## 开场\n你好。\n{comment}\n再见。\n"))
    assert [b.shown for b in episode.scenes[0].blocks] == ["你好。", "再见。"]
    assert "read as a comment" in episode.notes[0].message
