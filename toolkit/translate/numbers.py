"""Numbers, years, percentages and amounts in Chinese text and in English, for translation QA.

:func:`chinese_quantities` finds the quantities of a Chinese sentence with their values, Chinese
numerals and units understood (``三成`` is 30 percent, ``1.5万`` is 15,000, ``二〇二一年`` is 2021);
:func:`english_values` the values an English sentence states (``15,000``, ``1.5 million``,
``30%``, ``thirty``). A Chinese quantity is rendered when one of its values occurs in the English.

>>> [(q.text, q.values) for q in chinese_quantities("支付寶成立於二〇〇四年，三成用戶存了1.5萬元。")]
[('二〇〇四年', (2004.0,)), ('三成', (30.0,)), ('1.5萬', (15000.0,))]
>>> sorted(english_values("In 2004, 30% of users saved 15 thousand yuan."))
[15.0, 30.0, 1000.0, 2004.0, 15000.0]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5}
_DIGIT.update({"六": 6, "七": 7, "八": 8, "九": 9})
_SMALL_UNIT = {"十": 10, "百": 100, "千": 1000}
_BIG_UNIT = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_NUMERAL = "零〇○一二两兩三四五六七八九十百千万萬亿億"
_UNITS = "万萬亿億千"
_AFTER_CHINESE_NUMERAL = "年成倍元人家岁歲个個名项項次%％"

_ARABIC = re.compile(rf"(?<![\d.])(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d+))?\s*([{_UNITS}]*)\s*(%|％|成|倍)?")
_CN_YEAR = re.compile(r"[一二][〇○零九][〇○零一二三四五六七八九]{2}(?=年)")
_CN_PERCENT = re.compile(rf"百分之([{_NUMERAL}]+(?:点[{_NUMERAL}]+)?)")
_CN_NUMBER = re.compile(rf"(?<![数數几幾第{_NUMERAL}])[{_NUMERAL}]+(?=[{_AFTER_CHINESE_NUMERAL}])")
_CN_RUN = re.compile(rf"[{_NUMERAL}]+")
_CN_TENTHS = re.compile(r"(?<![一二三四五六七八九十百千万萬])([一二三四五六七八九])成(?![为為功立员員本])")


@dataclass(frozen=True)
class Quantity:
    """A quantity in a Chinese sentence: its text, offset and the values an English rendering may use."""

    text: str
    start: int
    values: tuple[float, ...]


def chinese_number(numeral: str) -> float | None:
    """Value of a Chinese numeral, positional (``二〇二一``) or with units (``三千五百万``).

    >>> [chinese_number(n) for n in ("二〇二一", "十二", "三千五百万", "一亿二千万", "两百", "万", "两三")]
    [2021.0, 12.0, 35000000.0, 120000000.0, 200.0, None, None]
    """
    if not numeral or numeral[0] in _BIG_UNIT:
        return None
    if all(ch in _DIGIT for ch in numeral):
        if len(numeral) == 1 or any(ch in "零〇○" for ch in numeral):
            return float("".join(str(_DIGIT[ch]) for ch in numeral))
        return None  # 两三, 三四五: "two or three", a range, not a positional number
    total, section, digit = 0, 0, None
    for ch in numeral:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        elif ch in _SMALL_UNIT:
            section += (1 if digit is None else digit) * _SMALL_UNIT[ch]
            digit = None
        elif ch in _BIG_UNIT:
            section += digit or 0
            total = (total + section) * _BIG_UNIT[ch] if _BIG_UNIT[ch] > 10_000 else total + section * 10_000
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))


def _scale(units: str) -> float:
    factor = 1.0
    for ch in units:
        factor *= _BIG_UNIT.get(ch, 1000 if ch == "千" else 1)
    return factor


def chinese_quantities(sentence: str) -> list[Quantity]:
    """Quantities of ``sentence`` in text order (see the module docstring).

    >>> [(q.text, q.values) for q in chinese_quantities("百分之三十的人、兩倍、3億元、成立于24年")]
    [('百分之三十', (30.0,)), ('兩倍', (2.0,)), ('3億', (300000000.0,)), ('24', (24.0,))]
    >>> chinese_quantities("這是其中之一，十分重要，千萬不要成為問題。")
    []
    """
    found: dict[int, Quantity] = {}
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, values: tuple[float, ...]) -> None:
        if any(start < b and a < end for a, b in taken):
            return
        taken.append((start, end))
        found[start] = Quantity(sentence[start:end], start, values)

    for match in _CN_PERCENT.finditer(sentence):
        whole, _, fraction = match.group(1).partition("点")
        value = chinese_number(whole)
        if value is not None:
            if fraction:
                value += float("0." + "".join(str(_DIGIT.get(ch, 0)) for ch in fraction))
            add(match.start(), match.end(), (value,))
    for match in _CN_YEAR.finditer(sentence):
        add(match.start(), match.end() + 1, (chinese_number(match.group(0)) or 0.0,))
    for match in _CN_TENTHS.finditer(sentence):
        add(match.start(), match.end(), (float(_DIGIT[match.group(1)] * 10),))
    for match in _ARABIC.finditer(sentence):
        whole, fraction, units, suffix = match.groups()
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        value *= _scale(units)
        if suffix == "成":
            value *= 10
        end = match.end() if (units or suffix) else match.start() + len(match.group(0).rstrip())
        add(match.start(), end, (value,))
    for match in _CN_NUMBER.finditer(sentence):
        numeral = match.group(0)
        unit = sentence[match.end()]
        if len(numeral) == 1 and (numeral in "千百" or (numeral in "一两兩" and unit not in "倍成")):
            continue  # 一個, 兩人, 千年: "a", "both", "millennium" more often than a number
        value = chinese_number(numeral)
        if value is not None:
            add(match.start(), match.end() + (unit == "倍"), (value,))
        elif all(ch in _DIGIT for ch in numeral):  # 两三个: either of them
            add(match.start(), match.end(), tuple(float(_DIGIT[ch]) for ch in numeral))
    return [found[start] for start in sorted(found)]


def mentioned_values(sentence: str) -> set[float]:
    """Every value a Chinese sentence may mention, in any context: its quantities, each numeral
    run (``十九届``, ``百年``, ``每万字``) and each digit of a run (``六七十年代``).

    >>> sorted(mentioned_values("第十九條，每万字"))
    [9.0, 10.0, 19.0, 10000.0]
    """
    values = {v for q in chinese_quantities(sentence) for v in q.values}
    for match in _CN_RUN.finditer(sentence):
        run = match.group(0)
        if run[0] in _BIG_UNIT:
            value = _BIG_UNIT[run[0]] * (chinese_number(run[1:]) or 1)
        else:
            value = chinese_number(run)
        if value is not None:
            values.add(float(value))
        values.update(float(_DIGIT[ch]) for ch in run if ch in _DIGIT)
        values.update(float(_SMALL_UNIT[ch]) for ch in run if ch in _SMALL_UNIT)
    return values


_WORDS = {
    word: float(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        " sixteen seventeen eighteen nineteen twenty".split()
    )
}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80})
_WORDS.update({"ninety": 90, "hundred": 100, "thousand": 1000, "twice": 2, "double": 2, "triple": 3})
_WORDS.update({"half": 50, "dozen": 12, "dozens": 12})
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
_MONTHS = "january february march april may june july august september october november december".split()
_WORDS.update({word: float(n) for n, word in enumerate(_ORDINALS, start=1)})
_WORDS.update({word: float(n) for n, word in enumerate(_MONTHS, start=1) if word != "may"})
_WORDS.update({"twentieth": 20, "hundredth": 100, "centennial": 100, "century": 100, "decade": 10})
_MULTIPLIERS = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9}
_MULTIPLIERS.update({"trillion": 1e12, "hundred": 100})
_ENGLISH_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:st|nd|rd|th|s)?"
    r"(?:\s*(%|percent|per cent)|\s*-?\s*(thousand|million|billion|trillion|hundred|bn|mn|k|m)\b)?",
    re.IGNORECASE,
)
_ENGLISH_WORD = re.compile(
    r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b"
    r"(?:[\s-]+(one|two|three|four|five|six|seven|eight|nine))?"
    r"(?:\s+(thousand|million|billion|trillion|hundred))?",
    re.IGNORECASE,
)


def _numbers(text: str, strict: bool = False) -> list[re.Match[str]]:
    """Matches of numbers in English ``text``; ``strict`` leaves out numbers glued to letters, which
    are more often names than quantities (``9F``, ``5G``, ``G20``, ``COVID-19``)."""
    matches = list(_ENGLISH_NUMBER.finditer(text))
    if not strict:
        return matches
    return [
        match
        for match in matches
        if not text[match.end() : match.end() + 1].isalnum()
        and not text[max(0, match.start() - 2) : match.start()].rstrip("-").isalpha()
        and not text[match.start() - 1 : match.start()].isalpha()
    ]


def english_values(text: str, words: bool = True) -> set[float]:
    """The numeric values ``text`` states; spelled-out numbers too when ``words``.

    A number with a multiplier counts both ways (``5 m`` may be five metres or five million).

    >>> sorted(english_values("1.5 million users, 2,000 shops, twenty-one days, 2nd place"))
    [1.5, 2.0, 21.0, 2000.0, 1500000.0]
    >>> sorted(english_values("twenty-one days", words=False))
    []
    """
    values: set[float] = set()
    for match in _numbers(text):
        whole, fraction, _percent, multiplier = match.groups()
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        values.update((value, value * _MULTIPLIERS.get((multiplier or "").lower(), 1.0)))
    if words:
        for match in _ENGLISH_WORD.finditer(text):
            word, unit, multiplier = (group.lower() if group else group for group in match.groups())
            value = _WORDS[word] + (_WORDS[unit] if unit else 0.0)
            values.update((value, value * _MULTIPLIERS.get(multiplier or "", 1.0)))
    return values


def digit_numbers(text: str) -> list[tuple[str, float]]:
    """Numbers written with digits in English ``text``, as (text, value) pairs.

    >>> digit_numbers("Founded in 2024, 9F Group serves 1.5 million users.")
    [('2024', 2024.0), ('1.5 million', 1500000.0)]
    """
    found = []
    for match in _numbers(text, strict=True):
        whole, fraction, _percent, multiplier = match.groups()
        value = float(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        found.append((match.group(0), value * _MULTIPLIERS.get((multiplier or "").lower(), 1.0)))
    return found


def same_value(a: float, b: float) -> bool:
    """Equal up to rounding (``1.5e4`` and ``15000``).

    >>> same_value(15000.0, 1.5e4), same_value(24.0, 2024.0)
    (True, False)
    """
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
