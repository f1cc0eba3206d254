"""Text-to-speech engines behind one interface, and the choice between them.

``edge`` is the production voice (Microsoft neural voices, needs the internet); ``kokoro``
is the offline voice (Kokoro-82M, a neural voice fit to publish); ``espeak`` is the fastest
draft voice, for tests and quick previews. ``auto`` uses edge when its service can be
reached, else Kokoro, else eSpeak, with a warning. Every engine is wrapped in the audio cache.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from pipeline.errors import VoiceError
from pipeline.i18n import _
from pipeline.speech.base import TtsEngine, Utterance, VoiceSettings
from pipeline.speech.cache import CachedEngine

__all__ = [
    "ENGINES",
    "CachedEngine",
    "EngineChoice",
    "TtsEngine",
    "Utterance",
    "VoiceSettings",
    "choose_engine",
    "get_engine",
]

ENGINES = ("auto", "edge", "kokoro", "espeak")
PROXY_VARIABLE = "PUFA_EDGE_PROXY"


@dataclass(frozen=True)
class EngineChoice:
    engine: CachedEngine
    warning: str | None = None

    @property
    def draft_voice(self) -> bool:
        """An episode spoken by eSpeak NG is a draft, whatever its script status (Kokoro's is not)."""
        return self.engine.name == "espeak"


def edge_proxy() -> str | None:
    return os.environ.get(PROXY_VARIABLE) or None


def get_engine(name: str, threads: int = 1) -> TtsEngine:
    """The engine called ``name`` (``edge``, ``kokoro`` or ``espeak``), unwrapped; ``threads`` for Kokoro."""
    if name == "kokoro":
        from pipeline.speech.kokoro import KokoroEngine

        return KokoroEngine(threads)
    if name == "espeak":
        from pipeline.speech.espeak import EspeakEngine

        return EspeakEngine()
    if name == "edge":
        from pipeline.speech.edge import EdgeEngine

        return EdgeEngine(proxy=edge_proxy())
    raise VoiceError(_("unknown voice engine '{name}' (known: {items})").format(name=name, items=", ".join(ENGINES)))


def edge_reachable(timeout: float = 3.0) -> bool:
    """Whether a connection to the edge-tts service (or the configured proxy) can be opened."""
    from edge_tts.constants import WSS_URL

    target = urlparse(edge_proxy() or WSS_URL)
    try:
        with socket.create_connection((target.hostname or "", target.port or 443), timeout=timeout):
            return True
    except OSError:
        return False


def choose_engine(name: str, threads: int = 1) -> EngineChoice:
    """Resolve ``auto``; wrap the engine in the audio cache."""
    if name == "auto":
        from pipeline.speech.kokoro import available

        if edge_reachable():
            return EngineChoice(CachedEngine(get_engine("edge")))
        if available():
            warning = _("edge-tts is unreachable; speaking with the offline voice Kokoro")
            return EngineChoice(CachedEngine(get_engine("kokoro", threads)), warning)
        warning = _(
            "edge-tts is unreachable and the Kokoro voice is not installed; speaking with "
            "eSpeak NG (episodes are marked draft voice)"
        )
        return EngineChoice(CachedEngine(get_engine("espeak")), warning)
    return EngineChoice(CachedEngine(get_engine(name, threads)))
