"""Replaying recorded edge-tts event streams through EdgeEngine's live code path."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from pipeline.speech.base import VoiceSettings
from pipeline.speech.edge import Boundary, Chunk

FIXTURES = Path(__file__).parent / "fixtures" / "edge"


def load(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()]


def boundaries(name: str) -> list[Boundary]:
    return [
        Boundary(float(e["offset"]) / 1e7, (float(e["offset"]) + float(e["duration"])) / 1e7, str(e["text"]))  # type: ignore[arg-type]
        for e in load(name)
        if e["type"] == "WordBoundary"
    ]


def _fault(kind: str) -> BaseException:
    if kind == "403":
        return aiohttp.WSServerHandshakeError(None, (), status=403, message="Invalid response status")  # type: ignore[arg-type]
    if kind == "timeout":
        return TimeoutError()
    return aiohttp.ClientConnectionError("Connection reset by peer")


class Replay:
    """A stream factory that serves the named recordings in turn, one per request, and records the requests."""

    def __init__(self, *names: str) -> None:
        self.names = list(names)
        self.requests: list[tuple[str, VoiceSettings]] = []

    def __call__(self, text: str, settings: VoiceSettings) -> AsyncIterator[Chunk]:
        self.requests.append((text, settings))
        name = self.names.pop(0) if len(self.names) > 1 else self.names[0]
        return self._stream(load(name))

    async def _stream(self, events: list[dict[str, object]]) -> AsyncIterator[Chunk]:
        for event in events:
            await asyncio.sleep(0)
            if event["type"] == "error":
                raise _fault(str(event["error"]))
            if event["type"] == "audio":
                yield {"type": "audio", "data": base64.b64decode(str(event["data"]))}
            else:
                yield event
