"""A small client for the WeChat Official Account API (公众号), written for pufa's few endpoints.

Every call is ``POST {base}/cgi-bin/...?access_token=...``; the platform answers HTTP 200
with ``errcode`` when something is wrong. This client turns the codes that matter into
behaviour (a fresh token and one retry, backing off when busy) or into one plain sentence,
and never lets the secret or a token into a message. The base URL is the platform's unless
``PUFA_WECHAT_API_BASE`` says otherwise (how tests and staging point it at a local server).
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from pipeline.config import read_toml
from pipeline.errors import ConfigError, PufaError
from pipeline.fsutil import atomic_write_text, read_text
from pipeline.i18n import _
from pipeline.locks import file_lock

DEFAULT_BASE = "https://api.weixin.qq.com"
BASE_VARIABLE = "PUFA_WECHAT_API_BASE"
TOKEN_MARGIN_SECONDS = 300
BUSY_TRIES = 3
TIMEOUT = (10, 300)  # connect, read: a 10 MB upload on an office line takes a while
CHINA = timezone(timedelta(hours=8))

TOKEN_ERRORS = {40001, 40014, 42001}


class PublishError(PufaError):
    """Publishing failed; the message says what to do."""


class WeChatError(PublishError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class NetworkError(PublishError):
    """The connection failed; the platform may or may not have done what was asked."""


@dataclass(frozen=True)
class Credentials:
    appid: str
    secret: str

    def __repr__(self) -> str:  # never print the secret, even by accident
        return f"Credentials(appid={self.appid!r}, secret=***)"


def credentials_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pufa" / "wechat.toml"


def load_credentials() -> Credentials:
    """From ``PUFA_WECHAT_APPID`` and ``PUFA_WECHAT_SECRET``, else from ~/.config/pufa/wechat.toml (mode 600)."""
    appid, secret = os.environ.get("PUFA_WECHAT_APPID"), os.environ.get("PUFA_WECHAT_SECRET")
    if appid and secret:
        return Credentials(appid, secret)
    path = credentials_file()
    if not path.is_file():
        raise PublishError(
            _(
                "no WeChat credentials: set PUFA_WECHAT_APPID and PUFA_WECHAT_SECRET, or write "
                "appid and secret to {path} (readable only by you)"
            ).format(path=path)
        )
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PublishError(_("{path} can be read by other users; run: chmod 600 {path}").format(path=path))
    read_text(path)  # a file that is not UTF-8 is named with its line
    try:
        data = read_toml(path)
    except ConfigError as exc:
        raise PublishError(_('{exc}; it needs appid = "..." and secret = "..."').format(exc=exc)) from None
    try:
        return Credentials(str(data["appid"]), str(data["secret"]))
    except KeyError as exc:
        raise PublishError(
            _('{path}: needs appid = "..." and secret = "..." ({__name__})').format(
                path=path, __name__=type(exc).__name__
            )
        ) from None


def explain(code: int, message: str) -> str:
    """The platform's error codes that an editor can act on, in plain words."""
    if code == 45009:
        tomorrow = (datetime.now(CHINA) + timedelta(days=1)).strftime("%Y-%m-%d")
        return f"the daily API quota is used up (45009); try again after 00:00 Beijing time on {tomorrow}"
    if code == 40164:
        return (
            "this computer's IP address is not on the Official Account's IP whitelist (40164): add it in "
            "mp.weixin.qq.com → 设置与开发 → 基本配置 → IP白名单"
        )
    if code == 48001:
        return "the Official Account has no permission for this API (48001): it must be a verified (认证) account"
    if code == 40125 or code == 40013:
        return f"the AppID or AppSecret is wrong ({code}): check PUFA_WECHAT_APPID and PUFA_WECHAT_SECRET"
    if code == 45065:
        return "this broadcast was already sent (45065)"
    return f"WeChat API error {code}: {message}"


class Answer(dict[str, Any]):
    """An object in a platform answer: a field it lacks is a one-line PublishError that says what to do."""

    def __init__(self, path: str, fields: dict[str, Any]) -> None:
        super().__init__(fields)
        self.path = path

    def __missing__(self, key: str) -> Any:
        present = ", ".join(sorted(self)) or "no fields"
        raise PublishError(
            _(
                "{path}: WeChat's answer has no '{key}' (it has {present}); what was done so far "
                "is in the publish journal: run the same command again to resume, and report it "
                "if it happens again"
            ).format(path=self.path, key=key, present=present)
        )


class WeChatClient:
    def __init__(
        self,
        credentials: Credentials,
        *,
        base: str | None = None,
        token_file: Path,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.base = (base or os.environ.get(BASE_VARIABLE) or DEFAULT_BASE).rstrip("/")
        self.token_file = token_file
        self.session = session or requests.Session()
        self.sleep = sleep
        self.clock = clock

    # --- access token ----------------------------------------------------------------------

    def token(self) -> str:
        """A token with at least five minutes left, from the shared cache file or freshly fetched."""
        with file_lock(self.token_file.with_suffix(".lock")):
            cached = self._read_token()
            if cached is not None:
                return cached
            return self._fetch_token()

    def _read_token(self) -> str | None:
        try:
            data = json.loads(self.token_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            raise self._bad_token_cache(f"not readable JSON: {exc}") from None
        shape: dict[str, type | tuple[type, ...]] = {"appid": str, "access_token": str, "expires_at": (int, float)}
        if not isinstance(data, dict) or any(not isinstance(data.get(k), t) for k, t in shape.items()):
            raise self._bad_token_cache("not the shape pufa writes")
        if (
            data.get("appid") != self.credentials.appid
            or data.get("expires_at", 0) - self.clock() < TOKEN_MARGIN_SECONDS
        ):
            return None
        return str(data["access_token"])

    def _bad_token_cache(self, problem: str) -> PublishError:
        return PublishError(
            _(
                "{token_file}: the access-token cache is {problem}; delete this file (pufa "
                "fetches a new token) and run the command again"
            ).format(token_file=self.token_file, problem=problem)
        )

    def _fetch_token(self) -> str:
        body = {"grant_type": "client_credential", "appid": self.credentials.appid, "secret": self.credentials.secret}
        # force_refresh stays false: forcing would invalidate the token other processes are using.
        answer = self._post("/cgi-bin/stable_token", body=body, token=None)
        token, expires = str(answer["access_token"]), float(answer.get("expires_in", 7200))
        self.token_file.parent.mkdir(parents=True, exist_ok=True)
        record = {"appid": self.credentials.appid, "access_token": token, "expires_at": self.clock() + expires}
        atomic_write_text(self.token_file, json.dumps(record), mode=0o600)
        return token

    def _forget_token(self, stale: str) -> None:
        with file_lock(self.token_file.with_suffix(".lock")):
            if self._read_token() == stale:
                self.token_file.unlink(missing_ok=True)

    # --- calls -----------------------------------------------------------------------------

    def call(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, Any, str]] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One API call: a fresh token and one retry on a token error, backing off while the platform is busy."""
        refreshed = False
        busy = 0
        while True:
            token = self.token()
            try:
                return self._post(path, body=body, token=token, params=params, files=files, form=form)
            except WeChatError as exc:
                if exc.code in TOKEN_ERRORS and not refreshed:
                    refreshed = True
                    self._forget_token(token)
                    continue
                if exc.code == -1 and busy < BUSY_TRIES:
                    busy += 1
                    self.sleep(2.0 * busy)
                    continue
                raise

    def _post(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None,
        token: str | None,
        params: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, Any, str]] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        query = dict(params or {})
        if token is not None:
            query["access_token"] = token
        try:
            if files is not None:
                response = self.session.post(self.base + path, params=query, files=files, data=form, timeout=TIMEOUT)
            else:
                # UTF-8 as it is: the platform stores \\u escapes literally in titles and articles.
                payload = json.dumps(body or {}, ensure_ascii=False).encode("utf-8")
                headers = {"Content-Type": "application/json; charset=utf-8"}
                response = self.session.post(
                    self.base + path, params=query, data=payload, headers=headers, timeout=TIMEOUT
                )
        except requests.RequestException as exc:
            raise NetworkError(
                _("{path}: the connection to WeChat failed ({__name__})").format(path=path, __name__=type(exc).__name__)
            ) from None
        if response.status_code != 200:
            raise NetworkError(
                _("{path}: WeChat answered HTTP {status_code}").format(path=path, status_code=response.status_code)
            )
        try:
            answer: dict[str, Any] = response.json(object_hook=lambda fields: Answer(path, fields))
        except ValueError:
            raise NetworkError(_("{path}: WeChat answered something that is not JSON").format(path=path)) from None
        code = int(answer.get("errcode", 0) or 0)
        if code != 0:
            raise WeChatError(code, f"{path}: {explain(code, str(answer.get('errmsg', '')))}")
        return answer
