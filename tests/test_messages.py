"""The command line speaks Chinese when the locale is Chinese and English otherwise (gettext catalogue)."""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pipeline.i18n import LOCALE_DIR, chinese_locale
from tests.conftest import REPO

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
    assert made.stdout.splitlines()[-1] == f"下一步：cd {tmp_path / '甲'} && pufa build"
    made = pufa("en_US.UTF-8", "init", str(tmp_path / "乙"))
    assert made.stdout.splitlines()[-1] == f"next: cd {tmp_path / '乙'} && pufa build"
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
