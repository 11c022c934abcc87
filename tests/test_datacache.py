"""The data cache: tables and compiled patterns, built once, loaded as built, rebuilt when damaged."""

from __future__ import annotations

import marshal
import re

import pytest

from toolkit.chardata import HAN_CLASS, PINYIN_LETTERS
from toolkit.datacache import cached_pattern, cached_table

PATTERNS = [
    (HAN_CLASS, 0),
    (rf"({HAN_CLASS})([(（]([{PINYIN_LETTERS}]{{1,7}})[)）])", re.IGNORECASE),
    (r"(?P<pre>在[^，。！？；,;:\n的]{1,16})(?P<at>的(?!時候))", re.MULTILINE),
    ("[\x80-\x9f\ud800-\udfff]", 0),  # a lone surrogate in the pattern
    (r"(?<![\d])((?:19|20)\d\d)年", 0),
]
TEXT = "問(wèn)題在2004年的時候\x85成立于北京，字(zì)典"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_CACHE", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_cached_pattern_is_the_pattern_re_compiles(cache, pattern, flags):
    built = cached_pattern(pattern, flags)  # compiled and stored
    loaded = cached_pattern(pattern, flags)  # read back from the file
    expected = re.compile(pattern, flags)
    for compiled in (built, loaded):
        assert compiled == expected
        assert (compiled.flags, compiled.groups, compiled.groupindex) == (
            expected.flags,
            expected.groups,
            expected.groupindex,
        )
        assert [m.span() for m in compiled.finditer(TEXT)] == [m.span() for m in expected.finditer(TEXT)]
    assert len(list((cache / "patterns").iterdir())) == 1


def test_each_pattern_and_flags_has_its_own_entry(cache):
    cached_pattern("a+", 0)
    cached_pattern("a+", re.IGNORECASE)
    cached_pattern("b+", 0)
    assert len(list((cache / "patterns").iterdir())) == 3
    assert cached_pattern("a+", re.IGNORECASE).fullmatch("AA")
    assert not cached_pattern("a+", 0).fullmatch("AA")


def test_a_damaged_entry_falls_back_to_re(cache):
    cached_pattern("[一-鿿]+", 0)
    (entry,) = (cache / "patterns").iterdir()
    flags, code, groups, groupindex, indexgroup = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps((flags, [9999] * len(code), groups, groupindex, indexgroup)))
    assert cached_pattern("[一-鿿]+", 0).findall("中文 text") == ["中文"]
    entry.write_bytes(b"not marshal")
    assert cached_pattern("[一-鿿]+", 0) == re.compile("[一-鿿]+")


def test_a_bad_pattern_raises_as_re_does(cache):
    with pytest.raises(re.error):
        cached_pattern("(unclosed", 0)
    assert not (cache / "patterns").exists()


def test_cached_table_builds_once_per_version(cache):
    calls = []

    def build():
        calls.append(1)
        return {"a": 1}

    assert cached_table("thing", 1, [], build) == {"a": 1}
    assert cached_table("thing", 1, [], build) == {"a": 1}
    assert cached_table("thing", 2, [], build) == {"a": 1}
    assert len(calls) == 2


def test_the_compact_tables_hold_what_their_sources_say():
    from toolkit import chardata
    from toolkit.repairs import gbk

    table, _ = gbk.pair_table()
    units = gbk._plausible_units()
    assert len(units) == len(table) == 0x10000
    for code, ch in enumerate(table):
        expected = ch if ch is not None and gbk._plausible(ch) else None
        assert (None if units[code] == "\0" else units[code]) == expected
    readings = chardata._read_pinyin_module(chardata.pinyin_source())
    compact = chardata._pinyin_table()
    assert all(compact.get(code, "") == entry for code, entry in readings.items())
    assert compact.get(0x41, "") == "" and compact.get(0x10FFFF, "") == ""
    lead_bytes, chars = gbk._syllable_pairs()["shù"]
    assert [(lead, ch) for lead, ch in zip(lead_bytes, chars, strict=True)] == [
        (code >> 8, ch)
        for code, ch in enumerate(table)
        if ch is not None and chardata.is_han(ch) and "shù" in chardata.readings(ch)
    ]
