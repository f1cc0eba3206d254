"""Publishing against a fake WeChat server on 127.0.0.1: what the server received, and what the journal holds."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.catalog import Catalog, Journal
from pipeline.cli import main
from pipeline.config import Config, load_config
from pipeline.errors import PufaError
from pipeline.media.aigc import read_aigc
from pipeline.media.ffmpeg import probe
from pipeline.publish import episodes as publish_module
from pipeline.publish.episodes import MP_VIDEO_LIMIT, make_rendition, mark, publish, sync
from pipeline.publish.wechat import PublishError
from pipeline.review.trail import approve, reject
from tests.conftest import Built
from tests.fake_wechat import APPID, SECRET, FakeWeChat


@pytest.fixture(scope="module")
def template(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built short episode, with its under-10 MB rendition made once (a two-pass encode takes a while)."""
    root = tmp_path_factory.mktemp("publish") / "series"
    shutil.copytree(built.config.root, root)
    with (root / "pufa.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[publish]\nhashtags = ["普法小讲堂", "#抚宁司法"]\n')
    folder = root / "output" / "publish" / "mp" / "0007"
    folder.mkdir(parents=True)
    make_rendition(
        root / "output" / "episodes" / "0007-gaokong" / "0007.mp4", folder / "video.mp4", built.episode.duration
    )
    approve(load_config(root), 7, "张律师", "法条引用无误")
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Config:
    root = tmp_path / "series"
    shutil.copytree(template, root)
    return load_config(root)


@pytest.fixture
def wechat(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeWeChat]:
    fake = FakeWeChat().start()
    monkeypatch.setenv("PUFA_WECHAT_API_BASE", fake.base)
    monkeypatch.setenv("PUFA_WECHAT_APPID", APPID)
    monkeypatch.setenv("PUFA_WECHAT_SECRET", SECRET)
    monkeypatch.setenv("PUFA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(publish_module, "_sleep", lambda _seconds: None)
    monkeypatch.setattr("pipeline.publish.wechat.time.sleep", lambda _seconds: None)
    yield fake
    fake.stop()


def run(config: Config, *numbers: int, **options: object) -> list[str]:
    lines: list[str] = []
    options.setdefault("allow_draft_voice", True)
    for outcome in publish(config, numbers, options.pop("to", "mp"), echo=lines.append, **options):  # type: ignore[arg-type]
        lines += outcome.lines
    return lines


def journal(config: Config, channel: str = "mp") -> tuple[str, dict[str, object]]:
    with Catalog(config.catalog_path) as catalog:
        entry = Journal(catalog).get(7, channel)
        assert entry is not None
        return entry.state, entry.__dict__


def paths(fake: FakeWeChat) -> list[str]:
    return [r.path.removeprefix("/cgi-bin/") for r in fake.requests]


def test_article_mode_uploads_and_drafts_then_says_what_to_do(project: Config, wechat: FakeWeChat) -> None:
    lines = run(project, 7)
    assert paths(wechat) == ["stable_token", "material/add_material", "material/add_material", "draft/add"]
    video, cover = wechat.calls("/cgi-bin/material/add_material")
    assert video.query["type"] == "video" and cover.query["type"] == "image"
    assert video.files["media"][1] <= MP_VIDEO_LIMIT
    assert json.loads(video.form["description"]) == {
        "title": "高空抛物要担责",
        "introduction": json.loads(video.form["description"])["introduction"],
    }
    draft = wechat.calls("/cgi-bin/draft/add")[0]
    article = draft.json["articles"][0]  # type: ignore[index]
    assert (article["title"], article["author"], article["thumb_media_id"]) == (
        "高空抛物要担责",
        "抚宁司法",
        wechat.materials[1]["media_id"],
    )
    assert "<blockquote" in article["content"] and "禁止从建筑物中抛掷物品" in article["content"]
    # The list thumbnails are cut around the cover's title, not blindly from its centre.
    assert (article["pic_crop_235_1"], article["pic_crop_1_1"]) == ("0_0.380426_1_0.699574", "0_0.165000_1_0.915000")
    assert "高空抛物".encode() in draft.body and b"\\u" not in draft.body, "JSON is sent as UTF-8, not \\u escapes"
    state, entry = journal(project)
    assert (state, entry["draft_media_id"], entry["media_id"]) == ("drafted", "DRAFT-4", "MEDIA-2")
    assert any("insert the video from 素材库" in line for line in lines)
    uploaded = read_aigc(project.root / "output" / "publish" / "mp" / "0007" / "video.mp4")
    built = read_aigc(project.root / "output" / "episodes" / "0007-gaokong" / "0007.mp4")
    assert built is not None and uploaded is not None
    assert uploaded.as_dict() == {
        **built.as_dict(),
        "ContentPropagator": "抚宁司法",
        "PropagateID": f"mp-0007-{built.produce_id[10:20]}",
    }, "the Official Account's copy keeps the label, with the propagator filled"


def test_submit_polls_until_published_and_the_catalog_says_so(project: Config, wechat: FakeWeChat) -> None:
    lines = run(project, 7, submit=True)
    assert paths(wechat)[-3:] == ["freepublish/submit", "freepublish/get", "freepublish/get"]
    state, entry = journal(project)
    assert state == "published" and entry["url"] == "https://mp.weixin.qq.com/s/ARTICLE-PUB-5"
    assert lines[-1] == "0007: published: https://mp.weixin.qq.com/s/ARTICLE-PUB-5"
    with Catalog(project.catalog_path) as catalog:
        assert catalog.get(7).status == "published"  # type: ignore[union-attr]
    again = run(project, 7, submit=True)
    assert again == ["0007: already published: https://mp.weixin.qq.com/s/ARTICLE-PUB-5"]
    assert len(wechat.calls("/cgi-bin/freepublish/submit")) == 1


def test_expired_token_mid_run_gets_one_fresh_token_and_one_retry(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/draft/add", "expire")
    run(project, 7)
    assert paths(wechat) == [
        "stable_token",
        "material/add_material",
        "material/add_material",
        "draft/add",
        "stable_token",
        "draft/add",
    ]
    assert len(wechat.materials) == 2 and len(wechat.drafts) == 1
    assert all(
        json.loads(r.body)["grant_type"] == "client_credential" and not json.loads(r.body).get("force_refresh")
        for r in wechat.calls("/cgi-bin/stable_token")
    )


def test_busy_platform_is_retried(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/material/add_material", "busy", times=2)
    run(project, 7)
    assert len(wechat.calls("/cgi-bin/material/add_material")) == 4
    assert journal(project)[0] == "drafted"


def test_quota_stops_with_when_to_retry_and_the_next_run_resumes(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/draft/add", "quota")
    with pytest.raises(
        PublishError,
        match=r"the daily API quota is used up \(45009\); try again after 00:00 Beijing time on \d{4}-\d\d-\d\d",
    ):
        run(project, 7)
    state, entry = journal(project)
    assert state == "uploaded", "a definite refusal: the platform made no draft, the journal goes back"
    assert "45009" in str(entry["reason"])
    run(project, 7)
    assert len(wechat.calls("/cgi-bin/material/add_material")) == 2, "the uploads are not repeated"
    assert "draft/batchget" not in paths(wechat), "nothing to look up: the platform said no"
    assert len(wechat.drafts) == 1 and journal(project)[0] == "drafted"


@pytest.mark.parametrize("code", [45009, 48001, 40164, 40007])
def test_a_refused_submit_goes_back_to_drafted_and_the_next_run_submits_once(
    project: Config, wechat: FakeWeChat, code: int
) -> None:
    run(project, 7)
    wechat.inject("/cgi-bin/freepublish/submit", f"code:{code}")
    with pytest.raises(PublishError, match=f"{code}"):
        run(project, 7, submit=True)
    assert journal(project)[0] == "drafted"
    assert wechat.publishes == {}
    lines = run(project, 7, submit=True)
    assert len(wechat.publishes) == 1, "submitted exactly once"
    assert journal(project)[0] == "published" and lines[-1].startswith("0007: published: https://")
    with Catalog(project.catalog_path) as catalog:
        events = Journal(catalog).events(7, "mp")
    assert [state for state, _ in events].count("submitting") == 2
    assert any(
        state == "drafted" and detail.startswith("refused: /cgi-bin/freepublish/submit") for state, detail in events
    )


def test_a_lost_submit_answer_waits_for_sync(project: Config, wechat: FakeWeChat) -> None:
    run(project, 7)
    wechat.inject("/cgi-bin/freepublish/submit", "drop")
    with pytest.raises(PublishError, match="run the same command again to resume"):
        run(project, 7, submit=True)
    assert journal(project)[0] == "submitting"
    with pytest.raises(PublishError, match=r"a submit was sent and its answer lost; .* pufa publish sync"):
        run(project, 7, submit=True)
    assert len(wechat.calls("/cgi-bin/freepublish/submit")) == 1


def test_connection_dropped_after_the_server_accepted_the_upload(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/material/add_material", "drop")
    with pytest.raises(PublishError, match=r"the connection to WeChat failed.*run the same command again to resume"):
        run(project, 7)
    state, entry = journal(project)
    assert state == "uploading" and entry["media_id"] is None
    run(project, 7)
    videos = [m for m in wechat.materials if m["type"] == "video"]
    assert len(videos) == 1, "the platform already had the video: it is found, not uploaded again"
    assert journal(project)[1]["media_id"] == videos[0]["media_id"]
    assert "material/batchget_material" in paths(wechat)


def test_killed_between_submit_and_get_resumes_by_polling_only(
    project: Config, wechat: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    def killed(_seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(project, 7, submit=True, sleep=killed)
    state, entry = journal(project)
    assert state == "submitted" and entry["publish_id"] == "PUB-5"
    run(project, 7, submit=True, sleep=lambda _s: None)
    assert len(wechat.calls("/cgi-bin/freepublish/submit")) == 1
    assert journal(project)[0] == "published"


def test_configuration_errors_are_explained(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/material/add_material", "ip")
    with pytest.raises(PublishError, match=r"IP whitelist \(40164\)"):
        run(project, 7)


def test_broadcast_sends_once_even_when_retried(project: Config, wechat: FakeWeChat) -> None:
    lines = run(project, 7, broadcast=True)
    assert lines[0] == "note: a subscription account may broadcast once a day; this uses today's broadcast"
    sent = wechat.calls("/cgi-bin/message/mass/sendall")[0].json
    assert sent["msgtype"] == "mpvideo" and sent["clientmsgid"].startswith("pufa-0007-")  # type: ignore[index]
    assert journal(project, "broadcast")[0] == "published"
    with Catalog(project.catalog_path) as catalog:
        Journal(catalog).record(7, "broadcast", "sending", "simulated lost answer", msg_id=None)
    run(project, 7, broadcast=True)
    assert len(wechat.mass) == 1, "45065: the platform refused to send it twice"


def test_article_then_broadcast_sends_one_mass_message(project: Config, wechat: FakeWeChat) -> None:
    run(project, 7, submit=True)
    assert journal(project)[0] == "published"
    lines = run(project, 7, broadcast=True)
    assert lines[-1].startswith("0007: broadcast send_success (msg_id MSG-")
    assert len(wechat.calls("/cgi-bin/message/mass/sendall")) == 1 and len(wechat.mass) == 1
    videos = [m for m in wechat.materials if m["type"] == "video"]
    assert len(videos) == 1, "the article's uploaded video is broadcast, not uploaded again"
    assert journal(project, "broadcast")[0] == "published" and journal(project)[0] == "published"
    assert run(project, 7, broadcast=True) == [
        f"0007: already broadcast (msg_id {journal(project, 'broadcast')[1]['msg_id']})"
    ]
    assert len(wechat.calls("/cgi-bin/message/mass/sendall")) == 1


def test_only_approved_episodes_and_no_draft_voice_without_consent(project: Config, wechat: FakeWeChat) -> None:
    with pytest.raises(PublishError, match=r"spoken by the offline draft voice.*--allow-draft-voice"):
        run(project, 7, allow_draft_voice=False)
    reject(project, 7, "张律师", "案例时间有误")
    with pytest.raises(
        PublishError, match=r"not published: episode 7: build .* was rejected by 张律师 at .*: 案例时间有误"
    ):
        run(project, 7)
    assert wechat.requests == []


def test_a_changed_script_must_be_rebuilt_first(project: Config, wechat: FakeWeChat) -> None:
    script = project.root / "scripts" / "0007-gaokong.md"
    script.write_text(script.read_text(encoding="utf-8").replace("今天讲", "今天说"), encoding="utf-8")
    with pytest.raises(PublishError, match=r"not published: episode 7 changed since it was built .*; run pufa build"):
        run(project, 7)


def test_dry_run_prints_and_touches_nothing(project: Config, wechat: FakeWeChat) -> None:
    before = sorted(p.relative_to(project.root) for p in project.root.rglob("*") if "catalog.db" not in p.name)
    lines = run(project, 7, dry_run=True)
    assert lines[0] == "0007: would publish to mp (nothing is sent or written)"
    assert any(line.startswith('  POST /cgi-bin/draft/add  {"title": "高空抛物要担责"') for line in lines)
    assert wechat.requests == []
    with Catalog(project.catalog_path) as catalog:
        assert Journal(catalog).all() == []
    assert sorted(p.relative_to(project.root) for p in project.root.rglob("*") if "catalog.db" not in p.name) == before


def test_channels_package_and_marking_the_upload(project: Config) -> None:
    lines = run(project, 7, to="channels")
    folder = project.root / "output" / "publish" / "channels" / "0007"
    assert sorted(p.name for p in folder.iterdir()) == [
        "checklist.md",
        "cover-3x4.jpg",
        "cover-4x3.jpg",
        "post.txt",
        "video.mp4",
    ]
    label = read_aigc(folder / "video.mp4")
    assert label is not None and (label.label, label.content_propagator) == ("1", "抚宁司法")
    assert label.produce_id.startswith("pufa-0007-") and label.propagate_id.startswith("channels-0007-")
    info = probe(folder / "video.mp4")
    assert info.height >= 720 and (folder / "video.mp4").stat().st_size * 8 / info.duration <= 10_000_000
    from PIL import Image

    assert Image.open(folder / "cover-3x4.jpg").size == (1080, 1440)
    assert Image.open(folder / "cover-4x3.jpg").size == (1440, 1080)
    post = (folder / "post.txt").read_text(encoding="utf-8")
    assert post.startswith("短标题：高空抛物要担责\n\n描述：\n高空抛物要担责\n\n大家好，今天讲高空抛物。有困难，请拨打12348。\n\n")
    assert "\n#普法小讲堂 #抚宁司法 #高空抛物\n" in post and "《中华人民共和国民法典》第一千二百五十四条" in post
    checklist = (folder / "checklist.md").read_text(encoding="utf-8")
    assert "合集" in checklist and "原创" in checklist and "内容标签" in checklist
    assert "- [ ] 视频标注：含AI生成内容" in checklist
    assert lines[-1] == "  after uploading: pufa publish mark 7 --channel channels --url URL"
    assert journal(project, "channels")[0] == "prepared"

    entry = mark(project, 7, "channels", "https://channels.weixin.qq.com/x/7")
    assert (entry.state, entry.url) == ("published", "https://channels.weixin.qq.com/x/7")
    with pytest.raises(PufaError, match="--url must be a web address"):
        mark(project, 7, "channels", "not a url")


def test_sync_records_articles_published_by_hand(project: Config, wechat: FakeWeChat) -> None:
    wechat.published.append(
        {"article_id": "HAND-1", "title": "高空抛物要担责", "url": "https://mp.weixin.qq.com/s/HAND-1"}
    )
    from pipeline.publish.episodes import _client
    from pipeline.publish.wechat import load_credentials

    found = sync(project, _client(project, load_credentials()))
    assert [(e.episode, e.state, e.url) for e in found] == [(7, "published", "https://mp.weixin.qq.com/s/HAND-1")]


def test_the_secret_never_leaves(project: Config, wechat: FakeWeChat) -> None:
    wechat.inject("/cgi-bin/draft/add", "quota")
    with pytest.raises(PublishError) as caught:
        run(project, 7)
    assert SECRET not in str(caught.value)
    assert SECRET.encode() not in project.catalog_path.read_bytes()
    for path in project.root.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".txt", ".md", ".csv", ".db"):
            assert SECRET.encode() not in path.read_bytes(), path
    token_files = list(project.root.rglob("wechat-token*"))
    assert token_files == [], "the token cache lives outside the project"


def test_rendition_fits_a_small_limit(built: Built, tmp_path: Path) -> None:
    target = make_rendition(built.episode.video, tmp_path / "small.mp4", built.episode.duration, limit=600_000)
    assert target.stat().st_size <= 600_000
    assert (probe(target).width, probe(target).height) == (720, 1280)


def test_cli_publish(project: Config, wechat: FakeWeChat) -> None:
    result = CliRunner().invoke(
        main, ["--project", str(project.root), "publish", "7", "--to", "mp", "--allow-draft-voice"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "0007: draft saved (media_id DRAFT-4);"
    result = CliRunner().invoke(main, ["--project", str(project.root), "publish", "7", "--to", "mp"])
    assert result.exit_code == 1
    assert result.stderr.startswith("pufa: error: episode 7 was spoken by the offline draft voice;")
    result = CliRunner().invoke(
        main, ["--project", str(project.root), "publish", "mark", "7", "--channel", "channels", "--url", "https://c/7"]
    )
    assert (result.exit_code, result.stdout) == (0, "0007 channels: published https://c/7\n")
    table = CliRunner().invoke(main, ["--project", str(project.root), "catalog"]).stdout
    assert "channels:published mp:drafted" in table.splitlines()[2]


def test_publish_help_shows_the_options_of_publishing() -> None:
    result = CliRunner().invoke(main, ["publish", "--help"])
    assert result.exit_code == 0
    for option in ("--to [channels|mp]", "--submit", "--as [article|broadcast]", "--dry-run"):
        assert option in result.stdout, option
