"""The studio's web app: thin views over the library, every page also as JSON (``.json`` after its path).

Pages: 节目单 ``/episodes``, 新建 ``/new``, 编辑 ``/episodes/NAME/edit``, 预览
``/episodes/NAME/preview``, 审核 ``/episodes/NAME/review``, 生成 ``/build``, 发布
``/episodes/NAME/publish`` and 统计 ``/stats``. The config is read again for every request,
so an edit to pufa.toml shows at once. Jinja escapes everything a page shows.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipeline.catalog import Catalog, to_csv
from pipeline.config import Config, load_config
from pipeline.errors import PufaError
from pipeline.i18n import _
from pipeline.locks import try_file_lock
from pipeline.review.trail import ReviewState
from pipeline.studio import EditConflict, StudioError
from pipeline.studio.charts import bar_chart, column_chart, law_title, stats
from pipeline.studio.jobs import Job, JobProgress, Jobs, stage_reporter
from pipeline.studio.scripts import (
    STATUS_LABELS,
    Entry,
    check_text,
    episodes,
    filter_entries,
    new_script,
    next_number,
    read_script,
    save_script,
    script_path,
)
from pipeline.studio.security import Guard
from pipeline.studio.words import SEVERITY, located

PREVIEW_FILES = ("index.html", "video.mp4", "storyboard.png")
NAME_LIMIT = 40  # characters of a reviewer's name
NOTE_LIMIT = 2000  # characters of a reviewer's note
POLL_SECONDS = 0.2  # how often a job's event stream looks for new events
KEEPALIVE_SECONDS = 10.0  # a comment line this often keeps a quiet stream open
AUTO_ENGINE_SECONDS = 60.0  # how long the answer to "which engine does auto choose?" is kept
Handler = Callable[[Request], Awaitable[Response]]


class Studio:
    """Everything the views share: the project, the tokens, the job queues and the templates."""

    def __init__(self, root: Path, *, tts: str | None = None) -> None:
        self.root = root.resolve()
        self.tts = tts
        self.csrf_token = secrets.token_urlsafe(32)
        self.jobs = Jobs()
        self._auto: tuple[str, float] | None = None  # what voice.engine = "auto" resolved to, and when
        environment = Environment(
            loader=PackageLoader("pipeline.studio", "templates"), autoescape=select_autoescape(["html"])
        )
        environment.filters["clock"] = _clock
        environment.filters["when"] = _when
        self.templates = Jinja2Templates(env=environment)

    def config(self) -> Config:
        return load_config(self.root)

    def engine(self) -> str:
        """The voice engine the studio's next build uses: --tts, else voice.engine, with ``auto`` resolved.

        Resolving ``auto`` asks whether edge-tts is reachable (seconds when offline), so its answer
        is kept for a minute rather than asked again on every page.
        """
        engine = self.tts or self.config().voice.engine
        if engine != "auto":
            return engine
        now = time.monotonic()
        if self._auto is None or now - self._auto[1] > AUTO_ENGINE_SECONDS:
            from pipeline.speech.engines import choose_engine

            self._auto = (choose_engine("auto").engine.name, now)
        return self._auto[0]

    def page(self, request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
        """The page as HTML, or its data as JSON when the path ends in .json."""
        if request.url.path.endswith(".json"):
            return JSONResponse(data, status_code=status)
        context = {"data": data, "csrf": self.csrf_token, "statuses": STATUS_LABELS, "severity": SEVERITY}
        return self.templates.TemplateResponse(request, template, context, status_code=status)

    def fragment(self, request: Request, template: str, data: dict[str, Any], status: int = 200) -> Response:
        return self.page(request, template, data, status)


def create_app(
    root: Path,
    *,
    tts: str | None = None,
    access_token: str | None = None,
    allowed_hosts: frozenset[str] | None = frozenset({"127.0.0.1", "localhost"}),
) -> Starlette:
    """The studio for the project at ``root``; ``allowed_hosts`` None accepts any Host (with ``access_token``)."""
    studio = Studio(root, tts=tts)
    views = Views(studio)
    routes: list[BaseRoute] = [
        Route("/", lambda _request: RedirectResponse("/episodes", status_code=303)),
        *_twin("/episodes", views.episode_list),
        *_twin("/new", views.new_form),
        Route("/new", views.new_create, methods=["POST"]),
        *_twin("/episodes/{name}/edit", views.editor),
        *_twin("/episodes/{name}/check", views.check, methods=["POST"]),
        *_twin("/episodes/{name}/save", views.save, methods=["POST"]),
        *_twin("/episodes/{name}/preview", views.preview_page),
        *_twin("/episodes/{name}/preview", views.preview_start, methods=["POST"]),
        *_twin("/episodes/{name}/review", views.review_page),
        *_twin("/episodes/{name}/review", views.review_verdict, methods=["POST"]),
        *_twin("/episodes/{name}/publish", views.publish_page),
        *_twin("/episodes/{name}/published", views.publish_mark, methods=["POST"]),
        *_twin("/episodes/{name}/publish/{channel}", views.publish_start, methods=["POST"]),
        Route("/episodes/{name}/channels.zip", views.channels_zip),
        Route("/files/preview/{number:int}/{file}", views.preview_file),
        *_twin("/build", views.build_page),
        *_twin("/build", views.build_start, methods=["POST"]),
        *_twin("/jobs/{job}", views.job_page),
        Route("/jobs/{job}/events", views.job_events),
        *_twin("/stats", views.stats_page),
        Route("/stats/catalog.csv", views.catalog_csv),
        Mount("/static", StaticFiles(packages=[("pipeline.studio", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={PufaError: views.refused})
    app.state.studio = studio
    guarded = Guard(app, csrf_token=studio.csrf_token, access_token=access_token, allowed_hosts=allowed_hosts)
    app.state.guarded = guarded
    return app


def guarded_app(app: Starlette) -> Guard:
    """The app behind its guards: what the server runs and what the tests call."""
    guarded: Guard = app.state.guarded
    return guarded


def _twin(path: str, endpoint: Handler, methods: list[str] | None = None) -> list[Route]:
    """The page and its JSON twin at the same path plus .json."""
    return [Route(f"{path}.json", endpoint, methods=methods), Route(path, endpoint, methods=methods)]


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _when(iso: str) -> str:
    """A time from the catalog (ISO 8601, UTC) as this computer's local time, to the minute."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _entry_json(entry: Entry) -> dict[str, Any]:
    data = asdict(entry)
    data["laws"] = list(entry.laws)
    data["published"] = [{"channel": c, "url": u} for c, u in entry.published]
    data["status_label"] = entry.status_label
    return data


class Views:
    def __init__(self, studio: Studio) -> None:
        self.studio = studio

    # --- 节目单 ------------------------------------------------------------------------------

    async def episode_list(self, request: Request) -> Response:
        config = self.studio.config()
        every = episodes(config, self.studio.engine())
        wanted = {key: request.query_params.get(key, "") for key in ("q", "topic", "law", "status", "month")}
        shown = filter_entries(every, **wanted)
        data = {
            "series": config.series.name,
            "filters": wanted,
            "topics": sorted({e.topic for e in every if e.topic}),
            "laws": sorted({law_title(law) for e in every for law in e.laws}),
            "months": sorted({e.month for e in every if e.month}, reverse=True),
            "episodes": [_entry_json(e) for e in shown],
            "total": len(every),
        }
        return self.studio.page(request, "episodes.html", data)

    # --- 新建 / 编辑 -------------------------------------------------------------------------

    async def new_form(self, request: Request) -> Response:
        config = self.studio.config()
        return self.studio.page(request, "new.html", {"series": config.series.name, "number": next_number(config)})

    async def new_create(self, request: Request) -> Response:
        form = await request.form()
        config = self.studio.config()
        try:
            number = int(str(form.get("number", "")))
        except ValueError:
            raise StudioError("期数必须是正整数") from None
        name = new_script(
            config, number, str(form.get("title", "")), str(form.get("topic", "")), str(form.get("slug", ""))
        )
        target = f"/episodes/{name}/edit"
        return JSONResponse({"name": name, "edit": target}, headers={"HX-Redirect": target})

    async def editor(self, request: Request) -> Response:
        config = self.studio.config()
        name = request.path_params["name"]
        text, digest = read_script(config, name)
        result = check_text(config, name, text)
        data = {
            "series": config.series.name,
            "name": name,
            "text": text,
            "digest": digest,
            "lines": text.count("\n") + 1,
            **_check_json(result),
        }
        return self.studio.page(request, "editor.html", data)

    async def check(self, request: Request) -> Response:
        form = await request.form()
        config = self.studio.config()
        result = check_text(config, request.path_params["name"], str(form.get("text", "")))
        return self.studio.fragment(
            request, "findings.html", {"name": request.path_params["name"], **_check_json(result)}
        )

    async def save(self, request: Request) -> Response:
        form = await request.form()
        config = self.studio.config()
        name = request.path_params["name"]
        text = str(form.get("text", ""))
        try:
            digest = save_script(config, name, text, str(form.get("digest", "")), force=form.get("force") == "1")
        except EditConflict as conflict:
            data = {"name": name, "saved": False, "conflict": True, "disk": conflict.current}
            return self.studio.fragment(request, "saved.html", data, status=409)
        return self.studio.fragment(request, "saved.html", {"name": name, "saved": True, "digest": digest})

    # --- 预览 / 审核 -------------------------------------------------------------------------

    def _episode_of(self, config: Config, name: str) -> Entry:
        script_path(config, name)
        for entry in episodes(config, self.studio.engine()):
            if entry.name == name:
                if entry.number is None or entry.problem:
                    raise StudioError(f"{name} 还有错误，先在编辑页改好：{entry.problem}")
                return entry
        raise StudioError(f"没有这个脚本：{name}")

    def _preview_job(self, number: int) -> Job | None:
        return next((j for j in self.studio.jobs.all() if j.kind == "preview" and j.episodes == (number,)), None)

    async def preview_page(self, request: Request) -> Response:
        config = self.studio.config()
        entry = self._episode_of(config, request.path_params["name"])
        assert entry.number is not None
        folder = config.output_dir / "preview" / f"{entry.number:04d}"
        job = self._preview_job(entry.number)
        data = {
            "series": config.series.name,
            "episode": _entry_json(entry),
            "job": job.summary() if job else None,
            "page": f"/files/preview/{entry.number}/index.html" if (folder / "index.html").is_file() else None,
        }
        return self.studio.page(request, "preview.html", data)

    async def preview_start(self, request: Request) -> Response:
        from pipeline.review.preview import preview

        config = self.studio.config()
        name = request.path_params["name"]
        entry = self._episode_of(config, name)
        number = entry.number
        assert number is not None
        path = script_path(config, name)
        tts = self.studio.tts

        def work(job: Job) -> dict[str, Any]:
            progress = JobProgress(job)
            progress.started(number, entry.title)
            made = preview(self.studio.config(), path, tts, stage=stage_reporter(job, number))
            progress.finished(number, "built", f"{made.duration:.1f} s")
            errors = sum(1 for f in made.findings if f.severity == "error")
            return {
                "duration": round(made.duration, 2),
                "seconds": round(made.seconds, 1),
                "errors": errors,
                "page": f"/files/preview/{number}/index.html",
            }

        job = self.studio.jobs.submit("preview", f"预览 第{number}期 {entry.title}", (number,), work)
        return self.studio.fragment(request, "job.html", {"job": job.summary()})

    async def preview_file(self, request: Request) -> Response:
        config = self.studio.config()
        file = request.path_params["file"]
        if file not in PREVIEW_FILES:
            raise StudioError(f"没有这个预览文件：{file}")
        path = config.output_dir / "preview" / f"{request.path_params['number']:04d}" / file
        if not path.is_file():
            return Response("还没有预览，请先生成预览。", status_code=404, media_type="text/plain; charset=utf-8")
        return FileResponse(path)

    async def review_page(self, request: Request) -> Response:
        from pipeline.review.trail import review_state

        config = self.studio.config()
        entry = self._episode_of(config, request.path_params["name"])
        assert entry.number is not None
        page = config.output_dir / "preview" / f"{entry.number:04d}" / "index.html"
        state = review_state(config, entry.number, engine=self.studio.engine())
        history = [{**asdict(r), "current": r.input_hash == state.current_hash} for r in reversed(state.history)]
        data = {
            "series": config.series.name,
            "episode": _entry_json(entry),
            "page": f"/files/preview/{entry.number}/index.html" if page.is_file() else None,
            "state": state.state,
            "state_words": _state_words(state),
            "describe": state.describe(config.review.reviewers),
            "reviewers": list(config.review.reviewers),
            "history": history,
        }
        return self.studio.page(request, "review.html", data)

    async def review_verdict(self, request: Request) -> Response:
        """Approve or reject through the review trail, as ``pufa review approve|reject`` does."""
        from pipeline.review.trail import approve, reject

        form = await request.form()
        config = self.studio.config()
        name = request.path_params["name"]
        entry = self._episode_of(config, name)
        assert entry.number is not None
        by, note = str(form.get("by", "")).strip(), str(form.get("note", "")).strip()
        if not by:
            raise StudioError("审核人姓名不能为空")
        if len(by) > NAME_LIMIT or len(note) > NOTE_LIMIT:
            raise StudioError(f"审核人姓名最多 {NAME_LIMIT} 字，意见最多 {NOTE_LIMIT} 字")
        if form.get("verdict") == "approved":
            review = approve(config, entry.number, by, note, engine=self.studio.engine())
        elif note:
            review = reject(config, entry.number, by, note, engine=self.studio.engine())
        else:
            raise StudioError("退回修改要写明意见，编辑才知道改什么")
        target = f"/episodes/{name}/review"
        return JSONResponse(asdict(review), headers={"HX-Redirect": target})

    # --- 生成 --------------------------------------------------------------------------------

    async def build_page(self, request: Request) -> Response:
        config = self.studio.config()
        rows = []
        for entry in episodes(config, self.studio.engine()):
            busy = False
            if entry.number is not None:
                with try_file_lock(config.output_dir / ".locks" / f"{entry.number:04d}.lock") as free:
                    busy = not free
            rows.append({**_entry_json(entry), "busy": busy})
        data = {
            "series": config.series.name,
            "episodes": rows,
            "jobs": [j.summary() for j in self.studio.jobs.all() if j.kind == "build"],
        }
        return self.studio.page(request, "build.html", data)

    async def build_start(self, request: Request) -> Response:
        from pipeline.build import build

        form = await request.form()
        config = self.studio.config()
        names = [str(n) for n in form.getlist("name")]
        paths = [script_path(config, n) for n in names]
        force = form.get("force") == "1"
        tts = self.studio.tts
        label = "生成 " + ("、".join(names) if names else "全部有改动的节目")

        def work(job: Job) -> dict[str, Any]:
            report = build(self.studio.config(), paths, tts=tts, force=force, jobs=1, progress=JobProgress(job))
            failed = []
            for failure in report.failed:
                for message in failure.message.splitlines():
                    line, text = located(message)
                    failed.append({"name": failure.script.name, "line": line, "text": text})
            return {
                "built": [
                    {"number": b.number, "title": b.title, "duration": round(b.duration, 2)} for b in report.built
                ],
                "skipped": [p.episode.number for p in report.skipped],
                "failed": failed,
                "seconds": round(report.seconds, 1),
            }

        job = self.studio.jobs.submit("build", label, (), work)
        return self.studio.fragment(request, "job.html", {"job": job.summary()})

    async def job_page(self, request: Request) -> Response:
        job = self.studio.jobs.get(request.path_params["job"])
        if job is None:
            raise StudioError("没有这个任务")
        return self.studio.page(request, "job.html", {"job": job.summary(), "events": job.events})

    async def job_events(self, request: Request) -> Response:
        """Server-sent events: every event of the job so far, then each new one, until it ends."""
        job = self.studio.jobs.get(request.path_params["job"])
        if job is None:
            raise StudioError("没有这个任务")
        start = int(request.headers.get("last-event-id", "0") or 0)

        async def stream() -> AsyncIterator[str]:
            # Polled, not waited on in a thread: any number of pages can follow jobs at no cost.
            seen, quiet = start, 0.0
            while True:
                new = job.events_since(seen)
                for event in new:
                    seen += 1
                    yield f"id: {seen}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
                    if event["type"] == "end":
                        return
                if new:
                    quiet = 0.0
                    continue
                if await request.is_disconnected():
                    return
                quiet += POLL_SECONDS
                if quiet >= KEEPALIVE_SECONDS:
                    quiet = 0.0
                    yield ": waiting\n\n"
                await asyncio.sleep(POLL_SECONDS)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    # --- 发布 --------------------------------------------------------------------------------

    def _ready(self, config: Config, number: int, allow_draft_voice: bool) -> str:
        """Why the CLI would refuse to publish ``number`` ("" when it would not)."""
        from pipeline.publish.episodes import load_ready

        if not config.catalog_path.is_file():
            return _("episode {number} is not in the catalog; build it first").format(number=number)
        with Catalog(config.catalog_path) as catalog:
            try:
                load_ready(config, catalog, number, allow_draft_voice=allow_draft_voice)
            except PufaError as exc:
                return str(exc)
        return ""

    async def publish_page(self, request: Request) -> Response:
        config = self.studio.config()
        name = request.path_params["name"]
        entry = self._episode_of(config, name)
        assert entry.number is not None
        folder = config.output_dir / "publish" / "channels" / f"{entry.number:04d}"
        checklist = folder / "checklist.md"
        data = {
            "series": config.series.name,
            "episode": _entry_json(entry),
            "refusal": self._ready(config, entry.number, allow_draft_voice=False),
            "refusal_with_draft_voice": self._ready(config, entry.number, allow_draft_voice=True),
            "package": [p.name for p in sorted(folder.iterdir())] if folder.is_dir() else [],
            "checklist": checklist.read_text(encoding="utf-8") if checklist.is_file() else "",
            "zip": f"/episodes/{name}/channels.zip" if checklist.is_file() else None,
        }
        return self.studio.page(request, "publish.html", data)

    async def publish_start(self, request: Request) -> Response:
        from pipeline.publish.episodes import publish

        form = await request.form()
        config = self.studio.config()
        name = request.path_params["name"]
        channel = request.path_params["channel"]
        if channel not in ("channels", "mp"):
            raise StudioError(f"没有这个发布渠道：{channel}")
        entry = self._episode_of(config, name)
        assert entry.number is not None
        allow = form.get("allow_draft_voice") == "1"
        lines: list[str] = []
        outcomes = await asyncio.to_thread(
            publish, config, [entry.number], channel, allow_draft_voice=allow, echo=lines.append
        )
        for outcome in outcomes:
            lines += outcome.lines
        target = f"/episodes/{name}/publish"
        return JSONResponse({"channel": channel, "lines": lines}, headers={"HX-Redirect": target})

    async def publish_mark(self, request: Request) -> Response:
        """Record a post made by hand (``pufa publish mark``): the channel and the post's address."""
        from pipeline.publish.episodes import mark

        form = await request.form()
        config = self.studio.config()
        name = request.path_params["name"]
        entry = self._episode_of(config, name)
        assert entry.number is not None
        url = str(form.get("url", "")).strip()
        if not url.startswith(("https://", "http://")) or len(url) > 2000 or any(c.isspace() for c in url):
            raise StudioError("请填写发布后的完整网址（以 https:// 开头）")
        entry_state = mark(config, entry.number, str(form.get("channel", "")), url)
        target = f"/episodes/{name}/publish"
        return JSONResponse({"state": entry_state.state, "url": entry_state.url}, headers={"HX-Redirect": target})

    async def channels_zip(self, request: Request) -> Response:
        config = self.studio.config()
        entry = self._episode_of(config, request.path_params["name"])
        assert entry.number is not None
        folder = config.output_dir / "publish" / "channels" / f"{entry.number:04d}"
        if not (folder / "checklist.md").is_file():
            raise StudioError("还没有视频号发布包，请先在发布页生成")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    archive.write(path, f"{entry.number:04d}/{path.name}")
        filename = f"{entry.number:04d}-channels.zip"
        return Response(
            buffer.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    # --- 统计 --------------------------------------------------------------------------------

    async def stats_page(self, request: Request) -> Response:
        config = self.studio.config()
        rows = []
        if config.catalog_path.is_file():
            with Catalog(config.catalog_path) as catalog:
                rows = catalog.rows()
        counted = stats(rows)
        data = {
            "series": config.series.name,
            **counted.as_json(),
            "charts": {
                "per_month": column_chart("每月节目数", counted.per_month),
                "durations": column_chart("时长分布", counted.durations),
                "topics": bar_chart("主题", counted.topics),
                "laws": bar_chart("引用的法律", counted.laws),
            },
        }
        return self.studio.page(request, "stats.html", data)

    async def catalog_csv(self, request: Request) -> Response:
        config = self.studio.config()
        entries = []
        if config.catalog_path.is_file():
            with Catalog(config.catalog_path) as catalog:
                entries = catalog.entries()
        return Response(
            "\ufeff" + to_csv(entries),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="catalog.csv"'},
        )

    # --- errors ------------------------------------------------------------------------------

    async def refused(self, request: Request, exc: Exception) -> Response:
        """A PufaError from a view: 400 with its message (404 for a missing thing), as JSON or as a fragment."""
        message = str(exc)
        status = 404 if message.startswith("没有这个") else 400
        if request.url.path.endswith(".json") or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": message}, status_code=status)
        if request.headers.get("hx-request"):
            return self.studio.templates.TemplateResponse(
                request, "problem.html", {"message": message}, status_code=status
            )
        data = {"series": "", "message": message}
        context = {"data": data, "csrf": self.studio.csrf_token, "statuses": STATUS_LABELS, "severity": SEVERITY}
        return self.studio.templates.TemplateResponse(request, "error.html", context, status_code=status)


def _state_words(state: ReviewState) -> str:
    """The review page's headline: the trail's state, or the verdict on inputs not built yet."""
    if state.state in ("unbuilt", "changed") and state.review is not None:
        return "已通过审核（还没有生成视频）" if state.review.verdict == "approved" else "审核未通过"
    return state.words


def _check_json(result: Any) -> dict[str, Any]:
    findings = [
        {
            "line": f.line,
            "column": f.column,
            "severity": f.severity,
            "label": SEVERITY.get(f.severity, f.severity),
            "message": f.message,
            "text": f.message,
        }
        for f in result.findings
    ]
    low, high = result.target
    return {
        "findings": findings,
        "errors": sum(1 for f in result.findings if f.severity == "error"),
        "estimate": None if result.estimate is None else round(result.estimate, 1),
        "target": [low, high],
        "in_target": result.estimate is not None and low <= result.estimate <= high,
    }
