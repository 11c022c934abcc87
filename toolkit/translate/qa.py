"""Checks on a translation: Chinese left in the English, model loops, empty or truncated output,
and a length far from the usual English/Chinese ratio.

Each check returns :class:`QAFinding` values with a stable code:

* ``TQ1 untranslated``: Han characters left in the translation;
* ``TQ2 repeated``: the same phrase three or more times in a row, or a 4-word phrase repeated
  many times (a decoding loop);
* ``TQ3 empty``: no translation for a non-empty source;
* ``TQ4 truncated``: the source ends a sentence but the translation stops mid-way;
* ``TQ5 length``: English characters per Chinese character outside 0.8–9 (usual: about 2–4).

>>> [f.code for f in check_pair("支付寶很方便。", "Alipay is very convenient 支付寶")]
['TQ1']
>>> [f.code for f in check_pair("你好。", "")]
['TQ3']
>>> check_pair("支付寶很方便。", "Alipay is very convenient.")
[]
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from toolkit.translate.split import CJK, has_cjk

QA_CODES = {
    "TQ1": "untranslated",
    "TQ2": "repeated",
    "TQ3": "empty",
    "TQ4": "truncated",
    "TQ5": "length",
}
MIN_RATIO, MAX_RATIO = 0.8, 9.0
_CONSECUTIVE = re.compile(r"(\b.{6,}?)(?:\W*\1){2,}", re.DOTALL)
_WORD = re.compile(r"[\w'-]+")
_ENDS = ("。", "！", "？", "!", "?", "…", "”", "」", "）", ")")
_ENGLISH_ENDS = (".", "!", "?", "…", '"', "'", "”", "’", ")", "]")


@dataclass(frozen=True)
class QAFinding:
    """One problem in a translation: code (``TQ1``…), name, message and the text concerned."""

    code: str
    message: str
    source: str
    translation: str

    @property
    def name(self) -> str:
        return QA_CODES[self.code]

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dict with the code's name."""
        return {**asdict(self), "name": self.name}


def looks_looped(text: str) -> bool:
    """True when ``text`` repeats a phrase three times in a row or one 4-word phrase 4+ times.

    >>> looks_looped("We must act now, and we must act together.")
    False
    >>> looks_looped("We must act. We must act. We must act. We must act.")
    True
    """
    if _CONSECUTIVE.search(text):
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - 3):
        gram = tuple(words[i : i + 4])
        counts[gram] = counts.get(gram, 0) + 1
    return bool(counts) and max(counts.values()) >= 4


def check_pair(source: str, translation: str) -> list[QAFinding]:
    """All checks on one source/translation pair (a sentence, heading or paragraph)."""
    findings: list[QAFinding] = []
    han = len(CJK.findall(source))
    if not source.strip() or not han:
        return findings

    def add(code: str, message: str) -> None:
        findings.append(QAFinding(code, message, source, translation))

    target = translation.strip()
    if not target:
        add("TQ3", "empty translation")
        return findings
    if has_cjk(target):
        left = "".join(CJK.findall(target))
        add("TQ1", f"{len(left)} Chinese character(s) left untranslated: {left[:20]}")
    if looks_looped(target):
        add("TQ2", "a phrase repeats over and over (the model looped)")
    if source.rstrip().endswith(_ENDS) and not target.endswith(_ENGLISH_ENDS) and han >= 8:
        add("TQ4", "the source ends a sentence but the translation stops without punctuation")
    ratio = len(target) / han
    if han >= 10 and not MIN_RATIO <= ratio <= MAX_RATIO:
        add("TQ5", f"length ratio {ratio:.1f} English characters per Chinese character (usual 2-4)")
    return findings
