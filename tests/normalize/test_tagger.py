"""The tagger: spans and their classes, what is never touched, the lexicon, and the public API."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.script import parse_inline
from pipeline.speech.normalize import Lexicon, ReadingError, explain, load_lexicon, normalize, speak_spans, tag


def test_spans_with_their_classes_rebuild_the_text() -> None:
    text = "2019年以来，拨打135-4567-8900，罚款28,000元，-10℃，第2条，2名民警，APP"
    readings = tag(text)
    assert "".join(r.written for r in readings) == text
    assert [(r.written, r.kind) for r in readings if r.kind != "text"] == [
        ("2019年", "date"),
        ("135-4567-8900", "telephone"),
        ("28,000元", "money"),
        ("-10℃", "measure"),
        ("第2条", "ordinal"),
        ("2", "cardinal"),
        ("APP", "letters"),
    ]


@pytest.mark.parametrize(
    "title",
    ["《中华人民共和国刑法修正案（十一）》", "《2023年工作报告》", "《关于办理APP违法案件的意见》", "《第1号令》"],
)
def test_nothing_of_a_title_is_touched(title: str) -> None:
    assert normalize(f"依据{title}第3条") == f"依据{title}第三条"
    assert [r.kind for r in tag(title)] == ["title"]


def test_nothing_of_an_override_is_touched() -> None:
    spans = parse_inline("{2023年|二零二三年}拨打{12345|一二三四五}，共2人")
    assert speak_spans(spans) == "二零二三年拨打一二三四五，共两人"
    assert [(r.written, r.kind, r.spoken) for r in explain(spans) if r.kind != "text"] == [
        ("2023年", "override", "二零二三年"),
        ("12345", "override", "一二三四五"),
        ("2", "cardinal", "两"),
    ]


def test_full_width_digits_and_letters_are_read_and_kept_as_written_in_the_spans() -> None:
    readings = tag("拨打１２３４５，ＡＰＰ")
    assert "".join(r.spoken for r in readings) == "拨打幺二三四五，A P P"
    assert [r.written for r in readings if r.kind != "text"] == ["１２３４５", "ＡＰＰ"]


def test_lexicon_applies_before_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text("# written\tspoken\n抚宁\t抚宁\n单县\t善县\n110号院\t一一零号院\n", encoding="utf-8")
    lexicon = load_lexicon(path)
    assert normalize("单县的110号院", lexicon) == "善县的一一零号院"
    assert [r.kind for r in tag("单县的110号院", lexicon)] == ["lexicon", "text", "lexicon"]


def test_bad_lexicon_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text("单县\t善县\n没有制表符\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"lexicon.tsv:2: error: a lexicon line is 'written<TAB>spoken'"):
        load_lexicon(path)


def test_missing_lexicon_is_empty(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path / "none.tsv") == Lexicon()


def test_the_old_names_are_still_importable() -> None:
    from pipeline.speech.normalize import (  # noqa: F401
        DIGITS,
        HOTLINES,
        MEASURES,
        PHONE_DIGITS,
        YEAR_DIGITS,
        cardinal,
        decimal,
        digit_by_digit,
    )


def test_any_mix_of_digits_and_signs_is_read_or_rejected_in_one_line() -> None:
    alphabet = "0123456789０１-−+±:：.,/%‰℃°年月日号第条之元万亿￥$kgmlL²㎡《》（）拨打限速约比分以 APx×~—至≥<=#、"
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        try:
            readings = tag(text)
        except ReadingError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("cannot read the number ")
            continue
        assert "".join(r.written for r in readings) == text
