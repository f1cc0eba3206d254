"""Measures: a number with a unit written in Latin letters or a symbol, read in Chinese.

``80km/h`` → 八十公里每小时, ``1.5kg`` → 一点五千克, ``-10℃`` → 零下十摄氏度, ``2km`` → 两公里,
``0.8mg/100ml`` → 零点八毫克每百毫升, ``120㎡`` → 一百二十平方米. Units written in Chinese (公里, 吨)
are read by :mod:`number` as counted things; ``元/吨`` → 元每吨, ``1.2万㎡`` → 一点二万平方米.
Comparison signs are read as words: ``≥80mg/100ml`` → 大于等于八十毫克每百毫升.
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.numbers import quantity
from pipeline.speech.normalize.rules import Rule

UNITS: dict[str, str] = {
    "km/h": "公里每小时",
    "km/H": "公里每小时",
    "KM/H": "公里每小时",
    "KM/h": "公里每小时",
    "Km/h": "公里每小时",
    "m/s": "米每秒",
    "mg/100ml": "毫克每百毫升",
    "mg/100mL": "毫克每百毫升",
    "mg/L": "毫克每升",
    "mg/l": "毫克每升",
    "g/L": "克每升",
    "mg/kg": "毫克每千克",
    "mmol/L": "毫摩尔每升",
    "kW·h": "千瓦时",
    "kWh": "千瓦时",
    "km²": "平方公里",
    "km2": "平方公里",
    "m2": "平方米",
    "m3": "立方米",
    "m²": "平方米",
    "m³": "立方米",
    "cm²": "平方厘米",
    "㎡": "平方米",
    "㎥": "立方米",
    "㎞": "公里",
    "㎏": "千克",
    "㎎": "毫克",
    "㎖": "毫升",
    "km": "公里",
    "KM": "公里",
    "cm": "厘米",
    "mm": "毫米",
    "nm": "纳米",
    "μm": "微米",
    "m": "米",
    "kg": "千克",
    "KG": "千克",
    "Kg": "千克",
    "mg": "毫克",
    "μg": "微克",
    "g": "克",
    "ml": "毫升",
    "mL": "毫升",
    "ML": "毫升",
    "L": "升",
    "kW": "千瓦",
    "kV": "千伏",
    "mAh": "毫安时",
    "Hz": "赫兹",
    "kHz": "千赫兹",
    "MHz": "兆赫兹",
    "GHz": "吉赫兹",
    "dB": "分贝",
    "min": "分钟",
    "h": "小时",
    "t": "吨",
    "s": "秒",
    "℃": "摄氏度",
    "°C": "摄氏度",
    "°F": "华氏度",
    "℉": "华氏度",
    "°": "度",
}
COMPARISONS = {"≥": "大于等于", "≤": "小于等于", ">": "大于", "<": "小于", "≠": "不等于", "=": "等于", "≈": "约等于"}
_TEMPERATURES = {"摄氏度", "华氏度", "度"}
_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_SIGN_WORDS = {"-": "负", "−": "负", "+": "正", "±": "正负", "": ""}


def _value(sign: str, number: str, unit: str) -> str:
    said = "零下" if sign and sign in "-−" and unit in _TEMPERATURES else _SIGN_WORDS[sign]
    return said + quantity(number.replace(",", ""), unit)


def _measure(match: re.Match[str]) -> str:
    unit = UNITS[match[4]]
    scale = match[3] or ""
    return _value(match[1], match[2], scale + unit) + scale + unit


def _range(match: re.Match[str]) -> str | None:
    if match[3] and match[3] != match[6]:
        return None
    unit = UNITS[match[6]]
    return f"{_value(match[1], match[2], unit)}到{_value(match[4], match[5], unit)}{unit}"


_VALUE = r"([-−+±]?)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"

RULES = (
    Rule(
        "measure",
        re.compile(rf"(?<![\dA-Za-z.]){_VALUE}\s*({_UNIT})?\s*[-~～—–至到]\s*{_VALUE}\s*({_UNIT})(?![A-Za-z\d²³])"),
        _range,
    ),
    Rule(
        "measure",
        re.compile(rf"(?<![\dA-Za-z.]){_VALUE}\s*(万|亿)?\s*({_UNIT})(?![A-Za-z\d²³])"),
        _measure,
    ),
    Rule("measure", re.compile(r"(?<=[克升米])/100(?=毫升|克|米)"), lambda m: "每百"),
    Rule("comparison", re.compile(r"\s*([≥≤><≠=≈])\s*(?=[-−+]?\d)"), lambda m: COMPARISONS[m[1]]),
    Rule("measure", re.compile(r"(?<=[元米克吨斤升时天月年件个次人份])/(?=[\u4e00-\u9fff])"), lambda m: "每"),
    Rule("measure", re.compile(r"(?:(?<=[\dA-Za-z米㎡²³])\s*[×*]|(?<=\d)\s*[xX])\s*(?=\d)"), lambda m: "乘"),
)
