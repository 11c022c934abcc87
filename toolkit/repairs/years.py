"""Malformed years: ``支付寶成立于24年`` (2004) and years outside a sane range.

Generated pages drop digits of years: the zeros (``2004年`` → ``24年``, ``2021年`` →
``221年``) or the two middle digits (``2010年`` → ``20年``, ``1985年`` → ``15年``). A 1–3 digit
number followed by ``年`` is reported when the context needs a calendar year:

- after a time preposition or a founding verb with 于/於/在 (成立于, 於, 到, 截至, 自, 早在…);
- before a part of a year or an edition (``年底``, ``年初``, ``年3月``, ``上半年``, ``年版``…);
- at the start of a sentence followed by a comma (``24年，第三方支付…``), or at a clause start
  before the subject of the sentence (``，21年我國``);
- three digits without a zero (``215年``): no round duration, no modern year;
- before what happens in a year, not over years, at a clause start or after the body that did it
  (``，17年被列入``, ``部門21年發布的數據``; ``實施10年被證明`` is a duration);
- after 自/從 and before 以來/以後/起 (``自25年以來``: since a year; ``成立25年以來`` is a duration);
- at the end of a range that starts with a year (``2018年至22年間``, ``（2022—25年）``);
- a decade of 1 or 3 digits (``199年代``: a decade has 2 or 4), a year of birth (``2年出生``),
  ``N年的時候`` at a clause start, after 進入, both ends of a range before 年間 (``20年至25年間``);
- on a page that has such a year already, any 2–3 digit year at a clause start (``22年以來``), and
  the end of a range that opens a clause (``。20年至25年，``).

Durations stay (``20年前``, ``10年來``, ``近20年``, ``80年代``, ``3年期``, ``诞生12年``).

Every restoration the two kinds of truncation allow is listed as a suggestion. The fix,
applied only with ``--unsafe``, needs evidence: the fact table (organisation → founding year)
for an organisation named just before, a year elsewhere in the text whose digits fit, or the
way this page truncates years (a 3-digit or 1-digit year means zeros were dropped; a year no
zeros can explain means middle digits were) together with the years around it in the text.

>>> [(f.message, f.fix.replacement) for f in find_malformed_years("支付寶成立于24年。", {"支付寶": 2004})]
[('year "24年" has 2 digits after 成立于; founding year of 支付寶 is 2004', '2004')]
>>> [f.fix.replacement for f in find_malformed_years("到215年，全國有5000家平台。221年底關停", {})]
['2015', '2021']
>>> find_malformed_years("他於20年前離開，成立10年來，1980年代，近20年，3年期，在3年內，诞生12年，", {})
[]
>>> find_malformed_years("芝麻信用于25年正式推出", {})[0].suggestions
('2005', '2025', '2015', '1925')
"""

from __future__ import annotations

import csv
import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import combinations
from pathlib import Path

from toolkit.chardata import CLAUSE_MARKS
from toolkit.datacache import near_pattern
from toolkit.errors import ConfigError
from toolkit.findings import Edit, Finding
from toolkit.repairs.dropped import annotation_free

RULE = "ZH302"
_DURATION = r"(?![前後后來来間间內内多半代級级度期齡龄資资薪以左之])"
_LOOSE_DURATION = r"(?![前後后來来間间內内多半代級级度期齡龄資资薪以左之的時时中裡里過过])"
_SPAN = r"(?!(?:到|至|[-~～—])\d{1,2}年(?:之間|之间|左右|不等))"  # 在12年到15年之間: a span of years
_VERBS = r"成立|創立|创立|創建|创建|創辦|创办|始建|建立|誕生|诞生|上線|上线|推出|開業|开业|註冊|注册|起步|出生|發布|发布|啟動|启动"
# What happens in a year, not over years (17年被列入, 部門21年發布的數據): a date at a clause start or
# after the body that did it (after a verb, 實施10年被證明, it is a duration)
_EVENTS = (
    r"被|發布|发布|出台|出臺|頒布|颁布|印發|印发|公布|推出|上線|上线|啟用|启用|開通|开通|落地|通車|通车|竣工"
)
_ISSUERS = (
    r"(?<=部門|部门|政府|央行|機構|机构|協會|协会)|(?<=[局部委院廳厅署])"
    r"|(?<=委員會|委员会|國務院|国务院|研究院)|(?<=聯盟|联盟|組織|组织)"
)
_PREPOSITIONS = (
    r"[于於在]|到|至|截至|截止|截止到|直到|自|從|从|早在|始於|始于|起於|起于|根據|根据|據|据|比|較|较"
)
# A clause start, also after the conjunction that opens it (，而24年又回落, ，但是22年起)
_CLAUSE = (
    rf"(?:^|(?<=[{CLAUSE_MARKS}])|(?<=[{CLAUSE_MARKS}][而但且])|(?<=[{CLAUSE_MARKS}](?:但是|並且|并且|到了)))"
)
_SENTENCE = r"(?:^|(?<=[。！？!?\n]))"
_SUBJECTS = (
    r"我國|我国|全國|全国|中國|中国|國內|国内|全球|央行|監管|监管|政府|國家|国家|各地|該|该|本|此|這|这"
    r"|是|起|開始|开始|以後|以后|之後|之后|以前|之前|前後|前后|首次|正式|相關|相关|[，,]|" + _EVENTS
)
_SHORT_YEAR = near_pattern(
    rf"(?:(?:(?<=(?<!\d)\d{{4}}年)|(?<=(?<!\d)[12][1-9]{{2}}年)|(?<=(?<![\d-])[12]\d{{3}}))(?:至|到|[-—~～])(?P<digits7>\d{{1,3}})年"
    rf"|(?P<context>(?:{_VERBS})[于於在])(?P<digits>\d{{1,3}})年{_DURATION}"
    rf"|(?P<preposition>(?<![\d年月])(?:{_PREPOSITIONS}))(?P<digits1>\d{{1,3}})年{_LOOSE_DURATION}{_SPAN})"
    rf"|(?<!\d)(?<!\d[.,])(?P<digits2>\d{{1,3}})年(?P<part>底|末|初|版|中期?|前[後后]|上半年|下半年|[春夏秋冬]季?|第?[一二三四1-4]季度|\d{{1,2}}月)"
    rf"|{_CLAUSE}(?P<digits3>\d{{2,3}})年(?=(?:{_SUBJECTS}))"
    rf"|{_SENTENCE}(?P<digits5>\d{{2,3}})年{_LOOSE_DURATION}(?=[\u4e00-\u9fff])"
    rf"|(?<!\d)(?<!\d[.,])(?<![第近約约達达逾超滿满])(?P<digits4>[12][1-9]{{2}})年(?!代|歷史|历史|之久|的歷史|的历史)"
    rf"|(?:{_ISSUERS})(?P<digits8>\d{{2,3}})年(?=(?P<event>{_EVENTS}))"
    rf"|(?P<since>(?<![\d年月])(?:自從|自从|自|從|从))(?P<digits6>\d{{1,3}})年(?=以來|以来|以後|以后|起|開始|开始)"
    rf"|{_CLAUSE}(?P<weak>\d{{2,3}})年(?:{_LOOSE_DURATION}|(?=以來|以来))"
    rf"|(?<![\d.])(?P<decade>\d|\d{{3}})年代"
    rf"|(?<![\d.])(?<![第近約约達达逾超滿满])(?P<born>\d{{1,3}})年(?=出生)"
    rf"|{_CLAUSE}(?:[“「\"]|)(?P<when>\d{{1,3}})年(?=的時候|的时候)"
    rf"|(?P<entering>進入|进入)(?P<digits9>\d{{1,3}})年(?!代|[之以]?[內内中間间]|[級级])"
    rf"|(?<![\d.])(?<![第近約约達达逾超滿满過过去])(?P<range_start>\d{{2,3}})年(?=(?:至|到|[-—~～])\d{{1,3}}年[間间])"
    rf"|(?<=(?<!\d)\d{{2}}年)(?<![第近約约達达逾超滿满去]\d{{2}}年)(?:至|到|[-—~～])(?P<range_end>\d{{1,3}})年(?=[間间])"
    rf"|(?<=[{CLAUSE_MARKS}]\d{{2}}年)(?:至|到|[-—~～])(?P<weak_end>\d{{2}})年{_LOOSE_DURATION}{_SPAN}",
    re.MULTILINE,
)
_GROUPS = (
    "digits7",
    "digits",
    "digits1",
    "digits2",
    "digits3",
    "digits5",
    "digits4",
    "digits8",
    "digits6",
    "weak",
    "decade",
    "born",
    "when",
    "digits9",
    "range_start",
    "range_end",
    "weak_end",
)
_WEAK = ("weak", "weak_end")  # years only on a page that has a truncated year in a surer context
_FULL_YEAR = near_pattern(
    rf"(?<!距今)(?<!距今約)(?<!距今约)(?<![約约近達达逾超])(?<!\d)(?P<digits>\d{{4}})年{_DURATION}(?!之久|左右|以上|歷史|历史)"
)  # 距今約5000年, 長達1000年之久: a span of years, not a year
_LENGTH_OF_TIME = re.compile(r"年限|期限|年齡|年龄|工齡|工龄|壽命|寿命|年資|年资|刑期|學制|学制")
_ANY_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)年")
# What every alternative of _SHORT_YEAR holds: one to three digits after a non-digit, then 年.
_SHORT_YEAR_DIGITS = near_pattern(r"(?<!\d)\d{1,3}年")
FIRST_YEAR = 1900


@cache
def load_facts(path: str) -> dict[str, int]:
    """Read a fact table: ``name|name|…<TAB>year`` per line, ``#`` comments."""
    facts: dict[str, int] = {}
    try:
        with Path(path).open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle, delimiter="\t"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the fact table ({error})") from None
    for number, row in enumerate(rows, start=1):
        if not row or row[0].startswith("#") or len(row) < 2:
            continue
        if not row[1].strip().isdigit():
            raise ConfigError(f"{path}:{number}: expected name|name…<TAB>year, not {row[1]!r} as the year")
        for name in row[0].split("|"):
            facts[name.strip()] = int(row[1])
    return facts


def _is_subsequence(short: str, full: str) -> bool:
    """True when ``short``'s digits appear in ``full`` in order (``24`` in ``2004``, ``20`` in ``2006``).

    >>> _is_subsequence("20", "2006"), _is_subsequence("22", "2013")
    (True, False)
    """
    remaining = iter(full)
    return all(digit in remaining for digit in short)


def with_zeros(digits: str, last: int) -> list[str]:
    """Years in ``1900..last`` made by putting zeros back into ``digits``.

    >>> with_zeros("24", 2030), with_zeros("221", 2030), with_zeros("2", 2030), with_zeros("15", 2030)
    (['2004'], ['2021'], ['2000'], [])
    """
    years = set()
    for places in combinations(range(4), 4 - len(digits)):
        rest = iter(digits)
        year = "".join("0" if index in places else next(rest) for index in range(4))
        if FIRST_YEAR <= int(year) <= last:
            years.add(year)
    return sorted(years)


def without_middle(digits: str, last: int) -> list[str]:
    """Years in ``1900..last`` whose first and last digits are ``digits`` (``2010`` → ``20``).

    >>> without_middle("24", 2026), without_middle("15", 2026)[:3]
    (['2004', '2014', '2024'], ['1905', '1915', '1925'])
    """
    if len(digits) != 2:
        return []
    return [str(y) for y in range(FIRST_YEAR, last + 1) if str(y)[0] + str(y)[3] == digits]


def shorthand(digits: str, last: int) -> list[str]:
    """Years in ``1900..last`` that ``digits`` abbreviates, as people write ``18年`` for 2018.

    >>> shorthand("18", 2026), shorthand("215", 2026)
    (['1918', '2018'], [])
    """
    if len(digits) != 2:
        return []
    return [year for year in (f"19{digits}", f"20{digits}") if int(year) <= last]


@dataclass
class _Truncated:
    start: int  # of the digits, in the text
    end: int
    digits: str
    message: str
    zeros: list[str]
    middle: list[str]
    strong: bool

    def candidates(self, last: int) -> list[str]:
        """Every restoration: zeros put back first, then middle digits or a two-digit shorthand, latest first."""
        others = set(self.middle + shorthand(self.digits, last)) - set(self.zeros)
        return self.zeros + sorted(others, reverse=True)


def _named_before(text: str, position: int, facts: Mapping[str, int], window: int = 40) -> str | None:
    """The organisation from ``facts`` named closest before ``position`` in the same sentence."""
    start = max(0, position - window)
    for stop in "。！？\n":
        start = max(start, text.rfind(stop, 0, position) + 1)
    span = text[start:position]
    best: tuple[int, str] | None = None
    for name in facts:
        found = span.rfind(name)
        if found >= 0 and (best is None or found + len(name) > best[0]):
            best = (found + len(name), name)
    return best[1] if best else None


def _where(match: re.Match[str], group: str) -> str:
    if group in ("digits", "digits1"):
        return f"after {match.group('context') or match.group('preposition')}"
    if group == "digits2":
        return f"before {match.group('part')}"
    if group == "digits7":
        return "ending a range that starts with a year"
    if group == "digits6":
        return f"after {match.group('since')}, a starting point"
    if group == "digits4":
        return "and no zero"
    if group == "digits8":
        return f"before {match.group('event')}, an event of a year"
    if group == "decade":
        return "before 年代 (a decade is written with 2 or 4 digits)"
    if group == "born":
        return "before 出生, a year of birth"
    if group == "when":
        return "before 的時候 at the start of a clause"
    if group == "digits9":
        return f"after {match.group('entering')}"
    if group in ("range_start", "range_end"):
        return "in a range of years (年間)"
    if group == "weak_end":
        return "ending a range that opens a clause"
    return "at the start of a clause"


def _counts_years(view: str, position: int) -> bool:
    """Whether the sentence before ``position`` names a length of time, so its ``N年`` are durations.

    >>> _counts_years("最低繳費年限將從15年提高到20年", 8), _counts_years("行業從15年開始整頓", 3)
    (True, False)
    """
    start = max(view.rfind(stop, 0, position) for stop in "。！？；\n") + 1
    return _LENGTH_OF_TIME.search(view, start, position) is not None


def _truncation(start: int, end: int, digits: str, where: str, strong: bool, last: int) -> _Truncated | None:
    """The truncated year ``digits`` at ``start:end`` with every restoration, or ``None`` when no year
    up to ``last`` can be made from the digits."""
    zeros, middle = with_zeros(digits, last), without_middle(digits, last)
    if not (zeros or middle or shorthand(digits, last)):
        return None
    message = f'year "{digits}年" has {len(digits)} digit{"s" * (len(digits) > 1)} {where}'
    return _Truncated(start, end, digits, message, zeros, middle, strong)


def _truncated_years(view: str, last: int) -> list[_Truncated]:
    if next(_SHORT_YEAR_DIGITS.finditer(view), None) is None:
        return []  # no alternative of _SHORT_YEAR can match
    found = []
    for match in _SHORT_YEAR.finditer(view):
        group = next(name for name in _GROUPS if match.group(name))
        digits = match.group(group)
        start, end = match.span(group)
        if _counts_years(view, start):
            continue
        truncated = _truncation(start, end, digits, _where(match, group), group not in _WEAK, last)
        if truncated and group == "decade":  # 199年代 is the 1990s
            truncated.zeros = [year for year in truncated.zeros if year.endswith("0")]
            truncated.middle = [year for year in truncated.middle if year.endswith("0")]
            if not truncated.zeros + truncated.middle:
                continue  # no decade up to now can be made from the digits (205年代)
        if truncated:
            found.append(truncated)
    found = _coordinated(view, found, last)
    if not any(t.strong for t in found):
        return []  # a clause-start "20年" alone is a duration; it is a year only on a damaged page
    return found


_JOINERS = "、和與与及或"  # what joins the years of a list (2007年、16年和2018年)
_LISTED_YEAR = near_pattern(
    rf"(?<!\d)(\d{{1,3}})年(?=[{_JOINERS}]\d{{1,4}}年)|(?<=[{_JOINERS}])(\d{{1,3}})年{_DURATION}(?!之久|左右|以上)"
)


def _coordinated(view: str, found: list[_Truncated], last: int) -> list[_Truncated]:
    """``found`` and the short years listed with a year: a four-digit one or one already found
    (在27年、26年和28年, 2007年、2016年和28年). A list of short numbers alone is durations (1年、3年和5年).

    >>> [t.digits for t in _coordinated("在2007年、16年和28年修訂", [], 2026)]
    ['16', '28']
    >>> _coordinated("期限分為1年、3年和5年", [], 2026), _coordinated("2019年和5年前相比", [], 2026)
    ([], [])
    """
    full = [m.span() for m in _FULL_YEAR.finditer(view)]
    starts = {start for start, _ in full} | {t.start for t in found}  # of the digits
    ends = {end - 1 for _, end in full} | {t.end for t in found}  # of the 年
    added = True
    while added:  # a list is read from either end until no member is left
        added = False
        for match in _LISTED_YEAR.finditer(view):
            group = 1 if match.group(1) else 2
            start, end = match.span(group)
            if start in starts:
                continue
            after_year = start >= 2 and view[start - 1] in _JOINERS and start - 2 in ends
            before_year = group == 1 and end + 2 in starts  # past 年 and the joining mark
            truncated = (after_year or before_year) and _truncation(
                start, end, match.group(group), "in a list of years", True, last
            )
            if truncated:
                found.append(truncated)
                starts.add(start)
                ends.add(end)
                added = True
    return sorted(found, key=lambda t: t.start)


def _page_mode(found: list[_Truncated]) -> str | None:
    """How this page truncates years: ``zeros``, ``middle`` or unknown (``None``).

    Only dropping zeros makes 1 or 3 digits; a 2-digit year no zeros can explain lost its middle.
    """
    modes = set()
    for item in found:
        if len(item.digits) != 2:
            modes.add("zeros")
        elif not item.zeros and item.middle:
            modes.add("middle")
    return modes.pop() if len(modes) == 1 else None


def _chronology(candidates: list[str], before: int | None, after: int | None) -> list[str]:
    """Candidates that keep the text's order of years (``before`` ≤ year ≤ ``after``)."""
    return [
        y for y in candidates if (before is None or int(y) >= before) and (after is None or int(y) <= after)
    ]


def find_malformed_years(
    text: str,
    facts: Mapping[str, int],
    year_min: int = 1000,
    year_max: int | None = None,
) -> list[Finding]:
    """Truncated years in a date context and four-digit years out of range."""
    year_max = year_max or date.today().year + 50
    last = date.today().year
    view, offsets = annotation_free(text)  # 從(cóng)24年 still reads 從24年
    offsets.append(len(text))
    found = _truncated_years(view, last)
    mode = _page_mode(found)
    # the full years of the text, by position, when there is a truncated one to restore
    anchors = [(m.start(), int(m.group(1))) for m in _ANY_YEAR.finditer(view)] if found else []
    document_years = sorted({year for _, year in anchors})
    findings: list[Finding] = []
    for item in found:
        candidates = item.candidates(last)
        start, end = offsets[item.start], offsets[item.end - 1] + 1
        organisation = _named_before(view, item.start, facts)
        # a year elsewhere is evidence only when a truncation could have made these digits from it
        # (22年 is not 2023年: no kind of truncation keeps 2 and 2 of 2023)
        fitting = [y for y in document_years if str(y) in candidates]
        year = reason = None
        if organisation and _is_subsequence(item.digits, str(facts[organisation])):
            year, reason = (
                str(facts[organisation]),
                f"founding year of {organisation} is {facts[organisation]}",
            )
        elif len(fitting) == 1:
            year, reason = str(fitting[0]), f"{fitting[0]} appears elsewhere in the text"
        elif mode:
            kept = item.zeros if mode == "zeros" else item.middle
            index = bisect_left(anchors, (item.start, 0))
            before = anchors[index - 1][1] if index else None
            after = anchors[index][1] if index < len(anchors) else None
            ordered = _chronology(kept, before, after) if len(kept) > 1 else kept
            if len(ordered) == 1:
                year = ordered[0]
                reason = f"this page drops the {'zeros' if mode == 'zeros' else 'middle digits'} of its years"
                if len(kept) > 1:
                    reason += " and the years around it order it"
        if year is None:
            shown = ", ".join(candidates[:6]) + ("…" if len(candidates) > 6 else "")
            findings.append(
                Finding(RULE, start, end + 1, f"{item.message}; maybe {shown}", None, tuple(candidates))
            )
            continue
        suggestions = (year, *(y for y in candidates if y != year))
        findings.append(
            Finding(RULE, start, end + 1, f"{item.message}; {reason}", Edit(start, end, year), suggestions)
        )
    for match in _FULL_YEAR.finditer(text):
        year = int(match.group("digits"))
        if not year_min <= year <= year_max:
            start, end = match.span("digits")
            findings.append(Finding(RULE, start, end + 1, f"year {year} is outside {year_min}–{year_max}"))
    findings.sort(key=lambda f: f.start)
    return findings
