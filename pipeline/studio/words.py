"""The studio's words around the library's messages: severities, stages, and where a message points.

The messages themselves come from the library in Chinese: the studio speaks Chinese in every
request and job (:func:`pipeline.i18n.speaking`), so a finding, a build failure or a refusal
reads exactly as ``pufa`` says it under a Chinese locale, from the same gettext catalogue.
"""

from __future__ import annotations

import re

SEVERITY = {"error": "错误", "warning": "提醒", "note": "读音"}
STAGES = {"voice": "配音", "frames": "画面", "encode": "编码", "finish": "收尾"}

_LOCATED = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<severity>error|warning|note): (?P<rest>.*)$"
)


def located(message: str) -> tuple[int | None, str]:
    """``path:line: error: text`` → (line, text); a message without a place → (None, message)."""
    match = _LOCATED.match(message.strip())
    if match is None:
        return None, message.strip()
    return int(match["line"]), match["rest"]
