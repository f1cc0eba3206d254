"""A fake of the WeChat Official Account API: real HTTP on 127.0.0.1, the endpoints pufa uses, their
error codes, and faults to inject. Every request is logged so tests can assert what the platform received."""

from __future__ import annotations

import itertools
import json
import socket
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

APPID, SECRET = "wx-test-appid", "s3cr3t-never-printed"
VIDEO_LIMIT = 10 * 1024 * 1024


@dataclass
class Request:
    path: str
    query: dict[str, str]
    body: bytes
    json: dict[str, Any] | None = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)


class FakeWeChat:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.faults: list[tuple[str, str]] = []
        self.valid_tokens: set[str] = set()
        self.materials: list[dict[str, Any]] = []
        self.drafts: list[dict[str, Any]] = []
        self.publishes: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []
        self.mass: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeWeChat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, path: str, kind: str, times: int = 1) -> None:
        self.faults += [(path, kind)] * times

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    # --- the API -------------------------------------------------------------------------

    def handle(self, request: Request) -> dict[str, Any] | None:
        """The answer to ``request``; None means: drop the connection without answering."""
        fault = next((f for f in self.faults if f[0] == request.path), None)
        if fault is not None:
            self.faults.remove(fault)
            kind = fault[1]
            if kind == "expire":
                self.valid_tokens.clear()
                return {"errcode": 42001, "errmsg": "access_token expired"}
            if kind == "busy":
                return {"errcode": -1, "errmsg": "system error"}
            if kind == "quota":
                return {"errcode": 45009, "errmsg": "reach max api daily quota limit"}
            if kind == "ip":
                return {"errcode": 40164, "errmsg": "invalid ip, not in whitelist"}
            if kind.startswith("code:"):
                return {"errcode": int(kind[5:]), "errmsg": f"injected error {kind[5:]}"}
            if kind == "drop":
                self._route(request)
                return None
            if kind.startswith("lose:"):  # an answer without one of its fields
                answer = self._route(request)
                answer.pop(kind.removeprefix("lose:"), None)
                return answer
        if request.path != "/cgi-bin/stable_token" and request.query.get("access_token") not in self.valid_tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        return self._route(request)

    def _route(self, request: Request) -> dict[str, Any]:
        body = request.json or {}
        path = request.path
        if path == "/cgi-bin/stable_token":
            if body.get("appid") != APPID or body.get("secret") != SECRET:
                return {"errcode": 40125, "errmsg": "invalid appsecret"}
            token = self.next_id("TOKEN-")
            self.valid_tokens.add(token)
            return {"access_token": token, "expires_in": 7200}
        if path == "/cgi-bin/material/add_material":
            kind = request.query.get("type", "")
            filename, size = request.files["media"]
            if kind == "video" and size > VIDEO_LIMIT:
                return {"errcode": 40006, "errmsg": "invalid meida size"}
            if kind == "video" and "description" not in request.form:
                return {"errcode": 40007, "errmsg": "missing description"}
            material = {"media_id": self.next_id("MEDIA-"), "name": filename, "type": kind, "size": size}
            self.materials.append(material)
            return {"media_id": material["media_id"], "url": f"http://mmbiz.example/{material['media_id']}"}
        if path == "/cgi-bin/material/batchget_material":
            items = [m for m in self.materials if m["type"] == body.get("type")]
            page = items[body.get("offset", 0) : body.get("offset", 0) + body.get("count", 20)]
            return {
                "total_count": len(items),
                "item_count": len(page),
                "item": [{"media_id": m["media_id"], "name": m["name"], "update_time": 0} for m in page],
            }
        if path == "/cgi-bin/draft/add":
            article = body["articles"][0]
            if len(article["title"]) > 32 or len(article.get("digest", "")) > 128:
                return {"errcode": 45003, "errmsg": "title or digest too long"}
            if not any(m["media_id"] == article["thumb_media_id"] for m in self.materials):
                return {"errcode": 40007, "errmsg": "invalid media_id"}
            draft = {"media_id": self.next_id("DRAFT-"), "article": article}
            self.drafts.append(draft)
            return {"media_id": draft["media_id"]}
        if path == "/cgi-bin/draft/batchget":
            return {
                "total_count": len(self.drafts),
                "item_count": len(self.drafts),
                "item": [
                    {"media_id": d["media_id"], "content": {"news_item": [{"title": d["article"]["title"]}]}}
                    for d in self.drafts
                ],
            }
        if path == "/cgi-bin/freepublish/submit":
            draft = next((d for d in self.drafts if d["media_id"] == body.get("media_id")), None)
            if draft is None:
                return {"errcode": 40007, "errmsg": "invalid media_id"}
            publish_id = self.next_id("PUB-")
            self.publishes[publish_id] = {"draft": draft, "polls": 0}
            return {"publish_id": publish_id, "msg_data_id": 1}
        if path == "/cgi-bin/freepublish/get":
            job = self.publishes.get(str(body.get("publish_id")))
            if job is None:
                return {"errcode": 40007, "errmsg": "invalid publish_id"}
            job["polls"] += 1
            if job["polls"] < 2:
                return {"publish_id": body["publish_id"], "publish_status": 1}
            article_id = f"ARTICLE-{body['publish_id']}"
            url = f"https://mp.weixin.qq.com/s/{article_id}"
            if not any(p["article_id"] == article_id for p in self.published):
                self.published.append({"article_id": article_id, "title": job["draft"]["article"]["title"], "url": url})
            return {
                "publish_id": body["publish_id"],
                "publish_status": 0,
                "article_id": article_id,
                "article_detail": {"count": 1, "item": [{"idx": 1, "article_url": url}]},
                "fail_idx": [],
            }
        if path == "/cgi-bin/freepublish/batchget":
            items = [
                {
                    "article_id": p["article_id"],
                    "content": {"news_item": [{"title": p["title"], "url": p["url"]}]},
                    "update_time": 0,
                }
                for p in self.published
            ]
            return {"total_count": len(items), "item_count": len(items), "item": items}
        if path == "/cgi-bin/media/uploadvideo":
            return {"type": "video", "media_id": self.next_id("MASS-"), "created_at": 0}
        if path == "/cgi-bin/message/mass/sendall":
            key = str(body.get("clientmsgid"))
            if key in self.mass:
                return {"errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": self.mass[key]["msg_id"]}
            self.mass[key] = {"msg_id": self.next_id("MSG-"), "body": body}
            return {
                "errcode": 0,
                "errmsg": "send job submission success",
                "msg_id": self.mass[key]["msg_id"],
                "msg_data_id": 1,
            }
        if path == "/cgi-bin/message/mass/get":
            return {"msg_id": body.get("msg_id"), "msg_status": "SEND_SUCCESS"}
        return {"errcode": 404, "errmsg": f"no such api {path}"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                return None

            def do_POST(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = Request(url.path, query, raw)
                content_type = self.headers.get("Content-Type", "")
                if content_type.startswith("multipart/form-data"):
                    message = BytesParser(policy=default_policy).parsebytes(
                        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
                    )
                    for part in message.iter_parts():
                        name = part.get_param("name", header="content-disposition")
                        payload = part.get_payload(decode=True) or b""
                        if part.get_filename():
                            request.files[str(name)] = (str(part.get_filename()), len(payload))
                        else:
                            request.form[str(name)] = payload.decode("utf-8")
                elif raw:
                    request.json = json.loads(raw.decode("utf-8"))
                with fake.lock:
                    fake.requests.append(request)
                    answer = fake.handle(request)
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
