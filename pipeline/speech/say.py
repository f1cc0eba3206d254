"""``pufa say`` and ``pufa voices``: hearing how a sentence will be read, and which voices there are."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Config
from pipeline.fsutil import commit, temporary_sibling
from pipeline.i18n import NC_, _, shown_name
from pipeline.script import parse_inline
from pipeline.speech.normalize import Lexicon, Reading, explain, load_lexicon, speak_spans, unread, unreadable
from pipeline.terminal import display_width


@dataclass(frozen=True)
class Said:
    spoken: str
    engine: str | None = None
    voice: str | None = None
    output: Path | None = None
    duration: float | None = None
    warning: str | None = None


def spoken_form(text: str, lexicon: Lexicon) -> str:
    """What the engine is given for ``text``: ``{显示|读作}`` parts as written, the rest normalised."""
    return speak_spans(parse_inline(text), lexicon)


# The classes a span is read as (the tagger's rule kinds), named for people.
KIND_NAMES = {
    "cardinal": NC_("span class", "cardinal"),
    "code": NC_("span class", "code"),
    "comparison": NC_("span class", "comparison"),
    "date": NC_("span class", "date"),
    "fraction": NC_("span class", "fraction"),
    "letters": NC_("span class", "letters"),
    "standard": NC_("span class", "standard"),
    "measure": NC_("span class", "measure"),
    "money": NC_("span class", "money"),
    "ordinal": NC_("span class", "ordinal"),
    "percent": NC_("span class", "percent"),
    "range": NC_("span class", "range"),
    "ratio": NC_("span class", "ratio"),
    "score": NC_("span class", "score"),
    "signed": NC_("span class", "signed"),
    "telephone": NC_("span class", "telephone"),
    "time": NC_("span class", "time"),
    "title": NC_("span class", "title"),
    "override": NC_("span class", "override"),
    "lexicon": NC_("span class", "lexicon"),
}


def kind_name(kind: str) -> str:
    """A span's class ('date', 'money' …) in the user's language."""
    return shown_name("span class", KIND_NAMES, kind)


@dataclass(frozen=True)
class Explanation:
    """``pufa say --explain``: the whole spoken form, each span with its class, and unreadable characters."""

    spoken: str
    readings: tuple[Reading, ...]
    warnings: tuple[str, ...]

    def lines(self) -> list[str]:
        """One line per span that is not plain text: ``class  written → spoken``, the class in the user's language."""
        shown = [(kind_name(r.kind), r) for r in self.readings if r.kind != "text"]
        width = max((display_width(kind) for kind, _r in shown), default=0)
        return [f"{kind}{' ' * (width - display_width(kind))}  {r.written} → {r.spoken}" for kind, r in shown]


def explain_text(config: Config, text: str) -> Explanation:
    """How ``text`` is read, span by span (``{显示|读作}`` parts are class ``override``)."""
    lexicon = load_lexicon(config.root / config.voice.lexicon)
    readings = tuple(explain(parse_inline(text), lexicon))
    warnings = tuple(
        _("the voice cannot read '{char}' (U+{code:04X}); write {override}").format(
            char=u.char, code=ord(u.char), override=u.override
        )
        for r in readings
        if r.kind != "override"
        for u in unreadable(r.written)
    ) + tuple(
        _("pufa cannot read '{number}' aloud; write it in words or with {{显示|读作}}").format(number=number)
        for number in unread(readings)
    )
    return Explanation("".join(r.spoken for r in readings), readings, warnings)


def say(config: Config, text: str, output: Path | None = None, tts: str | None = None) -> Said:
    """The spoken form of ``text``; with ``output``, also synthesise it to a WAV file."""
    spoken = spoken_form(text, load_lexicon(config.root / config.voice.lexicon))
    if output is None:
        return Said(spoken)
    from pipeline.render import voice_settings
    from pipeline.speech.engines import choose_engine

    choice = choose_engine(tts or config.voice.engine, threads=config.voice.threads)
    settings = voice_settings(config, None, choice)
    utterance = choice.engine.speak([spoken], settings)
    temporary = temporary_sibling(output)
    try:
        with wave.open(str(temporary), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(utterance.sample_rate)
            handle.writeframes(utterance.samples.astype("<i2").tobytes())
        commit(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
    return Said(spoken, choice.engine.name, settings.voice, output, utterance.duration, choice.warning)


@dataclass(frozen=True)
class VoiceList:
    voices: tuple[tuple[str, str, str], ...]
    live: bool
    problem: str | None = None
    offline: tuple[tuple[str, str, str], ...] = ()


def voices() -> VoiceList:
    """The zh-CN edge-tts voices (the live list, or the built-in table when the service cannot be
    reached) and the Kokoro voices pufa ships."""
    from pipeline.errors import VoiceError
    from pipeline.speech.edge import KNOWN_VOICES, list_voices
    from pipeline.speech.engines import edge_proxy
    from pipeline.speech.kokoro import VOICES

    offline = tuple((v.name, v.gender, v.note) for v in VOICES)
    try:
        return VoiceList(tuple(list_voices(edge_proxy())), live=True, offline=offline)
    except VoiceError as exc:
        return VoiceList(KNOWN_VOICES, live=False, problem=str(exc), offline=offline)
