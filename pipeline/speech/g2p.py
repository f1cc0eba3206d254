"""Chinese text → the phonemes Kokoro-82M v1.0 reads: jieba words, pypinyin syllables, tone sandhi, IPA.

Kokoro v1.0 learnt Mandarin written as IPA with the tone as an arrow after the syllable's
vowel (→ first, ↗ second, ↓ third, ↘ fourth, none for the neutral tone), words separated by
spaces and Chinese punctuation replaced by Latin punctuation (the convention of misaki's
Chinese G2P, which trained it). pufa's normaliser runs first, so numbers, dates and symbols
arrive as Chinese words; whatever is still not Chinese is handled here, and no raw Latin
text ever reaches the model: a Latin letter is read by its Chinese letter name, a stray
character is left out with a note.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.i18n import _

# Kokoro-82M v1.0 config.json "vocab": symbol → token id (0 is the padding token).
VOCAB: dict[str, int] = {
    ";": 1, ":": 2, ",": 3, ".": 4, "!": 5, "?": 6, "—": 9, "…": 10, '"': 11, "(": 12, ")": 13,
    "“": 14, "”": 15, " ": 16, "\u0303": 17, "ʣ": 18, "ʥ": 19, "ʦ": 20, "ʨ": 21, "ᵝ": 22, "ꭧ": 23,
    "A": 24, "I": 25, "O": 31, "Q": 33, "S": 35, "T": 36, "W": 39, "Y": 41, "ᵊ": 42,
    "a": 43, "b": 44, "c": 45, "d": 46, "e": 47, "f": 48, "h": 50, "i": 51, "j": 52, "k": 53, "l": 54,
    "m": 55, "n": 56, "o": 57, "p": 58, "q": 59, "r": 60, "s": 61, "t": 62, "u": 63, "v": 64, "w": 65,
    "x": 66, "y": 67, "z": 68, "ɑ": 69, "ɐ": 70, "ɒ": 71, "æ": 72, "β": 75, "ɔ": 76, "ɕ": 77, "ç": 78,
    "ɖ": 80, "ð": 81, "ʤ": 82, "ə": 83, "ɚ": 85, "ɛ": 86, "ɜ": 87, "ɟ": 90, "ɡ": 92, "ɥ": 99, "ɨ": 101,
    "ɪ": 102, "ʝ": 103, "ɯ": 110, "ɰ": 111, "ŋ": 112, "ɳ": 113, "ɲ": 114, "ɴ": 115, "ø": 116, "ɸ": 118,
    "θ": 119, "œ": 120, "ɹ": 123, "ɾ": 125, "ɻ": 126, "ʁ": 128, "ɽ": 129, "ʂ": 130, "ʃ": 131, "ʈ": 132,
    "ʧ": 133, "ʊ": 135, "ʋ": 136, "ʌ": 138, "ɣ": 139, "ɤ": 140, "χ": 142, "ʎ": 143, "ʒ": 147, "ʔ": 148,
    "ˈ": 156, "ˌ": 157, "ː": 158, "ʰ": 162, "ʲ": 164, "↓": 169, "→": 171, "↗": 172, "↘": 173, "ᵻ": 177,
}  # fmt: skip
PAUSES = frozenset(";:,.!?—…")  # the model's punctuation: it pauses there
# Increase when a change here changes what the model is given, so cached audio is not reused.
FRONTEND_VERSION = 1

_INITIALS = {
    "b": "p", "p": "pʰ", "m": "m", "f": "f", "d": "t", "t": "tʰ", "n": "n", "l": "l",
    "g": "k", "k": "kʰ", "h": "x", "j": "ʨ", "q": "ʨʰ", "x": "ɕ",
    "zh": "ꭧ", "ch": "ꭧʰ", "sh": "ʂ", "r": "ɻ", "z": "ʦ", "c": "ʦʰ", "s": "s",
}  # fmt: skip
# "0" is where the tone goes: after the vowel, before a nasal coda.
_FINALS = {
    "a": "a0", "ai": "ai0", "an": "a0n", "ang": "a0ŋ", "ao": "au0", "e": "ɤ0", "ei": "ei0",
    "en": "ə0n", "eng": "ə0ŋ", "er": "ɚ0", "i": "i0", "ia": "ja0", "ian": "jɛ0n", "iang": "ja0ŋ",
    "iao": "jau0", "ie": "je0", "in": "i0n", "iou": "jou0", "ing": "i0ŋ", "iong": "jʊ0ŋ",
    "ong": "ʊ0ŋ", "ou": "ou0", "u": "u0", "ua": "wa0", "uai": "wai0", "uan": "wa0n", "uang": "wa0ŋ",
    "uei": "wei0", "uen": "wə0n", "ueng": "wə0ŋ", "uo": "wo0", "o": "wo0", "ü": "y0", "üe": "ɥe0",
    "üan": "ɥɛ0n", "ün": "y0n", "ê": "ɛ0",
}  # fmt: skip
# Syllables that are not an initial plus a final: interjections and syllabic nasals.
_WHOLE = {"o": "ɔ0", "io": "jɔ0", "er": "ɚ0", "m": "m0", "n": "n0", "ng": "ŋ0", "hm": "xm0", "hng": "xŋ0"}
_APICAL = ("zh", "ch", "sh", "r", "z", "c", "s")  # their "i" is the apical vowel ɨ
_TONES = {"1": "→", "2": "↗", "3": "↓", "4": "↘", "5": ""}

# Latin letters by the names Chinese readers give them, in pinyin.
LETTER_NAMES = {
    "A": "ei1", "B": "bi4", "C": "xi1", "D": "di4", "E": "yi4", "F": "ai2 fu5", "G": "ji4",
    "H": "ai2 qi1", "I": "ai4", "J": "zhei4", "K": "kai4", "L": "ai2 le5", "M": "ai2 mu5", "N": "en1",
    "O": "ou1", "P": "pi4", "Q": "qiu1", "R": "a4 er5", "S": "ai2 si1", "T": "ti4", "U": "you1",
    "V": "wei1", "W": "da2 bu5 liu5", "X": "ai2 ke4 si1", "Y": "wai4", "Z": "zei4",
}  # fmt: skip
_DIGITS = "零一二三四五六七八九"

# Punctuation → the model's; opening marks get a space before them, the rest one after.
_PUNCTUATION = {
    "，": ",", "、": ",", ",": ",", "。": ".", ".": ".", "．": ".", "！": "!", "!": "!", "？": "?", "?": "?",
    "：": ":", ":": ":", "；": ";", ";": ";", "…": "…", "—": "—", "~": "—", "～": "—",
    "“": "“", "”": "”", '"': '"', "‘": "“", "’": "”", "《": "“", "》": "”", "「": "“", "」": "”",
    "『": "“", "』": "”", "〈": "“", "〉": "”", "【": "“", "】": "”", "（": "(", "）": ")", "(": "(", ")": ")",
}  # fmt: skip
_OPENING = frozenset("“(")
_HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Readings pypinyin gets wrong in the vocabulary of legal education: money owed is returned (还 huán),
# penalties are handed out (处 chǔ).
PHRASES: dict[str, str] = {
    "还款": "huan2 kuan3", "还钱": "huan2 qian2", "还债": "huan2 zhai4", "还清": "huan2 qing1",
    "还贷": "huan2 dai4", "还本": "huan2 ben3", "还给": "huan2 gei3", "借还": "jie4 huan2",
    "归还": "gui1 huan2", "偿还": "chang2 huan2", "返还": "fan3 huan2", "退还": "tui4 huan2",
    "不还": "bu4 huan2", "未还": "wei4 huan2", "处罚": "chu3 fa2", "处理": "chu3 li3", "处分": "chu3 fen4",
    "判处": "pan4 chu3", "处以": "chu3 yi3", "应当": "ying1 dang1", "当事人": "dang1 shi4 ren2",
    "强制": "qiang2 zhi4", "强迫": "qiang3 po4", "行为": "xing2 wei2", "行为人": "xing2 wei2 ren2",
    "为由": "wei2 you2", "数额": "shu4 e2", "了解": "liao3 jie3", "得到": "de2 dao4",
    "重新": "chong2 xin1", "没收": "mo4 shou1", "执行": "zhi2 xing2", "银行": "yin2 hang2",
    "传唤": "chuan2 huan4", "扣押": "kou4 ya1", "供述": "gong4 shu4", "口供": "kou3 gong4",
}  # fmt: skip
_NUMERALS = frozenset("零〇一二三四五六七八九十百千万亿两")
_UNITS = frozenset("十百千万亿")


@dataclass(frozen=True)
class Phonemized:
    """The phonemes of one piece of text, and what had to be left out of it."""

    phonemes: str
    notes: tuple[str, ...] = ()


def syllable_ipa(pinyin: str) -> str:
    """One pinyin syllable with its tone number (``zhong1``, ``lv4``, ``de5``) as Kokoro phonemes."""
    from pypinyin.contrib.tone_convert import to_finals, to_initials

    tone = pinyin[-1] if pinyin[-1:] in _TONES else "5"
    normal = pinyin.rstrip("12345").replace("v", "ü")
    if normal in _WHOLE:
        body = _WHOLE[normal]
    else:
        initial = to_initials(normal, strict=True)
        final = to_finals(normal, strict=True, v_to_u=True)
        if (initial and initial not in _INITIALS) or final not in _FINALS:
            raise ValueError(_("not a Mandarin syllable: {pinyin!r}").format(pinyin=pinyin))
        vowel = "ɨ0" if final == "i" and initial in _APICAL else _FINALS[final]
        body = _INITIALS.get(initial, "") + vowel
    return body.replace("0", _TONES[tone])


def sandhi(chars: Sequence[str], pinyins: Sequence[str], word_lengths: Sequence[int]) -> list[str]:
    """Tones as spoken: 一 and 不 change by what follows, and a third tone before another becomes second.

    ``chars`` and ``pinyins`` are one sentence's syllables, ``word_lengths`` how jieba grouped
    them into words (they add up to the number of syllables).
    """
    tones = list(pinyins)
    word_of = [w for w, length in enumerate(word_lengths) for _ in range(length)]
    word_end = [i == len(chars) - 1 or word_of[i] != word_of[i + 1] for i in range(len(chars))]

    def tone(i: int) -> str:
        return tones[i][-1] if 0 <= i < len(tones) else ""

    for i, char in enumerate(chars):
        if char not in "一不":
            continue
        before = chars[i - 1] if i > 0 else ""
        after = chars[i + 1] if i + 1 < len(chars) else ""
        if before and before == after:
            tones[i] = tones[i][:-1] + "5"  # 看一看, 是不是
        elif char == "不":
            tones[i] = "bu2" if tone(i + 1) == "4" else "bu4"
        elif (
            not after
            or (before == "第" and after not in _UNITS)  # 第一条, but 第一千条 is yì qiān
            or (before in _NUMERALS and after not in _UNITS)  # 十一, 二〇二一
            or (after in _NUMERALS and after not in _UNITS)  # 一二三
            or (word_end[i] and word_lengths[word_of[i]] > 1)  # 统一, 唯一
        ):
            tones[i] = "yi1"
        else:
            tones[i] = "yi2" if tone(i + 1) in ("4", "5") else "yi4"
    # Inside a word every third tone before another becomes second (了解, 展览); across words only
    # where one of the two is a single syllable (我想, 很好), as in unhurried speech.
    for i in range(len(tones) - 2, -1, -1):
        if tone(i) == "3" and tone(i + 1) == "3":
            a, b = word_of[i], word_of[i + 1]
            if a == b or word_lengths[a] == 1 or word_lengths[b] == 1:
                tones[i] = tones[i][:-1] + "2"
    return tones


class Frontend:
    """Text → phonemes. jieba's and pypinyin's dictionaries load on first use (about 1.5 s)."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._ready = False
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._ready:
                return
            import jieba
            from pypinyin import load_phrases_dict
            from pypinyin.contrib.tone_convert import to_tone

            jieba.setLogLevel(60)
            if self._cache_dir is not None:
                self._cache_dir.mkdir(parents=True, exist_ok=True)
                jieba.dt.tmp_dir = str(self._cache_dir)
            jieba.initialize()
            load_phrases_dict({word: [[to_tone(s)] for s in reading.split()] for word, reading in PHRASES.items()})
            for word in PHRASES:
                jieba.add_word(word)
            self._ready = True

    def __call__(self, text: str) -> Phonemized:
        """The phonemes of ``text``, words separated by spaces, punctuation as the model knows it."""
        self._load()
        out: list[str] = []
        notes: list[str] = []
        position = 0
        for match in _HAN.finditer(text):
            self._other(text[position : match.start()], out, notes)
            out.append(" " + self._chinese(match.group()) + " ")
            position = match.end()
        self._other(text[position:], out, notes)
        phonemes = re.sub(r" +", " ", "".join(out)).strip()
        phonemes = re.sub(r" ([,.!?:;…”)])", r"\1", phonemes)
        phonemes = re.sub(r"([“(]) ", r"\1", phonemes)
        return Phonemized(phonemes, tuple(notes))

    def _chinese(self, run: str) -> str:
        import jieba
        from pypinyin import Style, lazy_pinyin

        words = jieba.lcut(run.replace("〇", "零"))
        chars: list[str] = []
        pinyins: list[str] = []
        for word in words:
            readings = lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
            if len(readings) != len(word):
                readings = [lazy_pinyin(c, style=Style.TONE3, neutral_tone_with_five=True)[0] for c in word]
            if word == "地":
                readings = ["de5"]  # alone, 地 is nearly always the adverbial particle (慢慢地)
            chars += word
            pinyins += readings
        tones = sandhi(chars, pinyins, [len(w) for w in words])
        spoken: list[str] = []
        cursor = 0
        for word in words:
            spoken.append("".join(_safe_ipa(p) for p in tones[cursor : cursor + len(word)]))
            cursor += len(word)
        return " ".join(s for s in spoken if s)

    def _other(self, text: str, out: list[str], notes: list[str]) -> None:
        for char in text:
            upper = char.upper()
            if char.isascii() and upper in LETTER_NAMES:
                out.append(" " + "".join(syllable_ipa(p) for p in LETTER_NAMES[upper].split()) + " ")
            elif char.isascii() and char.isdigit():
                out.append(" " + self._chinese(_DIGITS[int(char)]) + " ")
            elif char in _PUNCTUATION:
                mark = _PUNCTUATION[char]
                out.append(" " + mark if mark in _OPENING else mark + " ")
            elif char.isspace() or char in "·•-–":  # a hyphen joins letters or words: Wi-Fi
                out.append(" ")
            else:
                notes.append(
                    _("'{char}' (U+{code:04X}) is not spoken by the Kokoro voice and was left out").format(
                        char=char, code=ord(char)
                    )
                )


def _safe_ipa(pinyin: str) -> str:
    """A syllable pypinyin could not read (a rare character) is left out rather than spelt in Latin."""
    try:
        return syllable_ipa(pinyin)
    except ValueError:
        return ""


def token_ids(phonemes: str) -> list[int]:
    """The model's input ids for ``phonemes``; every character the frontend writes is in the vocabulary."""
    return [VOCAB[c] for c in phonemes]
