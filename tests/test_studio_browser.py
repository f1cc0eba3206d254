"""An editor's session in a real browser (headless Chromium) against a running ``pufa studio``.

Create an episode, type a line with a missing picture and see the finding beside it, fix it,
save, preview it (the video element reports its duration), approve it, build it with the
progress visible, see it in the episode list and the chart, download the Channels zip.
Screenshots of every page go to test-artifacts/studio/.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, make_project
from tests.test_preview import CHROMEDRIVER, CHROMIUM

ARTIFACTS = REPO / "test-artifacts" / "studio"
SMALL_VIDEO = '\n[video]\nwidth = 270\nheight = 480\nfps = 15\npreset = "ultrafast"\n'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """``pufa studio`` on a fresh project, as an editor starts it."""
    root = make_project(tmp_path_factory.mktemp("studio") / "series")
    (root / "pufa.toml").write_text((root / "pufa.toml").read_text(encoding="utf-8") + SMALL_VIDEO, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "pipeline", "--project", str(root), "studio", "--no-browser", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--tts", "espeak"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/episodes.json", timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"pufa studio exited: {server.stdout.read() if server.stdout else ''}")
            time.sleep(0.1)
    yield base, root, server
    if server.poll() is None:
        server.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("PUFA_REQUIRE_BROWSER"):
            pytest.fail("PUFA_REQUIRE_BROWSER is set but chromium and chromedriver are not installed")
        pytest.skip("headless Chromium not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="pufa-chromium-")
    downloads = Path(tempfile.mkdtemp(prefix="pufa-downloads-"))
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--autoplay-policy=no-user-gesture-required",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.downloads = downloads
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
    shutil.rmtree(downloads, ignore_errors=True)


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # the page may be mid-swap; ask again
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def cli(root: Path, *args: str) -> str:
    """``pufa --project ROOT ARGS``, beside the running studio; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(root), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_an_editors_session(running: tuple[str, Path, subprocess.Popen[str]], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, root, server = running
    driver = browser
    css = By.CSS_SELECTOR

    # 新建: a new episode from the series template.
    driver.get(base + "/new")
    driver.find_element(css, "input[name=title]").send_keys("高空抛物害人害己")
    driver.find_element(css, "input[name=topic]").send_keys("民法典")
    driver.find_element(css, "input[name=slug]").send_keys("gaokong")
    shot(driver, "1-new")
    driver.find_element(css, "form button[type=submit]").click()
    wait_for(lambda: driver.current_url.endswith("/episodes/0001-gaokong.md/edit"), 10, "the editor")
    assert (root / "scripts" / "0001-gaokong.md").is_file()

    # 编辑: a line with a missing picture gets its finding beside it, as the editor types.
    text = driver.find_element(css, "#text")
    lines = text.get_attribute("value").count("\n") + 1
    text.send_keys(Keys.CONTROL, Keys.END)
    text.send_keys("\n![楼](../assets/images/none.png)")
    finding = wait_for(
        lambda: driver.find_element(css, f'.finding-line[data-line="{lines + 1}"] .finding.error'), 10, "the finding"
    )
    assert "找不到图片：../assets/images/none.png" in finding.text
    assert driver.find_element(css, f'#gutter [data-line="{lines + 1}"]').get_attribute("class") == "has-error"
    shot(driver, "2-editor-finding")
    for _ in "none.png)":
        text.send_keys(Keys.BACKSPACE)
    text.send_keys("building.png)")
    wait_for(lambda: not driver.find_elements(css, ".finding.error"), 10, "the finding to go")
    assert "预计时长" in driver.find_element(css, "#duration").text
    driver.find_element(css, "#save").click()
    wait_for(lambda: driver.find_element(css, "#saved").text == "已保存", 10, "已保存")
    shot(driver, "3-editor-saved")
    assert (
        (root / "scripts" / "0001-gaokong.md")
        .read_text(encoding="utf-8")
        .endswith("![楼](../assets/images/building.png)")
    )

    # 预览: a draft in the background with a progress bar, then the review page with its video.
    driver.get(base + "/episodes/0001-gaokong.md/preview")
    driver.find_element(css, "#make-preview").click()
    wait_for(lambda: driver.find_element(css, ".job .job-lines li"), 30, "preview progress")
    shot(driver, "4-preview-progress")
    frame = wait_for(lambda: driver.find_element(css, "#review-frame"), 180, "the review page")
    driver.switch_to.frame(frame)
    duration = wait_for(
        lambda: driver.execute_script(
            "const v = document.querySelector('video'); return v && v.readyState >= 1 ? v.duration : null;"
        ),
        30,
        "the video's duration",
    )
    driver.switch_to.default_content()
    assert 10 < duration < 60
    shot(driver, "5-preview")

    # 审核: approve with a name and a note.
    driver.get(base + "/episodes/0001-gaokong.md/review")
    driver.find_element(css, "#reviewer").send_keys("李法制")
    driver.find_element(css, "textarea[name=note]").send_keys("法条引用无误")
    driver.find_element(css, "#approve").click()
    wait_for(lambda: "李法制" in driver.find_element(css, ".history").text, 10, "the review history")
    assert driver.find_element(css, "#review-state").text.startswith("已通过审核")
    assert "status:" not in (root / "scripts" / "0001-gaokong.md").read_text(encoding="utf-8")
    shot(driver, "6-review")
    # The CLI sees the studio's approval: it is the one review trail in catalog.db.
    assert "its current inputs were approved by 李法制 at " in cli(root, "review", "status", "1")

    # 生成: build it, with the progress visible.
    driver.get(base + "/build")
    driver.find_element(css, "#pick-0001-gaokong\\.md").click()
    driver.find_element(css, "#build").click()
    seen = wait_for(
        lambda: next((t for t in [driver.find_element(css, ".job .job-lines").text] if "%" in t), None),
        60,
        "build progress",
    )
    assert "第1期 高空抛物害人害己：" in seen
    shot(driver, "7-build-progress")
    wait_for(lambda: driver.find_element(css, ".job-state").text == "完成", 300, "the build to finish")
    assert "第1期 高空抛物害人害己：完成" in driver.find_element(css, ".job-lines").text
    shot(driver, "8-build-done")

    assert "approved by 李法制 at " in cli(root, "review", "status", "1")

    # 节目单 and 统计: the episode, and the chart; a verdict given on the CLI shows in the studio.
    driver.get(base + "/episodes")
    row = driver.find_element(css, 'tr[data-name="0001-gaokong.md"]').text
    assert "高空抛物害人害己" in row and "已定稿" in row and "李法制" in row and "约" not in row
    cli(root, "review", "approve", "1", "--by", "张律师", "--note", "复核无误")
    driver.get(base + "/episodes")
    assert "张律师" in driver.find_element(css, 'tr[data-name="0001-gaokong.md"]').text
    shot(driver, "9-episodes")
    driver.get(base + "/stats")
    assert len(driver.find_elements(css, "#chart-month svg rect")) == 1
    assert "民法典" in driver.find_element(css, "#chart-topics").text
    shot(driver, "10-stats")

    # 发布: the Channels package as a zip.
    driver.get(base + "/episodes/0001-gaokong.md/publish")
    assert "第1期用的是离线草稿配音" in driver.find_element(css, "#refusal").text
    driver.find_element(css, "#allow-draft").click()
    driver.find_element(css, "#make-channels").click()
    link = wait_for(lambda: driver.find_element(css, "#channels-zip"), 120, "the zip link")
    shot(driver, "11-publish")
    link.click()
    package = wait_for(lambda: next(iter(driver.downloads.glob("*.zip")), None), 30, "the download")
    wait_for(lambda: zipfile.is_zipfile(package), 10, "a complete zip")
    with zipfile.ZipFile(package) as archive:
        assert "0001/video.mp4" in archive.namelist() and "0001/checklist.md" in archive.namelist()

    # Ctrl-C stops it cleanly.
    server.send_signal(signal.SIGINT)
    output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert output.splitlines()[-1] == "studio stopped"
    assert not (root / "output" / ".locks" / "studio.address").exists()
