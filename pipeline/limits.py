"""Every limit pufa puts on its inputs, in one place, each with the reason for its value.

A limit is checked before any work starts, by ``pufa check`` and ``pufa build`` alike, so a
hostile or careless input costs a stat, a header or a few kilobytes of parsing, never a hang
or gigabytes of memory. A breach is reported as one line naming the file, the line and the
limit. The README's "Limits" table lists the same values (a test keeps the two in step).

Also here: the YAML loader scripts' front matter goes through (no anchors or aliases, a
nesting limit, integers in range), the picture header check, and streamed file hashing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, UnidentifiedImageError

from pipeline.i18n import _, chinese_now


@dataclass(frozen=True)
class Limit:
    """One limit: its value in ``unit``, what it bounds and why it is set where it is."""

    name: str
    value: int
    unit: str
    what: str
    reason: str


SCRIPT_BYTES = Limit(
    "script_bytes",
    256 * 1024,
    "bytes",
    "size of a script file",
    "a ten-minute episode is about 10 KB of Markdown; more is a wrong file, not a script",
)
SCENES = Limit(
    "scenes",
    60,
    "scenes",
    "scenes in one episode",
    "episodes have 3 to 8 scenes; each scene costs a synthesis request and screen states",
)
PARAGRAPH_CHARS = Limit(
    "paragraph_chars",
    3000,
    "characters",
    "characters in one paragraph or law card",
    "12 minutes of speech at 4 syllables a second, longer than a whole episode may be",
)
FIELD_CHARS = Limit(
    "field_chars",
    200,
    "characters",
    "characters in one front-matter text (title, topic, a law, a tag)",
    "the longest law title is under 40 characters; covers and posts show a few dozen",
)
LIST_ITEMS = Limit(
    "list_items",
    50,
    "items",
    "items in a front-matter list (laws, tags)",
    "an episode cites a few articles and carries a few tags; each item is checked and shown",
)
EPISODE_SECONDS = Limit(
    "episode_seconds",
    600,
    "seconds",
    "estimated narration of an episode, at 4 syllables a second plus pauses for punctuation",
    "the series target is 1 to 3 minutes; ten minutes bounds the audio and video a build holds",
)
NARRATION_SECONDS = Limit(
    "narration_seconds",
    1200,
    "seconds",
    "real narration length, checked scene by scene while it is synthesised",
    "twice the estimate limit, for a slow voice; stops a run-away WAV long before the 4 GB WAV limit",
)
YAML_DEPTH = Limit(
    "yaml_depth",
    8,
    "levels",
    "nesting of lists and mappings in the front matter",
    "the front matter needs two levels (a list inside the mapping); deep nesting exhausts the parser's stack",
)
EPISODE_NUMBER = Limit(
    "episode_number",
    99999,
    "",
    "largest episode number",
    "numbers name folders and SQLite rows; the series is at episode 1260",
)
PICTURE_PIXELS = Limit(
    "picture_pixels",
    50_000_000,
    "pixels",
    "pixels of a picture or logo (width x height), read from its header before decoding",
    "a 50-megapixel phone photo fits; decoding costs 3 to 4 bytes a pixel",
)
PICTURE_BYTES = Limit(
    "picture_bytes",
    100 * 1024 * 1024,
    "bytes",
    "size of a picture or logo file",
    "a 50-megapixel PNG is rarely over 100 MB; hashing and copying stay quick",
)
SOUND_BYTES = Limit(
    "sound_bytes",
    512 * 1024 * 1024,
    "bytes",
    "size of a music or stinger file",
    "an hour of music is under 150 MB; only as much as the episode needs is ever decoded",
)
LEXICON_ENTRIES = Limit(
    "lexicon_entries",
    5000,
    "entries",
    "entries in assets/lexicon.tsv",
    "a series lexicon holds a few hundred polyphones and place names; each is tried wherever the narration "
    "has its first character",
)
LEXICON_CHARS = Limit(
    "lexicon_chars",
    50,
    "characters",
    "characters in a written form or a reading in assets/lexicon.tsv",
    "a polyphone or place name is a few characters, a law's full name read for its short form under 30; "
    "no reading makes the narration over 50 times longer than written, so its limits hold before it is spoken",
)
TEXT_BYTES = Limit(
    "text_bytes",
    16 * 1024 * 1024,
    "bytes",
    "size of any other text file pufa reads (pufa.toml, a theme, the lexicon, a law text, wechat.toml, an export)",
    "the longest law, the Civil Code, is under 1 MB of text; a catalog export of 2,000 episodes about 3 MB",
)
ONLY_RANGES = Limit(
    "only_ranges",
    1000,
    "items",
    "numbers and ranges in --only",
    "ranges are matched, never expanded, so 1-1000000000 costs nothing; the list itself is bounded",
)

LIMITS: tuple[Limit, ...] = (
    SCRIPT_BYTES,
    SCENES,
    PARAGRAPH_CHARS,
    FIELD_CHARS,
    LIST_ITEMS,
    EPISODE_SECONDS,
    NARRATION_SECONDS,
    YAML_DEPTH,
    EPISODE_NUMBER,
    PICTURE_PIXELS,
    PICTURE_BYTES,
    SOUND_BYTES,
    LEXICON_ENTRIES,
    LEXICON_CHARS,
    TEXT_BYTES,
    ONLY_RANGES,
)

# Pillow's own guard: above this many pixels it warns, above twice it refuses to decode.
Image.MAX_IMAGE_PIXELS = PICTURE_PIXELS.value

SPOKEN_CHARS_PER_SECOND = 4.0
_SILENT = re.compile(r"[\s\W_]+", re.UNICODE)
# Characters a terminal or a one-line field must never carry: C0 and C1 controls and DEL,
# including the information separators U+001C–U+001F that str.splitlines() breaks on.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def estimate_seconds(spoken: str) -> float:
    """Narration time of ``spoken`` text, in seconds: syllables at a presenter's pace plus punctuation pauses."""
    syllables = len(_SILENT.sub("", spoken))
    pauses = 0.4 * sum(spoken.count(c) for c in "。！？；") + 0.2 * sum(spoken.count(c) for c in "，、：")
    return syllables / SPOKEN_CHARS_PER_SECOND + pauses


def narration_problem(seconds: float) -> str | None:
    """The message for ``seconds`` of estimated narration over ``episode_seconds``, or None within it."""
    if seconds <= EPISODE_SECONDS.value:
        return None
    return _("about {seconds:.0f} s of narration; the limit is {value} s ({name}); split the episode").format(
        seconds=seconds, value=EPISODE_SECONDS.value, name=EPISODE_SECONDS.name
    )


def size_word(value: int) -> str:
    """A byte count as people say it: 256 KB, 100 MB."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= size:
            return f"{value / size:g} {unit}"
    return f"{value} bytes"


# --- YAML -------------------------------------------------------------------------------------


class FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases, with a nesting limit and bounded integers.

    Aliases are refused before any node is constructed, so a "billion laughs" document
    costs only the parse of its few hundred bytes.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, _("aliases (*{anchor}) are not allowed in front matter").format(anchor=event.anchor), mark
            )
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, _("anchors (&{anchor}) are not allowed in front matter").format(anchor=event.anchor), mark
            )
        nesting = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nesting:
            self._depth += 1
            if self._depth > YAML_DEPTH.value:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    _("nested more than {value} levels deep (limit {name})").format(
                        value=YAML_DEPTH.value, name=YAML_DEPTH.name
                    ),
                    mark,
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nesting:
                self._depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = re.sub(r"[^0-9a-fA-F]", "", str(node.value))
        if len(digits) > 30:  # int() of thousands of digits is slow, and refused past 4300
            raise yaml.constructor.ConstructorError(
                None, None, _("the number {value}… is too large").format(value=str(node.value)[:20]), node.start_mark
            )
        value: int = super().construct_yaml_int(node)
        return value


FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", FrontMatterLoader.construct_yaml_int)


def load_front_matter(text: str) -> Any:
    """The YAML ``text`` as Python values; raises :class:`yaml.YAMLError` with a mark on any problem."""
    loader = FrontMatterLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# --- pictures ---------------------------------------------------------------------------------


def picture_problem(path: Path) -> str | None:
    """Why ``path`` cannot be used as a picture, or None. Bounded work: a stat, the header, a reduced decode.

    The pixel count comes from the header before anything is decoded; a file that is not a
    picture, or is cut short, is found by decoding it: a JPEG as a reduced draft (an eighth of
    each side), any other format whole, which the pixel limit bounds (4 bytes a pixel at most).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _("not readable: {strerror}").format(strerror=exc.strerror)
    if size > PICTURE_BYTES.value:
        return _("too large: {size_word}; the limit is {size_word2} ({name})").format(
            size_word=size_word(size), size_word2=size_word(PICTURE_BYTES.value), name=PICTURE_BYTES.name
        )
    return _picture_problem(str(path), size, path.stat().st_mtime_ns)


_checked: dict[tuple[str, int, int, bool], str | None] = {}


def _picture_problem(path: str, size: int, mtime_ns: int) -> str | None:
    key = (path, size, mtime_ns, chinese_now())  # the answer is a message, in the language asked for
    if key not in _checked:
        _checked[key] = _inspect_picture(path)
    return _checked[key]


def _inspect_picture(path: str) -> str | None:
    import warnings

    guard = Image.MAX_IMAGE_PIXELS
    # Pillow's own guard would refuse before saying how big; the header's size is checked here instead.
    Image.MAX_IMAGE_PIXELS = None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                Image.MAX_IMAGE_PIXELS = guard
                width, height = image.size
                if width * height > PICTURE_PIXELS.value:
                    return _(
                        "too large: {width}x{height} = {value:,} pixels; the limit is {value2:,} "
                        "({name}); scale it down"
                    ).format(
                        width=width,
                        height=height,
                        value=width * height,
                        value2=PICTURE_PIXELS.value,
                        name=PICTURE_PIXELS.name,
                    )
                if image.format == "JPEG":
                    image.draft("RGB", (max(width // 8, 1), max(height // 8, 1)))
                # Decoded whole (a JPEG at an eighth of its size): verify() only checks a PNG's chunk
                # sums, so a GIF, TIFF or BMP cut short, or a PNG whose data is garbage with the right
                # sums, passed it and failed in the build. The pixel limit bounds what this holds.
                image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return _("too large: over {value:,} pixels ({name}); scale it down").format(
                value=PICTURE_PIXELS.value, name=PICTURE_PIXELS.name
            )
        except UnidentifiedImageError:
            return _("not a picture pufa can read (unknown format; save it as PNG or JPEG)")
        except (OSError, SyntaxError, ValueError, EOFError):
            return _("not a picture pufa can read (damaged or cut short; export it again)")
        finally:
            Image.MAX_IMAGE_PIXELS = guard
    return None


# --- files ------------------------------------------------------------------------------------


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks: memory stays constant whatever its size."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
