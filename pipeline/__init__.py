"""pufa: scripts for 普法小讲堂 in, narrated and captioned vertical videos out."""

from __future__ import annotations

__version__ = "0.1.0"
