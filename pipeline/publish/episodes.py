"""``pufa publish``: Channels upload packages, the Official Account API, and the publish journal.

Only finished work goes out: an episode must be ``final`` (or already ``published`` on the
other channel), built from its current script, and spoken by the production voice unless
``allow_draft_voice``. Every remote call is preceded and followed by a journal entry, so a
run interrupted anywhere resumes where it stopped and never sends the platform twice what it
already has: uploads carry a name unique to the episode and are looked up by it before any
second upload; a submitted article is only ever polled, never submitted again; a broadcast
carries a ``clientmsgid`` the platform refuses to send twice.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.catalog import PUBLISH_CHANNELS, Catalog, CatalogRow, Journal, Publication, export
from pipeline.config import Config
from pipeline.errors import CatalogError, PufaError, ScriptError
from pipeline.fsutil import commit, temporary_sibling
from pipeline.i18n import _
from pipeline.media.aigc import AigcLabel, read_aigc, relabel
from pipeline.media.ffmpeg import ffmpeg_exe, probe
from pipeline.picture.fonts import resolve_font
from pipeline.picture.frames import Painter
from pipeline.publish.wechat import NetworkError, PublishError, WeChatClient, WeChatError
from pipeline.review.check import SHORT_TITLE_RANGE, short_title
from pipeline.script import Episode, parse_script

CHANNELS = ("channels", "mp")
BROADCAST = "broadcast"  # the journal's channel for mass-sending the video: its own act, apart from the article
assert set(CHANNELS) | {BROADCAST} == set(PUBLISH_CHANNELS)
DESCRIPTION_SENTENCES = 2
DESCRIPTION_LIMIT = 200
# Where the cover's title block sits, as a fraction of its height: the list thumbnails are cut around it.
COVER_TITLE_CENTRE = 0.54
CHANNELS_MAX_BITRATE = 10_000_000
CHANNELS_MIN_HEIGHT = 720
MP_VIDEO_LIMIT = 10 * 1024 * 1024
MP_TITLE_LIMIT = 32
MP_DIGEST_LIMIT = 128
POLL_DELAYS = (15.0, 30.0, 60.0, 120.0)  # freepublish/get has a quota of 100 calls a day: poll sparingly

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Ready:
    """An episode cleared for publishing, with everything its posts are made of."""

    row: CatalogRow
    episode: Episode
    manifest: dict[str, Any]

    @property
    def number(self) -> int:
        return self.row.number


@dataclass
class Outcome:
    number: int
    channel: str
    state: str
    lines: list[str] = field(default_factory=list)


def load_ready(config: Config, catalog: Catalog, number: int, *, allow_draft_voice: bool) -> Ready:
    """The episode ``number`` if it may go out: built, unchanged since, and its build approved in review."""
    from pipeline.review.trail import review_state

    row = catalog.get(number)
    if row is None:
        raise PublishError(_("episode {number} is not in the catalog; build it first").format(number=number))
    review = review_state(config, number)
    if not review.approved:
        raise PublishError(_("not published: {describe}").format(describe=review.describe(config.review.reviewers)))
    if row.draft_voice and not allow_draft_voice:
        raise PublishError(
            _(
                "episode {number} was spoken by the offline draft voice; rebuild it with the "
                "production voice (pufa build --tts edge --force) or pass --allow-draft-voice"
            ).format(number=number)
        )
    try:
        episode = parse_script(config.root / row.script, resolve_font(config).missing)
    except ScriptError as exc:
        raise PublishError(
            _("episode {number}: its script has errors now: {format}").format(
                number=number, format=exc.diagnostics[0].format()
            )
        ) from None
    for output in (row.video, row.cover, row.manifest):
        if not (config.root / output).is_file():
            raise PublishError(
                _("episode {number}: {output} is missing; run pufa build").format(number=number, output=output)
            )
    manifest = json.loads((config.root / row.manifest).read_text(encoding="utf-8"))
    return Ready(row, episode, manifest)


# --- texts ------------------------------------------------------------------------------------


def hashtags(config: Config, ready: Ready) -> str:
    """The series topics from pufa.toml (publish.hashtags), then the episode's tags, each once, as #话题."""
    names = [t.strip().lstrip("#").strip() for t in (*config.publish.hashtags, *ready.episode.tags)]
    return " ".join(f"#{name}" for name in dict.fromkeys(n for n in names if n))


def summary(ready: Ready) -> str:
    """What the episode is about: the script's ``summary:``, else its first sentences of narration."""
    if ready.episode.summary:
        return ready.episode.summary
    narration = "".join(b.shown for s in ready.episode.scenes for b in s.blocks if b.kind == "narration")
    sentences = re.findall(r"[^。！？!?]+[。！？!?]?", narration)
    text = "".join(sentences[:DESCRIPTION_SENTENCES]).strip()
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def description(config: Config, ready: Ready) -> str:
    """The post's description: title, what it is about, topics, and the cited articles."""
    laws = "\n".join(f"· {law}" for law in ready.episode.laws)
    parts = [ready.episode.title, summary(ready), hashtags(config, ready)]
    if laws:
        parts.append("本期涉及法条：\n" + laws)
    return "\n\n".join(p for p in parts if p)


def digest_text(ready: Ready) -> str:
    """The article digest: the opening narration, cut to the platform's 128 characters."""
    first = next(
        (b.shown for s in ready.episode.scenes for b in s.blocks if b.kind == "narration"), ready.episode.title
    )
    return first if len(first) <= MP_DIGEST_LIMIT else first[: MP_DIGEST_LIMIT - 1] + "…"


def article_html(ready: Ready) -> str:
    """The article: the transcript scene by scene, law texts as quotes, and the cited articles."""
    e = html.escape
    parts = [f"<p><strong>{e(ready.episode.title)}</strong></p>"]
    for scene in ready.episode.scenes:
        parts.append(f"<h3>{e(scene.label)}</h3>")
        for block in scene.blocks:
            if block.kind == "law":
                parts.append(f'<blockquote style="background:#fbf6e9;padding:8px 12px;">{e(block.shown)}</blockquote>')
            else:
                parts.append(f"<p>{e(block.shown)}</p>")
    if ready.episode.laws:
        parts.append(
            "<h3>本期涉及法条</h3><ul>" + "".join(f"<li>{e(law)}</li>" for law in ready.episode.laws) + "</ul>"
        )
    parts.append("<p>（视频见上方，由编辑从素材库插入。）</p>")
    return "".join(parts)


def mp_title(ready: Ready) -> str:
    title = ready.episode.title
    return title if len(title) <= MP_TITLE_LIMIT else title[: MP_TITLE_LIMIT - 1] + "…"


def cover_crops(width: int = 1080, height: int = 1440, centre: float = COVER_TITLE_CENTRE) -> dict[str, str]:
    """The Official Account's crop fields for the 3:4 cover, so the list thumbnails show its title.

    ``pic_crop_235_1`` (the 2.35:1 thumbnail) and ``pic_crop_1_1`` (the square one) are
    ``X1_Y1_X2_Y2`` in coordinates where the cover's top left is (0, 0) and its bottom right
    (1, 1): full width, a band of the right height around the title block, kept inside the cover.
    """
    crops = {}
    for name, ratio in (("pic_crop_235_1", 2.35), ("pic_crop_1_1", 1.0)):
        band = min(width / ratio / height, 1.0)
        top = min(max(centre - band / 2, 0.0), 1.0 - band)
        crops[name] = f"0_{top:.6f}_1_{top + band:.6f}"
    return crops


def upload_name(ready: Ready, kind: str, suffix: str) -> str:
    """A file name unique to this episode build: how a second run recognises its own earlier upload."""
    return f"pufa-{ready.number:04d}-{kind}-{ready.row.input_hash[:10]}{suffix}"


# --- Channels (视频号) -----------------------------------------------------------------------


def channels_package(config: Config, ready: Ready, folder: Path, font_config: Config | None = None) -> list[Path]:
    """Write the upload package for Channels into ``folder``; returns the files."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder.parent))
    try:
        video = config.root / ready.row.video
        info = probe(video)
        bitrate = video.stat().st_size * 8 / max(info.duration, 0.1)
        if bitrate > CHANNELS_MAX_BITRATE or info.height < CHANNELS_MIN_HEIGHT:
            _encode_for_channels(video, staging / "plain.mp4")
        else:
            shutil.copyfile(video, staging / "plain.mp4")
        label_copy(config, ready, "channels", staging / "plain.mp4", staging / "video.mp4")
        shutil.copyfile(config.root / ready.row.cover, staging / "cover-3x4.jpg")
        painter = Painter(config, resolve_font(config), config.video.width, config.video.height)
        painter.cover(ready.episode, 1440, 1080).save(staging / "cover-4x3.jpg", quality=90)
        short = short_title(ready.episode)
        post = f"短标题：{short}\n\n描述：\n{description(config, ready)}\n"
        (staging / "post.txt").write_text(post, encoding="utf-8")
        (staging / "checklist.md").write_text(_checklist(config, ready, short), encoding="utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        made = []
        for name in ("video.mp4", "cover-3x4.jpg", "cover-4x3.jpg", "post.txt", "checklist.md"):
            commit(staging / name, folder / name)
            made.append(folder / name)
        return made
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def label_copy(config: Config, ready: Ready, channel: str, source: Path, target: Path) -> AigcLabel | None:
    """``source`` copied to ``target`` with the build's AIGC label, the propagator's fields filled for ``channel``.

    The copy keeps the label the build wrote (GB 45438-2025: a propagator keeps the producer's
    label and adds its own name and number). An unlabelled build (compliance.ai_generated false)
    is copied as it is.
    """
    built = read_aigc(config.root / ready.row.video)
    if built is None:
        if source != target:
            shutil.copyfile(source, target)
        return None
    label = built.propagated(
        config.compliance.propagator_code or config.series.account,
        f"{channel}-{ready.number:04d}-{ready.row.input_hash[:10]}",
    )
    if read_aigc(source) == label:
        if source != target:
            shutil.copyfile(source, target)
        return label
    temporary = temporary_sibling(target)
    try:
        relabel(source, temporary, label)
        commit(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return label


def _encode_for_channels(source: Path, target: Path) -> None:
    command = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(source), "-c:v", "libx264", "-b:v", "8M", "-maxrate", "9M"]
    command += [
        "-bufsize",
        "16M",
        "-vf",
        "scale=-2:max(720\\,ih)",
        "-c:a",
        "copy",
        "-movflags",
        "+faststart",
        str(target),
    ]
    if subprocess.run(command, capture_output=True, check=False).returncode != 0:
        raise PublishError(_("{source}: could not re-encode for Channels").format(source=source))


def _declaration(config: Config) -> str:
    """The AI-content declaration the uploader must make on the platform (视频标注), when the episode is labelled."""
    if not config.compliance.ai_generated:
        return ""
    return (
        "- [ ] 视频标注：含AI生成内容（必选：本视频配音由人工智能合成，"
        "视频开头已有提示，文件内有 AIGC 隐式标识，请勿删除）\n"
    )


def _checklist(config: Config, ready: Ready, short: str) -> str:
    warn = "" if SHORT_TITLE_RANGE[0] <= len(short) <= SHORT_TITLE_RANGE[1] else "（长度不在6–16字之间，请修改）"
    return f"""# 视频号上传清单 · 第{ready.number}期 {ready.episode.title}

- [ ] 上传 `video.mp4`（H.264/AAC，{ready.manifest.get("duration", 0):.0f} 秒）
- [ ] 封面：竖版用 `cover-3x4.jpg`，横版用 `cover-4x3.jpg`
- [ ] 短标题：{short}{warn}
- [ ] 描述：复制 `post.txt` 里的描述（含话题标签和法条）
- [ ] 合集：加入「{config.series.name}」合集
- [ ] 声明原创：勾选「原创」
- [ ] 内容标签：选择「法律」/「普法」相关标签
{_declaration(config)}- [ ] 发布后记录链接：`pufa publish mark {ready.number} --channel channels --url 链接`
"""


# --- the Official Account --------------------------------------------------------------------


def make_rendition(source: Path, target: Path, duration: float, limit: int = MP_VIDEO_LIMIT) -> Path:
    """A two-pass encode aimed at ``limit`` bytes (the platform's 10 MB), at 720x1280 when bits are scarce."""
    audio_bits = 64_000
    budget = limit * 8 * 0.95 / max(duration, 1.0)
    for attempt in range(3):
        video_bits = max(int((budget - audio_bits) * (0.9**attempt)), 50_000)
        scale = [] if video_bits >= 1_500_000 else ["-vf", "scale=720:1280"]
        with tempfile.TemporaryDirectory() as passes:
            log = str(Path(passes) / "pass")
            common = ["-c:v", "libx264", "-preset", "medium", "-b:v", str(video_bits), "-passlogfile", log, *scale]
            first = [
                ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-i",
                str(source),
                *common,
                "-pass",
                "1",
                "-an",
                "-f",
                "null",
                "-",
            ]
            second = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(source), *common, "-pass", "2"]
            second += ["-c:a", "aac", "-b:a", str(audio_bits), "-movflags", "+faststart", "-f", "mp4", str(target)]
            for command in (first, second):
                if subprocess.run(command, capture_output=True, check=False, cwd=passes).returncode != 0:
                    raise PublishError(_("{source}: the size-targeted encode failed").format(source=source))
        if target.stat().st_size <= limit:
            return target
    raise PublishError(
        _("{source}: could not fit the video under {value} MB").format(source=source, value=limit // (1024 * 1024))
    )


@dataclass(frozen=True)
class Upload:
    """One piece of permanent material and where the journal keeps its name and its media_id."""

    kind: str
    path: Path
    content_type: str
    uploading_state: str
    id_field: str
    name_field: str
    name: str | None


class MpPublisher:
    """Drives one episode through upload → draft → (submit → published) or broadcast, journal first."""

    def __init__(
        self, config: Config, client: WeChatClient, journal: Journal, echo: Echo, sleep: Callable[[float], None]
    ) -> None:
        self.config = config
        self.client = client
        self.journal = journal
        self.echo = echo
        self.sleep = sleep

    def run(self, ready: Ready, *, submit: bool, broadcast: bool) -> Outcome:
        number = ready.number
        if broadcast:
            return self._run_broadcast(ready)
        state = self.journal.get(number, "mp") or self.journal.record(number, "mp", "prepared", "started")
        if state.state == "published":
            return Outcome(
                number,
                "mp",
                "published",
                [_("{number:04d}: already published: {url}").format(number=number, url=state.url)],
            )
        if state.state == "submitting":
            raise PublishError(
                _(
                    "episode {number}: a submit was sent and its answer lost; check the platform's "
                    "发表记录, then run pufa publish sync to record it"
                ).format(number=number)
            )
        state = self._upload_video(ready, state)
        state = self._upload_cover(ready, state)
        state = self._draft(ready, state)
        if not submit and state.state == "drafted":
            return Outcome(
                number,
                "mp",
                "drafted",
                [
                    _("{number:04d}: draft saved (media_id {media_id});").format(
                        number=number, media_id=state.draft_media_id
                    ),
                    _("  the video is in the material library as {name}.").format(name=state.upload_name),
                    _("  next, on mp.weixin.qq.com: open 草稿箱, edit this draft,"),
                    _("  insert the video from 素材库 (视频), then 发表."),
                    _(
                        "  or: pufa publish {number} --to mp --submit  "
                        "(publishes the draft as it is, without the video)"
                    ).format(number=number),
                ],
            )
        return self._submit_and_poll(ready, state)

    def _run_broadcast(self, ready: Ready) -> Outcome:
        """Mass-send the video: its own journal entry, so an article published earlier neither blocks nor stands in."""
        number = ready.number
        entry = self.journal.get(number, BROADCAST) or self.journal.record(number, BROADCAST, "prepared", "started")
        if entry.state == "published":
            return Outcome(
                number,
                BROADCAST,
                "published",
                [_("{number:04d}: already broadcast (msg_id {msg_id})").format(number=number, msg_id=entry.msg_id)],
            )
        article = self.journal.get(number, "mp")
        media_id = (article.media_id if article else None) or entry.media_id
        if not media_id:
            entry = self._upload_video(ready, entry)
            media_id = entry.media_id
        assert media_id is not None
        return self._broadcast(ready, entry, media_id)

    def _ask(self, state: Publication, path: str, body: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        """One remote call. A definite refusal means the platform did nothing: the journal goes back to
        ``state`` (where it stood before this step) and the next run tries again. A lost answer
        (NetworkError) leaves the journal where it is, for the next run to look the result up."""
        try:
            return self.client.call(path, body, **options)
        except WeChatError as exc:
            if exc.code != 45065:  # 45065: the broadcast was already sent: handled by the caller
                self.journal.record(state.episode, state.channel, state.state, f"refused: {exc}", reason=str(exc))
            raise

    def _upload_video(self, ready: Ready, state: Publication) -> Publication:
        if state.media_id:
            return state
        folder = self.config.output_dir / "publish" / "mp" / f"{ready.number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        rendition = folder / "video.mp4"
        if not rendition.is_file() or rendition.stat().st_size > MP_VIDEO_LIMIT:
            temporary = temporary_sibling(rendition)
            make_rendition(self.config.root / ready.row.video, temporary, float(ready.manifest["duration"]))
            commit(temporary, rendition)
        label_copy(self.config, ready, "mp", rendition, rendition)
        about = {"title": mp_title(ready), "introduction": description(self.config, ready)[:120]}
        return self._upload(
            ready,
            state,
            Upload("video", rendition, "video/mp4", "uploading", "media_id", "upload_name", state.upload_name),
            form={"description": json.dumps(about, ensure_ascii=False)},
        )

    def _upload_cover(self, ready: Ready, state: Publication) -> Publication:
        if state.thumb_media_id:
            return state
        cover = self.config.root / ready.row.cover
        upload = Upload(
            "image", cover, "image/jpeg", "uploading-cover", "thumb_media_id", "thumb_name", state.thumb_name
        )
        return self._upload(ready, state, upload)

    def _upload(
        self, ready: Ready, state: Publication, upload: Upload, form: dict[str, str] | None = None
    ) -> Publication:
        """Upload permanent material once: a run that lost the answer finds its upload by name instead."""
        number = ready.number
        name = upload.name or upload_name(ready, upload.kind, upload.path.suffix)
        found = self._find_material(upload.kind, name) if state.state == upload.uploading_state else None
        channel = state.channel
        if found:
            return self.journal.record(
                number, channel, "uploaded", f"found the earlier {upload.kind}", **{upload.id_field: found}
            )
        self.journal.record(number, channel, upload.uploading_state, upload.kind, **{upload.name_field: name})
        with upload.path.open("rb") as media:
            answer = self._ask(
                state,
                "/cgi-bin/material/add_material",
                params={"type": upload.kind},
                files={"media": (name, media, upload.content_type)},
                form=form,
            )
        return self.journal.record(
            number, channel, "uploaded", upload.kind, **{upload.id_field: str(answer["media_id"])}
        )

    def _draft(self, ready: Ready, state: Publication) -> Publication:
        if state.draft_media_id:
            return state
        number = ready.number
        title = mp_title(ready)
        if state.state == "drafting":
            found = self._find_draft(title)
            if found:
                return self.journal.record(number, "mp", "drafted", "found the earlier draft", draft_media_id=found)
        self.journal.record(number, "mp", "drafting", title)
        article = {
            "title": title,
            "author": self.config.series.account,
            "digest": digest_text(ready),
            "content": article_html(ready),
            "thumb_media_id": state.thumb_media_id,
            **cover_crops(),
            "need_open_comment": 0,
        }
        answer = self._ask(state, "/cgi-bin/draft/add", {"articles": [article]})
        return self.journal.record(number, "mp", "drafted", title, draft_media_id=str(answer["media_id"]))

    def _submit_and_poll(self, ready: Ready, state: Publication) -> Outcome:
        number = ready.number
        if not state.publish_id:
            self.journal.record(number, "mp", "submitting", state.draft_media_id or "")
            answer = self._ask(state, "/cgi-bin/freepublish/submit", {"media_id": state.draft_media_id})
            state = self.journal.record(number, "mp", "submitted", "", publish_id=str(answer["publish_id"]))
        for delay in (0.0, *POLL_DELAYS):
            self.sleep(delay)
            answer = self.client.call("/cgi-bin/freepublish/get", {"publish_id": state.publish_id})
            status = int(answer.get("publish_status", 1))
            if status == 0:
                items = answer.get("article_detail", {}).get("item", [])
                url = str(items[0]["article_url"]) if items else None
                state = self.journal.record(
                    number, "mp", "published", "", article_id=str(answer.get("article_id", "")), url=url
                )
                return Outcome(
                    number, "mp", "published", [_("{number:04d}: published: {url}").format(number=number, url=url)]
                )
            if status != 1:
                reason = f"publish_status {status}, fail_idx {answer.get('fail_idx', [])}"
                self.journal.record(number, "mp", "failed", reason, reason=reason)
                raise PublishError(
                    _("episode {number}: the platform did not publish it ({status_words}; {reason})").format(
                        number=number, status_words=_status_words(status), reason=reason
                    )
                )
        return Outcome(
            number,
            "mp",
            "submitted",
            [
                _(
                    "{number:04d}: submitted, still publishing; "
                    "run pufa publish {number} --to mp --submit later to check"
                ).format(number=number)
            ],
        )

    def _broadcast(self, ready: Ready, state: Publication, media_id: str) -> Outcome:
        number = ready.number
        if not state.mass_media_id:
            self.journal.record(number, BROADCAST, "preparing-broadcast", "")
            answer = self._ask(
                state,
                "/cgi-bin/media/uploadvideo",
                {"media_id": media_id, "title": mp_title(ready), "description": digest_text(ready)},
            )
            state = self.journal.record(number, BROADCAST, "broadcast-ready", "", mass_media_id=str(answer["media_id"]))
        if not state.msg_id:
            self.echo(_("note: a subscription account may broadcast once a day; this uses today's broadcast"))
            self.journal.record(number, BROADCAST, "sending", "")
            body = {
                "filter": {"is_to_all": True},
                "mpvideo": {"media_id": state.mass_media_id},
                "msgtype": "mpvideo",
                "send_ignore_reprint": 0,
                "clientmsgid": f"pufa-{number:04d}-{ready.row.input_hash[:16]}",
            }
            try:
                answer = self._ask(state, "/cgi-bin/message/mass/sendall", body)
                msg_id = str(answer["msg_id"])
            except WeChatError as exc:
                if exc.code != 45065:
                    raise
                msg_id = str(getattr(exc, "msg_id", "") or "sent-earlier")
            state = self.journal.record(number, BROADCAST, "sent", "", msg_id=msg_id)
        status = "unknown"
        if state.msg_id and state.msg_id != "sent-earlier":
            status = str(
                self.client.call("/cgi-bin/message/mass/get", {"msg_id": state.msg_id}).get("msg_status", "unknown")
            )
        if status == "SEND_SUCCESS" or state.msg_id == "sent-earlier":
            self.journal.record(number, BROADCAST, "published", status)
        return Outcome(
            number,
            BROADCAST,
            "published",
            [
                _("{number:04d}: broadcast {status} (msg_id {msg_id})").format(
                    number=number, status=status.lower(), msg_id=state.msg_id
                )
            ],
        )

    def _find_material(self, kind: str, name: str) -> str | None:
        offset = 0
        while True:
            page = self.client.call(
                "/cgi-bin/material/batchget_material", {"type": kind, "offset": offset, "count": 20}
            )
            items = page.get("item", [])
            for item in items:
                if item.get("name") == name:
                    return str(item["media_id"])
            offset += len(items)
            if not items or offset >= int(page.get("total_count", 0)):
                return None

    def _find_draft(self, title: str) -> str | None:
        page = self.client.call("/cgi-bin/draft/batchget", {"offset": 0, "count": 20, "no_content": 1})
        for item in page.get("item", []):
            for news in item.get("content", {}).get("news_item", []):
                if news.get("title") == title:
                    return str(item["media_id"])
        return None


def _status_words(status: int) -> str:
    return {
        2: "原创校验失败",
        3: "常规失败",
        4: "平台审核不通过",
        5: "成功后用户删除所有文章",
        6: "成功后系统封禁所有文章",
    }.get(status, "unknown status")


# --- commands ----------------------------------------------------------------------------------


def publish(
    config: Config,
    numbers: Sequence[int],
    to: str,
    *,
    dry_run: bool = False,
    allow_draft_voice: bool = False,
    submit: bool = False,
    broadcast: bool = False,
    client: WeChatClient | None = None,
    echo: Echo = print,
    sleep: Callable[[float], None] | None = None,
) -> list[Outcome]:
    if to not in CHANNELS:
        raise PufaError(_("--to must be one of {items}").format(items=", ".join(CHANNELS)))
    with Catalog(config.catalog_path) as catalog:
        readies = [load_ready(config, catalog, n, allow_draft_voice=allow_draft_voice) for n in numbers]
        if dry_run:
            return [_dry_run(config, ready, to, submit=submit, broadcast=broadcast, echo=echo) for ready in readies]
        try:
            return _publish(
                config, catalog, readies, to, submit=submit, broadcast=broadcast, client=client, echo=echo, sleep=sleep
            )
        finally:
            # Whatever happened, the exports show the journal as it now is.
            export(catalog, config.output_dir)


def _publish(
    config: Config,
    catalog: Catalog,
    readies: list[Ready],
    to: str,
    *,
    submit: bool,
    broadcast: bool,
    client: WeChatClient | None,
    echo: Echo,
    sleep: Callable[[float], None] | None,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    journal = Journal(catalog)
    for ready in readies:
        if to == "channels":
            folder = config.output_dir / "publish" / "channels" / f"{ready.number:04d}"
            made = channels_package(config, ready, folder)
            journal.record(ready.number, "channels", "prepared", str(folder))
            lines = [_("{number:04d}: upload package in {folder}").format(number=ready.number, folder=folder)]
            lines += [f"  {p.name}" for p in made]
            lines.append(
                _("  after uploading: pufa publish mark {number} --channel channels --url URL").format(
                    number=ready.number
                )
            )
            outcomes.append(Outcome(ready.number, "channels", "prepared", lines))
            continue
        from pipeline.publish.wechat import load_credentials

        active = client or _client(config, load_credentials())
        publisher = MpPublisher(config, active, journal, echo, sleep or _sleep)
        try:
            outcomes.append(publisher.run(ready, submit=submit, broadcast=broadcast))
        except NetworkError as exc:
            raise PublishError(
                _("episode {number}: {exc}; run the same command again to resume").format(number=ready.number, exc=exc)
            ) from None
    return outcomes


def _sleep(seconds: float) -> None:
    import time

    time.sleep(seconds)


def _client(config: Config, credentials: Any) -> WeChatClient:
    from pipeline.speech.cache import cache_root

    return WeChatClient(credentials, token_file=cache_root() / f"wechat-token-{credentials.appid}.json")


def _dry_run(config: Config, ready: Ready, to: str, *, submit: bool, broadcast: bool, echo: Echo) -> Outcome:
    number = ready.number
    from pipeline.report import channel_name

    lines = [
        _("{number:04d}: would publish to {to} (nothing is sent or written)").format(
            number=number, to=channel_name(to)
        )
    ]
    if to == "channels":
        folder = config.output_dir / "publish" / "channels" / f"{number:04d}"
        lines += [
            _("  write {path}").format(path=f"{folder}/{name}")
            for name in ("video.mp4", "cover-3x4.jpg", "cover-4x3.jpg", "post.txt", "checklist.md")
        ]
        post = f"短标题：{short_title(ready.episode)}\n\n{description(config, ready)}"
        lines += ["  post.txt:"] + [f"    {line}" for line in post.splitlines()]
    else:
        lines.append(_("  make a rendition under 10 MB of {video}").format(video=ready.row.video))
        lines.append(f"  POST /cgi-bin/material/add_material?type=video  media={upload_name(ready, 'video', '.mp4')}")
        if broadcast:
            lines.append("  POST /cgi-bin/media/uploadvideo, then /cgi-bin/message/mass/sendall (msgtype mpvideo)")
        else:
            lines.append(
                f"  POST /cgi-bin/material/add_material?type=image  media={upload_name(ready, 'image', '.jpg')}"
            )
            article = {"title": mp_title(ready), "author": config.series.account, "digest": digest_text(ready)}
            lines.append(f"  POST /cgi-bin/draft/add  {json.dumps(article, ensure_ascii=False)}")
            if submit:
                lines.append("  POST /cgi-bin/freepublish/submit, then /cgi-bin/freepublish/get until final")
    for line in lines:
        echo(line)
    return Outcome(number, to, "dry-run", lines)


def mark(config: Config, number: int, channel: str, url: str) -> Publication:
    """Record a post made by hand (Channels has no API): the journal says published, with its URL."""
    if channel not in CHANNELS:
        raise PufaError(_("--channel must be one of {items}").format(items=", ".join(CHANNELS)))
    if not re.match(r"^https?://", url):
        raise PufaError(_("--url must be a web address starting with http:// or https://, not {url!r}").format(url=url))
    with Catalog(config.catalog_path) as catalog:
        if catalog.get(number) is None:
            raise CatalogError(_("episode {number} is not in the catalog").format(number=number))
        entry = Journal(catalog).record(number, channel, "published", "marked by hand", url=url)
        export(catalog, config.output_dir)
        return entry


def sync(config: Config, client: WeChatClient | None = None) -> list[Publication]:
    """Record articles the editors published by hand on the platform, matched to episodes by title."""
    from pipeline.publish.wechat import load_credentials

    active = client or _client(config, load_credentials())
    recorded: list[Publication] = []
    with Catalog(config.catalog_path) as catalog:
        journal = Journal(catalog)
        by_title = {row.title: row for row in catalog.rows()}
        by_title.update(
            {(row.title[: MP_TITLE_LIMIT - 1] + "…"): row for row in catalog.rows() if len(row.title) > MP_TITLE_LIMIT}
        )
        offset = 0
        while True:
            page = active.call("/cgi-bin/freepublish/batchget", {"offset": offset, "count": 20, "no_content": 1})
            items = page.get("item", [])
            for item in items:
                for news in item.get("content", {}).get("news_item", []):
                    row = by_title.get(str(news.get("title", "")))
                    if row is None:
                        continue
                    existing = journal.get(row.number, "mp")
                    if existing and existing.state == "published":
                        continue
                    recorded.append(
                        journal.record(
                            row.number,
                            "mp",
                            "published",
                            "found by sync",
                            article_id=str(item.get("article_id", "")),
                            url=news.get("url"),
                        )
                    )
            offset += len(items)
            if not items or offset >= int(page.get("total_count", 0)):
                export(catalog, config.output_dir)
                return recorded
