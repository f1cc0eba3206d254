"""The shape of every class's test table: written → spoken, and the class the tagger gives the span."""

from __future__ import annotations

from pipeline.speech.normalize import normalize, tag


def assert_reads(written: str, spoken: str, kind: str | None) -> None:
    """``written`` is read as ``spoken``, and (when ``kind`` is given) a span of it is tagged ``kind``."""
    assert normalize(written) == spoken
    if kind is not None:
        assert kind in {r.kind for r in tag(written)}, [(r.written, r.kind) for r in tag(written)]
