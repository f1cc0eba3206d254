from __future__ import annotations

import pytest

from pipeline.errors import VoiceError
from pipeline.speech.engines import VoiceSettings, get_engine
from pipeline.speech.espeak import EspeakEngine, pause_after


def test_offline_voice_speaks_mandarin_with_a_timing_per_piece() -> None:
    engine = EspeakEngine()
    utterance = engine.speak(["大家好，", "欢迎收看普法小讲堂。"], VoiceSettings("cmn"))
    assert utterance.sample_rate == 22050
    (a_start, a_end), (b_start, b_end) = utterance.pieces
    assert a_start == 0.0 < a_end < b_start < b_end <= utterance.duration
    assert b_start - a_end == pytest.approx(pause_after("大家好，"), abs=0.001)
    # Ten syllables of speech at a presenter's pace: about two to four seconds.
    assert 1.5 < b_end - b_start < 4.0
    assert abs(utterance.samples[round(b_start * 22050) : round(b_end * 22050)]).max() > 1000
    assert engine.version.startswith("espeak-ng 1.")


def test_faster_rate_is_shorter() -> None:
    engine = EspeakEngine()
    slow = engine.speak(["禁止从建筑物中抛掷物品。"], VoiceSettings("cmn", rate=0.8)).duration
    fast = engine.speak(["禁止从建筑物中抛掷物品。"], VoiceSettings("cmn", rate=1.5)).duration
    assert fast < slow * 0.75


def test_unknown_voice_is_a_clear_error() -> None:
    with pytest.raises(VoiceError, match="the offline voice has no voice called 'klingon' \\(try 'cmn'\\)"):
        EspeakEngine().speak(["你好"], VoiceSettings("klingon"))


def test_unknown_engine() -> None:
    with pytest.raises(VoiceError, match="unknown voice engine 'siri'"):
        get_engine("siri")
