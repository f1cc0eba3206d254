"""The command line speaks Chinese when the locale is Chinese and English otherwise (gettext catalogue)."""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
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
    assert made.stdout.splitlines()[-1] == f"下一步：cd {tmp_path / '甲'} && pufa studio（打开网页工作台），或 pufa build"
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
            assert compiled.gettext(message.id) == message.string, message.id


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
    assert lines == ["2 期要生成，5 期已是最新", "0007 高空抛物要担责：开始", "[1/2] 0007 完成: 12.3 s"]
    assert summary.splitlines()[-1] == "完成 1 期，跳过 0 期，失败 1 期，用时 15.0 秒"
    assert summary.splitlines()[2:4] == ["      scripts/0009-broken.md  失败", "0007  高空抛物要担责          完成  12.3 s"]


def test_review_status_in_both_languages(tmp_path: Path) -> None:
    root = project_with_script(tmp_path / "series", SHORT_SCRIPT)
    approved = pufa("zh_CN.UTF-8", "--project", str(root), "review", "approve", "7", "--by", "张律师")
    assert approved.returncode == 0, approved.stderr
    english = pufa("en_US.UTF-8", "--project", str(root), "review", "status", "7").stdout
    chinese = pufa("zh_CN.UTF-8", "--project", str(root), "review", "status", "7").stdout
    at = english.split(" at ")[1].split(";")[0]
    assert english == (
        f"尚未生成  episode 7 is not built; its current inputs were approved by 张律师 at {at}; run pufa build\n"
    )
    assert chinese == f"尚未生成  第7期还没有生成；当前内容已由 张律师 于 {at} 审核通过；请生成（pufa build）\n"


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
