"""Malformed years: ``支付寶成立于24年`` (2004) and years outside a sane range.

Truncated years lose their zeros, so the written digits are a subsequence of
the real year. A suggestion comes, in order of trust, from a fact table
(organisation → founding year) for an organisation named just before, from
other years in the document that fit, or from plausibility. Only a fact-table
or document match becomes a (unsafe) fix; otherwise the candidates are listed.

>>> [(f.message, f.fix.replacement) for f in find_malformed_years("支付寶成立于24年。", {"支付寶": 2004})]
[('year "24年" has 2 digits after 成立于; founding year of 支付寶 is 2004', '2004')]
>>> find_malformed_years("他於20年前離開，成立10年來，1980年代", {})
[]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path

from toolkit.findings import Edit, Finding
from toolkit.repairs.pinyin import ANNOTATION

RULE = "ZH302"
# A 1–3 digit "year" right after a founding verb and/or 于/於/在.
_SHORT_YEAR = re.compile(
    r"(?P<context>(?:成立|創立|创立|創建|创建|創辦|创办|始建|建立|誕生|诞生|上線|上线|推出|開業|开业|註冊|注册)"
    r"(?:[于於在])?|(?<![\d年月])[于於])"
    r"(?P<digits>\d{1,3})年(?![前後后來来間间內内多半代級级度期齡龄資资薪])"
)
_FULL_YEAR = re.compile(r"(?<!\d)(?P<digits>\d{4})年(?![前後后來来間间內内多半代級级度期齡龄])")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")


@cache
def load_facts(path: str) -> dict[str, int]:
    """Read a fact table: ``name|name|…<TAB>year`` per line, ``#`` comments."""
    facts: dict[str, int] = {}
    with Path(path).open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if not row or row[0].startswith("#") or len(row) < 2:
                continue
            for name in row[0].split("|"):
                facts[name.strip()] = int(row[1])
    return facts


def _is_subsequence(short: str, full: str) -> bool:
    """True when ``short``'s digits appear in ``full`` in order (``24`` in ``2004``)."""
    remaining = iter(full)
    return all(digit in remaining for digit in short)


def _named_before(text: str, position: int, facts: Mapping[str, int], window: int = 40) -> str | None:
    """The organisation from ``facts`` named closest before ``position`` in the same sentence."""
    start = max(0, position - window)
    for stop in "。！？\n":
        start = max(start, text.rfind(stop, 0, position) + 1)
    span = ANNOTATION.sub(r"\1", text[start:position])  # 騰(téng)訊 still names 騰訊
    best: tuple[int, str] | None = None
    for name in facts:
        found = span.rfind(name)
        if found >= 0 and (best is None or found + len(name) > best[0]):
            best = (found + len(name), name)
    return best[1] if best else None


def find_malformed_years(
    text: str,
    facts: Mapping[str, int],
    year_min: int = 1000,
    year_max: int | None = None,
) -> list[Finding]:
    """Truncated years in a date context and four-digit years out of range."""
    year_max = year_max or date.today().year + 50
    document_years = {int(m.group(1)) for m in _ANY_YEAR.finditer(text)}
    findings: list[Finding] = []
    for match in _SHORT_YEAR.finditer(text):
        digits = match.group("digits")
        start, end = match.span("digits")
        written = f"{digits}年"
        message = f'year "{written}" has {len(digits)} digits after {match.group("context")}'
        organisation = _named_before(text, match.start(), facts)
        if organisation and _is_subsequence(digits, str(facts[organisation])):
            year = str(facts[organisation])
            findings.append(
                Finding(RULE, start, end + 1, f"{message}; founding year of {organisation} is {year}",
                        Edit(start, end, year), (year,))
            )
            continue
        fitting = sorted(y for y in document_years if _is_subsequence(digits, str(y)))
        if len(fitting) == 1:
            year = str(fitting[0])
            findings.append(
                Finding(RULE, start, end + 1, f"{message}; {year} appears elsewhere in the text",
                        Edit(start, end, year), (year,))
            )
            continue
        plausible = [
            str(y) for y in range(date.today().year, 1899, -1) if _is_subsequence(digits, str(y))
        ]
        shortest = sorted(plausible, key=lambda y: (len(y.replace("0", "")), -int(y)))[:3]
        hint = f"; maybe {', '.join(shortest)}" if shortest else ""
        findings.append(Finding(RULE, start, end + 1, message + hint, None, tuple(shortest)))
    for match in _FULL_YEAR.finditer(text):
        year = int(match.group("digits"))
        if not year_min <= year <= year_max:
            start, end = match.span("digits")
            findings.append(
                Finding(RULE, start, end + 1, f"year {year} is outside {year_min}–{year_max}")
            )
    findings.sort(key=lambda f: f.start)
    return findings
