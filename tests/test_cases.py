"""Every handed case script (tests/cases, copied from the field reports) has its expected outcome here.

The detailed checks live with their area: Markdown in test_markdown, input-method typing in
test_ime, pictures (pixel colours) in test_pictures, captions in test_caption_words and
test_example_captions. This table makes sure no case file is left without one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ScriptError
from pipeline.script import parse_script

CASES = Path(__file__).parent / "cases"

# case → error lines (a script that must be refused), or the number of notes of one accepted.
EXPECTED: dict[str, tuple[str, tuple[int, ...] | int]] = {
    "scripts/14-markdown-markup.md": ("errors", (12, 19)),
    "scripts/19-gray16-picture.md": ("notes", 0),
    "scripts/20-transparent-png.md": ("notes", 0),
    "scripts/21-word-split-across-captions.md": ("notes", 0),
    "scripts/22-long-title-caption-sync.md": ("notes", 0),
    "ime/fullwidth-fence.md": ("notes", 2),
    "ime/fullwidth-heading.md": ("notes", 2),
    "ime/fullwidth-yaml.md": ("notes", 2),
    "robustness/billion-laughs.md": ("errors", (2,)),
    "robustness/no-punctuation-2000.md": ("notes", 0),
}


def test_every_case_file_has_an_expected_outcome() -> None:
    found = sorted(str(p.relative_to(CASES)) for p in CASES.glob("*/*.md"))
    assert found == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case_outcome(case: str) -> None:
    kind, expected = EXPECTED[case]
    if kind == "errors":
        with pytest.raises(ScriptError) as caught:
            parse_script(CASES / case)
        assert tuple(d.line for d in caught.value.diagnostics) == expected
    else:
        assert len(parse_script(CASES / case).notes) == expected
