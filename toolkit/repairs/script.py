"""Simplified/traditional script: detect mixed documents, convert with OpenCC.

A character is *traditional-only* when OpenCC's t2s changes it and
*simplified-only* when s2t changes it; characters shared by both scripts
count for neither. A document that is mostly one script but contains
characters only the other script uses is mixed (typically the trace of a
naive character-by-character converter, such as ``于`` left in ``關於``). The
fix converts that one character by OpenCC's phrase rules in its context, so
``皇后`` stays while ``以后`` becomes ``以後``.

>>> [(f.start, f.message) for f in find_mixed_script("關於這個問題，我們成立于2004年。")]
[(11, 'simplified-only character 于 in a traditional text (traditional: 於)')]
>>> find_mixed_script("這是皇后的宮殿，以后再說。")[0].fix.replacement
'後'
>>> convert_script("後來的發展", "t2s").text
'后来的发展'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from toolkit.chardata import is_han
from toolkit.findings import AppliedEdit, Edit, Finding
from toolkit.repairs import Repair

RULE = "ZH401"
CONVERSIONS = ("s2t", "t2s", "s2tw", "s2twp", "tw2s", "s2hk", "hk2s", "t2tw", "t2hk")


@cache
def _converter(name: str):
    import opencc

    if name not in CONVERSIONS:
        raise ValueError(f"unknown conversion {name!r}; use one of {', '.join(CONVERSIONS)}")
    return opencc.OpenCC(f"{name}.json" if not name.endswith(".json") else name)


def _convert_chars(chars: list[str], name: str) -> dict[str, str]:
    """Convert characters one by one (newline-separated so no phrase rule applies).

    >>> _convert_chars([], "t2s")
    {}
    """
    if not chars:
        return {}
    converted = _converter(name).convert("\n".join(chars)).split("\n")
    return dict(zip(chars, converted, strict=True))


def classify_chars(text: str) -> dict[str, str]:
    """Map each Han character of ``text`` to ``traditional``, ``simplified`` or ``shared``."""
    scripts = _script_table()
    return {ch: scripts.get(ch, "shared") for ch in set(text) if is_han(ch)}


@cache
def _script_table() -> dict[str, str]:
    """Every Han character that only one script uses, and which (from the data cache)."""
    import importlib.util

    from toolkit.datacache import cached_table

    opencc = importlib.util.find_spec("opencc")
    sources = [Path(opencc.origin)] if opencc is not None and opencc.origin else []
    return cached_table("scripts", 1, sources, _build_script_table)


def _build_script_table() -> dict[str, str]:
    chars = [chr(code) for code in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00))]
    to_simplified = _convert_chars(chars, "t2s")
    to_traditional = _convert_chars(chars, "s2t")
    scripts = {}
    for ch in chars:
        if to_simplified[ch] != ch and to_traditional[ch] == ch:
            scripts[ch] = "traditional"
        elif to_traditional[ch] != ch and to_simplified[ch] == ch:
            scripts[ch] = "simplified"
    return scripts


def find_mixed_script(text: str, min_share: float = 0.0) -> list[Finding]:
    """Characters of the minority script, one finding each.

    ``min_share`` ignores documents where the minority script is at most that
    share of the script-specific characters (0 reports any mixture).
    """
    kinds = classify_chars(text)
    counts = {"traditional": 0, "simplified": 0}
    for ch in text:
        kind = kinds.get(ch)
        if kind in counts:
            counts[kind] += 1
    if not counts["traditional"] or not counts["simplified"]:
        return []
    majority = max(counts, key=counts.get)
    minority = "simplified" if majority == "traditional" else "traditional"
    if counts[minority] / (counts[minority] + counts[majority]) <= min_share:
        return []
    conversion = "s2t" if minority == "simplified" else "t2s"
    findings = []
    for index, ch in enumerate(text):
        if kinds.get(ch) != minority:
            continue
        counterpart = _convert_in_context(text, index, conversion)
        if counterpart != ch:
            findings.append(
                Finding(
                    RULE,
                    index,
                    index + 1,
                    f"{minority}-only character {ch} in a {majority} text ({majority}: {counterpart})",
                    Edit(index, index + 1, counterpart),
                )
            )
    return findings


def _convert_in_context(text: str, index: int, conversion: str, window: int = 3) -> str:
    """The conversion of ``text[index]`` by OpenCC's phrase rules, looking at its neighbours.

    ``皇后`` stays ``皇后`` in s2t while ``以后`` becomes ``以後``.
    """
    low, high = max(0, index - window), min(len(text), index + window + 1)
    converted = _converter(conversion).convert(text[low:high])
    if len(converted) != high - low:
        return _convert_chars([text[index]], conversion)[text[index]]
    return converted[index - low]


def convert_script(text: str, conversion: str) -> Repair:
    """Convert the whole text with an OpenCC configuration (``t2s``, ``s2t``, ``s2twp``…).

    The edit list holds one entry per changed line.
    """
    converted = _converter(conversion).convert(text)
    edits = []
    offset = 0
    for before, after in zip(text.split("\n"), converted.split("\n"), strict=False):
        if before != after:
            edits.append(
                AppliedEdit("convert", offset, offset + len(before), before, after, f"OpenCC {conversion}")
            )
        offset += len(before) + 1
    return Repair(converted, edits)
