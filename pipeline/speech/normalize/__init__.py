"""Text normalisation for speech: how a Chinese presenter reads what the script writes.

Captions keep the written text; the voice is given the spoken form. As in NeMo and
WeTextProcessing, a sentence is first *tagged* (:mod:`.tagger`: each span of digits, symbols
or Latin letters, with the Chinese words around it as context, gets a class) and each span is
then *verbalised* by its class's own module:

==========  ===========================================  ==================================
class       module                                       example
==========  ===========================================  ==================================
date        :mod:`.date`                                 2019年以来 → 二〇一九年以来
time        :mod:`.clock`                                15:16:36 → 十五点十六分三十六秒
ratio       :mod:`.ratio`                                16:9 → 十六比九, 比分3-1 → 三比一
money       :mod:`.money`                                ￥1,234.50 → 一千二百三十四元五角
percent     :mod:`.signed`                               -3% → 负百分之三, 0.5‰ → 千分之零点五
measure     :mod:`.measure`                              -10℃ → 零下十摄氏度, 1.5kg → 一点五千克
telephone   :mod:`.telephone`                            135-4567-8900 → 幺三五 四五六七 八九零零
ordinal     :mod:`.ordinal`                              第291条之2 → 第二百九十一条之二
code        :mod:`.number`                               拨打120 → 拨打幺二零
cardinal    :mod:`.number`                               2名民警 → 两名民警, 限速120 → 一百二十
letters     :mod:`.letters`                              APP → A P P
standard    :mod:`.standard`                             GB 7258-2017 → G B 七二五八 二〇一七
cardinal    :mod:`.symbols`                              第Ⅻ条 → 第十二条, ½ → 二分之一, 10⁸ → 十的八次方
==========  ===========================================  ==================================

A number no rule reads right (1,2,3; 0x1F) is found by :func:`unread` for ``pufa check``.
The project lexicon (``assets/lexicon.tsv``) is tried first; a 《》 title and a
``{显示|读作}`` override are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.script import Span
from pipeline.speech.normalize.lexicon import Lexicon, load_lexicon
from pipeline.speech.normalize.number import HOTLINES
from pipeline.speech.normalize.numbers import (
    DIGITS,
    MEASURES,
    PHONE_DIGITS,
    YEAR_DIGITS,
    ReadingError,
    cardinal,
    decimal,
    digit_by_digit,
)
from pipeline.speech.normalize.readable import Unreadable, unreadable
from pipeline.speech.normalize.symbols import unread
from pipeline.speech.normalize.tagger import CLASSES, Reading, tag

__all__ = [
    "CLASSES",
    "DIGITS",
    "HOTLINES",
    "MEASURES",
    "PHONE_DIGITS",
    "YEAR_DIGITS",
    "Lexicon",
    "Reading",
    "ReadingError",
    "Unreadable",
    "cardinal",
    "decimal",
    "digit_by_digit",
    "explain",
    "load_lexicon",
    "normalize",
    "speak_spans",
    "tag",
    "unread",
    "unreadable",
]


def normalize(text: str, lexicon: Lexicon | None = None) -> str:
    """The spoken form of ``text``. Raises :class:`ReadingError` for a number too long to say."""
    return "".join(reading.spoken for reading in tag(text, lexicon))


def explain(spans: Iterable[Span], lexicon: Lexicon | None = None) -> list[Reading]:
    """Every span of a line with its class: ``{显示|读作}`` parts as class ``override``, the rest tagged."""
    readings: list[Reading] = []
    run = ""  # neighbouring written spans (a **highlight** and its context) are read together
    for span in spans:
        if span.fixed:
            readings += tag(run, lexicon) if run else []
            readings.append(Reading(span.shown, "override", span.spoken))
            run = ""
        else:
            run += span.spoken
    return readings + (tag(run, lexicon) if run else [])


def speak_spans(spans: Iterable[Span], lexicon: Lexicon | None = None) -> str:
    """The spoken form of a run of spans: ``{显示|读作}`` parts as written, the rest normalised."""
    return "".join(reading.spoken for reading in explain(spans, lexicon))
