"""The data cache: tables and compiled patterns, built once, loaded as built, rebuilt when damaged."""

from __future__ import annotations

import marshal
import re

import pytest

from toolkit.chardata import HAN_CLASS, PINYIN_LETTERS
from toolkit.datacache import (
    cached_pattern,
    cached_table,
    finditer_near,
    finditer_needing,
    match_reach,
    required_chars,
)

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


def _random_texts(alphabet: str, count: int = 300) -> list[str]:
    import random

    rng = random.Random(7)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(count)]


def _same_as_a_full_scan(patterns: list[tuple[str, int]], texts: list[str]) -> int:
    """Assert that the windowed search of each pattern finds what finditer finds; return the matches."""
    checked = 0
    for source, flags in patterns:
        reach, needs = match_reach(source, flags), required_chars(source, flags)
        if reach is None or not needs:
            continue
        compiled = re.compile(source, flags)
        for text in texts:
            anchors = sorted(i for i, ch in enumerate(text) if ch in min(needs, key=len))
            expected = [m.span() for m in compiled.finditer(text)]
            assert [m.span() for m in finditer_near(compiled, text, anchors, reach)] == expected, source
            assert [m.span() for m in finditer_needing(compiled, text, needs, reach)] == expected, source
            checked += len(expected)
    return checked


def test_a_search_near_the_needed_characters_finds_what_a_full_scan_finds():
    """Every pattern of the dropped-word list and of the year rule, and some made for the edge cases
    (a lookbehind reaching before the window, an anchor, a negative lookahead at the window's end), on
    random texts over small alphabets, where matches are dense and windows touch and merge."""
    from toolkit.repairs import years
    from toolkit.repairs.dropped import load_patterns

    made = [
        r"(?<=[個些類])問(?![題答])",
        r"^多(?=人)",
        r"(?<![很太])多(?![。，])",
        r"\b問題\b",
        r"手(?=[^，]{0,3}段)|機(?<=手機)",
    ]
    words = [(entry.pattern.pattern, re.MULTILINE) for entry in load_patterns()] + [(p, re.M) for p in made]
    assert _same_as_a_full_scan(words, _random_texts("問題個些多人很。，手段機 \n12345客服電話")) > 100
    year_patterns = [years._SHORT_YEAR, years._FULL_YEAR, years._LISTED_YEAR, years._SHORT_YEAR_DIGITS]
    patterns = [(p.pattern.pattern, p.pattern.flags & ~re.UNICODE) for p in year_patterns]
    assert _same_as_a_full_scan(patterns, _random_texts("0122019年年年、和至-成立于從以來底，。")) > 100


def test_match_reach_bounds_what_a_match_looks_at():
    assert match_reach(r"(?<=客服)(?P<at> )(?=[0-9]{3}|[0-9]{2}-)") == 2 + 1 + 3
    assert match_reach(r"[0-9]{3,}") is None  # unbounded
    assert match_reach(r"(?<=撥打)x?") is None  # may match empty: only a full scan is right
    assert match_reach(r"多(?=[，,]\s{0,8}少)") == 1 + 1 + 8 + 1


def test_patterns_led_by_their_first_characters_match_as_their_sources():
    """A lookahead of the characters a match may start with only lets re skip positions faster."""
    from pathlib import Path

    from toolkit import markup
    from toolkit.repairs import punctuation
    from toolkit.rules import mojibake

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "bench").rglob("*.md"))[:40]]
    texts += _random_texts("1.:;!?ab(){};= &|$-#中文\n?ーヲ\ue000€・x_", 2000)
    texts += _random_texts("<>`&!][()/*: \t\n-hf:/w.中文M#;", 2000)
    texts += _random_texts("ab <a href> &nbsp; `x` [M] https://a.cn www.b ](u) :::\n: :smile: /*c*/ 中", 2000)
    pairs = [
        (punctuation._PROTECTED, re.compile(punctuation.PROTECTED_SOURCE)),
        (mojibake._RESIDUE_MARK, re.compile(mojibake.RESIDUE_SOURCE)),
        (markup._CODE_TOKEN_ANYWHERE, re.compile(markup._CODE_TOKEN_SOURCE, re.M)),
        (markup._SPANS_WITHOUT_EMAIL, re.compile(markup._SPANS_SOURCE, re.S | re.M)),
    ]
    for led, plain in pairs:
        found = 0
        for text in texts:
            expected = [m.span() for m in plain.finditer(text)]
            assert [m.span() for m in led.finditer(text)] == expected, plain.pattern
            found += len(expected)
        assert found > 100
