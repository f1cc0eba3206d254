"""``pufa studio``: the 普法小讲堂 工作台, a local web app in Chinese for editors and reviewers.

The views are thin: they call the same library functions the CLI calls (check, preview,
build, publish, catalog). ``scripts`` holds what the studio adds to the library (safe script
names, the episode list, saving with conflict detection), ``app`` the web app and ``server``
the process around it (the project lock, the access token, uvicorn).
"""

from __future__ import annotations

from pipeline.errors import PufaError


class StudioError(PufaError):
    """A request the studio refuses: a bad script name, a stale save, a second studio."""


class EditConflict(StudioError):
    """The script changed on disk since the editor loaded it; ``current`` is what the disk holds now."""

    def __init__(self, name: str, current: str) -> None:
        self.current = current
        super().__init__(f"{name} changed on disk since it was opened")
