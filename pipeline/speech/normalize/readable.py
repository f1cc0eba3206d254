"""Characters the voice cannot read: rare 生僻字 outside the common CJK set the engines know.

The rule: a CJK ideograph that GBK cannot encode (the extension planes such as 𠮷 U+20BB7 and
most of Extension A such as 䶮) is not read reliably by edge-tts or eSpeak. For each one a
replacement of the same sound is suggested for a ``{字|读作}`` override: from a small table of
well-known variants, else (when pypinyin knows the character) the most common GB2312 character
with the same pinyin; else a placeholder the editor must fill in.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

# Rare characters met in names and legal texts, with the common character read the same way.
VARIANTS = {
    "𠮷": "吉",
    "䶮": "俨",
    "𬌗": "合",
    "𫖯": "府",
    "𡈼": "挺",
    "𬇙": "序",
    "𬳵": "平",
    "𬀩": "伟",
    "𬍤": "聿",
    "𫭟": "生",
    "𬣙": "徐",
    "𬤇": "举",
    "𫐓": "尧",
    "𬘘": "迅",
    "𫍣": "诣",
    "𬶍": "豆",
    "𫷷": "奥",
    "𪟝": "锡",
    "𬬸": "宣",
}
PLACEHOLDER = "读音"


@dataclass(frozen=True)
class Unreadable:
    """A character the voice cannot read, where it is (0-based index), and the override to suggest."""

    char: str
    index: int
    suggestion: str | None

    @property
    def override(self) -> str:
        return f"{{{self.char}|{self.suggestion or PLACEHOLDER}}}"


def is_ideograph(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH"))


def readable(char: str) -> bool:
    """Whether the voice can read ``char``: anything but an ideograph outside GBK."""
    if not is_ideograph(char):
        return True
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def unreadable(text: str) -> list[Unreadable]:
    """Every character of ``text`` the voice cannot read, with a suggested common character."""
    return [Unreadable(c, i, suggest(c)) for i, c in enumerate(text) if not readable(c)]


def suggest(char: str) -> str | None:
    """A common character with the sound of ``char``, or ``None`` when none is known."""
    if char in VARIANTS:
        return VARIANTS[char]
    sounds = _pinyin(char)
    return next((_common_by_sound().get(sound) for sound in sounds if sound in _common_by_sound()), None)


def _pinyin(char: str) -> list[str]:
    try:
        from pypinyin import Style, pinyin
    except ImportError:
        return []
    found = pinyin(char, style=Style.TONE3, heteronym=True, errors="ignore")
    return [s for s in (found[0] if found else []) if s]


@cache
def _common_by_sound() -> dict[str, str]:
    """Pinyin (with tone number) → the first GB2312 level-1 character with that sound (level 1 is the common set)."""
    table: dict[str, str] = {}
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes((high, low)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            for sound in _pinyin(char)[:1]:
                table.setdefault(sound, char)
    return table
