"""Characters typed with a Chinese input method where a script's structure needs ASCII.

With a Chinese input method switched on, ``#`` comes out as ``＃``, ``>`` as ``＞`` (or ``》``),
``:`` as ``：``, ``,`` as ``，``, ``---`` as ``———``, and a space as a full-width space. Left
alone they silently change an episode: a scene heading becomes spoken narration, a law card
escapes the law check, ``title：`` breaks the front matter. Each function here reads such a
line as its ASCII form and calls ``note(line, message, column)`` for every character it
read differently, so ``pufa check`` shows the editor what was understood; it never changes
the words of the narration.
"""

from __future__ import annotations

import re
from typing import Protocol


class Note(Protocol):
    def __call__(self, line: int, message: str, column: int = 0) -> None: ...


NAMES = {
    "＃": "full-width '＃'",
    "＞": "full-width '＞'",
    "》": "'》'",
    "：": "full-width colon '：'",
    "，": "full-width comma '，'",
    "、": "enumeration comma '、'",
    "；": "full-width semicolon '；'",
    "［": "full-width bracket '［'",
    "］": "full-width bracket '］'",
    "【": "bracket '【'",
    "】": "bracket '】'",
    "－": "full-width hyphen '－'",
    "—": "dash '—'",
    "–": "dash '–'",
    "＊": "full-width asterisk '＊'",
    "＋": "full-width plus '＋'",
    "＿": "full-width underscore '＿'",
    "！": "full-width '！'",
    "（": "full-width parenthesis '（'",
    "）": "full-width parenthesis '）'",
    "｛": "full-width brace '｛'",
    "｝": "full-width brace '｝'",
    "｜": "full-width bar '｜'",
    "\u3000": "full-width space",
    "\t": "tab",
}

# Fences and rules: three or more dashes of any width (or two em dashes, one IME keystroke).
FENCE = re.compile(r"^[ \t\u3000]*(?:[-－—–―─━]{3,}|——)[ \t\u3000]*$")
_KEY = re.compile(
    r"^(?P<indent>[ \t\u3000]*)(?P<key>[A-Za-z_][\w-]*)(?P<space>[ \t\u3000]*)(?P<colon>[:：])(?P<rest>.*)$"
)
_ITEM = re.compile(r"^(?P<indent>[ \t\u3000]*)(?P<dash>[-－—–])(?P<rest>[ \t\u3000].*)$")
_FLOW = re.compile(r"^(?P<open>[\[［【])(?P<inner>.*)(?P<close>[\]］】])$")
_OPEN_ASCII = {"［": "[", "【": "["}
_CLOSE_ASCII = {"］": "]", "】": "]"}
_SEPARATORS = "，、；"


def name(char: str) -> str:
    return NAMES.get(char, f"'{char}'")


def is_fence(line: str) -> bool:
    """Whether ``line`` is a front-matter fence, ``---`` or as an input method types it."""
    return bool(FENCE.match(line))


def fence_note(line: str, number: int, note: Note) -> None:
    if line.strip() != "---":
        char = next(c for c in line.strip() if c != "-")
        note(number, f"'{line.strip()}' read as the fence '---' ({name(char)}; type three hyphens '-')")


def front_matter_line(line: str, number: int, known: set[str], note: Note) -> str:
    """One front-matter line with the input method's structural characters read as YAML's ASCII."""
    indent = re.match(r"^[ \t\u3000]*", line)
    assert indent is not None
    if any(c in indent[0] for c in "\t\u3000"):
        char = "\t" if "\t" in indent[0] else "\u3000"
        note(number, f"{name(char)} in the indentation read as spaces", 1)
        line = indent[0].replace("\t", "  ").replace("\u3000", "  ") + line[len(indent[0]) :]
    item = _ITEM.match(line)
    if item and item["dash"] != "-":
        note(number, f"{name(item['dash'])} read as the list mark '-'", len(item["indent"]) + 1)
        line = f"{item['indent']}-{item['rest']}"
    key = _KEY.match(line)
    if key is None or key["key"] not in known:
        return line
    rest = key["rest"]
    column = len(key["indent"]) + len(key["key"]) + len(key["space"]) + 1
    if key["colon"] == "：":
        note(number, f"{name('：')} after '{key['key']}' read as ':'", column)
    elif rest and rest[0] not in " \t\u3000":
        note(number, f"no space after '{key['key']}:'; read as '{key['key']}: {rest.strip()}'", column)
    if rest[:1] == "\u3000" or rest.rstrip(" \t").endswith("\u3000"):
        note(number, f"{name(chr(0x3000))} around the value of '{key['key']}' ignored", column + 1)
    value = rest.strip(" \t\u3000")
    flow = _FLOW.match(value)
    if flow:
        value = _flow_list(flow, number, key["key"], note, column)
    return f"{key['indent']}{key['key']}: {value}" if value else f"{key['indent']}{key['key']}:"


def _flow_list(flow: re.Match[str], number: int, key: str, note: Note, column: int) -> str:
    """``[a，b]`` (and ``［a、b］``, ``【a，b】``) as YAML's ``[a, b]``, with a note for each kind read."""
    for char in (flow["open"], flow["close"]):
        if char in _OPEN_ASCII or char in _CLOSE_ASCII:
            note(number, f"{name(char)} in '{key}' read as '{_OPEN_ASCII.get(char) or _CLOSE_ASCII[char]}'", column)
    inner = flow["inner"]
    used = [c for c in _SEPARATORS if c in _outside_quotes(inner)]
    for char in used:
        note(number, f"{name(char)} in the '{key}' list read as ',' between items", column)
    if used:
        inner = _split_outside_quotes(inner, set(used))
    return f"[{inner}]"


def _outside_quotes(text: str) -> str:
    """``text`` with quoted parts removed, to look for separators between items only."""
    return re.sub(r"\"[^\"]*\"|'[^']*'", "", text)


def _split_outside_quotes(text: str, separators: set[str]) -> str:
    result: list[str] = []
    quote = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in separators:
            result.append(", ")
            continue
        result.append(char)
    return "".join(result)


# --- the body ------------------------------------------------------------------------------

_HEADING = re.compile(r"^[#＃]+")
_QUOTE = re.compile(r"^(?:＞|》(?=[\s\u3000《]))")
_BULLET = re.compile(r"^[－＊＋](?=[ \t\u3000])")
_IMAGE = re.compile(r"^[!！][\[［【](?P<alt>[^\]］】]*)[\]］】][(（](?P<src>[^)）]+)[)）]$")
_COMMENT = re.compile(r"^[<《＜][!！][-－—]{1,2}.*[-－—]{1,2}[>》＞]$")


def body_line(line: str, number: int, note: Note) -> str:
    """A stripped body line with the input method's Markdown marks at its start read as ASCII."""
    if _COMMENT.match(line):
        note(number, f"'{line[:4]}…{line[-3:]}' read as a comment '<!-- -->'", 1)
        return ""
    heading = _HEADING.match(line)
    if heading and "＃" in heading[0]:
        note(number, f"{name('＃')} read as '#': a scene heading (type '## ' with the English input method)", 1)
        return "#" * len(heading[0]) + line[len(heading[0]) :]
    quote = _QUOTE.match(line)
    if quote:
        char = quote[0]
        note(number, f"{name(char)} at the start of the line read as '>': a law card", 1)
        return ">" + line[1:]
    bullet = _BULLET.match(line)
    if bullet:
        note(number, f"{name(bullet[0])} read as the list mark '-': a point", 1)
        return "-" + line[1:]
    image = _IMAGE.match(line)
    if image and not line.startswith("!["):
        wide = sorted({c for c in line if c in "！［］【】（）"}, key=line.index)
        note(number, f"{', '.join(name(c) for c in wide)} read as '![…](…)': a picture", 1)
        return f"![{image['alt']}]({image['src']})"
    return line
