"""Text-to-speech engines behind one interface (:class:`pipeline.voice.base.TtsEngine`)."""

from __future__ import annotations

from ..errors import VoiceError
from .base import TtsEngine, Utterance

__all__ = ["TtsEngine", "Utterance", "get_engine"]


def get_engine(name: str) -> TtsEngine:
    """The engine called ``name`` in pufa.toml's ``voice.engine``."""
    if name == "espeak":
        from .espeak import EspeakEngine

        return EspeakEngine()
    raise VoiceError(f"unknown voice engine '{name}' (known: espeak)")
