"""Episode scripts: Markdown with YAML front matter, parsed into a frozen :class:`Episode`.

Every problem in a file is collected and raised together as one :class:`ScriptError`,
each as ``path:line: error: message``. What editors type by habit is understood, never
spoken or shown raw: ``**重点**``/``*重点*``/``__重点__``/``_重点_`` are highlights
(:attr:`Span.emphasis`), ``- ``/``* ``/``+ ``/``1. `` lines are a list of points
(a ``points`` :class:`Block`), and a rule line (``---``, ``***``, ``___``) inside a scene is
an error naming its line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml

from pipeline import ime, limits
from pipeline.errors import Diagnostic, ScriptError, display_path
from pipeline.fsutil import inside, resolved
from pipeline.i18n import _

STATUSES = ("draft", "final")
_OVERRIDE = re.compile(r"[{｛]([^{}｛｝|｜]*)[|｜]([^{}｛｝|｜]*)[}｝]")
_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)]+)\)$")
_HEADING = re.compile(r"^(?P<marks>#+)\s*(?P<label>.*)$")
_SLUG_UNSAFE = re.compile(r"[^\w\-]+")
_FIELD_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*[:：]")


@dataclass(frozen=True)
class Span:
    """A run of text as shown in captions and as given to the voice.

    ``shown`` never holds Markdown markers: ``**非常重要**`` becomes ``Span("非常重要",
    "非常重要", emphasis=True)``.

    - ``fixed``: the span comes from ``{显示|读作}``; it is never split across captions and
      its ``spoken`` form is used as written.
    - ``emphasis``: the editor marked the words as a highlight (``**x**``, ``__x__``, ``*x*``
      or ``_x_``, all the same). The voice reads them like any other words; the picture
      stage may draw them highlighted (captions show them plain).
    """

    shown: str
    spoken: str
    fixed: bool = False
    emphasis: bool = False


@dataclass(frozen=True)
class Point:
    """One item of a list of points: its words, its script line and the marker the editor typed.

    ``marker`` is ``"-"``, ``"*"``, ``"+"`` or ``"•"`` for a bullet, or the number of an ordered
    item (``"1"`` for ``1.``/``1、``); it is neither spoken nor shown in captions, and the picture
    stage may use it to number the point cards.
    """

    spans: tuple[Span, ...]
    line: int
    marker: str = "-"

    @property
    def shown(self) -> str:
        return "".join(s.shown for s in self.spans)

    @property
    def spoken(self) -> str:
        return "".join(s.spoken for s in self.spans)


BlockKind = Literal["narration", "law", "points"]


@dataclass(frozen=True)
class Block:
    """A paragraph of a scene, in one of three kinds.

    - ``narration``: spoken and captioned.
    - ``law``: a law card, a ``>`` quote shown as a panel while it is narrated.
    - ``points``: a list (``- 第一…`` lines); ``points`` holds one :class:`Point` per item, in
      order, and each point gets its own captions (one caption when it fits). ``spans`` is the
      points' spans one after another, so code that wants the whole text (the spoken-form
      notes, the duration estimate) treats it like any paragraph.

    ``line`` is the script line of the block's first line (1-based).
    """

    kind: BlockKind
    spans: tuple[Span, ...]
    line: int
    points: tuple[Point, ...] = ()

    @property
    def parts(self) -> tuple[tuple[Span, ...], ...]:
        """What is captioned separately: each point of a list, else the whole block."""
        return tuple(p.spans for p in self.points) if self.points else (self.spans,)

    @property
    def shown(self) -> str:
        return "".join(s.shown for s in self.spans)

    @property
    def spoken(self) -> str:
        return "".join(s.spoken for s in self.spans)


@dataclass(frozen=True)
class Scene:
    label: str
    line: int
    blocks: tuple[Block, ...]
    image: Path | None = None


@dataclass(frozen=True)
class Episode:
    """A parsed script. ``notes`` are what the parser accepted but a reviewer should know
    (input-method characters read as their ASCII form), as ``severity="note"`` diagnostics."""

    path: Path
    number: int
    title: str
    topic: str
    laws: tuple[str, ...]
    tags: tuple[str, ...]
    voice: str | None
    status: str
    scenes: tuple[Scene, ...]
    source_digest: str
    number_line: int = 1
    short_title: str | None = None
    music: str | None = None
    field_lines: tuple[tuple[str, int], ...] = ()
    summary: str | None = None  # the post's description (summary:), for the channels; never rendered
    notes: tuple[Diagnostic, ...] = ()

    def line_of(self, field: str) -> int:
        """The line of a front-matter field, for messages about it."""
        return dict(self.field_lines).get(field, 1)

    @property
    def slug(self) -> str:
        """The output folder name: ``<NNNN>-<script file stem without a leading number>``."""
        stem = re.sub(rf"^0*{self.number}[-_ ]*", "", self.path.stem)
        stem = _SLUG_UNSAFE.sub("-", stem).strip("-")
        return f"{self.number:04d}-{stem}" if stem else f"{self.number:04d}"


@dataclass(frozen=True)
class _Field:
    kind: str
    required: bool


FIELDS: dict[str, _Field] = {
    "episode": _Field("int", True),
    "title": _Field("str", True),
    "topic": _Field("str", True),
    "laws": _Field("list", False),
    "tags": _Field("list", False),
    "voice": _Field("str", False),
    "status": _Field("str", False),
    "short_title": _Field("str", False),
    "music": _Field("str", False),
    "summary": _Field("str", False),
}

GlyphCheck = Callable[[str], list[str]]
_UNKNOWN_SHOWN = 10  # unknown fields named one by one; the rest are counted in one line


class Report(Protocol):
    def __call__(self, line: int, message: str, column: int = 0) -> None: ...


def _ignore(line: int, message: str, column: int = 0) -> None:
    return None


def parse_script(path: Path, missing_glyphs: GlyphCheck | None = None, *, root: Path | None = None) -> Episode:
    """Parse one script; raise :class:`ScriptError` listing every problem found in it.

    With ``root`` (the project folder), a picture outside it is refused before it is opened:
    a link to /etc/passwd or /proc/self/environ is never read.
    """
    try:
        with path.open("rb") as handle:
            # One byte more than the limit is enough to know the file is over it.
            data = handle.read(limits.SCRIPT_BYTES.value + 1)
    except OSError as exc:
        raise ScriptError(
            [Diagnostic(path, 1, _("cannot read the file: {strerror}").format(strerror=exc.strerror))]
        ) from None
    if len(data) > limits.SCRIPT_BYTES.value:
        size = limits.size_word(limits.SCRIPT_BYTES.value)
        message = _("the file is over {size}, the limit for a script ({name})").format(
            size=size, name=limits.SCRIPT_BYTES.name
        )
        raise ScriptError([Diagnostic(path, 1, message)])
    return parse_script_bytes(path, data, missing_glyphs, root=root)


def parse_script_bytes(
    path: Path, data: bytes, missing_glyphs: GlyphCheck | None = None, *, root: Path | None = None
) -> Episode:
    problems: list[Diagnostic] = []
    notes: list[Diagnostic] = []

    def report(line: int, message: str, column: int = 0) -> None:
        problems.append(Diagnostic(path, line, message, column=column))

    def note(line: int, message: str, column: int = 0) -> None:
        notes.append(Diagnostic(path, line, message, severity="note", column=column))

    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScriptError(
            [
                Diagnostic(
                    path,
                    line,
                    _("not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8").format(byte=data[exc.start]),
                )
            ]
        ) from None
    if not text.strip():
        raise ScriptError(
            [Diagnostic(path, 1, _("the file is empty; a script needs front matter and at least one scene"))]
        )
    _check_name(path)
    for row, content in enumerate(text.split("\n"), start=1):
        control = limits.CONTROL.search(content.rstrip("\r").replace("\t", " "))
        if control:
            message = _("control character U+{code:04X} in the text; remove it").format(code=ord(control[0]))
            raise ScriptError([Diagnostic(path, row, message, column=control.start() + 1)])

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front, body_start = _split_front_matter(lines, report, note)
    fields = _parse_front_matter(front, report, note) if front is not None else {}
    scenes = _parse_body(lines, body_start, path, report, missing_glyphs, note, root)
    _check_size(scenes, report)
    if missing_glyphs is not None:
        for key in ("title", "topic"):
            value = fields.get(key)
            if isinstance(value, str):
                line = _field_line(front or [], key)
                _check_glyphs(value, line, report, missing_glyphs, lines[line - 1] if line > 1 else "")

    if problems:
        raise ScriptError(problems)
    return Episode(
        path=path,
        number=fields["episode"],
        title=fields["title"].strip(),
        topic=fields["topic"].strip(),
        laws=tuple(fields.get("laws") or ()),
        tags=tuple(fields.get("tags") or ()),
        voice=fields.get("voice"),
        status=fields.get("status") or "draft",
        scenes=tuple(scenes),
        source_digest=_render_digest(lines, front),
        number_line=_field_line(front or [], "episode"),
        short_title=(fields.get("short_title") or "").strip() or None,
        music=(fields.get("music") or "").strip() or None,
        summary=(fields.get("summary") or "").strip() or None,
        field_lines=tuple((key, _field_line(front or [], key)) for key in FIELDS),
        notes=tuple(notes),
    )


def _render_digest(lines: list[str], front: list[str] | None) -> str:
    """The digest of what a build renders from the script: every line except ``status:``.

    Review is recorded in the catalog's review trail, not rendered, so a script that still
    says ``status: final`` (or stops saying it) does not make its episode out of date.
    """
    status_line = _field_line(front or [], "status")
    kept = [line for number, line in enumerate(lines, start=1) if status_line == 1 or number != status_line]
    return hashlib.sha256("\n".join(kept).encode("utf-8")).hexdigest()


def _split_front_matter(lines: list[str], report: Report, note: Report) -> tuple[list[str] | None, int]:
    """The front-matter lines (from line 2) and the index of the first body line."""
    if not ime.is_fence(lines[0]):
        report(1, _("the file must start with '---' and front matter (episode, title, topic)"))
        return None, 0
    ime.fence_note(lines[0], 1, note)
    for index in range(1, len(lines)):
        if ime.is_fence(lines[index]):
            ime.fence_note(lines[index], index + 1, note)
            return lines[1:index], index + 1
    report(1, _("the front matter opened on line 1 is never closed with '---'"))
    return None, len(lines)


def _field_line(front: list[str], key: str) -> int:
    for offset, line in enumerate(front):
        match = _FIELD_LINE.match(line)
        if match and match["key"] == key:
            return offset + 2
    return 1


def _parse_front_matter(front: list[str], report: Report, note: Report) -> dict[str, Any]:
    front = [ime.front_matter_line(text, index + 2, set(FIELDS), note) for index, text in enumerate(front)]
    seen: dict[str, int] = {}
    for index, text in enumerate(front):
        match = _FIELD_LINE.match(text)
        if match is None:
            continue
        if match["key"] in seen:
            report(
                index + 2,
                _("'{key}' is given twice (also on line {seen}); keep one").format(
                    key=match["key"], seen=seen[match["key"]]
                ),
            )
        seen.setdefault(match["key"], index + 2)
    try:
        loaded = limits.load_front_matter("\n".join(front))
    except yaml.YAMLError as exc:
        line, message = _yaml_problem(exc, front)
        report(line, _("front matter: {message}").format(message=message))
        return {}
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        report(2, _("front matter must be 'key: value' lines (episode, title, topic, ...)"))
        return {}

    accepted: dict[str, Any] = {}
    unknown: list[int] = []  # lines of unknown fields: the first few are named, the rest counted
    for key, value in loaded.items():
        line = seen.get(str(key), 1)  # looked up, not searched: thousands of keys cost no more than a scan
        spec = FIELDS.get(str(key))
        if spec is None:
            unknown.append(line)
            if len(unknown) <= _UNKNOWN_SHOWN:
                report(line, _("unknown field '{key}' (known: {items})").format(key=key, items=", ".join(FIELDS)))
            continue
        if spec.kind == "int" and isinstance(value, str) and value.strip().isdigit() and not value.isascii():
            note(line, _("full-width digits in '{key}' read as {value}").format(key=key, value=int(value)))
            value = int(value)
        problem = _field_problem(str(key), spec.kind, value)
        if value is None and spec.required:
            report(line, _("'{key}' is empty; write its value after the colon").format(key=key))
        elif problem:
            report(line, problem)
        elif value is not None:
            accepted[str(key)] = [str(v).strip() for v in value] if spec.kind == "list" else value
    if len(unknown) > _UNKNOWN_SHOWN:
        report(
            unknown[_UNKNOWN_SHOWN], _("and {count} more unknown fields").format(count=len(unknown) - _UNKNOWN_SHOWN)
        )
    for key, spec in FIELDS.items():
        if spec.required and key not in loaded:
            report(1, _("missing field '{key}' in the front matter").format(key=key))
    return accepted


def _yaml_problem(exc: yaml.YAMLError, front: list[str]) -> tuple[int, str]:
    """The line to change and what to do, in an editor's words, for a YAML error in the front matter."""
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    context = str(getattr(exc, "context", None) or "")
    at_problem = problem_mark.line + 2 if problem_mark is not None else 1
    at_context = context_mark.line + 2 if context_mark is not None else at_problem
    text = front[at_problem - 2] if 0 <= at_problem - 2 < len(front) else ""
    key, _colon, value = text.partition(":")
    if "flow sequence" in context:
        return at_context, _("the list opened with '[' on this line is never closed with ']'")
    if "flow mapping" in context:
        return at_context, _("'{' starts a value here; put the value in quotes, e.g. title: \"{…}\"")
    if "quoted scalar" in context:
        return at_context, _("the quote opened on this line is never closed")
    if "simple key" in context:
        return at_context, _("this line is not 'field: value'; write it like 'title: 标题'")
    if problem.startswith("mapping values are not allowed"):
        if text[:1].isspace():
            return at_problem, _("this line is indented; a field starts at the beginning of its line")
        return at_problem, _("a ':' inside the value; put the value in quotes: {key}: \"{value}\"").format(
            key=key.strip(), value=value.strip()
        )
    if problem.startswith("expected <block end>"):
        return at_problem, _("this line's indentation does not match the lines above; list items are '  - item'")
    if any(
        phrase in problem
        for phrase in ("cannot start any token", "found undefined alias", "expected alphabetic or numeric")
    ):
        start = value.strip()[:1] or "?"
        return at_problem, _("a value cannot start with '{start}'; put it in quotes: {key}: \"{value}\"").format(
            start=start, key=key.strip(), value=value.strip()
        )
    return at_problem, _("not valid YAML: {problem}").format(problem=problem)


def _field_problem(key: str, kind: str, value: Any) -> str | None:
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return _("'{key}' must be a whole number like 1260, not {value!r}").format(key=key, value=value)
        if value <= 0:
            return _("'{key}' must be positive, not {value}").format(key=key, value=value)
        if value > limits.EPISODE_NUMBER.value:
            return _("'{key}' must be at most {value} ({name}), not {value2}").format(
                key=key, value=limits.EPISODE_NUMBER.value, name=limits.EPISODE_NUMBER.name, value2=value
            )
    if kind == "str" and value is not None:
        if not isinstance(value, str) or not value.strip():
            return _("'{key}' must be text, not {value!r}").format(key=key, value=value)
        problem = _text_problem(key, value)
        if problem:
            return problem
        if key == "status" and value not in STATUSES:
            return _("'status' must be one of {items}, not {value!r}").format(items=", ".join(STATUSES), value=value)
    if kind == "list" and value is not None:
        if isinstance(value, list) and len(value) > limits.LIST_ITEMS.value:
            return f"'{key}' has {len(value)} items; the limit is {limits.LIST_ITEMS.value} ({limits.LIST_ITEMS.name})"
        if not _is_text_list(value):
            return _("'{key}' must be a list of text items like [a, b], not {short_repr}").format(
                key=key, short_repr=_short_repr(value)
            )
        for item in value:
            problem = _text_problem(key, str(item))
            if problem:
                return problem
    return None


def _text_problem(key: str, value: str) -> str | None:
    """A front-matter text is one line of a sane length: no control characters, no line breaks."""
    control = limits.CONTROL.search(value)
    if control:
        return _("'{key}' contains the control character U+{code:04X}; write it on one line without it").format(
            key=key, code=ord(control[0])
        )
    if len(value) > limits.FIELD_CHARS.value:
        return _("'{key}' has {count} characters; the limit is {value} ({name})").format(
            key=key, count=len(value), value=limits.FIELD_CHARS.value, name=limits.FIELD_CHARS.name
        )
    return None


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_name(path: Path) -> None:
    """A file name that is not valid UTF-8 (undecodable bytes the OS handed over) cannot name outputs or rows."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        shown = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        message = _("the file name '{shown}' is not valid UTF-8; rename the file").format(shown=shown)
        raise ScriptError([Diagnostic(path, 1, message)]) from None


def _check_size(scenes: list[Scene], report: Report) -> None:
    """The limits on an episode's size, checked before anything is split, spoken or drawn."""
    if len(scenes) > limits.SCENES.value:
        extra = scenes[limits.SCENES.value]
        report(
            extra.line,
            _("{count} scenes; the limit is {value} ({name}); split the episode").format(
                count=len(scenes), value=limits.SCENES.value, name=limits.SCENES.name
            ),
        )
        return
    seconds = 0.0
    for scene in scenes:
        for block in scene.blocks:
            if len(block.shown) > limits.PARAGRAPH_CHARS.value:
                report(
                    block.line,
                    (
                        _(
                            "a paragraph of {count} characters; the limit is {value} ({name}); break it into paragraphs"
                        ).format(
                            count=len(block.shown), value=limits.PARAGRAPH_CHARS.value, name=limits.PARAGRAPH_CHARS.name
                        )
                    ),
                )
                return
            seconds += limits.estimate_seconds(block.spoken)
    over = limits.narration_problem(seconds)
    if over:
        report(scenes[0].line if scenes else 1, over)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str | int) and str(v).strip() for v in value)


class _SceneDraft:
    def __init__(self, label: str, line: int) -> None:
        self.label = label
        self.line = line
        self.blocks: list[Block] = []
        self.image: Path | None = None


# A thematic break: three or more of the same mark, spaces allowed between them.
_RULE = re.compile(
    r"^(?:(?:[-－—–―─━][ \t\u3000]*){3,}|(?:[*＊][ \t\u3000]*){3,}|(?:[_＿][ \t\u3000]*){3,}|——|[=＝]{3,})$"
)
_LIST_ITEM = re.compile(
    r"^(?:(?P<bullet>[-*+•●])[ \t\u3000]+|(?P<number>\d{1,3})(?:[.)．）][ \t\u3000]+|[、．）][ \t\u3000]*(?!\d)))"
    r"(?:\[[ xX]\][ \t]+)?(?P<text>.*)$"
)


def _parse_body(
    lines: list[str],
    start: int,
    path: Path,
    report: Report,
    missing_glyphs: GlyphCheck | None,
    note: Report = _ignore,
    root: Path | None = None,
) -> list[Scene]:
    scenes: list[_SceneDraft] = []
    pending: list[tuple[int, str]] = []
    pending_kind: Literal["narration", "law"] = "narration"
    points: list[tuple[int, str, list[tuple[int, str]]]] = []  # (line, marker, [(line, text)])
    gap_in_list = False

    def add_block(block: Block) -> None:
        if not scenes:
            report(block.line, _("text before the first scene heading; start a scene with '## 标题'"))
        else:
            scenes[-1].blocks.append(block)

    def joined(raw_lines: list[tuple[int, str]]) -> list[Span]:
        spans: list[Span] = []
        for number, raw in raw_lines:
            if spans and raw and _needs_space(spans[-1].shown, raw):
                spans.append(Span(" ", " "))
            spans.extend(parse_inline(raw, number, report, note))
        return spans

    def flush() -> None:
        nonlocal pending, points, gap_in_list
        if points:
            items = [Point(tuple(joined(text)), line, marker) for line, marker, text in points]
            items = [item for item in items if item.shown.strip()]
            if items:
                every = tuple(span for item in items for span in item.spans)
                add_block(Block("points", every, items[0].line, tuple(items)))
            points, gap_in_list = [], False
        if pending:
            spans = joined(pending)
            if any(s.shown.strip() for s in spans):
                add_block(Block(pending_kind, tuple(spans), pending[0][0]))
            pending = []

    for number, raw in _without_comments(lines, start, report):
        stripped = ime.body_line(raw.strip(), number, note)
        heading = _HEADING.match(stripped)
        image = _IMAGE.match(stripped)
        item = _LIST_ITEM.match(stripped)
        if heading:
            flush()
            text = re.sub(r"\s#+$", "", heading["label"].strip())  # '## 开场 ##' closes with marks
            label = "".join(s.shown for s in parse_inline(text, number, report, note)).strip()
            if len(heading["marks"]) != 2:
                report(number, _("scene headings use '## ', not '{marks} '").format(marks=heading["marks"]))
            elif not label:
                report(number, _("a scene heading needs a label, e.g. '## 案例'"))
            scenes.append(_SceneDraft(label, number))
            if missing_glyphs is not None:
                _check_glyphs(label, number, report, missing_glyphs, raw)
        elif image:
            flush()
            _attach_image(scenes, image["src"].strip(), number, path, report, root)
        elif _RULE.match(stripped):
            flush()
            report(
                number,
                (
                    _(
                        "a rule line '{stripped}' is not part of a script; delete it (a blank line "
                        "separates paragraphs, '## 标题' starts a new scene)"
                    ).format(stripped=stripped)
                ),
            )
        elif stripped.startswith(">"):
            if pending_kind != "law" or points:
                flush()
                pending_kind = "law"
            content = stripped.lstrip(">").strip()
            law_item = _LIST_ITEM.match(content)
            content = law_item["text"].strip() if law_item else content
            if content:
                pending.append((number, content))
        elif not stripped:
            if points:
                gap_in_list = True
            else:
                flush()
        elif item:
            if not points:
                flush()
            gap_in_list = False
            points.append((number, item["bullet"] or item["number"], [(number, item["text"].strip())]))
        elif points and not gap_in_list:
            points[-1][2].append((number, stripped))  # a point continued on the next line
        else:
            if pending_kind != "narration" or points:
                flush()
                pending_kind = "narration"
            pending.append((number, stripped))
        if missing_glyphs is not None and not heading and not image:
            text = item["text"] if item else stripped.lstrip(">").strip()
            shown = _OVERRIDE.sub(lambda m: m[1], text)
            _check_glyphs(shown, number, report, missing_glyphs, raw)
    flush()

    if not scenes:
        report(
            start + 1 if start < len(lines) else 1, _("no scenes: add at least one '## 标题' heading with narration")
        )
    for draft in scenes:
        if not draft.blocks and draft.label:
            report(draft.line, _("scene '{label}' has no narration").format(label=draft.label))
    return [Scene(d.label, d.line, tuple(d.blocks), d.image) for d in scenes]


def _without_comments(lines: list[str], start: int, report: Report) -> Iterable[tuple[int, str]]:
    """Body lines with ``<!-- -->`` comments blanked out, keeping every line's number."""
    in_comment_since = 0
    for index in range(start, len(lines)):
        line, kept = lines[index], []
        position = 0
        while position < len(line):
            if in_comment_since:
                end = line.find("-->", position)
                if end < 0:
                    position = len(line)
                    continue
                in_comment_since, position = 0, end + 3
            else:
                begin = line.find("<!--", position)
                if begin < 0:
                    kept.append(line[position:])
                    break
                kept.append(line[position:begin])
                in_comment_since, position = index + 1, begin + 4
        yield index + 1, "".join(kept)
    if in_comment_since:
        report(in_comment_since, _("comment '<!--' is never closed with '-->'"))


def _attach_image(
    scenes: list[_SceneDraft], src: str, number: int, path: Path, report: Report, root: Path | None = None
) -> None:
    if not scenes:
        report(number, _("an image before the first scene heading; put it under a '## ' heading"))
        return
    if scenes[-1].image is not None:
        report(number, _("a scene can have one picture; this scene already has one"))
        return
    target = resolved(path.parent / src)
    if root is not None and not inside(target, root):
        # Refused before anything is opened: a project is one folder, and a link out of it may name anything.
        report(number, _("{src} is outside the project folder; copy it into assets/images/").format(src=src))
        return
    if not target.exists():
        report(number, _("image not found: {src}").format(src=src))
        return
    if not target.is_file():
        report(number, _("{src} is not a file (a folder, device or pipe); name a picture file").format(src=src))
        return
    problem = limits.picture_problem(target)
    if problem:
        report(number, _("{src} is {problem}").format(src=src, problem=problem))
        return
    scenes[-1].image = target


def parse_inline(raw: str, number: int = 1, report: Report | None = None, note: Report | None = None) -> list[Span]:
    """A line as spans, without its Markdown markers; problems go to ``report`` when one is given.

    ``{显示|读作}`` becomes a fixed span; ``**x**``, ``__x__``, ``*x*`` and ``_x_`` become
    spans with ``emphasis`` set; ``\\*`` and ``\\_`` are a literal ``*`` and ``_``. A marker that
    is opened and never closed on its line is an error naming its column.
    """
    report = report or _ignore
    note = note or _ignore
    pieces = _emphasis_pieces(raw, number, report, note)
    spans: list[Span] = []
    for text, emphasis in pieces:
        position = 0
        for match in _OVERRIDE.finditer(text):
            wide = sorted({c for c in match[0] if c in "｛｜｝"}, key=match[0].index)
            if wide:
                note(
                    number,
                    _("{items} read as {{显示|读作}}").format(items=", ".join(ime.name(c) for c in wide)),
                    raw.find(match[0]) + 1,
                )
            spans.extend(_plain_spans(text[position : match.start()], number, report, emphasis))
            inner = _emphasis_pieces(match[1].strip(), number, report, note)  # {**3年**|三年}
            shown, spoken = "".join(t for t, _ in inner), match[2].strip().replace("*", "").replace("_", "")
            if not shown or not spoken:
                report(number, _("'{match}' needs both parts: {{显示|读作}}").format(match=match[0]))
            spans.append(Span(shown, spoken, fixed=True, emphasis=emphasis or any(e for _, e in inner)))
            position = match.end()
        spans.extend(_plain_spans(text[position:], number, report, emphasis))
    return spans


_DELIMITER = re.compile(
    r"\\[!-/:-@\[-`{-~]"  # a backslash escape: the character itself
    r"|[{｛][^{}｛｝|｜]*[|｜][^{}｛｝|｜]*[}｝]"  # {显示|读作}, handled after highlights
    r"|`+[^`]+`+"  # `code`: its words, plainly
    r"|!?\[[^\[\]]*\]\([^()\s]*\)"  # [a link](url): its words; ![a picture](…) belongs on its own line
    r"|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"  # an HTML tag: dropped
    r"|~~"
    r"|[*＊]+|[_＿]+"
)
_LINK = re.compile(r"^\[(?P<text>[^\[\]]*)\]\(")
_ASCII_MARK = str.maketrans("＊＿", "*_")


def _emphasis_pieces(raw: str, number: int, report: Report, note: Report = _ignore) -> list[tuple[str, bool]]:
    """``raw`` cut into (text, emphasised) pieces, with the emphasis markers taken out.

    A run of ``*`` or ``_`` opens when a non-space follows it and closes when a non-space
    precedes it, as in CommonMark; ``_`` inside a Latin word (``file_name``) and ``*``
    between digits (``3*4``) are plain characters. Bold and italic are one kind of highlight.
    Full-width ``＊＊重点＊＊`` typed with an input method is read the same, with a note; a
    full-width mark that pairs with nothing is an ordinary character (张＊＊ hides a name).
    """
    marks: dict[int, tuple[str, int]] = {}  # index in parts → (run as ASCII, column)
    parts: list[tuple[str, str]] = []
    position = 0
    struck = False
    for match in _DELIMITER.finditer(raw):
        if match.start() > position:
            parts.append(("text", raw[position : match.start()]))
        token = match[0]
        before = raw[match.start() - 1] if match.start() else " "
        after = raw[match.end()] if match.end() < len(raw) else " "
        latin = before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
        run = token.translate(_ASCII_MARK)
        link = _LINK.match(token)
        if token.startswith("!["):
            report(number, _("a picture goes on a line of its own: ![说明](path)"), match.start() + 1)
        elif token[0] == "<":
            note(number, _("HTML tag '{token}' ignored").format(token=token), match.start() + 1)
        elif token[0] == "\\":
            parts.append(("text", token[1]))
        elif token[0] == "`":
            parts.append(("text", token.strip("`")))
        elif link:
            parts.append(("text", link["text"]))
        elif token == "~~":
            if not struck:
                fix = _("delete the struck words, or the '~~' to keep them")
                report(
                    number,
                    _("'~~' (struck-through text) is not part of a script; {fix}").format(fix=fix),
                    match.start() + 1,
                )
            struck = True
        elif (
            token[0] in "{｛"
            or (run[0] == "_" and latin)
            or (run == "*" and before.isdigit() and after.isdigit())
            or (before.isspace() and after.isspace())
        ):
            parts.append(("text", token))
        else:
            marks[len(parts)] = (run, match.start())
            parts.append(("mark", token))
        position = match.end()
    if position < len(raw):
        parts.append(("text", raw[position:]))

    opened: list[int] = []
    pairs: list[tuple[int, int]] = []
    for index, (run, column) in marks.items():
        before = raw[column - 1] if column else " "
        after_at = column + len(run)
        after = raw[after_at] if after_at < len(raw) else " "
        partner = next((i for i in reversed(opened) if marks[i][0] == run), None)
        if not before.isspace() and partner is not None:
            opened = opened[: opened.index(partner)]
            pairs.append((partner, index))
        elif not after.isspace():
            opened.append(index)
        else:
            parts[index] = ("text", parts[index][1])
    for index in opened:
        token = parts[index][1]
        if token != marks[index][0]:
            parts[index] = ("text", token)  # a full-width mark that pairs with nothing: a character
            continue
        escaped = "".join(f"\\{c}" for c in token)
        fix = _("write {token}重点{token}, or {escaped} for the characters themselves, or delete the '{token}'").format(
            token=token, escaped=escaped
        )
        report(
            number,
            _("'{token}' opens a highlight that is never closed on this line; {fix}").format(token=token, fix=fix),
            marks[index][1] + 1,
        )
        parts[index] = ("mark", "")
    inside = [False] * len(parts)
    for begin, close in pairs:
        for i in range(begin + 1, close):
            inside[i] = True
        wide = parts[begin][1] + parts[close][1]
        if wide != wide.translate(_ASCII_MARK):
            char = next(c for c in wide if c in "＊＿")
            message = _("{name} read as a highlight mark '{translate}'").format(
                name=ime.name(char), translate=char.translate(_ASCII_MARK)
            )
            note(number, message, marks[begin][1] + 1)
    pieces: list[tuple[str, bool]] = []
    for (kind, value), emphasis in zip(parts, inside, strict=True):
        if kind != "text" or not value:
            continue
        if pieces and pieces[-1][1] == emphasis:
            pieces[-1] = (pieces[-1][0] + value, emphasis)
        else:
            pieces.append((value, emphasis))
    return pieces


def _plain_spans(text: str, number: int, report: Report, emphasis: bool = False) -> list[Span]:
    if any(c in text for c in "{}｛｝"):
        report(number, _("unmatched '{' or '}'; a pronunciation is written {显示|读作}"))
        text = re.sub("[{}｛｝]", "", text)
    return [Span(text, text, emphasis=emphasis)] if text else []


def _needs_space(before: str, after: str) -> bool:
    return bool(before) and before[-1].isascii() and before[-1].isalnum() and after[0].isascii() and after[0].isalnum()


def _check_glyphs(text: str, line: int, report: Report, missing_glyphs: GlyphCheck, raw: str) -> None:
    for char in missing_glyphs(text):
        message = _("the caption font cannot draw '{char}' (U+{code:04X}); replace it or choose another font").format(
            char=char, code=ord(char)
        )
        report(line, message, raw.find(char) + 1)


def parse_scripts(
    paths: Iterable[Path], missing_glyphs: GlyphCheck | None = None, *, root: Path | None = None
) -> tuple[list[Episode], dict[Path, ScriptError]]:
    """Parse many scripts; a bad file is recorded, the rest go on.

    Episode numbers must be unique: every file using a taken number fails, naming the other.
    """
    episodes: list[Episode] = []
    failures: dict[Path, ScriptError] = {}
    for path in paths:
        try:
            episodes.append(parse_script(path, missing_glyphs, root=root))
        except ScriptError as exc:
            failures[path] = exc
    by_number: dict[int, list[Episode]] = {}
    for episode in episodes:
        by_number.setdefault(episode.number, []).append(episode)
    unique: list[Episode] = []
    for episode in episodes:
        owners = by_number[episode.number]
        if len(owners) == 1:
            unique.append(episode)
            continue
        others = ", ".join(display_path(o.path) for o in owners if o is not episode)
        failures[episode.path] = ScriptError(
            [
                Diagnostic(
                    episode.path,
                    episode.number_line,
                    _("episode {number} is also used by {others}").format(number=episode.number, others=others),
                )
            ]
        )
    return sorted(unique, key=lambda e: e.number), failures
