"""Every row of tests/cases/readings.tsv (copied from the cases handed in with issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.speech.normalize import normalize, unreadable

ROWS = [
    tuple(line.split("\t"))
    for line in (Path(__file__).parents[1] / "cases" / "readings.tsv").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.mark.parametrize(("written", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_reading(written: str, expected: str) -> None:
    override = re.search(r"\{(.)\|(.+?)\}", expected)
    if expected.startswith("(") and override:
        # A character the voice cannot read: check warns and suggests the override.
        found = unreadable(written)
        assert [u.override for u in found] == [override[0]]
    else:
        assert normalize(written) in expected.split(" | ")


def test_there_are_rows() -> None:
    assert len(ROWS) >= 13
