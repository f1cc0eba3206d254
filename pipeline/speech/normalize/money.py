"""Money: currency signs, 元, thousands separators and 万/亿.

- ``￥1,234.50`` → 一千二百三十四元五角, ``¥100元`` → 一百元, ``$20`` → 二十美元
- ``28,000元`` → 两万八千元, ``1.5亿元`` → 一点五亿元, ``26.55万元`` → 二十六点五五万元, ``24万余元`` → 二十四万余元
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import DIGITS, quantity
from pipeline.speech.normalize.rules import Rule

_SIGNS = {
    "￥": "元",
    "¥": "元",
    "RMB": "元",
    "CNY": "元",
    "HK$": "港元",
    "US$": "美元",
    "USD": "美元",
    "$": "美元",
    "€": "欧元",
    "EUR": "欧元",
    "£": "英镑",
}
_SIGN = "|".join(re.escape(sign) for sign in sorted(_SIGNS, key=len, reverse=True))
_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
_SCALE = r"(万亿|亿|万|千)?"
_NAMES = r"(元|块|美元|欧元|英镑|港元|港币|日元|人民币)"


def amount(whole: str, fraction: str | None, scale: str | None, currency: str, about: str = "") -> str:
    """A sum: ``whole`` and ``fraction`` (with its dot), a 万/亿 ``scale``, 余/多 ``about``, in ``currency``.

    Yuan without a scale are said in 元角分 (一千二百三十四元五角); other sums as decimals.
    """
    number = whole.replace(",", "") + (fraction or "")
    if scale or about:
        return quantity(number, (scale or "") + about + currency) + (scale or "") + about + currency
    digits = (fraction or ".")[1:]
    if currency != "元" or len(digits) > 2:
        return quantity(number, currency) + currency
    jiao, fen = (int(d) for d in (digits + "00")[:2])
    yuan = int(number.split(".")[0])
    spoken = quantity(str(yuan), currency) + currency if yuan or not (jiao or fen) else ""
    if jiao:
        spoken += DIGITS[jiao] + "角"
    elif fen and spoken:
        spoken += "零"
    if fen:
        spoken += DIGITS[fen] + "分"
    return spoken


def _signed(match: re.Match[str]) -> str:
    currency = match[7] or _SIGNS[match[2]]
    return ("负" if match[1] else "") + amount(match[3], match[4], match[5], currency, match[6] or "")


def _named(match: re.Match[str]) -> str:
    return amount(match[1], match[2], match[3], match[5], match[4] or "")


RULES = (
    Rule(
        "money",
        re.compile(rf"(?<![\d.A-Za-z])([-−])?({_SIGN})\s*{_AMOUNT}\s*{_SCALE}(余|多)?{_NAMES}?"),
        _signed,
    ),
    Rule("money", re.compile(rf"(?<![\d.,]){_AMOUNT}\s*{_SCALE}(余|多)?{_NAMES}"), _named),
)
