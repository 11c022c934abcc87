"""Flattened pinyin annotations: ``導(dǎo)語`` → ``導語``.

An annotation is stripped only when the pinyin is a real reading of the
character before it (pypinyin's table, every reading), so genuine brackets
such as ``(GDP)``, ``(2021)`` or a WeChat id ``小羽毛(ngbjxym)`` stay.

>>> strip_pinyin_annotations("小編導(dǎo)語(yǔ),長(cháng)期(GDP)").text
'小編導語,長期(GDP)'
"""

from __future__ import annotations

import re

from toolkit.chardata import HAN_CLASS, PINYIN_LETTERS, reads_as
from toolkit.datacache import cached_pattern
from toolkit.findings import Edit, Finding
from toolkit.repairs import Repair, apply_findings

RULE = "ZH101"
ANNOTATION = cached_pattern(rf"({HAN_CLASS})([(（]([{PINYIN_LETTERS}]{{1,7}})[)）])", re.IGNORECASE)


def find_pinyin_annotations(text: str) -> list[Finding]:
    """Annotations ``X(py)`` whose ``py`` reads ``X``, each with a deleting fix.

    >>> [(f.start, f.end) for f in find_pinyin_annotations("導(dǎo)語")]
    [(1, 6)]
    """
    findings = []
    for match in ANNOTATION.finditer(text):
        char, bracket, syllable = match.groups()
        if reads_as(char, syllable):
            start, end = match.span(2)
            findings.append(
                Finding(
                    RULE,
                    start,
                    end,
                    f"flattened pinyin annotation {bracket} after {char}",
                    Edit(start, end, ""),
                )
            )
    return findings


def strip_pinyin_annotations(text: str) -> Repair:
    """Remove every verified annotation."""
    return apply_findings(text, find_pinyin_annotations(text))
