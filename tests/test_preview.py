"""`pufa preview`: the draft video, the storyboard, and the review page in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.media.ffmpeg import probe
from pipeline.review.preview import PreviewResult, preview
from tests.conftest import REPO, SHORT_SCRIPT, make_project
from tests.media import frame_at

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def previewed(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    root = make_project(tmp_path_factory.mktemp("preview") / "series")
    script = root / "scripts" / "0007-gaokong.md"
    script.write_text(SHORT_SCRIPT, encoding="utf-8")
    return preview(load_config(root), script)


def test_draft_is_540_by_960_with_the_whole_narration(previewed: PreviewResult) -> None:
    info = probe(previewed.video)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (540, 960, "h264", "aac")
    assert abs(info.duration - previewed.duration) <= 0.1


def test_draft_carries_the_watermark(previewed: PreviewResult) -> None:
    frame = np.asarray(frame_at(previewed.video, 1.0, width=540)).astype(int)
    corner = frame[10:60, 420:530]
    reddish = (corner[..., 0] > 180) & (corner[..., 1] < 140) & (corner[..., 2] < 140)
    assert reddish.sum() > 30, "the red 样片 mark in the top right corner"


def test_storyboard_has_a_thumbnail_per_screen_state(previewed: PreviewResult) -> None:
    with Image.open(previewed.storyboard) as sheet:
        pixels = sheet.convert("RGB")
    # SHORT_SCRIPT has 9 distinct screen states (its manifest says so): two rows of six cells, nine filled.
    assert pixels.size == (6 * 192 + 12, 2 * 366 + 12)
    filled = [
        pixels.getpixel((12 + column * 192 + 90, 12 + row * 366 + 160)) != (32, 32, 36)
        for row in range(2)
        for column in range(6)
    ]
    assert filled == [True] * 9 + [False] * 3


def test_review_page_needs_no_network(previewed: PreviewResult) -> None:
    page = previewed.page.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    assert 'src="video.mp4"' in page and 'src="storyboard.png"' in page
    assert "《中华人民共和国民法典》第一千二百五十四条" in page
    assert "spoken as: 12348 → 幺二三四八 (override)" in page


def test_cli_preview_prints_where_things_are(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    (root / "scripts" / "0007-gaokong.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(root), "preview", str(root / "scripts" / "0007-gaokong.md")])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("draft: ") and lines[0].endswith("s)")
    assert lines[2].startswith("review page: ") and lines[2].endswith("output/preview/0007/index.html")


def test_cli_preview_of_a_bad_script_is_one_line(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    bad = root / "scripts" / "bad.md"
    bad.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(root), "preview", str(bad)])
    assert result.exit_code == 1
    assert result.stderr == f"{bad}:1: error: the file is empty; a script needs front matter and at least one scene\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("PUFA_REQUIRE_BROWSER"):
            pytest.fail("PUFA_REQUIRE_BROWSER is set but chromium and chromedriver are not installed")
        pytest.skip("headless Chromium not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="pufa-chromium-")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--window-size=1280,1400",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def poll(read: object, timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()  # type: ignore[operator]
        if value:
            return value
        time.sleep(0.1)
    return read()  # type: ignore[operator]


def test_review_page_in_a_real_browser(previewed: PreviewResult, browser: object) -> None:
    driver = browser
    driver.get(previewed.page.resolve().as_uri())  # type: ignore[attr-defined]
    script = driver.execute_script  # type: ignore[attr-defined]
    duration = poll(lambda: script("var d = document.getElementById('draft').duration; return d > 0 ? d : null"))
    assert duration == pytest.approx(previewed.duration, abs=0.1), "the video element has a duration"

    cues = driver.find_elements("css selector", ".cue")  # type: ignore[attr-defined]
    assert len(cues) == 4
    third_start = float(cues[2].get_attribute("data-start"))
    cues[2].click()
    current = poll(lambda: script("var t = document.getElementById('draft').currentTime; return t > 0 ? t : null"))
    assert current == pytest.approx(third_start, abs=0.05), "clicking the third caption seeks to its start"
    assert poll(lambda: "active" in cues[2].get_attribute("class"))

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "review-page.png"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.stat().st_size > 10_000
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == [], "the page loads with no console errors"


def test_a_draft_keeps_pictures_still_and_cuts_between_scenes(tmp_path: Path) -> None:
    """Motion and fades cost ffmpeg work on every frame; a draft must stay well above real time without them."""
    from pipeline.review.preview import draft_config

    root = make_project(tmp_path / "series")
    config = load_config(root)
    assert (config.theme.motion, config.theme.transition) == ("push-in", "fade"), "the build's default look"
    draft = draft_config(config)
    assert (draft.theme.motion, draft.theme.transition) == ("none", "none")
    assert (draft.video.width, draft.video.height) == (540, 960)
