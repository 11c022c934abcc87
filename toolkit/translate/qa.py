"""Checks on a translation: Chinese left in the English, model loops, empty or truncated output,
and a length far from the usual English/Chinese ratio.

Each check returns :class:`QAFinding` values with a stable code:

* ``TQ1 untranslated``: Han characters left in the translation;
* ``TQ2 repeated``: the same phrase three or more times in a row, or a 4-word phrase repeated
  many times (a decoding loop);
* ``TQ3 empty``: no translation for a non-empty source;
* ``TQ4 truncated``: the source ends a sentence but the translation stops mid-way;
* ``TQ5 length``: English characters per Chinese character outside 0.8–9 (usual: about 2–4);
* ``TQ6 numbers``: a number, year, percentage or amount of the source missing from the English
  (Chinese numerals and units understood, see :mod:`toolkit.translate.numbers`), or a number in
  the English that the source does not have;
* ``TQ7 doubtful-source``: the source sentence holds a span that a lint rule still flags after
  repair (a malformed year, a dropped character, unrepairable mojibake), so the English may be
  wrong there too (see :func:`source_doubts`);
* ``TQ8 glossary``: a glossary term of the source not rendered as the glossary says.

>>> [f.code for f in check_pair("支付寶很方便。", "Alipay is very convenient 支付寶")]
['TQ1']
>>> [f.code for f in check_pair("你好。", "")]
['TQ3']
>>> check_pair("支付寶很方便。", "Alipay is very convenient.")
[]
>>> [f.message for f in check_pair("支付寶成立于24年。", "Alipay was founded in 2024.")]
['numbers differ: 24 of the source is missing; 2024 is not in the source']
>>> [f.span for f in check_pair("玖富成立於2006年。", "Jiufu was founded in 2006.", {"玖富": "9F Group"})]
['玖富']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from toolkit.findings import Finding
from toolkit.translate.numbers import (
    chinese_quantities,
    digit_numbers,
    english_values,
    mentioned_values,
    same_value,
)
from toolkit.translate.split import CJK, has_cjk

QA_CODES = {
    "TQ1": "untranslated",
    "TQ2": "repeated",
    "TQ3": "empty",
    "TQ4": "truncated",
    "TQ5": "length",
    "TQ6": "numbers",
    "TQ7": "doubtful-source",
    "TQ8": "glossary",
}
DOUBTFUL_RULES = ("ZH102", "ZH103", "ZH104", "ZH301", "ZH302")
"""Lint rules whose findings left in a repaired source make its translation doubtful."""
MIN_RATIO, MAX_RATIO = 0.8, 9.0
_CONSECUTIVE = re.compile(r"(\b.{6,}?)(?:\W*\1){2,}", re.DOTALL)
_WORD = re.compile(r"[\w'-]+")
_ENDS = ("。", "！", "？", "!", "?", "…", "”", "」", "）", ")")
_ENGLISH_ENDS = (".", "!", "?", "…", '"', "'", "”", "’", ")", "]")


@dataclass(frozen=True)
class QAFinding:
    """One problem in a translation: code (``TQ1``…), name, message and the text concerned.

    ``span`` is the part of the source the finding is about (a number, a term, a doubtful span),
    empty when it concerns the whole sentence; ``rule`` the lint rule behind a ``TQ7`` finding and
    ``repaired`` the sentence with that rule's suggested fix (an English that agrees with the fix,
    ``2004`` for ``成立于24年``, passes the number check).
    """

    code: str
    message: str
    source: str
    translation: str
    span: str = ""
    rule: str = ""
    repaired: str = ""

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


def check_numbers(source: str, translation: str) -> list[QAFinding]:
    """``TQ6``: the source's quantities must appear in the English, and the English's digits in the source.

    >>> check_numbers("三成用戶存了1.5萬元。", "30% of users saved 15,000 yuan.")
    []
    >>> [f.span for f in check_numbers("二〇二一年以後", "After 221,")]
    ['二〇二一年']
    """
    quantities = chinese_quantities(source)
    stated = english_values(translation)
    missing = [q for q in quantities if not any(same_value(v, e) for v in q.values for e in stated)]
    known = mentioned_values(source)
    extra = [
        text
        for text, value in digit_numbers(translation)
        if not any(same_value(value, k) or same_value(float(_LEADING.match(text)[0]), k) for k in known)
    ]
    if not missing and not extra:
        return []
    parts = []
    if missing:
        parts.append(f"{', '.join(q.text for q in missing)} of the source is missing")
    if extra:
        parts.append(f"{', '.join(extra)} {'is' if len(extra) == 1 else 'are'} not in the source")
    span = missing[0].text if missing else ""
    return [QAFinding("TQ6", "numbers differ: " + "; ".join(parts), source, translation, span)]


_LEADING = re.compile(r"[\d.]+")


def check_glossary(source: str, translation: str, glossary: Mapping[str, str]) -> list[QAFinding]:
    """``TQ8``: every glossary term of the source rendered as the glossary says (case ignored).

    A term inside a longer listed term (``螞蟻`` in ``螞蟻集團``) follows the longer one.

    >>> [f.message for f in check_glossary("玖富與支付寶", "Jiufu and Alipay", {"玖富": "9F Group", "支付寶": "Alipay"})]
    ['glossary: 玖富 should be "9F Group"']
    """
    findings: list[QAFinding] = []
    covered: list[tuple[int, int]] = []
    lowered = translation.lower()
    for term in sorted(glossary, key=len, reverse=True):
        start = source.find(term)
        if start < 0 or any(a <= start < b for a, b in covered):
            continue
        covered.append((start, start + len(term)))
        if glossary[term].lower() not in lowered:
            message = f'glossary: {term} should be "{glossary[term]}"'
            findings.append(QAFinding("TQ8", message, source, translation, term))
    return findings


def source_doubts(
    source: str, translation: str, start: int, findings: Iterable[Finding], text: str
) -> list[QAFinding]:
    """``TQ7``: lint findings of :data:`DOUBTFUL_RULES` on the sentence at ``text[start:]``.

    ``findings`` are lint findings on ``text`` (the repaired document); ``source`` is the sentence
    that starts at offset ``start`` of it.

    >>> from toolkit.findings import Finding
    >>> year = Finding("ZH302", 3, 6, 'year "24年" has 2 digits')
    >>> [f.message for f in source_doubts("成立于24年。", "Founded in 2024.", 0, [year], "成立于24年。")]
    ['source doubtful here: ZH302 malformed-year `24年`: year "24年" has 2 digits']
    """
    from toolkit.rules.registry import REGISTRY

    end = start + len(source)
    doubts = []
    for finding in findings:
        if finding.rule not in DOUBTFUL_RULES or not (start <= finding.start < end):
            continue
        span = text[finding.start : finding.end]
        name = REGISTRY[finding.rule].name if finding.rule in REGISTRY else finding.rule
        message = f"source doubtful here: {finding.rule} {name} `{span}`: {finding.message}"
        repaired = ""
        if finding.fix is not None and start <= finding.fix.start <= finding.fix.end <= end:
            fix = finding.fix
            repaired = source[: fix.start - start] + fix.replacement + source[fix.end - start :]
        doubts.append(QAFinding("TQ7", message, source, translation, span, finding.rule, repaired))
    return doubts


def check_pair(
    source: str,
    translation: str,
    glossary: Mapping[str, str] | None = None,
    doubts: Iterable[QAFinding] = (),
) -> list[QAFinding]:
    """All checks on one source/translation pair (a sentence, heading or paragraph).

    ``glossary`` (中文 → English) adds the ``TQ8`` check; ``TQ7`` needs the document's lint
    findings and comes from :func:`source_doubts`. Given those ``doubts``, numbers that agree
    with a doubtful span's suggested fix pass:

    >>> year = QAFinding("TQ7", "", "成立于24年。", "", "24年", "ZH302", "成立于2004年。")
    >>> check_pair("成立于24年。", "Founded in 2004.", doubts=[year])
    []
    """
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
    numbers = check_numbers(source, target)
    if numbers and any(d.repaired and not check_numbers(d.repaired, target) for d in doubts):
        numbers = []
    findings.extend(numbers)
    if glossary:
        findings.extend(check_glossary(source, target, glossary))
    return findings
