"""The offline Mandarin voice: eSpeak NG, loaded from the ``espeakng-loader`` wheel and driven via ctypes.

No system package is needed. eSpeak NG is one global synthesiser per process, so calls are
serialised with a lock. Each caption piece is synthesised on its own, trimmed of the
engine's own leading and trailing silence, and joined with pauses that follow the
punctuation, which makes every piece's timing exact.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipeline.errors import VoiceError
from pipeline.i18n import _
from pipeline.speech.base import Utterance, VoiceSettings

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_NORMAL_WORDS_PER_MINUTE = 200  # about 4 Chinese syllables a second, a presenter's pace
_SILENCE_LEVEL = 200  # |sample| below this counts as silence when trimming
_EDGE_MARGIN = 0.03  # seconds of the engine's own silence kept around each piece

PAUSE_AFTER = {"。": 0.42, "！": 0.42, "？": 0.42, "…": 0.42, "；": 0.32, "：": 0.25, "，": 0.2, "、": 0.12}
PAUSE_DEFAULT = 0.12


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


class _Library:
    """The loaded library and its single synthesiser; created once per process."""

    def __init__(self) -> None:
        try:
            import espeakng_loader

            self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path().encode()
        except (ImportError, OSError, RuntimeError) as exc:
            raise VoiceError(_("the offline voice (eSpeak NG) cannot be loaded: {exc}").format(exc=exc)) from None
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.lib.espeak_Info.restype = ctypes.c_char_p
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if self.sample_rate <= 0:
            raise VoiceError(_("the offline voice (eSpeak NG) failed to start"))
        self.version = self.lib.espeak_Info(None).decode()
        # espeak_SetVoiceByName accepts some unknown names silently, so check against the voice files.
        self.voices = frozenset(p.name for p in (Path(data_path.decode()) / "lang").rglob("*") if p.is_file())
        self._chunks: list[npt.NDArray[np.int16]] = []
        self._callback = _Callback(self._collect)
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: object) -> int:
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def synthesise(self, text: str, voice: str, words_per_minute: int) -> npt.NDArray[np.int16]:
        with self.lock:
            if voice.split("+")[0] not in self.voices or self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise VoiceError(_("the offline voice has no voice called '{voice}' (try 'cmn')").format(voice=voice))
            self.lib.espeak_SetParameter(_PARAM_RATE, words_per_minute, 0)
            self._chunks = []
            encoded = text.encode("utf-8") + b"\0"
            status = self.lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            self.lib.espeak_Synchronize()
            if status != 0:
                raise VoiceError(
                    _("eSpeak NG could not speak {text!r} (status {status})").format(text=text[:20], status=status)
                )
            if not self._chunks:
                return np.zeros(0, dtype=np.int16)
            return np.concatenate(self._chunks).astype(np.int16)


_library: _Library | None = None


def _load() -> _Library:
    global _library
    if _library is None:
        _library = _Library()
    return _library


class EspeakEngine:
    name = "espeak"

    @property
    def version(self) -> str:
        return f"espeak-ng {_load().version}"

    def speak(self, pieces: Sequence[str], settings: VoiceSettings) -> Utterance:
        library = _load()
        voice = settings.voice
        words_per_minute = round(_NORMAL_WORDS_PER_MINUTE * settings.rate)
        rate_hz = library.sample_rate
        parts: list[npt.NDArray[np.int16]] = []
        timings: list[tuple[float, float]] = []
        cursor = 0
        for text in pieces:
            audio = _trim(library.synthesise(text, voice, words_per_minute), rate_hz)
            if settings.volume != 1.0:
                audio = np.clip(audio.astype(np.float32) * settings.volume, -32768, 32767).astype(np.int16)
            timings.append((cursor / rate_hz, (cursor + len(audio)) / rate_hz))
            pause = np.zeros(round(pause_after(text) * rate_hz), dtype=np.int16)
            parts += [audio, pause]
            cursor += len(audio) + len(pause)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        return Utterance(samples, rate_hz, tuple(timings))


def pause_after(text: str) -> float:
    """Seconds of silence after a piece, by the punctuation it ends with."""
    stripped = text.rstrip("”’）》」』) ")
    return PAUSE_AFTER.get(stripped[-1:], PAUSE_DEFAULT) if stripped else PAUSE_DEFAULT


def _trim(audio: npt.NDArray[np.int16], rate_hz: int) -> npt.NDArray[np.int16]:
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > _SILENCE_LEVEL)
    if loud.size == 0:
        return audio[:0]
    margin = round(_EDGE_MARGIN * rate_hz)
    return audio[max(loud[0] - margin, 0) : loud[-1] + margin + 1]
