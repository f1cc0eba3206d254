"""pufa studio in-process: pages as JSON, the editor's check and save, review, build with progress, publish, safety."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.locks import try_file_lock
from pipeline.review.trail import approve
from pipeline.studio import StudioError
from pipeline.studio.app import create_app, guarded_app
from pipeline.studio.scripts import script_path
from pipeline.studio.server import lock_path
from tests.conftest import SHORT_SCRIPT, make_project

SMALL_VIDEO = '\n[video]\nwidth = 270\nheight = 480\nfps = 15\npreset = "ultrafast"\n'


def client_for(root: Path, **options: object) -> TestClient:
    app = create_app(root, tts="espeak", allowed_hosts=frozenset({"testserver"}), **options)  # type: ignore[arg-type]
    client = TestClient(guarded_app(app))
    client.headers["X-CSRF-Token"] = app.state.studio.csrf_token
    return client


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[tuple[Path, TestClient]]:
    root = make_project(tmp_path / "series")
    (root / "scripts" / "0007-gaokong.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    with client_for(root) as client:
        yield root, client


def test_episode_list_as_json_with_filters(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    (root / "scripts" / "0008-jiudian.md").write_text(
        SHORT_SCRIPT.replace("episode: 7", "episode: 8").replace("topic: 民法典", "topic: 刑法"),
        encoding="utf-8",
    )
    approve(load_config(root), 7, "李审核")  # the trail decides the status, not the scripts' status: final
    listed = client.get("/episodes.json").json()
    assert [(e["number"], e["topic"], e["status_label"]) for e in listed["episodes"]] == [
        (7, "民法典", "已定稿"),
        (8, "刑法", "草稿"),
    ]
    assert listed["episodes"][0]["built"] is False and listed["episodes"][0]["duration"] == pytest.approx(22.8, abs=3)
    assert [e["number"] for e in client.get("/episodes.json?topic=刑法").json()["episodes"]] == [8]
    assert [e["number"] for e in client.get("/episodes.json?status=final").json()["episodes"]] == [7]
    assert [e["number"] for e in client.get("/episodes.json?q=8").json()["episodes"]] == [8]
    assert client.get("/episodes.json?law=第一千二百五十四条").json()["total"] == 2
    page = client.get("/episodes").text
    assert "节目单" in page and "高空抛物要担责" in page and "已定稿" in page


def test_new_episode_from_the_series_template(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    assert client.get("/new.json").json()["number"] == 8
    made = client.post(
        "/new", data={"number": "8", "title": "酒驾：一杯也不行", "topic": "道路交通安全法", "slug": "jiujia"}
    )
    assert made.status_code == 200 and made.headers["HX-Redirect"] == "/episodes/0008-jiujia.md/edit"
    text = (root / "scripts" / "0008-jiujia.md").read_text(encoding="utf-8")
    assert text.startswith("---\nepisode: 8\ntitle: 酒驾：一杯也不行\ntopic: 道路交通安全法\n")
    assert client.get("/episodes/0008-jiujia.md/edit.json").json()["errors"] == 0
    client.post("/new", data={"number": "9", "title": "#1: 开场", "topic": "刑法", "slug": "kaichang"})
    assert '\ntitle: "#1: 开场"\n' in (root / "scripts" / "0009-kaichang.md").read_text(encoding="utf-8")
    again = client.post("/new", data={"number": "8", "title": "再来", "topic": "刑法", "slug": "other"})
    assert again.status_code == 400 and "第8期已经有脚本：0008-jiujia.md" in again.text


def test_findings_appear_for_unsaved_text_beside_their_lines(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    text = SHORT_SCRIPT.replace("有困难，请拨打", "![图](../assets/images/none.png)\n有困难，请拨打")
    found = client.post("/episodes/0007-gaokong.md/check.json", data={"text": text}).json()
    errors = [(f["line"], f["text"]) for f in found["findings"] if f["severity"] == "error"]
    assert errors == [(18, "找不到图片：../assets/images/none.png（检查文件名，图片放在 assets/images/ 里）")]
    assert found["estimate"] is None
    fixed = client.post("/episodes/0007-gaokong.md/check.json", data={"text": SHORT_SCRIPT}).json()
    assert fixed["errors"] == 0 and fixed["target"] == [60.0, 180.0] and not fixed["in_target"]
    assert (18, "读音：12348 读作 幺二三四八") in [(f["line"], f["text"]) for f in fixed["findings"]]
    fragment = client.post("/episodes/0007-gaokong.md/check", data={"text": text}).text
    assert 'data-line="18" style="--line: 18"' in fragment and "找不到图片" in fragment
    assert 'id="duration-box" hx-swap-oob="true"' in fragment
    assert (root / "scripts" / "0007-gaokong.md").read_text(encoding="utf-8") == SHORT_SCRIPT  # checking never saves


def test_save_detects_an_edit_made_on_disk_meanwhile(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    script = root / "scripts" / "0007-gaokong.md"
    opened = client.get("/episodes/0007-gaokong.md/edit.json").json()
    assert opened["text"] == SHORT_SCRIPT
    saved = client.post(
        "/episodes/0007-gaokong.md/save.json", data={"text": SHORT_SCRIPT + "\n再见。\n", "digest": opened["digest"]}
    )
    assert saved.json()["saved"] is True
    script.write_text(SHORT_SCRIPT + "\n另一位编辑加的。\n", encoding="utf-8")
    stale = client.post(
        "/episodes/0007-gaokong.md/save.json",
        data={"text": SHORT_SCRIPT + "\n我的。\n", "digest": saved.json()["digest"]},
    )
    assert stale.status_code == 409 and stale.json()["disk"].endswith("另一位编辑加的。\n")
    assert script.read_text(encoding="utf-8").endswith("另一位编辑加的。\n")
    page = client.post("/episodes/0007-gaokong.md/save", data={"text": "x", "digest": saved.json()["digest"]}).text
    assert "被别人或别的程序改过了" in page and "仍然用我的版本覆盖" in page
    forced = client.post(
        "/episodes/0007-gaokong.md/save.json",
        data={"text": SHORT_SCRIPT + "\n我的。\n", "digest": saved.json()["digest"], "force": "1"},
    )
    assert forced.json()["saved"] is True and script.read_text(encoding="utf-8").endswith("我的。\n")


def test_a_request_without_the_csrf_token_is_refused(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    script = root / "scripts" / "0007-gaokong.md"
    opened = client.get("/episodes/0007-gaokong.md/edit.json").json()
    for token in (None, "wrong"):
        headers = {} if token is None else {"X-CSRF-Token": token}
        del client.headers["X-CSRF-Token"]
        refused = client.post(
            "/episodes/0007-gaokong.md/save.json", data={"text": "hacked", "digest": opened["digest"]}, headers=headers
        )
        client.headers["X-CSRF-Token"] = client.app.app.state.studio.csrf_token  # type: ignore[attr-defined]
        assert refused.status_code == 403 and "CSRF" in refused.text
    assert script.read_text(encoding="utf-8") == SHORT_SCRIPT
    assert 'hx-headers=\'{"X-CSRF-Token": "' in client.get("/episodes").text


@pytest.mark.parametrize(
    "name", ["..%2Fpufa.toml", "..%2F..%2Fetc%2Fpasswd.md", "%2Fetc%2Fx.md", "x.toml", ".hidden.md", "a%5Cb.md", "..md"]
)
def test_script_names_outside_scripts_are_refused(studio: tuple[Path, TestClient], name: str) -> None:
    root, client = studio
    assert client.get(f"/episodes/{name}/edit.json").status_code in (400, 404)
    saved = client.post(f"/episodes/{name}/save.json", data={"text": "---\n", "digest": ""})
    assert saved.status_code in (400, 404)
    if saved.status_code == 400:
        assert saved.json()["error"].startswith("不是有效的脚本文件名")
    assert (root / "pufa.toml").read_text(encoding="utf-8").startswith("[series]")
    assert sorted(p.name for p in (root / "scripts").iterdir()) == ["0007-gaokong.md"]


@pytest.mark.parametrize("name", ["../pufa.toml", "../x.md", "/etc/x.md", "sub/x.md", "x.md/..", "", "CON.md\n"])
def test_script_path_refuses_anything_but_a_name_in_scripts(project: Path, name: str) -> None:
    with pytest.raises(StudioError, match="不是有效的脚本文件名"):
        script_path(load_config(project), name)


def test_a_link_leading_out_of_scripts_is_refused(studio: tuple[Path, TestClient], tmp_path: Path) -> None:
    root, client = studio
    outside = tmp_path / "secret.md"
    outside.write_text("secret", encoding="utf-8")
    (root / "scripts" / "link.md").symlink_to(outside)
    assert client.get("/episodes/link.md/edit.json").json()["error"].startswith("不是有效的脚本文件名")


def test_script_text_is_shown_as_text(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    evil = SHORT_SCRIPT.replace("title: 高空抛物要担责", "title: <script>alert(1)</script>").replace(
        "大家好，今天讲高空抛物。", "大家好<img src=x onerror=alert(2)>。"
    )
    (root / "scripts" / "0007-gaokong.md").write_text(evil, encoding="utf-8")
    for path in ("/episodes", "/episodes/0007-gaokong.md/edit", "/build", "/episodes/0007-gaokong.md/review"):
        page = client.get(path).text
        assert "<script>alert(1)" not in page and "<img src=x" not in page, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/episodes").text
    assert "&lt;img src=x onerror=alert(2)&gt;" in client.get("/episodes/0007-gaokong.md/edit").text


def test_wrong_host_and_missing_access_token_are_refused(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    with client_for(root) as local:
        assert local.get("/episodes.json", headers={"Host": "evil.example:8765"}).status_code == 400
    app = create_app(root, access_token="s3cret", allowed_hosts=None)
    with TestClient(guarded_app(app), follow_redirects=False) as remote:
        assert remote.get("/episodes.json").status_code == 401
        assert remote.get("/episodes.json?token=wrong").status_code == 401
        entered = remote.get("/episodes.json?token=s3cret")
        assert entered.status_code == 303 and entered.headers["location"] == "/episodes.json"
        assert "HttpOnly" in entered.headers["set-cookie"]
        assert remote.get("/episodes.json").status_code == 200
        deep = remote.get("/episodes/0001-示例.md/edit?token=s3cret&x=1")
        assert deep.headers["location"] == "/episodes/0001-%E7%A4%BA%E4%BE%8B.md/edit?x=1"


def test_review_approves_without_a_render_and_an_edit_voids_it(studio: tuple[Path, TestClient]) -> None:
    root, client = studio
    script = root / "scripts" / "0007-gaokong.md"
    before = script.read_text(encoding="utf-8")
    assert client.get("/episodes.json").json()["episodes"][0]["status_label"] == "草稿"
    nameless = client.post("/episodes/0007-gaokong.md/review.json", data={"verdict": "approved", "by": " "})
    assert nameless.status_code == 400 and nameless.json()["error"] == "审核人姓名不能为空"
    approved = client.post(
        "/episodes/0007-gaokong.md/review.json", data={"verdict": "approved", "by": "李审核", "note": "法条无误"}
    )
    assert approved.json()["reviewer"] == "李审核"
    assert script.read_text(encoding="utf-8") == before  # the trail, not the script, holds the verdict
    entry = client.get("/episodes.json").json()["episodes"][0]
    assert (entry["status_label"], entry["reviewer"]) == ("已定稿", "李审核")
    assert not (root / "output" / "episodes").exists()  # approval renders nothing
    assert not (root / "output" / ".studio").exists()
    page = client.get("/episodes/0007-gaokong.md/review.json").json()
    assert [(h["verdict"], h["reviewer"], h["note"], h["current"]) for h in page["history"]] == [
        ("approved", "李审核", "法条无误", True)
    ]
    # The CLI reads the same trail.
    status = CliRunner().invoke(main, ["--project", str(root), "review", "status", "7"])
    assert status.exit_code == 0 and "its current inputs were approved by 李审核 at " in status.output

    script.write_text(before.replace("今天讲高空抛物", "今天说说高空抛物"), encoding="utf-8")
    entry = client.get("/episodes.json").json()["episodes"][0]
    assert (entry["status_label"], entry["reviewer"]) == ("草稿", "")  # the edit voided the approval
    assert [h["current"] for h in client.get("/episodes/0007-gaokong.md/review.json").json()["history"]] == [False]
    noteless = client.post("/episodes/0007-gaokong.md/review.json", data={"verdict": "rejected", "by": "王"})
    assert noteless.status_code == 400 and noteless.json()["error"].startswith("退回修改要写明意见")
    client.post("/episodes/0007-gaokong.md/review.json", data={"verdict": "rejected", "by": "王", "note": "改标题"})
    assert client.get("/episodes.json").json()["episodes"][0]["status_label"] == "草稿"
    # ... and a verdict given on the CLI shows in the studio.
    given = CliRunner().invoke(main, ["--project", str(root), "review", "approve", "7", "--by", "张律师"])
    assert given.exit_code == 0, given.output
    entry = client.get("/episodes.json").json()["episodes"][0]
    assert (entry["status_label"], entry["reviewer"]) == ("已定稿", "张律师")
    page = client.get("/episodes/0007-gaokong.md/review.json").json()
    assert page["state"] == "unbuilt" and [h["reviewer"] for h in page["history"]] == ["张律师", "王", "李审核"]


def events_of(client: TestClient, job: str) -> list[dict[str, object]]:
    """The job's server-sent events, read until the stream ends (it ends with the job)."""
    with client.stream("GET", f"/jobs/{job}/events") as stream:
        body = "".join(stream.iter_text())
    return [json.loads(line[len("data: ") :]) for line in body.splitlines() if line.startswith("data: ")]


def test_build_preview_publish_and_stats_through_the_studio(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    (root / "pufa.toml").write_text((root / "pufa.toml").read_text(encoding="utf-8") + SMALL_VIDEO, encoding="utf-8")
    (root / "scripts" / "0007-gaokong.md").write_text(SHORT_SCRIPT, encoding="utf-8")
    broken = SHORT_SCRIPT.replace("episode: 7", "episode: 9").replace("building.png", "none.png")
    (root / "scripts" / "0009-broken.md").write_text(broken, encoding="utf-8")
    with client_for(root) as client:
        started = client.post("/episodes/0007-gaokong.md/preview")
        job = re.search(r'data-job="([\w-]+)"', started.text)
        assert job is not None
        events = events_of(client, job[1])
        assert [e["type"] for e in events][:2] == ["queued", "running"] and events[-1]["state"] == "done"
        assert {e["label"] for e in events if e["type"] == "stage"} == {"配音", "画面", "编码"}
        assert client.get("/files/preview/7/index.html").status_code == 200
        assert client.get("/files/preview/7/video.mp4").headers["content-type"] == "video/mp4"
        assert client.get("/files/preview/7/pufa.toml").status_code == 404
        assert client.get("/episodes.json").json()["episodes"][0]["status_label"] == "待审"

        built = client.post("/build", data={"name": ["0007-gaokong.md", "0009-broken.md"]})
        job = re.search(r'data-job="([\w-]+)"', built.text)
        assert job is not None
        events = events_of(client, job[1])
        finished = [e for e in events if e["type"] == "finished"]
        assert [(e["number"], e["outcome"]) for e in finished] == [(7, "built")]
        assert any(e["type"] == "stage" and e["stage"] == "encode" and e["percent"] == 100 for e in events)
        result = events[-1]["result"]
        assert isinstance(result, dict)
        assert result["failed"] == [
            {
                "name": "0009-broken.md",
                "line": 14,
                "text": "找不到图片：../assets/images/none.png（检查文件名，图片放在 assets/images/ 里）",
            }
        ]
        assert client.get("/build.json").json()["jobs"][0]["state"] == "done"

        listed = client.get("/episodes.json").json()["episodes"]
        assert (listed[0]["number"], listed[0]["built"]) == (7, True)
        counted = client.get("/stats.json").json()
        assert counted["episodes"] == 1 and counted["topics"] == [["民法典", 1]]
        assert counted["laws"] == [["《中华人民共和国民法典》", 1]]
        assert counted["per_month"][0][1] == 1 and "<svg" in counted["charts"]["per_month"]
        csv = client.get("/stats/catalog.csv")
        assert csv.content.startswith("\ufeffnumber,title".encode()) and "高空抛物要担责" in csv.text

        verdict = {"verdict": "approved", "by": "李审核", "note": "法条无误"}
        assert client.post("/episodes/0007-gaokong.md/review.json", data=verdict).status_code == 200
        page = client.get("/episodes/0007-gaokong.md/publish.json").json()
        assert page["refusal"].startswith("第7期用的是离线草稿配音") and page["refusal_with_draft_voice"] == ""
        refused = client.post("/episodes/0007-gaokong.md/publish/channels.json", data={})
        assert refused.status_code == 400 and refused.json()["error"] == (
            "第7期用的是离线草稿配音；正式发布前请用在线配音重新生成（pufa build --tts edge --force），"
            "或允许离线草稿配音试发（命令行加 --allow-draft-voice，工作台里勾选「允许离线草稿配音」）"
        )
        made = client.post("/episodes/0007-gaokong.md/publish/channels.json", data={"allow_draft_voice": "1"})
        assert made.status_code == 200, made.text
        download = client.get("/episodes/0007-gaokong.md/channels.zip")
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            assert sorted(archive.namelist()) == [
                f"0007/{n}" for n in ("checklist.md", "cover-3x4.jpg", "cover-4x3.jpg", "post.txt", "video.mp4")
            ]
            assert "视频号上传清单" in archive.read("0007/checklist.md").decode("utf-8")
        assert "视频号上传清单" in client.get("/episodes/0007-gaokong.md/publish.json").json()["checklist"]

        bad = client.post(
            "/episodes/0007-gaokong.md/published.json", data={"channel": "channels", "url": "javascript:x"}
        )
        assert bad.status_code == 400 and bad.json()["error"].startswith("请填写发布后的完整网址")
        url = "https://channels.weixin.qq.com/post/7"
        client.post("/episodes/0007-gaokong.md/published.json", data={"channel": "channels", "url": url})
        listed = client.get("/episodes.json").json()["episodes"][0]
        assert (listed["status_label"], listed["published"]) == ("已发布", [{"channel": "视频号", "url": url}])


def test_one_studio_per_project(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    with try_file_lock(lock_path(root)) as mine:
        assert mine
        result = CliRunner().invoke(main, ["--project", str(root), "studio", "--no-browser", "--port", "1"])
    assert result.exit_code == 1
    assert result.stderr == f"pufa: error: a studio is already running for {root.resolve()}\n"


def test_unknown_job_is_not_found(studio: tuple[Path, TestClient]) -> None:
    _, client = studio
    assert client.get("/jobs/build-99.json").json() == {"error": "没有这个任务"}


def test_addresses_and_loopback() -> None:
    from pipeline.studio.server import Address, is_loopback

    assert [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "192.168.1.5")] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert Address("127.0.0.1", 8765, None).url == "http://127.0.0.1:8765/"
    assert Address("0.0.0.0", 8800, "abc").url == "http://0.0.0.0:8800/?token=abc"


def studio_process(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`pufa studio` in its own process: uvicorn logs to the real standard error, which CliRunner would not see."""
    command = [sys.executable, "-m", "pipeline", "--project", str(root), "studio", "--no-browser", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={**os.environ, "LANG": "C.UTF-8"})


def test_a_host_that_does_not_resolve_is_one_line(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    result = studio_process(root, "--host", "999.1.1.1")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "pufa: error: --host 999.1.1.1: not an address, nor a name that resolves to one; "
        "give an address of this computer, e.g. 127.0.0.1\n"
    )
    assert not (lock_path(root).with_name("studio.address")).exists()


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    root = make_project(tmp_path / "series")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = studio_process(root, "--port", str(port))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"pufa: error: could not listen on 127.0.0.1:{port}; is another program using it? try --port\n"
    )
