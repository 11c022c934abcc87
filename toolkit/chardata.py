"""Character classes and readings shared by the repairs and rules.

>>> is_han("中"), is_han("a"), is_han("？")
(True, False, False)
>>> sorted(readings("長"))
['cháng', 'zhàng', 'zhǎng']
"""

from __future__ import annotations

import array
import bisect
import importlib.util
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from toolkit.datacache import cached_pattern, cached_table

HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CLASS = f"[{HAN_RANGES}]"
# Latin letters that occur in tone-marked pinyin, plus combining tone marks.
PINYIN_LETTERS = "a-zA-ZüÜāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜêÊḿńňǹ\u0300-\u036f"
# Marks that end a clause, full- and half-width: what follows one starts a new clause.
CLAUSE_MARKS = "。！？；;，,：:!?\n"
CJK_PUNCTUATION = "，。、；：？！（）《》〈〉「」『』“”‘’【】…—～·"


def is_han(ch: str) -> bool:
    """True for a CJK unified or compatibility ideograph."""
    return "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


HAN = cached_pattern(HAN_CLASS)


def count_han(text: str) -> int:
    """How many characters of ``text`` are Han (:func:`is_han`), counted without a Python loop.

    >>> count_han("中文 and 漢字？")
    4
    """
    return len(text) - len(HAN.sub("", text))


def is_cjk(ch: str) -> bool:
    """True for a Han character or Chinese full-width punctuation."""
    return is_han(ch) or ch in CJK_PUNCTUATION


class _ReadingTable:
    """Code point → pypinyin's comma-separated readings, stored as a sorted array of code points,
    the readings joined in one string and the offset where each starts (a few arrays to load
    from the data cache, not 40,000 objects).

    >>> table = _ReadingTable(*_ReadingTable.pack({0x6587: "wén", 0x4E2D: "zhōng,zhòng"}))
    >>> table.get(0x4E2D, ""), table.get(0x6587, ""), table.get(0x4E00, "")
    ('zhōng,zhòng', 'wén', '')
    """

    def __init__(self, codes: bytes, starts: bytes, joined: str) -> None:
        self._codes = array.array("I", codes)
        self._starts = array.array("I", starts)
        self._joined = joined

    @staticmethod
    def pack(readings: dict[int, str]) -> tuple[bytes, bytes, str]:
        """What the data cache keeps: the sorted code points, the offsets and the joined readings."""
        codes = sorted(readings)
        starts = [0]
        for code in codes:
            starts.append(starts[-1] + len(readings[code]))
        joined = "".join(readings[code] for code in codes)
        return array.array("I", codes).tobytes(), array.array("I", starts).tobytes(), joined

    def get(self, code: int, default: str) -> str:
        index = bisect.bisect_left(self._codes, code)
        if index == len(self._codes) or self._codes[index] != code:
            return default
        return self._joined[self._starts[index] : self._starts[index + 1]]


@cache
def _pinyin_table() -> _ReadingTable:
    """pypinyin's per-character reading table, loaded without importing pypinyin.

    Importing the ``pypinyin`` package costs a quarter of a second; its table is
    read once from ``pinyin_dict.py`` and then loaded from the data cache.
    """
    path = pinyin_source()
    return _ReadingTable(
        *cached_table("pinyin", 2, [path], lambda: _ReadingTable.pack(_read_pinyin_module(path)))
    )


def pinyin_source() -> Path:
    """pypinyin's ``pinyin_dict.py``, where the readings come from (a data cache source).

    >>> pinyin_source().name
    'pinyin_dict.py'
    """
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    return Path(spec.submodule_search_locations[0]) / "pinyin_dict.py"


def _read_pinyin_module(path: Path) -> dict[int, str]:
    module_spec = importlib.util.spec_from_file_location("pypinyin.pinyin_dict", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.pinyin_dict


@lru_cache(maxsize=8192)
def normalize_pinyin(syllable: str) -> str:
    """Lower-case NFC pinyin with ``v`` written as ``ü``.

    >>> normalize_pinyin("LÜE"), normalize_pinyin("lve"), normalize_pinyin("dǎo")
    ('lüe', 'lüe', 'dǎo')
    """
    text = unicodedata.normalize("NFC", syllable.strip().lower())
    return text.replace("v", "ü")


@cache
def readings(ch: str) -> frozenset[str]:
    """All tone-marked readings of one character (empty when unknown)."""
    entry = _pinyin_table().get(ord(ch), "")
    return frozenset(normalize_pinyin(item) for item in entry.split(",") if item)


def reads_as(ch: str, syllable: str) -> bool:
    """True when ``syllable`` is one of the readings of ``ch``.

    >>> reads_as("數", "shǔ"), reads_as("小", "ngbjxym")
    (True, False)
    """
    return normalize_pinyin(syllable) in readings(ch)
