"""The production voice: Microsoft's neural voices through edge-tts, timed by word boundaries.

A scene is sent in as few requests as possible (split after a sentence, well under the
service's limit), with ``boundary="WordBoundary"``. The service drops punctuation from its
boundaries and segments words its own way, so boundaries are matched to the request text
in order; a caption whose words cannot be matched is timed by its share of characters
between its matched neighbours, and a note says so.

The stream comes from a *stream factory*: the live one wraps ``edge_tts.Communicate``;
tests pass one that replays recorded streams through the very same code.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
import unicodedata
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.errors import VoiceError
from pipeline.i18n import _
from pipeline.speech.base import Utterance, VoiceSettings, interpolate

SAMPLE_RATE = 24000  # edge-tts sends audio-24khz-48kbitrate-mono-mp3
TICKS_PER_SECOND = 10_000_000  # boundary offsets and durations are in 100-ns ticks
REQUEST_CHARACTERS = 400
MATCH_WINDOW = 12  # characters a boundary's word may lie ahead of the previous match

Chunk = Mapping[str, Any]
StreamFactory = Callable[[str, VoiceSettings], AsyncIterator[Chunk]]


@dataclass(frozen=True)
class Boundary:
    start: float
    end: float
    text: str


def live_stream(proxy: str | None = None) -> StreamFactory:
    def stream(text: str, settings: VoiceSettings) -> AsyncIterator[Chunk]:
        import edge_tts

        communicate = edge_tts.Communicate(
            text,
            settings.voice,
            rate=_percent(settings.rate),
            volume=_percent(settings.volume),
            pitch=f"{settings.pitch:+d}Hz",
            boundary="WordBoundary",
            proxy=proxy,
            connect_timeout=10,
            receive_timeout=30,
        )
        return communicate.stream()

    return stream


def _percent(multiple: float) -> str:
    return f"{round((multiple - 1) * 100):+d}%"


class EdgeEngine:
    name = "edge"

    def __init__(
        self,
        stream: StreamFactory | None = None,
        *,
        tries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        proxy: str | None = None,
    ) -> None:
        self.stream = stream or live_stream(proxy)
        self.tries = tries
        self.backoff = backoff
        self.sleep = sleep

    @property
    def version(self) -> str:
        from edge_tts import __version__

        return f"edge-tts {__version__}"

    def speak(self, pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        parts: list[npt.NDArray[np.int16]] = []
        timings: list[tuple[float, float]] = []
        times: list[tuple[float, ...]] = []
        notes: list[str] = []
        offset = 0.0
        first_piece = 0
        for group in split_requests(pieces):
            audio, boundaries = self._fetch("".join(group), settings)
            samples = decode_mp3(audio)
            duration = len(samples) / SAMPLE_RATE
            spans, group_notes = align(group, boundaries, duration)
            timings += [(offset + a, offset + b) for a, b in spans]
            times += [tuple(offset + t for t in piece) for piece in word_times(group, boundaries, spans)]
            notes += [_renumber(note, first_piece) for note in group_notes]
            parts.append(samples)
            offset += duration
            first_piece += len(group)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Utterance(samples, SAMPLE_RATE, tuple(timings), tuple(notes), tuple(times))

    def _fetch(self, text: str, settings: VoiceSettings) -> tuple[bytes, list[Boundary]]:
        problem = ""
        for attempt in range(self.tries):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return asyncio.run(_collect(self.stream(text, settings)))
            except Exception as exc:  # every failure of the remote service is retried or reported, never a traceback
                if not _is_network_fault(exc):
                    raise VoiceError(_("edge-tts failed: {describe}").format(describe=_describe(exc))) from None
                problem = _describe(exc)
        raise VoiceError(
            _("edge-tts unreachable after {tries} tries ({problem}); build with --tts espeak for a draft").format(
                tries=self.tries, problem=problem
            )
        )


async def _collect(stream: AsyncIterator[Chunk]) -> tuple[bytes, list[Boundary]]:
    audio = bytearray()
    boundaries: list[Boundary] = []
    async for chunk in stream:
        if chunk["type"] == "audio":
            audio += chunk["data"]
        elif chunk["type"] == "WordBoundary":
            start = chunk["offset"] / TICKS_PER_SECOND
            boundaries.append(Boundary(start, start + chunk["duration"] / TICKS_PER_SECOND, chunk["text"]))
    if not audio:
        raise ConnectionError(_("the service sent no audio"))
    return bytes(audio), boundaries


def _is_network_fault(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError | asyncio.TimeoutError | ConnectionError):
        return True
    try:
        import aiohttp
        from edge_tts.exceptions import EdgeTTSException
    except ImportError:
        return False
    return isinstance(exc, aiohttp.ClientError | EdgeTTSException)


def _describe(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status >= 400:
        return f"HTTP {status}"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.split(" ssl:")[0]  # aiohttp appends the SSL context's repr, which helps nobody
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def split_requests(pieces: Sequence[str], limit: int = REQUEST_CHARACTERS) -> list[list[str]]:
    """Consecutive pieces per request: when a request would pass ``limit`` characters it is cut
    after its last complete sentence (a single sentence longer than the limit goes alone)."""
    groups: list[list[str]] = [[]]
    for piece in pieces:
        current = groups[-1]
        if current and sum(map(len, current)) + len(piece) > limit:
            cut = max((i + 1 for i, p in enumerate(current) if _ends_sentence(p)), default=0)
            if cut:
                groups[-1], tail = current[:cut], current[cut:]
                groups.append(tail)
        groups[-1].append(piece)
    return [g for g in groups if g]


def _ends_sentence(piece: str) -> bool:
    return piece.rstrip("”’）」』) ")[-1:] in "。！？!?…；;"


def _speakable(text: str) -> str:
    """What a boundary can be matched on: letters and digits, no punctuation or spaces."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def align(
    pieces: Sequence[str], boundaries: Sequence[Boundary], duration: float
) -> tuple[list[tuple[float, float]], list[str]]:
    """Each piece's [start, end) from the word boundaries that fall in it.

    Boundaries are matched in order against the request text (punctuation removed on both
    sides). A piece with no matched boundary shares the time between its matched
    neighbours with its unmatched siblings, by speakable characters.
    """
    texts = [_speakable(p) for p in pieces]
    matched: list[list[Boundary]] = [[] for _ in pieces]
    for owner, _at, boundary in _matches(texts, boundaries):
        matched[owner].append(boundary)

    spans: list[tuple[float, float] | None] = [(m[0].start, m[-1].end) if m else None for m in matched]
    notes: list[str] = []
    index = 0
    while index < len(spans):
        if spans[index] is not None:
            index += 1
            continue
        stretch_end = index
        while stretch_end < len(spans) and spans[stretch_end] is None:
            stretch_end += 1
        previous = spans[index - 1] if index else None
        following = spans[stretch_end] if stretch_end < len(spans) else None
        begin = previous[1] if previous else 0.0
        finish = following[0] if following else duration
        weights = [max(len(texts[i]), 1) for i in range(index, stretch_end)]
        total, position = sum(weights), begin
        for i, weight in zip(range(index, stretch_end), weights, strict=True):
            share = (finish - begin) * weight / total
            spans[i] = (position, position + share)
            position += share
            notes.append(_("piece {value}: no word boundaries matched; timed by character count").format(value=i + 1))
        index = stretch_end
    return [s for s in spans if s is not None], notes


def _matches(texts: Sequence[str], boundaries: Sequence[Boundary]) -> list[tuple[int, int, Boundary]]:
    """(piece, offset of the word in the piece's speakable text, boundary) of each boundary matched in order."""
    request = "".join(texts)
    owner = [i for i, text in enumerate(texts) for _ in text]
    first = [0]
    for text in texts:
        first.append(first[-1] + len(text))
    found_all: list[tuple[int, int, Boundary]] = []
    cursor = 0
    for boundary in boundaries:
        word = _speakable(boundary.text)
        if not word:
            continue
        found = request.find(word, cursor, cursor + len(word) + MATCH_WINDOW)
        if found < 0:
            continue
        found_all.append((owner[found], found - first[owner[found]], boundary))
        cursor = found + len(word)
    return found_all


def word_times(
    pieces: Sequence[str], boundaries: Sequence[Boundary], spans: Sequence[tuple[float, float]]
) -> list[tuple[float, ...]]:
    """When each speakable character of each piece starts: a matched word's characters share out its
    boundary's time; characters of unmatched words fall evenly between their neighbours (within the piece's span)."""
    texts = [_speakable(p) for p in pieces]
    known: list[dict[int, float]] = [{} for _ in pieces]
    for owner, at, boundary in _matches(texts, boundaries):
        word = _speakable(boundary.text)
        for j in range(len(word)):
            known[owner][at + j] = boundary.start + (boundary.end - boundary.start) * j / len(word)
    return [
        interpolate(len(text), start, end, marks)
        for text, (start, end), marks in zip(texts, spans, known, strict=True)
    ]


def _renumber(note: str, first_piece: int) -> str:
    head, _colon, rest = note.partition(":")
    number = int(head.split()[1]) + first_piece
    return f"piece {number}:{rest}"


def decode_mp3(data: bytes) -> npt.NDArray[np.int16]:
    """The service's MP3 as 24 kHz mono samples, decoded by the bundled ffmpeg."""
    from pipeline.media.ffmpeg import ffmpeg_exe

    result = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "mp3",
            "-i",
            "pipe:0",
            "-f",
            "s16le",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "pipe:1",
        ],
        input=data,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise VoiceError(
            _("edge-tts sent audio that cannot be decoded ({value})").format(
                value=detail[-1] if detail else "no detail"
            )
        )
    return np.frombuffer(result.stdout, dtype="<i2").astype(np.int16)


# The zh-CN neural voices edge-tts offers, for when the voice list cannot be fetched.
KNOWN_VOICES: tuple[tuple[str, str, str], ...] = (
    ("zh-CN-XiaoxiaoNeural", "Female", "News, Novel; Warm"),
    ("zh-CN-XiaoyiNeural", "Female", "Cartoon, Novel; Lively"),
    ("zh-CN-YunjianNeural", "Male", "Sports, Novel; Passion"),
    ("zh-CN-YunxiNeural", "Male", "Novel; Lively, Sunshine"),
    ("zh-CN-YunxiaNeural", "Male", "Cartoon, Novel; Cute"),
    ("zh-CN-YunyangNeural", "Male", "News; Professional, Reliable"),
    ("zh-CN-liaoning-XiaobeiNeural", "Female", "Dialect; Humorous"),
    ("zh-CN-shaanxi-XiaoniNeural", "Female", "Dialect; Bright"),
)


def list_voices(proxy: str | None = None) -> list[tuple[str, str, str]]:
    """The zh-CN voices as (name, gender, style), fetched live; raises VoiceError when offline."""
    import edge_tts

    try:
        voices = asyncio.run(edge_tts.list_voices(proxy=proxy))
    except Exception as exc:  # any failure means the live list is unavailable
        raise VoiceError(_("cannot fetch the voice list ({describe})").format(describe=_describe(exc))) from None
    result = []
    for voice in voices:
        if voice["Locale"] == "zh-CN":
            tags: Mapping[str, list[str]] = voice.get("VoiceTag", {})  # type: ignore[assignment]
            style = "; ".join(", ".join(tags.get(k, [])) for k in ("ContentCategories", "VoicePersonalities"))
            result.append((voice["ShortName"], voice["Gender"], style))
    return sorted(result)
