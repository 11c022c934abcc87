"""Run-level legacy-encoding mojibake: text decoded with the wrong codec.

Three shapes are repaired:

- UTF-8 bytes decoded as GBK: ``浣犲ソ`` → ``你好``;
- GBK or Big5 bytes decoded as Latin-1 / Windows-1252: ``ÄãºÃ`` → ``你好``;
- UTF-8 decoded as Latin-1/1252 (``ä½ å¥½``, ``NicolÃ¡s``), repaired by ftfy with a
  configuration that keeps Chinese full-width punctuation and curly quotes.

The first two write Chinese, so they repair a run only when the result reads as
Chinese words (:func:`reads_as_words`: most of its Han characters fall in
dictionary words) and reads much better than the damaged run
(:meth:`~toolkit.lexicon.Lexicon.score` per character). Accented European text
that merely decodes as GBK or Big5 (``atenção`` would give ``aten玢o``) gives
lone rare characters and is left alone; its UTF-8 mojibake (``NicolÃ¡s``) is
repaired by ftfy.

>>> [(r.start, r.end, r.replacement) for r in find_encoding_mojibake("他說浣犲ソ，世界")]
[(2, 5, '你好')]
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from toolkit.chardata import is_cjk, is_han
from toolkit.datacache import cached_pattern, cached_table
from toolkit.lexicon import get_lexicon

MIN_GAIN = 4.0  # nats per repaired character

_NON_ASCII_RUN = cached_pattern(r"[^\x00-\x7f，。、；：？！（）《》“”「」\s]{2,}")
# UTF-8 of CJK ideographs (U+4E00-U+9FFF) and of CJK and full-width punctuation.
_UTF8_CHINESE = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2}|\xe3\x80[\x80-\xbf]|\xef\xbc[\x80-\xbf])+")
_CP1252_SPECIALS = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_LATIN_RUN = cached_pattern(
    rf"[\u0080-\u00ff{_CP1252_SPECIALS}][\u0040-\u007e\u0080-\u00ff{_CP1252_SPECIALS}]+"
)
_HAS_LATIN = re.compile(r"[\u00c0-\u00ff]")
# What ftfy's enabled fixers besides the mojibake heuristic act on: C1 controls, surrogates.
_FTFY_CHARS = re.compile("[\x80-\x9f\ud800-\udfff]")
# Two UTF-8 sequences of _UTF8_CHINESE in a row, the least a repair needs, wherever they start.
_TWO_UTF8_CHINESE = re.compile(rb"[\xe3-\xef][\x80-\xbf]{2}[\xe3-\xef][\x80-\xbf]{2}")


@dataclass(frozen=True)
class EncodingRepair:
    """``text[start:end]`` decoded with the wrong codec; ``plan`` names the steps that undo it."""

    start: int
    end: int
    replacement: str
    plan: str


def _gain(damaged: str, repaired: str) -> float:
    """How much better ``repaired`` reads than ``damaged``, in nats per repaired character."""
    lexicon = get_lexicon()
    before = lexicon.score(lexicon.to_simplified(damaged))
    after = lexicon.score(lexicon.to_simplified(repaired))
    return (after - before) / max(1, len(repaired))


MIN_WORD_SHARE = 0.5  # of the Han characters, in dictionary words of two or more characters


def reads_as_words(text: str) -> bool:
    """True when ``text`` is Chinese whose Han characters mostly form dictionary words.

    >>> reads_as_words("你好，世界"), reads_as_words("閘閏"), reads_as_words("掗")
    (True, False, False)
    """
    if not text or not all(is_cjk(ch) or ch.isascii() for ch in text):
        return False
    lexicon = get_lexicon()
    simple = lexicon.to_simplified(text)
    han = in_words = start = 0
    for end in lexicon.segment(simple)[1]:
        count = sum(1 for ch in simple[start:end] if is_han(ch))
        han += count
        in_words += count if end - start > 1 else 0
        start = end
    return han >= 2 and in_words >= MIN_WORD_SHARE * han


def find_utf8_as_gbk(text: str) -> list[EncodingRepair]:
    """Runs whose GBK bytes are valid UTF-8 Chinese: ``涓枃`` → ``中文``.

    The bytes of each run of non-ASCII characters are searched for UTF-8
    sequences that start and end on character boundaries.

    >>> [(r.start, r.replacement) for r in find_utf8_as_gbk("他說浣犲ソ涓栫晫")]
    [(2, '你好世界')]
    >>> find_utf8_as_gbk("中文很好")
    []
    """
    if not _TWO_UTF8_CHINESE.search(text.encode("gbk", errors="replace")):
        return []  # every run's bytes stand in these, so no run holds two sequences either
    repairs = []
    for match in _NON_ASCII_RUN.finditer(text):
        run = match.group()
        try:
            data = run.encode("gbk")
        except UnicodeEncodeError:
            continue
        limit = 2 * len(run)  # character boundaries fall on even byte offsets up to here
        for sequence in _UTF8_CHINESE.finditer(data):
            first, last = sequence.span()
            while first < last and (first % 2 or first > limit):
                first += 3
            while last > first and (last % 2 or last > limit):
                last -= 3
            if last - first < 6:
                continue
            repaired = data[first:last].decode("utf-8")
            damaged = run[first // 2 : last // 2]
            if reads_as_words(repaired) and _gain(damaged, repaired) >= MIN_GAIN:
                repairs.append(
                    EncodingRepair(
                        match.start() + first // 2,
                        match.start() + last // 2,
                        repaired,
                        "encode gbk, decode utf-8",
                    )
                )
    return repairs


def _latin_bytes(run: str) -> bytes | None:
    try:
        return run.encode("cp1252")
    except UnicodeEncodeError:
        try:
            return run.encode("latin-1")
        except UnicodeEncodeError:
            return None


def _decode_latin_run(run: str) -> tuple[float, str, str] | None:
    """Best of GBK and Big5 for the bytes of a Latin-1 run: (gain, text, codec)."""
    data = _latin_bytes(run)
    if data is None or sum(1 for ch in run if not ch.isascii()) < 2:
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("gbk", "big5"):
        try:
            repaired = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if reads_as_words(repaired):
            gain = _gain(run, repaired)
            if best is None or gain > best[0]:
                best = (gain, repaired, codec)
    return best


def find_legacy_as_latin1(text: str) -> list[EncodingRepair]:
    """Runs of Latin-1/1252 letters that are GBK or Big5 bytes: ``ÄãºÃ`` → ``你好``.

    >>> [r.replacement for r in find_legacy_as_latin1("ÄãºÃ£¬ÊÀ½ç")]
    ['你好，世界']
    >>> find_legacy_as_latin1("café crème")
    []
    """
    repairs = []
    for match in _LATIN_RUN.finditer(text):
        run = match.group()
        best = _decode_latin_run(run)
        while best is None and len(run) > 2 and run[-1].isascii():
            run = run[:-1]  # a trailing ASCII letter may be real text, not a trail byte
            best = _decode_latin_run(run)
        if best is not None and best[0] >= MIN_GAIN:
            repairs.append(
                EncodingRepair(
                    match.start(), match.start() + len(run), best[1], f"encode cp1252, decode {best[2]}"
                )
            )
    return repairs


def _ftfy_config():
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        remove_control_chars=False,
        normalization=None,
        explain=True,
    )


@cache
def _ftfy_is_bad() -> Callable[[str], bool]:
    """ftfy's mojibake heuristic ``ftfy.badness.is_bad``, without importing ftfy.

    The ``ftfy`` package builds codecs and tables on import (about 50 ms), and
    ``ftfy.badness`` compiles its large ``BADNESS_RE`` (about 10 ms), which a page
    whose Latin letters are pinyin tone marks never needs. ``is_bad`` is
    ``bool(BADNESS_RE.search(text))``: the regex is read from ``badness.py`` once
    into the data cache and compiled with :func:`~toolkit.datacache.cached_pattern`.

    >>> _ftfy_is_bad()("NicolÃ¡s"), _ftfy_is_bad()("拼音 shù jù")
    (True, False)
    """
    if "ftfy.badness" in sys.modules:
        return sys.modules["ftfy.badness"].is_bad
    package = importlib.util.find_spec("ftfy")
    source = Path(package.submodule_search_locations[0]) / "badness.py"
    regex = cached_table("ftfy-badness", 1, [source], lambda: _badness_regex(source))
    if regex is None:
        return _badness_module(source).is_bad
    search = cached_pattern(*regex).search
    return lambda text: bool(search(text))


def _badness_module(source: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("toolkit._ftfy_badness", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _reference_is_bad(text: str) -> bool:
    return bool(BADNESS_RE.search(text))  # noqa: F821  (compared as bytecode, never called)


def _badness_regex(source: Path) -> tuple[str, int] | None:
    """``BADNESS_RE``'s pattern and flags, or ``None`` unless this ftfy's ``is_bad`` is exactly
    ``bool(BADNESS_RE.search(text))`` (same bytecode and names)."""
    module = _badness_module(source)
    code, reference = module.is_bad.__code__, _reference_is_bad.__code__
    if (code.co_code, code.co_names) != (reference.co_code, reference.co_names):
        return None
    return module.BADNESS_RE.pattern, module.BADNESS_RE.flags


def _ftfy_may_change(line: str) -> bool:
    """False only when ``ftfy.fix_and_explain`` with :func:`_ftfy_config` returns ``line`` unchanged.

    Its encoding fix starts only on text ``is_bad`` calls mojibake; the other fixers it
    runs act on C1 controls and surrogates.

    >>> _ftfy_may_change("拼音 shù jù"), _ftfy_may_change("NicolÃ¡s")
    (False, True)
    """
    return bool(_HAS_LATIN.search(line)) and (bool(_FTFY_CHARS.search(line)) or _ftfy_is_bad()(line))


def find_ftfy(text: str) -> list[EncodingRepair]:
    """Latin-1-style mojibake repaired by ftfy, line by line, keeping ``，！？（）“”``.

    >>> damaged = "你好世界".encode("utf-8").decode("cp1252")
    >>> [(r.replacement, r.plan) for r in find_ftfy(damaged + "，好")]
    [('你好世界', 'ftfy: apply decode_inconsistent_utf8')]
    """
    if not _HAS_LATIN.search(text):
        return []
    lines = text.split("\n")
    changing = [_ftfy_may_change(line) for line in lines]
    if not any(changing):
        return []
    import ftfy

    config = _ftfy_config()
    repairs = []
    offset = 0
    for line, may_change in zip(lines, changing, strict=True):
        if may_change:
            fixed, plan = ftfy.fix_and_explain(line, config)
            if fixed != line and plan:
                head = 0
                while head < min(len(line), len(fixed)) and line[head] == fixed[head]:
                    head += 1
                tail = 0
                while tail < min(len(line), len(fixed)) - head and line[-1 - tail] == fixed[-1 - tail]:
                    tail += 1
                steps = ", ".join(f"{step.action} {step.parameter}" for step in plan)
                repairs.append(
                    EncodingRepair(
                        offset + head,
                        offset + len(line) - tail,
                        fixed[head : len(fixed) - tail],
                        f"ftfy: {steps}",
                    )
                )
        offset += len(line) + 1
    return repairs


def find_encoding_mojibake(text: str) -> list[EncodingRepair]:
    """All run-level encoding mojibake, without overlaps, in text order.

    Of overlapping repairs the one that covers more of the text wins (a GBK run read as
    Latin-1 can hold bytes that ftfy would take for a short UTF-8 sequence).

    >>> [r.replacement for r in find_encoding_mojibake("NicolÃ¡s y atenção")]
    ['á']
    """
    found = find_utf8_as_gbk(text) + find_legacy_as_latin1(text) + find_ftfy(text)
    kept: list[EncodingRepair] = []
    for repair in sorted(found, key=lambda r: (r.start - r.end, r.start)):
        if not any(r.start < repair.end and repair.start < r.end for r in kept):
            kept.append(repair)
    return sorted(kept, key=lambda r: r.start)
