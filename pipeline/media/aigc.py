"""The implicit AI-content label (隐式标识) of an MP4: the ``AIGC`` metadata field of GB 45438-2025.

The standard's file-metadata label is one field named ``AIGC`` whose value is JSON with seven
keys: ``Label`` (1: the content is AI-generated or synthesised), ``ContentProducer`` (who
produced it: a name or a code such as the 统一社会信用代码), ``ProduceID`` (the producer's
number for this piece of content), ``ReservedCode1`` (the producer's own integrity data),
``ContentPropagator`` and ``PropagateID`` (who spread it, and their number for it, filled
when it is published) and ``ReservedCode2`` (the propagator's own data).

ffmpeg writes it as a custom MP4 tag (``-metadata AIGC=... -movflags use_metadata_tags``:
an ``mdta`` key in ``moov/meta``), which ``ffprobe`` and ``ffmpeg -i`` print among the
format tags. :func:`read_tags` reads those boxes directly, so checking a label needs no
ffprobe (the imageio-ffmpeg wheel has only ffmpeg).
"""

from __future__ import annotations

import json
import struct
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import RenderError
from pipeline.i18n import _
from pipeline.media.ffmpeg import ffmpeg_exe

AIGC_KEY = "AIGC"
LABEL_AI_GENERATED = "1"
_FIELDS = (
    ("Label", "label"),
    ("ContentProducer", "content_producer"),
    ("ProduceID", "produce_id"),
    ("ReservedCode1", "reserved_code1"),
    ("ContentPropagator", "content_propagator"),
    ("PropagateID", "propagate_id"),
    ("ReservedCode2", "reserved_code2"),
)


@dataclass(frozen=True)
class AigcLabel:
    """The seven fields of the ``AIGC`` metadata, in the standard's order."""

    label: str = LABEL_AI_GENERATED
    content_producer: str = ""
    produce_id: str = ""
    reserved_code1: str = ""
    content_propagator: str = ""
    propagate_id: str = ""
    reserved_code2: str = ""

    def to_json(self) -> str:
        """The tag's value: compact JSON with the standard's key names, UTF-8 as it is."""
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))

    def as_dict(self) -> dict[str, str]:
        return {key: getattr(self, name) for key, name in _FIELDS}

    @classmethod
    def from_json(cls, text: str) -> AigcLabel:
        """Parse a tag value; raises ValueError when it is not the standard's JSON object."""
        data = json.loads(text)
        if not isinstance(data, dict) or any(key not in data for key, _ in _FIELDS):
            raise ValueError(_("not an AIGC label: {text}").format(text=text[:80]))
        return cls(**{name: str(data[key]) for key, name in _FIELDS})

    def propagated(self, propagator: str, propagate_id: str) -> AigcLabel:
        """The same label with the propagator's fields filled, for a copy that is published."""
        return replace(self, content_propagator=propagator, propagate_id=propagate_id)


def produce_id(episode: int, input_hash: str) -> str:
    """A number unique to one build of one episode: the episode and its input hash."""
    return f"pufa-{episode:04d}-{input_hash[:16]}"


def metadata_arguments(label: AigcLabel) -> list[str]:
    """ffmpeg output options that write ``label`` as the MP4's ``AIGC`` tag (with +faststart kept)."""
    return ["-metadata", f"{AIGC_KEY}={label.to_json()}", "-movflags", "+faststart+use_metadata_tags"]


def read_aigc(path: Path) -> AigcLabel | None:
    """The ``AIGC`` label of an MP4, or None when it has none (or one that is not the standard's JSON)."""
    value = read_tags(path).get(AIGC_KEY)
    if value is None:
        return None
    try:
        return AigcLabel.from_json(value)
    except ValueError:
        return None


def relabel(source: Path, target: Path, label: AigcLabel) -> None:
    """Copy ``source`` to ``target`` without re-encoding, with ``label`` as its ``AIGC`` tag."""
    command = [ffmpeg_exe(), "-v", "error", "-y", "-i", str(source), "-map", "0", "-c", "copy"]
    command += ["-map_metadata", "0", *metadata_arguments(label), "-f", "mp4", str(target)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["ffmpeg failed"])[-1]
        raise RenderError(_("{source}: could not write the AIGC label: {detail}").format(source=source, detail=detail))


# --- reading MP4 metadata boxes -------------------------------------------------------------

_CONTAINERS = {b"moov", b"udta"}


def read_tags(path: Path) -> dict[str, str]:
    """The text tags of an MP4's movie: ``moov/meta`` keys (``mdta``, as use_metadata_tags writes them)
    and iTunes-style ``moov/udta/meta/ilst`` items, by name."""
    tags: dict[str, str] = {}
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(0)
        _walk(handle, 0, size, tags)
    return tags


def _boxes(handle: BinaryIO, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the boxes between ``start`` and ``end``."""
    found = []
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            break
        found.append((kind, offset + header, offset + size))
        offset += size
    return found


def _walk(handle: BinaryIO, start: int, end: int, tags: dict[str, str]) -> None:
    for kind, first, last in _boxes(handle, start, end):
        if kind in _CONTAINERS:
            _walk(handle, first, last, tags)
        elif kind == b"meta":
            _meta(handle, first, last, tags)


def _meta(handle: BinaryIO, first: int, last: int, tags: dict[str, str]) -> None:
    # ``meta`` is a full box (4 bytes of version and flags) in MP4, a plain container in QuickTime.
    handle.seek(first)
    children = _boxes(handle, first + 4, last) if handle.read(4) == b"\0\0\0\0" else _boxes(handle, first, last)
    keys: list[str] = []
    for kind, start, _end in children:
        if kind == b"keys":
            handle.seek(start + 4)
            (count,) = struct.unpack(">I", handle.read(4))
            offset = start + 8
            for _index in range(count):
                handle.seek(offset)
                size, _namespace = struct.unpack(">I4s", handle.read(8))
                keys.append(handle.read(size - 8).decode("utf-8", errors="replace"))
                offset += size
    for kind, start, end in children:
        if kind != b"ilst":
            continue
        for item, item_start, item_end in _boxes(handle, start, end):
            index = struct.unpack(">I", item)[0]
            name = keys[index - 1] if keys and 1 <= index <= len(keys) else item.decode("latin-1")
            for data_kind, data_start, data_end in _boxes(handle, item_start, item_end):
                if data_kind == b"data":
                    handle.seek(data_start + 8)  # type indicator and locale
                    tags[name] = handle.read(data_end - data_start - 8).decode("utf-8", errors="replace")
