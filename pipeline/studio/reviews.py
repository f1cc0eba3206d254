"""The studio's record of 法制审核 until the catalog's review trail lands: one JSON line per verdict.

``output/.studio/reviews.jsonl`` is append-only, so every approval and rejection stays on
record. An approval names the reviewer and the script's digest at that moment; an edit to the
script afterwards voids it (``Review.current`` is False). Approving also sets ``status: final``
in the script, which is what the build and ``pufa publish`` read today.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import PufaError
from pipeline.fsutil import atomic_write_text
from pipeline.locks import file_lock
from pipeline.studio import StudioError

VERDICTS = ("approved", "rejected")
NAME_LIMIT = 40
NOTE_LIMIT = 2000
_STATUS_LINE = re.compile(r"^status:.*$", re.M)


@dataclass(frozen=True)
class Review:
    episode: int
    script: str  # the script's file name
    verdict: str  # approved or rejected
    by: str
    note: str
    at: str  # ISO 8601, UTC, seconds
    digest: str  # sha256 of the script's bytes right after the verdict


def trail_path(config: Config) -> Path:
    return config.output_dir / ".studio" / "reviews.jsonl"


def all_reviews(config: Config) -> list[Review]:
    """Every verdict, oldest first; a damaged line is skipped rather than hiding the rest."""
    path = trail_path(config)
    if not path.is_file():
        return []
    reviews = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            reviews.append(Review(**json.loads(line)))
        except (ValueError, TypeError):
            continue
    return reviews


def latest_reviews(config: Config) -> dict[int, Review]:
    """The last verdict on each episode number."""
    return {review.episode: review for review in all_reviews(config)}


def is_current(review: Review, script: Path) -> bool:
    """Whether the script is still exactly what was reviewed."""
    try:
        return hashlib.sha256(script.read_bytes()).hexdigest() == review.digest
    except OSError:
        return False


def record_verdict(config: Config, script: Path, number: int, verdict: str, by: str, note: str) -> Review:
    """Approve (status: final) or reject (status: draft) the script of episode ``number``, and record who and why."""
    by, note = by.strip(), note.strip()
    if verdict not in VERDICTS:
        raise StudioError(f"unknown verdict {verdict!r}")
    if not by:
        raise StudioError("审核人姓名不能为空")
    if len(by) > NAME_LIMIT or len(note) > NOTE_LIMIT:
        raise StudioError(f"审核人姓名最多 {NAME_LIMIT} 字，意见最多 {NOTE_LIMIT} 字")
    # The catalog's review trail is what pufa publish reads: the verdict on the episode's current inputs.
    from pipeline.review.trail import approve, reject

    try:
        (approve if verdict == "approved" else reject)(config, number, by, note or "（未写意见）")
    except PufaError as exc:
        raise StudioError(str(exc)) from None
    with file_lock(config.output_dir / ".locks" / "reviews.lock"):
        text = script.read_text(encoding="utf-8")
        updated = set_status(text, "final" if verdict == "approved" else "draft")
        if updated != text:
            atomic_write_text(script, updated)
        review = Review(
            episode=number,
            script=script.name,
            verdict=verdict,
            by=by,
            note=note,
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            digest=hashlib.sha256(updated.encode("utf-8")).hexdigest(),
        )
        path = trail_path(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as trail:
            trail.write(json.dumps(asdict(review), ensure_ascii=False) + "\n")
    return review


def set_status(text: str, status: str) -> str:
    """The script with ``status:`` in its front matter set to ``status`` (added after the first line if absent)."""
    if not text.startswith("---"):
        raise StudioError("脚本没有以 --- 开头的信息区，无法设置状态")
    end = text.find("\n---", 3)
    if end < 0:
        raise StudioError("脚本的信息区没有用 --- 结束，无法设置状态")
    front, rest = text[:end], text[end:]
    if _STATUS_LINE.search(front):
        front = _STATUS_LINE.sub(f"status: {status}", front, count=1)
    else:
        front = f"{front}\nstatus: {status}"
    return front + rest
