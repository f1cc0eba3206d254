"""``pufa studio``: one studio per project, served by uvicorn, stopped by Ctrl-C.

The project lock (``output/.locks/studio.lock``) is held for the life of the server; the
lock file names the address of the running studio so a second start can say where it is.
On loopback no token is needed; any other ``--host`` gets a fresh access token, printed in
the address to open.
"""

from __future__ import annotations

import errno
import ipaddress
import secrets
import socket
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
        app = create_app(
            root,
            tts=tts,
            access_token=token,
            allowed_hosts=frozenset({"127.0.0.1", "localhost", "::1"}) if token is None else None,
        )
        sockets = _listen(host, port)
        lock.with_name("studio.address").write_text(f"http://{host}:{port}/\n", encoding="utf-8")
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
            server.run(sockets=sockets)
        except KeyboardInterrupt:
            echo(_("studio stopped"))
            return
        except SystemExit:
            # uvicorn exits when it cannot serve on the sockets bound above; say so in one line instead.
            raise StudioError(
                _("could not listen on {host}:{port}; is another program using it? try --port").format(
                    host=host, port=port
                )
            ) from None
        finally:
            for sock in sockets:
                sock.close()
            lock.with_name("studio.address").unlink(missing_ok=True)
        echo(_("studio stopped"))


def _listen(host: str, port: int) -> list[socket.socket]:
    """Sockets bound to every address of ``host`` (as asyncio's create_server would bind them), for uvicorn.

    Bound here, not by uvicorn, so a host that does not resolve and a port in use each get their
    own one line; uvicorn would log its own ERROR line and exit the same way for both.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, ValueError):  # socket.gaierror, or a name IDNA cannot encode
        raise StudioError(
            _(
                "--host {host}: not an address, nor a name that resolves to one; give an address of this computer, "
                "e.g. 127.0.0.1"
            ).format(host=host)
        ) from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _name, address in dict.fromkeys(found):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError as exc:
        for sock in sockets:
            sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise StudioError(
                _("could not listen on {host}:{port}; is another program using it? try --port").format(
                    host=host, port=port
                )
            ) from None
        raise StudioError(
            _("could not listen on {host}:{port} ({strerror}); is {host} an address of this computer?").format(
                host=host, port=port, strerror=exc.strerror
            )
        ) from None
    return sockets


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
