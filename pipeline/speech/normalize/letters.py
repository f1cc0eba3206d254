"""Latin abbreviations, spelt letter by letter: ``APP`` → A P P, ``ETC卡`` → E T C卡. Words written
in mixed case (``WiFi``) are left to the voice.
"""

from __future__ import annotations

import re

from pipeline.speech.normalize.rules import Rule

RULES = (Rule("letters", re.compile(r"(?<![A-Za-z])[A-Z]{2,5}(?![A-Za-z])"), lambda m: " ".join(m[0])),)
