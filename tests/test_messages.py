"""The command line speaks Chinese when the locale is Chinese and English otherwise (gettext catalogue)."""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pipeline.i18n import LOCALE_DIR, chinese_locale, speaking
from tests.conftest import REPO, SHORT_SCRIPT, make_project

PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "pufa.po"


def pufa(language: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update({"LANG": language, "PYTHONPATH": str(REPO)})
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=env, cwd=REPO, check=False
    )


def test_help_in_chinese_and_in_english() -> None:
    chinese = pufa("zh_CN.UTF-8", "--help").stdout
    assert chinese.startswith("用法: ")
    assert "pufa 把普法小讲堂的节目脚本做成带配音、带字幕的竖屏视频。" in chinese
    assert "显示本帮助并退出。" in chinese and "\n命令:\n" in chinese
    english = pufa("en_US.UTF-8", "--help").stdout
    assert english.startswith("Usage:")
    assert "pufa turns 普法小讲堂 episode scripts into narrated, captioned vertical videos." in english
    assert "Show this message and exit." in english
    build = pufa("zh_CN.UTF-8", "build", "--help").stdout
    assert "有一期失败就停下。" in build and "  pufa build --only 1250-1260 --jobs 2\n" in build


def test_messages_in_chinese_and_in_english(tmp_path: Path) -> None:
    made = pufa("zh_CN.UTF-8", "init", str(tmp_path / "甲"))
    assert made.returncode == 0
    assert f"已创建 {tmp_path / '甲' / 'pufa.toml'}" in made.stdout.splitlines()
    assert (
        made.stdout.splitlines()[-1] == f"下一步：cd {tmp_path / '甲'} && pufa studio（打开网页工作台），或 pufa build"
    )
    made = pufa("en_US.UTF-8", "init", str(tmp_path / "乙"))
    assert made.stdout.splitlines()[-1] == f"next: cd {tmp_path / '乙'} && pufa studio (the web studio), or pufa build"
    again = pufa("zh_CN.UTF-8", "init", str(tmp_path / "甲"))
    assert again.stderr.startswith("pufa：错误：")
    assert pufa("C.UTF-8", "init", str(tmp_path / "甲")).stderr.startswith("pufa: error: ")
    checked = pufa("zh_CN.UTF-8", "--project", str(tmp_path / "甲"), "check")
    assert checked.stderr.splitlines()[-1].startswith("1 个脚本：0 个错误，")


@pytest.mark.parametrize(
    ("environ", "chinese"),
    [
        ({"LANG": "zh_CN.UTF-8"}, True),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, True),
        ({"LANGUAGE": "en:zh_CN", "LANG": "zh_CN.UTF-8"}, False),
        ({"LANGUAGE": "zh_CN:en"}, True),
        ({"LANG": "C.UTF-8"}, False),
    ],
)
def test_the_locale_decides(environ: dict[str, str], chinese: bool) -> None:
    assert chinese_locale(environ) is chinese


def test_the_catalogue_is_complete_and_compiled() -> None:
    with PO.open("rb") as handle:
        po = read_po(handle, locale="zh_CN", domain="pufa")
    own = [m for m in po if m.id and not any(str(where).startswith("click/") for where, _ in m.locations)]
    assert [m.id for m in own if not m.string] == []
    with PO.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in own:
        if isinstance(message.id, str):
            found = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
            assert found == message.string, message.id


# --- the library's own messages, in both languages ----------------------------------------------


def project_with_script(root: Path, text: str) -> Path:
    root = make_project(root)
    (root / "scripts" / "0007-gaokong.md").write_text(text, encoding="utf-8")
    return root


def test_a_script_finding_in_both_languages(tmp_path: Path) -> None:
    root = project_with_script(tmp_path / "series", SHORT_SCRIPT.replace("building.png", "none.png"))
    english = pufa("en_US.UTF-8", "--project", str(root), "check", str(root / "scripts" / "0007-gaokong.md"))
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "check", str(root / "scripts" / "0007-gaokong.md"))
    where = f"{root / 'scripts' / '0007-gaokong.md'}:14:1: error: "
    assert where + "image not found: ../assets/images/none.png" in english.stdout.splitlines()
    assert (
        where + "找不到图片：../assets/images/none.png（检查文件名，图片放在 assets/images/ 里）"
        in chinese.stdout.splitlines()
    )
    assert english.stderr.splitlines()[-1] == "1 scripts: 1 errors, 0 warnings, 0 notes"
    assert chinese.stderr.splitlines()[-1] == "1 个脚本：1 个错误，0 个提醒，0 条说明"


def test_a_limit_error_in_both_languages(tmp_path: Path) -> None:
    root = project_with_script(tmp_path / "series", SHORT_SCRIPT)
    numbers = ",".join(str(n) for n in range(1, 1002))
    english = pufa("en_US.UTF-8", "--project", str(root), "build", "--only", numbers)
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "build", "--only", numbers)
    assert (english.returncode, chinese.returncode) == (1, 1)
    assert english.stderr == "pufa: error: --only: 1001 items; the limit is 1000 (only_ranges)\n"
    assert chinese.stderr == "pufa：错误：--only：有 1001 项；上限是 1000（only_ranges）\n"


def test_progress_lines_and_the_build_summary_in_both_languages(tmp_path: Path) -> None:
    from pipeline.build import BuildReport
    from pipeline.plan import Failure
    from pipeline.progress import PlainProgress
    from pipeline.render import BuiltEpisode
    from pipeline.report import build_summary

    built = BuiltEpisode(7, "高空抛物要担责", *(tmp_path,) * 5, duration=31.2, seconds=12.34, synthesised_scenes=3)
    report = BuildReport((built,), (), (Failure(Path("scripts/0009-broken.md"), "…"),), seconds=15.02)

    def session() -> tuple[list[str], str]:
        lines: list[str] = []
        progress = PlainProgress(lines.append)
        progress.begin(2, 5)
        progress.started(7, "高空抛物要担责")
        progress.finished(7, "built", "12.3 s")
        return lines, build_summary(report)

    with speaking(chinese=False):
        lines, summary = session()
    assert lines == ["2 to build, 5 up to date", "0007 高空抛物要担责: started", "[1/2] 0007 built: 12.3 s"]
    assert summary.splitlines()[2:] == [
        "      scripts/0009-broken.md  failed",
        "0007  高空抛物要担责          built   12.3 s",
        "built 1, skipped 0, failed 1 in 15.0 s",
    ]
    with speaking(chinese=True):
        lines, summary = session()
    assert lines == ["2 期要生成，5 期已是最新", "0007 高空抛物要担责：开始", "[1/2] 0007 完成：12.3 s"]
    assert summary.splitlines()[-1] == "完成 1 期，跳过 0 期，失败 1 期，用时 15.0 秒"
    assert summary.splitlines()[2:4] == [
        "      scripts/0009-broken.md  失败",
        "0007  高空抛物要担责          完成  12.3 s",
    ]


def test_review_status_in_both_languages(tmp_path: Path) -> None:
    root = project_with_script(tmp_path / "series", SHORT_SCRIPT)
    approved = pufa("zh_CN.UTF-8", "--project", str(root), "review", "approve", "7", "--by", "张律师")
    assert approved.returncode == 0, approved.stderr
    english = pufa("en_US.UTF-8", "--project", str(root), "review", "status", "7").stdout
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "review", "status", "7").stdout
    at = english.split(" at ")[1].split(";")[0]
    assert english == (
        f"not built  episode 7 is not built; its current inputs were approved by 张律师 at {at}; run pufa build\n"
    )
    assert chinese == f"尚未生成  第7期还没有生成；当前内容已由 张律师 于 {at} 审核通过；请生成（pufa build）\n"
    rejected = pufa(
        "en_US.UTF-8", "--project", str(root), "review", "reject", "7", "--by", "张律师", "--note", "再改改"
    )
    assert rejected.returncode == 0, rejected.stderr
    at = rejected.stdout.split(" at ")[1].split(": ")[0]  # shown as local time, like the status
    assert rejected.stdout.startswith("0007: build ") and rejected.stdout.endswith(
        f" rejected by 张律师 at {at}: 再改改\n"
    )
    english = pufa("en_US.UTF-8", "--project", str(root), "review", "status", "7").stdout
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "review", "status", "7").stdout
    assert english == (
        f"not built  episode 7 is not built; its current inputs were rejected by 张律师 at {at}; run pufa build\n"
    )
    assert chinese == f"尚未生成  第7期还没有生成；当前内容已被 张律师 于 {at} 退回；请生成（pufa build）\n"


def test_review_states_in_both_languages() -> None:
    from pipeline.review.trail import STATE_WORDS, ReviewState

    def words() -> list[str]:
        return [ReviewState(7, state, None, None, None, ()).words for state in STATE_WORDS]  # type: ignore[arg-type]

    with speaking(chinese=False):
        assert words() == [
            "approved",
            "rejected",
            "approval void (changed since)",
            "awaiting review",
            "script changed, rebuild",
            "not built",
        ]
    with speaking(chinese=True):
        assert words() == [
            "已通过审核",
            "审核未通过",
            "审核已失效（内容有改动）",
            "待审核",
            "脚本已改动，待重新生成",
            "尚未生成",
        ]


def test_no_function_hides_the_gettext_function() -> None:
    """A function that binds ``_`` (``for _ in …``, ``a, _ = …``) and also calls ``_()`` would call the wrong thing."""
    import ast

    hiding = []
    for path in sorted((REPO / "pipeline").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            nodes = list(ast.walk(function))
            inner = {id(n) for c in nodes if isinstance(c, ast.comprehension | ast.Lambda) for n in ast.walk(c)}
            binds = any(
                isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store) and id(n) not in inner
                for n in nodes
            )
            calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "_" for n in nodes)
            if binds and calls:
                hiding.append(f"{path.relative_to(REPO)}:{function.lineno} {function.name}")
    assert hiding == []


def test_dry_run_reasons_in_both_languages(tmp_path: Path) -> None:
    root = project_with_script(tmp_path / "series", SHORT_SCRIPT)
    english = pufa("en_US.UTF-8", "--project", str(root), "build", "--dry-run", "-v")
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "build", "--dry-run", "-v")
    assert english.returncode == chinese.returncode == 0, english.stderr
    row_en = next(line for line in english.stdout.splitlines() if line.startswith("0007"))
    row_zh = next(line for line in chinese.stdout.splitlines() if line.startswith("0007"))
    assert row_en.split()[-2:] == ["build", "new"]
    assert row_zh.split()[-2:] == ["生成", "新的"]
    assert english.stdout.splitlines()[0].split() == ["No.", "Title", "Action", "Reason"]
    assert chinese.stdout.splitlines()[0].split() == ["期数", "标题", "动作", "原因"]


def test_stage_lines_and_the_built_detail_in_both_languages(tmp_path: Path) -> None:
    from pipeline.plan import Outcome, announce
    from pipeline.progress import PlainProgress
    from pipeline.render import BuiltEpisode

    video = tmp_path / "0007.mp4"
    built = BuiltEpisode(
        7, "高空抛物要担责", tmp_path, video, *(tmp_path,) * 3, duration=31.2, seconds=12.34, synthesised_scenes=3
    )

    def session() -> list[str]:
        lines: list[str] = []
        progress = PlainProgress(lines.append, verbose=True)
        progress.begin(1, 0)
        for stage in ("voice", "frames", "encode", "finish"):
            progress.stage(7, stage, 0.5)
        announce(progress, Outcome(7, built=built))
        return lines[1:]

    with speaking(chinese=False):
        assert session() == [
            "  0007 voice",
            "  0007 frames",
            "  0007 encode",
            "  0007 finish",
            f"[1/1] 0007 built: {video} (31.2 s video in 12.3 s)",
        ]
    with speaking(chinese=True):
        assert session() == [
            "  0007 配音",
            "  0007 画面",
            "  0007 编码",
            "  0007 收尾",
            f"[1/1] 0007 完成：{video}（31.2 秒的视频，用了 12.3 秒）",
        ]


def test_the_catalog_table_in_both_languages() -> None:
    from pipeline.catalog import CatalogRow, Entry, Publication, Review
    from pipeline.report import catalog_table

    row = CatalogRow(
        number=7,
        title="高空抛物要担责",
        topic="民法典",
        laws=(),
        tags=(),
        duration=31.2,
        script="scripts/0007.md",
        video="output/episodes/0007/0007.mp4",
        subtitles="",
        cover="",
        manifest="",
        status="draft",
        input_hash="abc",
        built_at="2026-11-28T10:00:00+00:00",
        voice_engine="espeak",
        voice="cmn",
        draft_voice=True,
    )
    review = Review(1, 7, "abc", "rejected", "张律师", "再改改", "2026-11-28T11:00:00+00:00")
    posts = {"channels": Publication(7, "channels", "prepared"), "mp": Publication(7, "mp", "drafted")}
    entries = [Entry(row, review, posts)]
    with speaking(chinese=False):
        lines = catalog_table(entries).splitlines()
    assert lines[0].split() == [
        "No.",
        "Title",
        "Topic",
        "Duration",
        "Status",
        "Voice",
        "Built",
        "Review",
        "Published",
        "Links",
        "Video",
    ]
    assert lines[2].split() == [
        "0007",
        "高空抛物要担责",
        "民法典",
        "0:31.2",
        "draft",
        "espeak/cmn",
        "(draft",
        "voice)",
        "2026-11-28",
        "10:00",
        "张律师",
        "2026-11-28",
        "11:00",
        "rejected",
        "channels:prepared",
        "mp:drafted",
        "-",
        "output/episodes/0007/0007.mp4",
    ]
    with speaking(chinese=True):
        lines = catalog_table(entries).splitlines()
    assert lines[0].split() == [
        "期数",
        "标题",
        "类别",
        "时长",
        "状态",
        "配音",
        "生成时间",
        "审核",
        "发布",
        "链接",
        "视频",
    ]
    assert lines[2].split() == [
        "0007",
        "高空抛物要担责",
        "民法典",
        "0:31.2",
        "草稿",
        "espeak/cmn（草稿配音）",
        "2026-11-28",
        "10:00",
        "张律师",
        "2026-11-28",
        "11:00",
        "未通过",
        "视频号:已备好",
        "公众号:已存草稿",
        "-",
        "output/episodes/0007/0007.mp4",
    ]


# --- what the layout check says, what the review page shows ------------------------------------


def test_layout_findings_are_whole_sentences_in_both_languages(tmp_path: Path) -> None:
    """A text out of its box, the frame or the safe area, or on another text: every word in the user's language."""
    from pipeline.config import load_config
    from pipeline.picture.fonts import resolve_font
    from pipeline.picture.layout import Layout, Line, Run, Screen, Text, describe, problems, screen_name
    from pipeline.script import parse_script

    root = project_with_script(tmp_path / "series", SHORT_SCRIPT)
    config = load_config(root)
    font = resolve_font(config)
    layout = Layout(config, font, font, 1080, 1920)
    assert layout.safe == (54, 96, 1015, 1613)

    def text(what: str, words: str, box: tuple[int, int, int, int], container: tuple[int, int, int, int]) -> Text:
        return Text(what, font, 40, (Line((Run(words, (0, 0, 0)),), box[0], box[3], box),), container)

    whole = (0, 0, 1080, 1920)
    screen = Screen(
        "closing card",
        ("closing",),
        (
            text("hotline", "12348", (100, 100, 560, 150), (100, 100, 500, 200)),
            text("law text", "禁止从建筑物中抛掷物品", (-30, 500, 300, 550), (-100, 400, 600, 600)),
            text("caption", "大家好", (100, 1700, 400, 1750), whole),
            text("point", "第一", (600, 800, 800, 850), whole),
            text("point number", "1", (620, 810, 660, 850), whole),
        ),
    )
    episode = parse_script(root / "scripts" / "0007-gaokong.md")
    names = ("title card", "closing card", "cover 1080x1440", "scene 2 (法条)")
    with speaking(chinese=False):
        assert [describe(p, episode)[1] for p in problems(screen, layout)] == [
            "closing card: hotline '12348' leaves its box by 60 px",
            "closing card: law text '禁止从建筑物中抛掷物品' leaves the frame by 30 px",
            "closing card: caption '大家好' leaves the safe area by 137 px",
            "closing card: point number '1' collides with point '第一'",
        ]
        assert [screen_name(n) for n in names] == list(names)
    with speaking(chinese=True):
        assert [describe(p, episode)[1] for p in problems(screen, layout)] == [
            "片尾：热线号码「12348」超出排版框 60 像素",
            "片尾：法条正文「禁止从建筑物中抛掷物品」超出画面 30 像素",
            "片尾：字幕「大家好」超出安全区 137 像素",
            "片尾：要点序号「1」和要点「第一」重叠",
        ]
        assert [screen_name(n) for n in names] == ["片头", "片尾", "封面 1080x1440", "第2个场景「法条」"]


def test_every_layout_text_has_a_chinese_name() -> None:
    from pipeline.picture.layout import SCREEN_NAMES, TEXT_NAMES, text_name

    layout_source = (REPO / "pipeline" / "picture" / "layout.py").read_text(encoding="utf-8")
    import re

    made = set(re.findall(r'(?:Text|one_line|paragraph|badge)\(\s*"([^"]+)"', layout_source))
    assert made <= set(TEXT_NAMES), made - set(TEXT_NAMES)
    with speaking(chinese=True):
        shown = [text_name(what) for what in TEXT_NAMES] + [screen_name_zh for screen_name_zh in SCREEN_NAMES]
        assert not [word for word in shown[: len(TEXT_NAMES)] if re.search("[A-Za-z]", word)]


def test_a_layout_error_from_check_in_both_languages(tmp_path: Path) -> None:
    root = project_with_script(
        tmp_path / "series", SHORT_SCRIPT.replace("title: 高空抛物要担责", "title: " + "高空抛物要担责" * 9)
    )
    english = pufa("en_US.UTF-8", "--project", str(root), "check")
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "check")
    where = f"{root / 'scripts' / '0007-gaokong.md'}:3:1: error: "  # the title's line
    assert [line for line in english.stdout.splitlines() if ": error: " in line][:2] == [
        where + "cover 1080x1440: title '高空抛物要担责高空抛物' leaves its box by 67 px",
        where + "cover 1080x1440: title '高空抛物要担责高空抛物' collides with episode number '第7期'",
    ]
    assert [line for line in chinese.stdout.splitlines() if ": error: " in line][:2] == [
        where + "封面 1080x1440：标题「高空抛物要担责高空抛物」超出排版框 67 像素",
        where + "封面 1080x1440：标题「高空抛物要担责高空抛物」和期数「第7期」重叠",
    ]


class _PageText(HTMLParser):
    """The words a reader sees on a page, each with its element (and an image's alt text), scripts and styles left out."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append(tag)
        self.seen += [("alt", value or "") for name, value in attrs if name == "alt"]

    def handle_endtag(self, tag: str) -> None:
        while self._open and self._open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not {"style", "script"} & set(self._open):
            self.seen.append((self._open[-1] if self._open else "", data.strip()))


def test_the_review_page_in_both_languages(tmp_path: Path) -> None:
    """pufa preview's page (also the studio's 预览 tab): every label in one language; the series' content as written."""
    from pipeline.captions.track import CaptionTrack, Cue, SceneSpan
    from pipeline.config import load_config
    from pipeline.review.check import check
    from pipeline.review.preview import review_page
    from pipeline.review.trail import approve, shown_time
    from pipeline.script import parse_script

    root = project_with_script(tmp_path / "series", SHORT_SCRIPT)
    script = root / "scripts" / "0007-gaokong.md"
    config = load_config(root)
    made = approve(config, 7, "张律师", "法条引用无误")
    episode = parse_script(script)
    cue = Cue(1, 0, 0, "narration", ("大家好，今天讲高空抛物。",), "", 0, 75, 25)
    track = CaptionTrack(25, 250, 25, 225, (SceneSpan(0, "开场", 25, 100),), (cue,))

    def page(chinese: bool) -> tuple[str, list[tuple[str, str]]]:
        with speaking(chinese):
            text = review_page(episode, track, tuple(check(config, [script]).findings), config)
        reader = _PageText()
        reader.feed(text)
        return text, [(tag, words) for tag, words in reader.seen if tag in ("title", "p", "h2", "th", "td", "alt")]

    at, build = shown_time(made.at), made.input_hash[:10]
    html, seen = page(chinese=False)
    assert '<html lang="en">' in html
    assert seen == [
        ("title", "第7期 高空抛物要担责 · draft review"),
        ("p", f"Draft · duration 00:10.0 · script {script}"),
        (
            "p",
            f"Legal review: not built · episode 7 is not built; its current inputs were approved by 张律师 at {at}; "
            "run pufa build",
        ),
        ("h2", "Captions and times"),
        ("p", "Click a caption to seek the video there."),
        ("h2", "Law cards"),
        ("h2", "Cited articles"),
        ("h2", "Review trail"),
        *[("th", word) for word in ("Time", "Reviewer", "Verdict", "Build", "Note")],
        *[("td", word) for word in (at, "张律师", "approved", build, "法条引用无误")],
        ("h2", "Check results"),
        *[("th", word) for word in ("Line", "Severity", "Finding")],
        ("td", "1:1"),
        ("td", "warning"),
        ("td", "estimated duration 23 s is outside the series target of 60–180 s"),
        ("td", "8:1"),
        ("td", "note"),
        (
            "td",
            "'status: final' no longer approves an episode: the review trail does (pufa review approve 7 --by NAME); "
            "the line can go",
        ),
        ("td", "18:9"),
        ("td", "note"),
        ("td", "spoken as: 12348 → 幺二三四八 (override)"),
        ("h2", "Storyboard"),
        ("alt", "Storyboard: each screen state once, with the time it starts"),
    ]
    html, seen = page(chinese=True)
    assert '<html lang="zh-CN">' in html
    assert seen == [
        ("title", "第7期 高空抛物要担责 · 样片审核"),
        ("p", f"样片（草稿）· 时长 00:10.0 · 脚本 {script}"),
        ("p", f"法制审核：尚未生成 · 第7期还没有生成；当前内容已由 张律师 于 {at} 审核通过；请生成（pufa build）"),
        ("h2", "字幕与时间"),
        ("p", "点击一条字幕，视频跳到该处。"),
        ("h2", "法条卡"),
        ("h2", "引用法条"),
        ("h2", "审核记录"),
        *[("th", word) for word in ("时间", "审核人", "结论", "版本", "意见")],
        *[("td", word) for word in (at, "张律师", "通过", build, "法条引用无误")],
        ("h2", "检查结果"),
        *[("th", word) for word in ("位置", "级别", "问题")],
        ("td", "1:1"),
        ("td", "提醒"),
        ("td", "预计时长 23 秒，不在本系列的目标 60–180 秒之内"),
        ("td", "8:1"),
        ("td", "说明"),
        ("td", "「status: final」不再表示审核通过：审核记录才算数（pufa review approve 7 --by 姓名）；这一行可以删掉"),
        ("td", "18:9"),
        ("td", "说明"),
        ("td", "读音：12348 读作 幺二三四八"),
        ("h2", "分镜"),
        ("alt", "分镜：每个画面一张，标有开始时间"),
    ]


# --- pufa say --explain, pufa voices, the catalog's posts, publishing, click's own words -----------


def test_say_explain_names_each_class_in_both_languages(tmp_path: Path) -> None:
    from pipeline.config import load_config
    from pipeline.speech.say import explain_text

    config = load_config(make_project(tmp_path / "series"))
    text = "2019年以来，拨打135-4567-8900，罚款5000元，占比30%"
    with speaking(chinese=False):
        assert explain_text(config, text).lines() == [
            "date       2019年 → 二〇一九年",
            "telephone  135-4567-8900 → 幺三五 四五六七 八九零零",
            "money      5000元 → 五千元",
            "percent    30% → 百分之三十",
        ]
    with speaking(chinese=True):
        assert explain_text(config, text).lines() == [
            "日期    2019年 → 二〇一九年",
            "电话    135-4567-8900 → 幺三五 四五六七 八九零零",
            "金额    5000元 → 五千元",
            "百分数  30% → 百分之三十",
        ]


def test_voice_rows_in_both_languages() -> None:
    from pipeline.report import voice_row

    rows = [("zh-CN-YunyangNeural", "Male", "News; Professional, Reliable"), ("zm_yunxi", "Male", "series default")]
    with speaking(chinese=False):
        assert [voice_row(*row) for row in rows] == [
            ["zh-CN-YunyangNeural", "Male", "News; Professional, Reliable"],
            ["zm_yunxi", "Male", "series default"],
        ]
    with speaking(chinese=True):
        assert [voice_row(*row) for row in rows] == [
            ["zh-CN-YunyangNeural", "男声", "新闻；专业、稳重"],
            ["zm_yunxi", "男声", "本系列默认"],
        ]


def test_publish_help_in_both_languages() -> None:
    english = pufa("en_US.UTF-8", "publish", "--help").stdout.splitlines()
    chinese = pufa("zh_CN.UTF-8", "publish", "--help").stdout.splitlines()
    assert "Options (pufa publish EPISODE... --to channels|mp [OPTIONS]):" in english
    assert "  --to [channels|mp]        Where to publish.  [required]" in english
    assert "选项（pufa publish EPISODE... --to channels|mp [OPTIONS]）:" in chinese
    assert "  --to [channels|mp]        发布到哪里。  [必填]" in chinese



def test_every_reading_class_has_a_name_in_both_languages() -> None:
    """A class added to the tagger (as 'standard' was) is named in say --explain, never shown as its identifier."""
    import re

    from pipeline.speech.normalize.tagger import CLASSES
    from pipeline.speech.say import KIND_NAMES, kind_name

    assert set(CLASSES) <= set(KIND_NAMES), set(CLASSES) - set(KIND_NAMES)
    with speaking(chinese=True):
        unnamed = [kind for kind in CLASSES if re.search("[A-Za-z]", kind_name(kind))]
    assert unnamed == []
