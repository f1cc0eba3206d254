"""``pufa studio``: one studio per project, served by uvicorn, stopped by Ctrl-C.

The project lock (``output/.locks/studio.lock``) is held for the life of the server; the
lock file names the address of the running studio so a second start can say where it is.
On loopback no token is needed; any other ``--host`` gets a fresh access token, printed in
the address to open.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import load_config
from pipeline.i18n import _
from pipeline.locks import try_file_lock
from pipeline.studio import StudioError

DEFAULT_PORT = 8765


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    token: str | None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lock_path(root: Path) -> Path:
    return root / "output" / ".locks" / "studio.lock"


def serve(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    tts: str | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Run the studio for the project at ``root`` until Ctrl-C; refuses if one is already running for it."""
    import uvicorn

    from pipeline.studio.app import create_app, guarded_app

    root = root.resolve()
    load_config(root)  # a broken pufa.toml is reported here, before anything listens
    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    address = Address(host, port, token)
    lock = lock_path(root)
    with try_file_lock(lock) as mine:
        if not mine:
            running = _read_address(lock)
            raise StudioError(
                _("a studio is already running for {root}").format(root=root)
                + (_(" at {running}").format(running=running) if running else "")
            )
        lock.with_name("studio.address").write_text(f"http://{host}:{port}/\n", encoding="utf-8")
        app = create_app(
            root,
            tts=tts,
            access_token=token,
            allowed_hosts=frozenset({"127.0.0.1", "localhost", "::1"}) if token is None else None,
        )
        config = uvicorn.Config(
            guarded_app(app), host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        server = uvicorn.Server(config)
        echo(_("普法小讲堂 工作台: {url}").format(url=address.url))
        if token:
            echo(_("listening beyond this computer: open the address above, with its token; keep the token private"))
        echo(_("press Ctrl-C to stop"))
        if open_browser:
            threading.Thread(target=_open_when_ready, args=(server, address.url), daemon=True).start()
        try:
            server.run()
        except KeyboardInterrupt:
            echo(_("studio stopped"))
            return
        except SystemExit:
            # uvicorn exits when it cannot listen; say why in one line instead.
            raise StudioError(
                _("could not listen on {host}:{port}; is another program using it? try --port").format(
                    host=host, port=port
                )
            ) from None
        finally:
            lock.with_name("studio.address").unlink(missing_ok=True)
        echo(_("studio stopped"))


def _read_address(lock: Path) -> str:
    try:
        return lock.with_name("studio.address").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _open_when_ready(server: object, url: str) -> None:
    for _attempt in range(100):
        if getattr(server, "started", False):
            webbrowser.open(url)
            return
        time.sleep(0.1)
