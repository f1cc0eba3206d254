"""Characters the voice cannot read (outside GBK) and the override suggested for them."""

from __future__ import annotations

import pytest

from pipeline.speech.normalize import unreadable


@pytest.mark.parametrize(
    ("text", "override"),
    [("当事人𠮷田先生", "{𠮷|吉}"), ("王䶮", "{䶮|俨}"), ("咬𬌗", "{𬌗|合}"), ("字𰀀", "{𰀀|读音}")],
)
def test_a_rare_character_is_found_with_its_override(text: str, override: str) -> None:
    assert [u.override for u in unreadable(text)] == [override]


@pytest.mark.parametrize("text", ["张堃、李喆、王赟、周昇", "《中华人民共和国民法典》", "WiFi 2023年，￥100"])
def test_common_characters_and_symbols_are_readable(text: str) -> None:
    assert unreadable(text) == []


def test_the_place_of_each_rare_character_is_given() -> None:
    assert [(u.char, u.index) for u in unreadable("𠮷田与𠮷野")] == [("𠮷", 0), ("𠮷", 3)]
