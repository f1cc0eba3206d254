"""pufa: scripts for 普法小讲堂 in, narrated and captioned vertical videos out."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"

# What decides how an episode is rendered: the code, the captions' legal words and the voices.
_RENDERING_FILES = ("**/*.py", "captions/legal_words.txt", "speech/voices/*.bin")


@functools.cache
def build_id() -> str:
    """The version and a digest of the code that renders: ``0.1.0+1a2b3c4d5e6f``.

    Two computers of a cluster must render alike, and the version number alone does not change
    with every edit; this does (SHA-256 over the package's Python files, legal words and voices,
    by their paths inside the package). Computed once per process, in about 20 ms.
    """
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = sorted({p for pattern in _RENDERING_FILES for p in root.glob(pattern) if "__pycache__" not in p.parts})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"{__version__}+{digest.hexdigest()[:12]}"
