"""The check rules, table-driven: for each, a script that passes it and one that does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.review.check import check, estimate_seconds, short_title
from pipeline.review.citations import canonical_citation
from pipeline.script import parse_script
from tests.conftest import ScriptWriter

FRONT = "---\nepisode: {n}\ntitle: {title}\ntopic: 民法典\nlaws:\n{laws}\n---\n"
LAW = "  - 《中华人民共和国民法典》第一千二百五十四条"
# About 80 seconds of narration in two scenes: inside the 60–180 s target.
SENTENCE = "大家好，欢迎收看普法小讲堂，今天讲一讲邻里之间的事情。"
BODY = "## 开场\n" + SENTENCE * 5 + "\n## 结尾\n" + SENTENCE * 5 + "\n"


def script(title: str = "高空抛物后果很严重", laws: str = LAW, body: str = BODY, n: int = 1) -> str:
    return FRONT.format(n=n, title=title, laws=laws) + body


CASES = [
    ("clean script", script(), []),
    ("build error: missing image", script(body=BODY + "![图](none.png)\n"), [("error", "image not found: none.png")]),
    (
        "a title wider than a caption line is shown in parts",
        script(body=BODY + "《中华人民共和国老年人权益保障法和预防未成年人犯罪法合编》规定。\n"),
        [
            (
                "note",
                "'《中华人民共和国老年人权益保障法和预防未成年人犯罪法合编》' is wider than a caption line; it is shown in parts",
            )
        ],
    ),
    (
        "caption cannot fit",
        script(body=BODY + "网址是HTTPSWWWEXAMPLEORGAVERYLONGADDRESSWITHOUTANYBREAKSATALLANYWHERE。\n"),
        [
            (
                "warning",
                "caption cannot fit: 'HTTPSWWWEXAMPLEORGAVERYLONGADDRESSWITHOUTANYBREAKSATALLANYWHERE。' is wider than"
                " the frame and will be broken",
            )
        ],
    ),
    (
        "long scene",
        script(body=BODY + "## 案例\n" + "王某从楼上扔下一个花盆，砸坏了楼下的汽车。" * 13 + "\n"),
        [("warning", "scene '案例' is long: about 70 s of narration; consider splitting it")],
    ),
    (
        "too short for the series",
        script(body="## 开场\n大家好。\n"),
        [("warning", "estimated duration 7 s is outside the series target of 60–180 s")],
    ),
    (
        "laws: entry not in the standard form",
        script(laws="  - 民法典1254条"),
        [("warning", "'民法典1254条' is not in the standard form 《中华人民共和国X法》第…条")],
    ),
    (
        "Arabic numerals and 之二 are standard",
        script(laws="  - 《中华人民共和国刑法》第291条之二\n  - 《中华人民共和国民法典》第一千二百五十四条"),
        [],
    ),
    (
        "law card whose law is not listed",
        script(body=BODY + "## 法条\n> 《中华人民共和国刑法》第二百九十一条之二：从建筑物或者其他高空抛掷物品。\n"),
        [("error", "law card cites 《中华人民共和国刑法》第二百九十一条之二, which is not listed in laws:")],
    ),
    (
        "law card listed with other numerals",
        script(body=BODY + "## 法条\n> 《中华人民共和国民法典》第1254条规定：禁止从建筑物中抛掷物品。\n"),
        [("note", "spoken as: 第1254条 → 第一千二百五十四条 (ordinal)")],
    ),
    (
        "second card of the same law names only the article",
        script(
            laws=LAW + "\n  - 《中华人民共和国民法典》第一千二百五十五条",
            body=BODY
            + "## 法条\n> 《中华人民共和国民法典》第一千二百五十四条：禁止从建筑物中抛掷物品。\n\n> 第一千二百五十五条：堆放物倒塌造成他人损害。\n",
        ),
        [],
    ),
    (
        "law card without a citation",
        script(body=BODY + "## 法条\n> 禁止从建筑物中抛掷物品。\n"),
        [("warning", "a law card should start with its citation, e.g. 《中华人民共和国民法典》第一千二百五十四条")],
    ),
    (
        "short title too long",
        script(title="高空抛物害人害己，后果很严重，千万不要这样做啊"),
        [
            (
                "warning",
                "short title '高空抛物害人害己 后果很严重 千万不要这样做啊' has 23 characters; the channel wants 6–16 (set short_title: to choose one)",
            )
        ],
    ),
    (
        "short title too short",
        script(title="抛物"),
        [("warning", "short title '抛物' has 2 characters; the channel wants 6–16 (set short_title: to choose one)")],
    ),
    (
        "spoken differently from shown",
        script(body=BODY + "## 提醒\n请拨打12348。\n"),
        [("note", "spoken as: 12348 → 幺二三四八 (code)")],
    ),
    (
        "every span read differently is a note with its class",
        script(body=BODY + "## 提醒\n2019年以来，拨打135-4567-8900，《2023年工作报告》。\n"),
        [
            ("note", "spoken as: 2019年 → 二〇一九年 (date)"),
            ("note", "spoken as: 135-4567-8900 → 幺三五 四五六七 八九零零 (telephone)"),
        ],
    ),
    (
        "a character the voice cannot read",
        script(body=BODY + "## 提醒\n当事人𠮷田先生。\n"),
        [("warning", "the voice cannot read '𠮷' (U+20BB7); write {𠮷|吉}")],
    ),
    (
        "an override is the fix for a rare character",
        script(body=BODY + "## 提醒\n当事人{𠮷|吉}田先生。\n"),
        [("note", "spoken as: 𠮷 → 吉 (override)")],
    ),
    (
        "a number too long to say",
        script(body=BODY + "## 提醒\n罚款100000000000000000000元。\n"),
        [
            (
                "error",
                "cannot read the number 100000000000000000000: it has 21 digits and at most 20 are read in words; "
                "write it with {显示|读作}",
            )
        ],
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_rule(project: Path, write_script: ScriptWriter, case: str, text: str, expected: list[tuple[str, str]]) -> None:
    write_script("0001-a.md", text)
    report = check(load_config(project))
    assert [(f.severity, f.message) for f in report.findings] == expected


def test_duplicate_numbers_are_errors(project: Path, write_script: ScriptWriter) -> None:
    write_script("a.md", script())
    write_script("b.md", script())
    report = check(load_config(project), [project / "scripts" / "a.md"])
    assert [(f.line, f.severity) for f in report.findings] == [(2, "error")]
    assert report.findings[0].message.startswith("episode 1 is also used by")


def test_glyph_error_names_the_column(project: Path, write_script: ScriptWriter) -> None:
    write_script("a.md", script(body=BODY + "## 提醒\n注意安全\U0001f600。\n"))
    finding = check(load_config(project)).findings[0]
    assert (finding.line, finding.column, finding.severity) == (13, 5, "error")


def test_cli_text_output_exit_status_and_strict(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    write_script("0001-a.md", script(laws="  - 民法典1254条"))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert (
        result.stdout
        == "scripts/0001-a.md:5:1: warning: '民法典1254条' is not in the standard form 《中华人民共和国X法》第…条\n"
    )
    assert result.stderr == "1 scripts: 0 errors, 1 warnings, 0 notes\n"
    assert CliRunner().invoke(main, ["check", "--strict"]).exit_code == 1


def test_cli_errors_exit_1_and_json(project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    write_script("0001-a.md", "")
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["findings"] == [
        {
            "path": "scripts/0001-a.md",
            "line": 1,
            "column": 1,
            "severity": "error",
            "message": "the file is empty; a script needs front matter and at least one scene",
        }
    ]


def test_helpers() -> None:
    assert canonical_citation("《中华人民共和国刑法》", "第291条之二") == "《中华人民共和国刑法》第二百九十一条之二"
    assert estimate_seconds("一二三四。") == pytest.approx(1.4)


def test_short_title_prefers_the_field(write_script: ScriptWriter) -> None:
    from pipeline.script import parse_script

    episode = parse_script(write_script("a.md", script().replace("topic:", "short_title: 高空抛物要不得！\ntopic:")))
    assert short_title(episode) == "高空抛物要不得"


LAWS = Path(__file__).parent / "fixtures" / "laws"
CARD = "## 法条\n> 《中华人民共和国民法典》第一千二百五十四条规定：{quote}\n"

QUOTES = [
    ("an exact quote", "禁止从建筑物中抛掷物品。", []),
    (
        "a quote ending where the article goes on",
        "禁止从建筑物中抛掷物品。从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的，由侵权人依法承担侵权责任。",
        [],
    ),
    (
        "half-width punctuation where the enacted text has full-width",
        "禁止从建筑物中抛掷物品。从建筑物中抛掷物品或者从建筑物上坠落的物品造成他人损害的,由侵权人依法承担侵权责任。",
        [],
    ),
    ("parts joined by an ellipsis", "禁止从建筑物中抛掷物品。……由可能加害的建筑物使用人给予补偿。", []),
    ("the second paragraph", "物业服务企业等建筑物管理人应当采取必要的安全保障措施防止前款规定情形的发生。", []),
    (
        "one word changed",
        "禁止从建筑物中抛弃物品。",
        [
            (
                "error",
                "law card does not quote 《中华人民共和国民法典》第一千二百五十四条 as enacted: '…筑物中抛弃物品…' where the official text has '…筑物中抛掷物品…'",
            )
        ],
    ),
    (
        "ellipsis parts out of order",
        "由可能加害的建筑物使用人给予补偿……禁止从建筑物中抛掷物品",
        [
            (
                "error",
                "law card does not quote 《中华人民共和国民法典》第一千二百五十四条 as enacted: '禁止从建筑物中抛掷物品…' is not in the official text (or not after the words quoted before it)",
            )
        ],
    ),
]


@pytest.mark.parametrize(("case", "quote", "expected"), QUOTES, ids=[q[0] for q in QUOTES])
def test_law_cards_are_compared_with_the_official_text(
    project: Path, write_script: ScriptWriter, case: str, quote: str, expected: list[tuple[str, str]]
) -> None:
    (project / "pufa.toml").write_text(f'[review]\nlaws_dir = "{LAWS}"\n', encoding="utf-8")
    write_script("0001-a.md", script(body=BODY + CARD.format(quote=quote)))
    findings = [(f.severity, f.message) for f in check(load_config(project)).findings if f.severity != "note"]
    assert findings == expected


def test_an_article_missing_from_the_law_texts_is_a_warning(project: Path, write_script: ScriptWriter) -> None:
    (project / "pufa.toml").write_text(f'[review]\nlaws_dir = "{LAWS}"\n', encoding="utf-8")
    laws = LAW + "\n  - 《中华人民共和国民法典》第一千二百六十条"
    write_script(
        "0001-a.md",
        script(
            laws=laws, body=BODY + "## 法条\n> 《中华人民共和国民法典》第一千二百六十条：本法自2021年1月1日起施行。\n"
        ),
    )
    findings = [(f.severity, f.message) for f in check(load_config(project)).findings if f.severity != "note"]
    assert findings == [
        (
            "warning",
            "《中华人民共和国民法典》第一千二百六十条 is not in the law texts in laws/; its wording was not checked",
        )
    ]


def test_a_missing_laws_folder_is_said_once(project: Path, write_script: ScriptWriter) -> None:
    (project / "pufa.toml").write_text('[review]\nlaws_dir = "no-such-folder"\n', encoding="utf-8")
    write_script("0001-a.md", script())
    findings = [(f.path.name, f.line, f.severity, f.message) for f in check(load_config(project)).findings]
    assert findings == [
        (
            "pufa.toml",
            2,
            "warning",
            "review.laws_dir: no-such-folder is not a folder; law cards were not compared with the law texts",
        )
    ]


def test_span_notes_and_rare_characters_name_their_column(project: Path, write_script: ScriptWriter) -> None:
    write_script("a.md", script(body=BODY + "## 提醒\n当事人𠮷田先生\n于2019年以来拨打12348。\n"))
    found = [(f.line, f.column, f.severity) for f in check(load_config(project)).findings if f.line >= 13]
    assert found == [(13, 4, "warning"), (14, 2, "note"), (14, 11, "note")]


def test_short_title_keeps_the_marks_the_channel_allows(write_script: ScriptWriter) -> None:
    episode = parse_script(write_script("b.md", script(title="《民法典》里的“相邻关系”：你问我答？")))
    assert short_title(episode) == "《民法典》里的“相邻关系”：你问我答？"
    episode = parse_script(write_script("c.md", script(title="高空抛物，后果很严重！")))
    assert short_title(episode) == "高空抛物 后果很严重"


def test_a_law_name_not_in_the_law_texts_is_named_on_the_laws_line(project: Path, write_script: ScriptWriter) -> None:
    (project / "pufa.toml").write_text(f'[review]\nlaws_dir = "{LAWS}"\n', encoding="utf-8")
    write_script("0001-a.md", script(laws="  - 《中华人民共和国民发典》第一千二百五十四条"))
    findings = [(f.line, f.severity, f.message) for f in check(load_config(project)).findings if f.severity != "note"]
    assert findings == [(5, "warning", "laws: 《中华人民共和国民发典》 is not a law in laws/; check its name")]


BUILD_REFUSALS = [
    (
        "a card citing an article not listed in laws:",
        script(
            laws="  - 《中华人民共和国民发典》第一千二百五十四条",
            body=BODY + CARD.format(quote="禁止从建筑物中抛掷物品。"),
        ),
        "scripts/0001-a.md:13: error: law card cites 《中华人民共和国民法典》第一千二百五十四条, which is not listed in laws:",
    ),
    (
        "a card that misquotes its article",
        script(body=BODY + CARD.format(quote="禁止从建筑物中抛弃物品。")),
        "scripts/0001-a.md:13: error: law card does not quote 《中华人民共和国民法典》第一千二百五十四条 as enacted: "
        "'…筑物中抛弃物品…' where the official text has '…筑物中抛掷物品…'",
    ),
]


@pytest.mark.parametrize(("case", "text", "line"), BUILD_REFUSALS, ids=[c[0] for c in BUILD_REFUSALS])
def test_the_build_refuses_what_check_reports_as_a_citation_error(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch, case: str, text: str, line: str
) -> None:
    (project / "pufa.toml").write_text(f'[voice]\nengine = "espeak"\n[review]\nlaws_dir = "{LAWS}"\n', encoding="utf-8")
    write_script("0001-a.md", text)
    monkeypatch.chdir(project)
    checked = CliRunner().invoke(main, ["check", "scripts/0001-a.md"])
    built = CliRunner().invoke(main, ["build", "scripts/0001-a.md"])
    assert checked.exit_code == 1 and line in checked.output.replace(":13:1:", ":13:")
    assert built.exit_code == 1
    assert line in built.output
    assert not list((project / "output").glob("**/*.mp4"))


def test_only_naming_no_episode_is_an_error(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_script("0001-a.md", script())
    monkeypatch.chdir(project)
    for command in (["build", "--only", "9999"], ["build", "--dry-run", "--only", "9998-9999,12"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 1
        wanted = command[-1]
        assert result.output.strip().endswith(f"--only {wanted}: no script in scripts/ has that episode number")


def test_findings_are_capped_per_file_and_each_line_costs_little(
    project: Path, write_script: ScriptWriter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 KB script of 100,000 '#' lines: 50 errors and one line counting the rest, from check and build alike;
    paths are resolved for the lines shown, not for every finding (that was 34 s)."""
    from pipeline import errors
    from pipeline.review import check as check_module

    monkeypatch.chdir(project)
    path = write_script("0001-hash.md", FRONT.format(n=1, title="高空抛物后果很严重", laws=LAW) + "#\n" * 100_000)
    resolved = []
    for module in (errors, check_module):
        real = module.display_path
        monkeypatch.setattr(module, "display_path", lambda p, *a, real=real: resolved.append(p) or real(p, *a))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    shown = result.stdout.splitlines()
    assert shown[:2] == [f"scripts/0001-hash.md:{n}:1: error: scene headings use '## ', not '# '" for n in (8, 9)]
    assert len(shown) == 51
    assert shown[-1] == "scripts/0001-hash.md:58:1: error: and 99951 more errors in this file"
    assert result.stderr == "1 scripts: 100001 errors, 0 warnings, 0 notes\n"
    assert len(resolved) < 500
    with pytest.raises(errors.ScriptError) as raised:
        parse_script(path)
    assert len(raised.value.diagnostics) == 100_001
    lines = str(raised.value).splitlines()
    assert len(lines) == 51
    assert lines[-1] == f"{path.relative_to(project)}:58: error: and 99951 more errors in this file"
    data = json.loads(CliRunner().invoke(main, ["check", "--format", "json"]).stdout)
    assert len(data["findings"]) == 51
