"""Malformed years: ``支付寶成立于24年`` (2004) and years outside a sane range.

Generated pages drop digits of years, mostly zeros (``2004年`` → ``24年``,
``2021年`` → ``221年``). A 1–3 digit number followed by ``年`` is reported
when the context needs a calendar year:

- after a founding verb or a time preposition (成立于, 於, 到, 截至, 自, 早在…);
- before a part of a year (``年底``, ``年初``, ``年3月``, ``上半年``…);
- at the start of a sentence followed by a comma (``24年，第三方支付…``);
- three digits without a zero (``215年``): no round duration, no modern year.

Durations stay (``20年前``, ``10年來``, ``近20年``, ``80年代``, ``3年期``).
The fix, applied only with ``--unsafe``, comes from the fact table
(organisation → founding year) for an organisation named just before, from a
year elsewhere in the text whose digits fit, or from the only year that
putting back zeros can make; otherwise the finding lists candidates.

>>> [(f.message, f.fix.replacement) for f in find_malformed_years("支付寶成立于24年。", {"支付寶": 2004})]
[('year "24年" has 2 digits after 成立于; founding year of 支付寶 is 2004', '2004')]
>>> [f.fix.replacement for f in find_malformed_years("到215年，全國有5000家平台。221年底關停", {})]
['2015', '2021']
>>> find_malformed_years("他於20年前離開，成立10年來，1980年代，近20年，3年期，在3年內", {})
[]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from itertools import combinations
from pathlib import Path

from toolkit.findings import Edit, Finding
from toolkit.repairs.pinyin import ANNOTATION

RULE = "ZH302"
_DURATION = r"(?![前後后來来間间內内多半代級级度期齡龄資资薪以左])"
_LOOSE_DURATION = r"(?![前後后來来間间內内多半代級级度期齡龄資资薪以左的時时中裡里])"
_VERBS = r"成立|創立|创立|創建|创建|創辦|创办|始建|建立|誕生|诞生|上線|上线|推出|開業|开业|註冊|注册|起步|成立於|成立于"
_PREPOSITIONS = r"[于於]|到|至|截至|截止|截止到|直到|自|從|从|早在|始於|始于|起於|起于"
_SHORT_YEAR = re.compile(
    rf"(?:(?P<context>(?:{_VERBS})(?:[于於在])?)(?P<digits>\d{{1,3}})年{_DURATION}"
    rf"|(?P<preposition>(?<![\d年月])(?:{_PREPOSITIONS}))(?P<digits1>\d{{1,3}})年{_LOOSE_DURATION})"
    rf"|(?<!\d)(?<!\d[.,])(?P<digits2>\d{{1,3}})年(?P<part>底|末|初|中|上半年|下半年|[春夏秋冬]季?|\d{{1,2}}月)"
    rf"|(?:^|(?<=[。！？；\n]))(?P<digits3>\d{{2,3}})年(?=[，,])"
    rf"|(?<!\d)(?<!\d[.,])(?P<digits4>[12][1-9]{{2}})年{_LOOSE_DURATION}",
    re.MULTILINE,
)
_FULL_YEAR = re.compile(rf"(?<!\d)(?P<digits>\d{{4}})年{_DURATION}")
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


def _with_zeros(digits: str, low: int, high: int) -> list[str]:
    """Four-digit years in ``low..high`` made by putting zeros back into ``digits``.

    >>> _with_zeros("24", 1900, 2030), _with_zeros("221", 1900, 2030), _with_zeros("20", 1900, 2030)
    (['2004'], ['2021'], ['2000'])
    """
    missing = 4 - len(digits)
    years = set()
    for places in combinations(range(4), missing):
        rest = iter(digits)
        year = "".join("0" if index in places else next(rest) for index in range(4))
        if year[0] != "0" and low <= int(year) <= high:
            years.add(year)
    return sorted(years)


def _plausible(digits: str) -> list[str]:
    """Up to three years (1900..now) containing ``digits`` in order, fewest added digits first."""
    years = [str(y) for y in range(date.today().year, 1899, -1) if _is_subsequence(digits, str(y))]
    return sorted(years, key=lambda y: (len(y.replace("0", "")), -int(y)))[:3]


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
        group = next(
            name for name in ("digits", "digits1", "digits2", "digits3", "digits4") if match.group(name)
        )
        digits = match.group(group)
        start, end = match.span(group)
        written = f"{digits}年"
        if group in ("digits", "digits1"):
            where = f"after {match.group('context') or match.group('preposition')}"
        elif group == "digits2":
            where = f"before {match.group('part')}"
        elif group == "digits3":
            where = "at the start of a sentence"
        else:
            where = "and no zero"
        message = f'year "{written}" has {len(digits)} digits {where}'
        organisation = _named_before(text, match.start(), facts)
        if organisation and _is_subsequence(digits, str(facts[organisation])):
            year = str(facts[organisation])
            reason = f"founding year of {organisation} is {year}"
        else:
            fitting = sorted(y for y in document_years if _is_subsequence(digits, str(y)))
            zeros = _with_zeros(digits, 1900, date.today().year)
            if len(fitting) == 1:
                year, reason = str(fitting[0]), f"{fitting[0]} appears elsewhere in the text"
            elif len(zeros) == 1:
                year, reason = zeros[0], f"{zeros[0]} is the only year its zeros can restore"
            else:
                candidates = _plausible(digits)
                hint = f"; maybe {', '.join(candidates)}" if candidates else ""
                findings.append(Finding(RULE, start, end + 1, message + hint, None, tuple(candidates)))
                continue
        findings.append(
            Finding(RULE, start, end + 1, f"{message}; {reason}", Edit(start, end, year), (year,))
        )
    for match in _FULL_YEAR.finditer(text):
        year = int(match.group("digits"))
        if not year_min <= year <= year_max:
            start, end = match.span("digits")
            findings.append(Finding(RULE, start, end + 1, f"year {year} is outside {year_min}–{year_max}"))
    findings.sort(key=lambda f: f.start)
    return findings
