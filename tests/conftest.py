from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from pipeline.build import BuildReport, build
from pipeline.config import Config, load_config

# The suite pins the English messages (before pipeline.cli is imported by any test module);
# tests/test_messages.py pins the Chinese ones, in processes of their own.
os.environ["LANGUAGE"] = "en"

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"

SHORT_SCRIPT = """\
---
episode: 7
title: 高空抛物要担责
topic: 民法典
laws:
  - 《中华人民共和国民法典》第一千二百五十四条
tags: [高空抛物]
status: final
---
## 开场
大家好，今天讲高空抛物。

## 法条
![楼](../assets/images/building.png)
> 《中华人民共和国民法典》第一千二百五十四条规定：禁止从建筑物中抛掷物品。

## 提醒
有困难，请拨打{12348|幺二三四八}。
"""

CONFIG = """\
[series]
name = "测试普法小讲堂"

[voice]
engine = "espeak"
"""


def make_project(root: Path) -> Path:
    (root / "scripts").mkdir(parents=True)
    (root / "assets" / "images").mkdir(parents=True)
    (root / "pufa.toml").write_text(CONFIG, encoding="utf-8")
    Image.new("RGB", (320, 240), (200, 120, 60)).save(root / "assets" / "images" / "building.png")
    return root


@pytest.fixture(autouse=True, scope="session")
def private_audio_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests never read or fill the user's own audio cache."""
    os.environ["PUFA_CACHE_DIR"] = str(tmp_path_factory.mktemp("audio-cache"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "series")


ScriptWriter = Callable[[str, str], Path]


@pytest.fixture
def write_script(project: Path) -> ScriptWriter:
    def write(name: str, text: str) -> Path:
        path = project / "scripts" / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


class Built:
    def __init__(self, config: Config, report: BuildReport) -> None:
        self.config = config
        self.report = report
        self.episode = report.built[0]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One short episode built for real (eSpeak NG voice, ffmpeg encode), shared by the integration tests."""
    root = make_project(tmp_path_factory.mktemp("built") / "series")
    (root / "scripts" / "0007-gaokong.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    config = load_config(root)
    report = build(config)
    assert report.ok, [f.message for f in report.failed]
    return Built(config, report)
