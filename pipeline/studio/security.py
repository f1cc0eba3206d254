"""The studio's guards, as ASGI middleware: the Host header, the access token and the CSRF token.

- Host: a loopback studio answers only requests addressed to 127.0.0.1 or localhost, so a web
  page elsewhere cannot reach it through a DNS name that points at this machine.
- Access token: when the studio listens beyond loopback (``--host``), every request must carry
  the token printed at start, as ``?token=`` once (it then becomes a cookie) or that cookie.
- CSRF: every request that changes something (anything but GET and HEAD) must carry the page's
  token in the ``X-CSRF-Token`` header. Another site's page cannot read it, and cannot set the
  header without a CORS preflight, which the studio never grants.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from pipeline.i18n import speaking

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = ("GET", "HEAD")
CSRF_HEADER = b"x-csrf-token"
TOKEN_COOKIE = "pufa_studio"


class Guard:
    """Wraps the app: refuses a wrong Host (400), a missing access token (401) and a missing CSRF token (403)."""

    def __init__(
        self, app: ASGIApp, *, csrf_token: str, access_token: str | None, allowed_hosts: frozenset[str] | None
    ) -> None:
        self.app = app
        self.csrf_token = csrf_token
        self.access_token = access_token
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with speaking(chinese=True):  # the studio is Chinese whatever the locale: so are the library's messages
            await self._guard(scope, receive, send)

    async def _guard(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        if self.allowed_hosts is not None:
            host = headers.get(b"host", b"").decode("latin-1").rsplit(":", 1)[0].strip("[]").lower()
            if host not in self.allowed_hosts:
                await _refuse(send, 400, "这个地址不能访问工作台（Host 不对）。")
                return
        if self.access_token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            given = query.get("token", "")
            if given and hmac.compare_digest(given, self.access_token):
                rest = urlencode({k: v for k, v in query.items() if k != "token"})
                target = quote(scope["path"]) + (f"?{rest}" if rest else "")
                await _redirect_with_cookie(send, target, self.access_token)
                return
            cookie = SimpleCookie(headers.get(b"cookie", b"").decode("latin-1")).get(TOKEN_COOKIE)
            if cookie is None or not hmac.compare_digest(cookie.value, self.access_token):
                await _refuse(send, 401, "需要访问令牌：请使用启动工作台时显示的完整地址（带 ?token=）。")
                return
        if scope["method"] not in SAFE_METHODS:
            given_csrf = headers.get(CSRF_HEADER, b"").decode("latin-1")
            if not given_csrf or not hmac.compare_digest(given_csrf, self.csrf_token):
                await _refuse(send, 403, "请求被拒绝：缺少或错误的 CSRF 令牌。请刷新页面后再试。")
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect_with_cookie(send: Send, location: str, token: str) -> None:
    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode("latin-1"))],
        }
    )
    await send({"type": "http.response.body", "body": b""})
