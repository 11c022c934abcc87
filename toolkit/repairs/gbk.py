"""GBK byte-straddle mojibake: the legacy decoder, the byte-level annotator, and their inverse.

The damage (``docs/CORRUPTION.md`` §2): a byte-level annotator inserted ``(py)``
after every occurrence of an annotated character's two GBK bytes, including
occurrences straddling two real characters; a legacy decoder then read
lead byte + next byte as one unit, wrote ``?`` for an invalid pair (swallowing
both bytes) and, shifted by one byte, produced garbage until the next
single-byte unit; NFKC finally flattened full-width forms (``；`` → ``;``).

The inverse rebuilds the real byte stream of each damaged run: the ``?`` that
starts it is a lost byte ``L`` (when ``py)`` follows, ``[previous byte, L]`` must
read ``py``), the shifted characters are re-encoded, a terminating ``?`` is one
more lost byte (plus the swallowed ``(`` of the next annotation), and the bytes
are decoded again in the right alignment. Candidates are ranked with the
lexicon; a fix is offered only when one clearly wins.

>>> legacy_decode(annotate_bytes("嚴謹的態度".encode("gbk"), [("數", "shù")]))
'嚴謹?shù)膽B度'
>>> [(r.start, r.end, r.replacement) for r in find_straddles("嚴謹(jǐn)?shù)膽B(tài)度")]
[(7, 14, '的態')]
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from toolkit.chardata import (
    HAN_CLASS,
    PINYIN_LETTERS,
    is_han,
    normalize_pinyin,
    pinyin_source,
    readings,
    reads_as,
)
from toolkit.datacache import cached_pattern, cached_table
from toolkit.lexicon import MAX_WORD, UNKNOWN_HAN_LOGP, Lexicon, get_lexicon

EURO = "€"  # byte 0x80 on Windows code page 936
REPEATED_MARKS = "*-=_~#."
UNKNOWN = "\ufffd"  # an ASCII byte the decoder swallowed, when nothing tells which
LEAD_BYTES = range(0x81, 0xFF)
MAX_UNITS = 160  # characters of one shifted run (a line of text)
BEAM = 12  # partial readings kept per step
READINGS = 24  # complete readings of a run scored over the whole window
DROP_BEAM = 4  # partial readings kept per step that assume a dropped pair
OPTIONS = 4  # characters tried for a byte the run does not show, per set of next leads
LEAD_OPTIONS = 16  # characters tried for a lead byte the run does not show
MAX_DROPPED = 8  # dropped pairs per run
MAX_CHAIN = 2  # dropped pairs in a row (均水: `F9 CB`, `AE C6` both vanish)
DROP_COST = 0.0  # log-probability cost of assuming a dropped pair
CLOSE_OPTIONS = 16  # readings of a lost closing byte kept
TRAIL_BYTES = (*range(0x40, 0x7F), *range(0x80, 0xFF))
UNMARKED_GAIN = (
    15.0  # a ? before plain-looking characters is a lost byte only when reading it so gains this much
)
DOCUMENT_PAIR_BONUS = 4.0  # per pair of a reading that the page holds elsewhere
RARE_COST = 6.0  # a Han character that no word of the lexicon holds, in a reading
SCRIPT_COST = 4.0  # a character of the other script in a reading
LINE_END_COST = 6.0  # a line that ends in 、，； (half of it: in a Han character) before a line break
CONTEXT = 6
DEFAULT_MARGIN = 3.0

REMNANT = re.compile(rf"\?[{PINYIN_LETTERS}]{{1,7}}\)")  # a `?` glued to pinyin: certainly damage
_HAN_RUN = cached_pattern(f"{HAN_CLASS}{{2,}}")
_SYLLABLE = cached_pattern(rf"([{PINYIN_LETTERS}]{{1,7}})\)")
_ANNOTATION_BEFORE = re.compile(rf"(.)\(([{PINYIN_LETTERS}]{{1,7}})\)$")
_ANNOTATION_AFTER = re.compile(rf"\(([{PINYIN_LETTERS}]{{1,7}})\)")
_BRACKETED = re.compile(r"[^()\n?]{1,30}\)")  # a bracketed text, not the `?py)` of the next run
_STRIP = re.compile(rf"\([{PINYIN_LETTERS}]{{1,7}}\)")
_HEADING_START = cached_pattern(
    r"[一二三四五六七八九十]{1,3}、|[0-9]{1,2}\.[0-9]|（[一二三四五六七八九十]{1,3}）"
)


# ---------------------------------------------------------------------------
# The codec model


@cache
def pair_table() -> tuple[list[str | None], dict[str, int]]:
    """Every two-byte GBK unit as the legacy decoder reads it, and the reverse map.

    The list is indexed by ``lead << 8 | trail``; ``None`` marks an invalid pair.
    Private-use code points come out as Windows code page 936 maps them. Built
    once, then loaded from the data cache.

    >>> table, reverse = pair_table()
    >>> table[0xD694], hex(reverse["的"])
    ('謹', '0xb5c4')
    """
    return cached_table("gbk-pairs", 1, [], _build_pair_table)


def _build_pair_table() -> tuple[list[str | None], dict[str, int]]:
    table: list[str | None] = [None] * 0x10000
    reverse: dict[str, int] = {}
    for lead in LEAD_BYTES:
        for trail in TRAIL_BYTES:
            try:
                ch = bytes((lead, trail)).decode("gb18030")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                table[lead << 8 | trail] = ch
                reverse.setdefault(ch, lead << 8 | trail)
    return table, reverse


@cache
def nfkc_units() -> dict[str, tuple[tuple[str, int], ...]]:
    """What NFKC made of a two-byte unit inside a run, by first character: ``(text, code)``.

    ``;`` comes from ``；`` (A3BB), ``(十)`` from ``㈩`` (A2EE): the pages were normalised
    after the legacy decoder had read the shifted bytes.

    >>> [hex(code) for text, code in nfkc_units()[";"]]
    ['0xa3bb', '0xa972']
    >>> ("(十)", 0xA2EE) in nfkc_units()["("]
    True
    """
    return cached_table("gbk-nfkc-units", 1, [], _build_nfkc_units)


def _build_nfkc_units() -> dict[str, tuple[tuple[str, int], ...]]:
    table = pair_table()[0]
    units: dict[str, list[tuple[str, int]]] = {}
    for code, ch in enumerate(table):
        if ch is None:
            continue
        flat = unicodedata.normalize("NFKC", ch)
        if flat != ch and flat:
            units.setdefault(flat[0], []).append((flat, code))
    return {first: tuple(sorted(found, key=lambda unit: -len(unit[0]))) for first, found in units.items()}


def legacy_decode(data: bytes) -> str:
    """Decode bytes like the legacy decoder: two-byte units, ``?`` for a malformed pair.

    A malformed pair (second byte below 0x40, 0x7F or 0xFF) swallows both bytes as one
    ``?``; a well-formed pair that GBK leaves unassigned (the user-defined areas) is
    dropped without a trace; a lone 0x80 is ``€``.

    >>> legacy_decode(b"\\xb5(sh\\xa8\\xb4)\\xc4\\x91B")
    '?shù)膽B'
    >>> legacy_decode("，都".encode("gbk")[1:])  # AC B6 is unassigned: gone
    '?'
    """
    table, _ = pair_table()
    out: list[str] = []
    index, size = 0, len(data)
    while index < size:
        byte = data[index]
        if byte < 0x80:
            out.append(chr(byte))
            index += 1
        elif byte == 0x80:
            out.append(EURO)
            index += 1
        elif index + 1 < size:
            trail = data[index + 1]
            ch = table[byte << 8 | trail]
            if trail < 0x40 or trail in (0x7F, 0xFF):
                out.append("?")
            elif ch is not None and not "\ue000" <= ch <= "\uf8ff":
                out.append(ch)
            index += 2
        else:
            out.append("?")
            index += 1
    return "".join(out)


def annotate_bytes(data: bytes, annotations: Iterable[tuple[str, str]]) -> bytes:
    """The byte-level annotator: insert ``(py)`` after every occurrence of each character's bytes.

    Not multibyte-safe, like the original: occurrences that straddle two real
    characters are annotated too. Characters are processed in the given order.

    >>> annotate_bytes("謹的".encode("gbk"), [("數", "shù")])
    b'\\xd6\\x94\\xb5(sh\\xa8\\xb4)\\xc4'
    """
    for char, syllable in annotations:
        pattern = char.encode("gbk")
        data = data.replace(pattern, pattern + b"(" + syllable.encode("gbk") + b")")
    return data


def unit_bytes(ch: str) -> int | None:
    """The two-byte code of a character (``None`` when it is not a GBK pair).

    >>> hex(unit_bytes("膽")), unit_bytes("a")
    ('0xc491', None)
    """
    return pair_table()[1].get(ch)


# ---------------------------------------------------------------------------
# The inverse


@dataclass(frozen=True)
class StraddleRepair:
    """One damaged run ``text[start:end]`` and its ranked candidate readings.

    ``replacement`` is set when the best candidate wins by the margin, or, for a run
    that is certainly damaged (a ``?`` glued to ``py)``), always: the best reading is
    then a guess (``decided`` is false) and ``candidates`` say what else it may be.
    ``candidates`` holds the best few readings either way, best first.
    """

    start: int
    end: int
    replacement: str | None
    candidates: tuple[str, ...]
    reason: str
    decided: bool = True


Pending = int | frozenset[int]  # the lead byte of the character being read, or the bytes it may be


class _State(NamedTuple):  # a tuple: the search builds tens of thousands
    """A partial reading of a run: the real text so far and the lead byte(s) still waiting for a trail.

    ``values`` are the segmentation scores (:meth:`Lexicon.extend`) before each character of
    ``tail`` (the last characters, simplified) and after the last one, so that a step costs
    the same however long the run.
    """

    score: float
    decoded: str
    pending: Pending
    values: tuple[float, ...]
    tail: str
    dropped: int  # unassigned pairs restored so far
    penalty: float  # their cost
    prior: float  # penalty plus the cost of unlikely characters so far


class _Reading(NamedTuple):
    """A complete reading of a run that ends at ``end``."""

    decoded: str
    end: int
    penalty: float = 0.0
    score: float = 0.0  # of the search, which ranks the readings before :func:`_rank` scores the best


def _previous_char(text: str, position: int) -> str:
    """The real character before ``position``, skipping its annotation (``""`` at the start).

    >>> _previous_char("服務(wù)?", 6), _previous_char("好?", 1)
    ('務', '好')
    """
    match = _ANNOTATION_BEFORE.search(text[max(0, position - 10) : position])
    if match and reads_as(match.group(1), match.group(2)):
        return match.group(1)
    return text[position - 1 : position]


def _previous_byte(text: str, position: int) -> int | None:
    """Last byte of the real character before ``position``, skipping its annotation."""
    ch = _previous_char(text, position)
    if not ch:
        return None
    code = unit_bytes(ch)
    if code is None and "!" <= ch <= "~":
        code = unit_bytes(chr(ord(ch) + 0xFEE0))  # a full-width mark that NFKC flattened
    return None if code is None else code & 0xFF


def _real_char(lead: int, trail: int) -> str | None:
    """The character the real bytes ``lead trail`` make, ``None`` when invalid or implausible."""
    ch = _plausible_units()[lead << 8 | trail]
    return None if ch == "\0" else ch


@cache
def _plausible_units() -> str:
    """Each two-byte unit's character when it is valid and :func:`_plausible`, else NUL, indexed by
    ``lead << 8 | trail``. Built once into the data cache; this module is one of its sources, so an
    edit to :func:`_plausible` builds it again.

    >>> _plausible_units()[0xB5C4], _plausible_units()[0xA1A0]
    ('的', '\\x00')
    """

    def build() -> str:
        return "".join(ch if ch is not None and _plausible(ch) else "\0" for ch in pair_table()[0])

    return cached_table("gbk-plausible", 1, [Path(__file__)], build)


@cache
def _unassigned_after() -> dict[int, frozenset[int]]:
    """For a byte ``a``: the lead bytes ``b`` that make ``a b`` a well-formed but unassigned pair.

    The legacy decoder drops such a pair without a trace (``AC B6``: the trail of ``，`` and
    the lead of ``都`` read one byte out of step), so a shifted run can hide one. Equal
    sets are one object (they key the caches of the search).

    >>> 0xB6 in _unassigned_after()[0xAC]
    True
    """
    table = pair_table()[0]

    def unassigned(code: int) -> bool:
        ch = table[code]
        return ch is None or "\ue000" <= ch <= "\uf8ff"  # the user-defined areas

    shared: dict[frozenset[int], frozenset[int]] = {}
    after = {}
    for a in LEAD_BYTES:
        leads = frozenset(b for b in LEAD_BYTES if unassigned(a << 8 | b))
        if leads:
            after[a] = shared.setdefault(leads, leads)
    return after


def _leads(pending: Pending) -> Iterable[int]:
    return (pending,) if isinstance(pending, int) else sorted(pending)


def _pending(leads: Iterable[int]) -> Pending | None:
    """One lead byte as itself, several as a set (``None`` when there is none)."""
    found = frozenset(leads)
    if not found:
        return None
    return next(iter(found)) if len(found) == 1 else found


@lru_cache(maxsize=65536)
def _frequency(ch: str) -> float:
    lexicon = get_lexicon()
    return lexicon.char_logp(lexicon.to_simplified(ch))


def _by_frequency(chars: Iterable[str], limit: int) -> tuple[str, ...]:
    """Distinct characters, the most frequent first, at most ``limit``."""
    return tuple(sorted(set(chars), key=lambda ch: (-_frequency(ch), ch))[:limit])


@lru_cache(maxsize=16384)
def _chars_ending(pending: Pending, trail: int) -> tuple[str, ...]:
    """The plausible characters ``lead trail`` for a lead in ``pending``, most frequent first.

    >>> _chars_ending(0xB5, 0xC4)
    ('的',)
    """
    return _by_frequency((ch for lead in _leads(pending) if (ch := _real_char(lead, trail))), LEAD_OPTIONS)


@lru_cache(maxsize=4096)
def _dropping_chars(pending: Pending) -> tuple[tuple[str, frozenset[int]], ...]:
    """Characters ``lead a`` (lead in ``pending``) whose trail ``a`` made an unassigned pair with the
    next lead byte, which the decoder then dropped; each with the lead bytes that pair allows
    next. The most frequent :data:`OPTIONS` for each set of next leads.

    >>> ("，", _unassigned_after()[0xAC]) in _dropping_chars(0xA3)
    True
    """
    groups: dict[frozenset[int], list[str]] = {}
    for lead in _leads(pending):
        for a, nexts in _unassigned_after().items():
            ch = _real_char(lead, a)
            if ch is not None:
                groups.setdefault(nexts, []).append(ch)
    return tuple((ch, nexts) for nexts, chars in groups.items() for ch in _by_frequency(chars, OPTIONS))


@lru_cache(maxsize=4096)
def _lost_trail_chars(pending: Pending, syllable: str) -> tuple[str, ...]:
    """The characters ``lead ?`` (lead in ``pending``) that read ``syllable``: the trail byte was lost.

    >>> "數" in _lost_trail_chars(0x94, "shù")
    True
    """
    leads = set(_leads(pending))
    lead_bytes, chars = _syllable_pairs().get(normalize_pinyin(syllable), (b"", ""))
    return _by_frequency(
        (ch for lead, ch in zip(lead_bytes, chars, strict=True) if lead in leads and _plausible(ch)),
        CLOSE_OPTIONS,
    )


@cache
def _forms() -> dict[str, tuple[tuple[int, str], ...]]:
    """The plausible two-byte characters by simplified form: ``(code, char)``.

    >>> (0x95FE, "會") in _forms()["会"]
    True
    """
    lexicon = get_lexicon()
    found: dict[str, list[tuple[int, str]]] = {}
    for code, ch in enumerate(pair_table()[0]):
        if ch is not None and code >> 8 >= 0x81 and _plausible(ch):
            found.setdefault(lexicon.to_simplified(ch), []).append((code, ch))
    return {simplified: tuple(chars) for simplified, chars in found.items()}


@lru_cache(maxsize=4096)
def _frequent_chars(pending: Pending) -> tuple[str, ...]:
    """The most frequent characters ``lead ?`` for a lead in ``pending`` and any trail."""
    return _by_frequency(
        (ch for lead in _leads(pending) for t in TRAIL_BYTES if (ch := _real_char(lead, t))), CLOSE_OPTIONS
    )


@lru_cache(maxsize=4096)
def _closing_chars(previous: str, pending: Pending) -> tuple[str, ...]:
    """The characters ``lead ?`` of an unknown trail: those that make a word with ``previous`` first
    (the likeliest words first), then the frequent ones.

    >>> "午" in _closing_chars("下", 0xCE)[:3]
    True
    """
    lexicon = get_lexicon()
    leads = set(_leads(pending))
    words = lexicon.heads.get(lexicon.to_simplified(previous), []) if previous else []
    completing = [
        ch for word in words if len(word) == 2 for code, ch in _forms().get(word[1], ()) if code >> 8 in leads
    ]
    return tuple(dict.fromkeys((*completing, *_frequent_chars(pending))))[:CLOSE_OPTIONS]


@cache
def _syllable_pairs() -> dict[str, tuple[bytes, str]]:
    """Every two-byte Han character by reading: the lead bytes and the characters, in code order
    (from the data cache).

    >>> lead_bytes, chars = _syllable_pairs()["shù"]
    >>> lead_bytes[chars.index("數")] == 0x94
    True
    """
    return cached_table("gbk-syllables", 2, [pinyin_source()], _build_syllable_pairs)


def _build_syllable_pairs() -> dict[str, tuple[bytes, str]]:
    table = pair_table()[0]
    found: dict[str, list[tuple[int, str]]] = {}
    for code, ch in enumerate(table):
        if ch is not None and is_han(ch):
            for reading in readings(ch):
                found.setdefault(reading, []).append((code >> 8, ch))
    return {
        reading: (bytes(lead for lead, _ in pairs), "".join(ch for _, ch in pairs))
        for reading, pairs in found.items()
    }


@cache
def _convertible_simplified() -> frozenset[str]:
    """Simplified characters with exactly one traditional form, which every traditional standard
    writes in that form: a traditional page never holds them (诉 for 訴). Not 同, 只, 才, 群, 温:
    t2s takes 衕, 隻, 纔, 羣, 溫 to them, but traditional text writes them too.

    >>> "诉" in _convertible_simplified(), "同" in _convertible_simplified()
    (True, False)
    """
    from toolkit.repairs.script import classify_chars

    sources: dict[str, int] = {}
    for simplified in get_lexicon().t2s.values():
        sources[simplified] = sources.get(simplified, 0) + 1
    single = "".join(ch for ch, count in sources.items() if count == 1 and ch not in get_lexicon().t2s)
    return frozenset(ch for ch, script in classify_chars(single).items() if script == "simplified")


def is_traditional(text: str) -> bool:
    """True when ``text`` is written in traditional characters (more traditional-only than simplified-only).

    >>> is_traditional("嚴謹的態度"), is_traditional("严谨的态度")
    (True, False)
    """
    t2s = get_lexicon().t2s
    simplified = _convertible_simplified()
    traditional = sum(1 for ch in text if ch in t2s)
    return traditional > sum(1 for ch in text if ch in simplified)


@lru_cache(maxsize=1 << 16)  # beam states add the same one or two characters again and again
def _script_cost(decoded: str, traditional: bool) -> float:
    """Cost of unlikely characters in a reading: of the other script (a traditional page has
    no 诉 for 訴), or in no word of the lexicon at all (昈, 篛: what shifted bytes make)."""
    lexicon = get_lexicon()
    other = _convertible_simplified() if traditional else lexicon.t2s
    rare = sum(
        1 for ch in decoded if is_han(ch) and lexicon.char_logp(lexicon.to_simplified(ch)) <= UNKNOWN_HAN_LOGP
    )
    return SCRIPT_COST * sum(1 for ch in decoded if ch in other) + RARE_COST * rare


def _plausible(text: str) -> bool:
    """Real text decodes to Han characters, Chinese punctuation and ASCII."""
    return all(is_han(ch) or ch.isascii() or ch in "，。、；：？！（）《》“”「」…—·" for ch in text)


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    left = _STRIP.sub("", text[max(0, start - 3 * CONTEXT) : start])[-CONTEXT:]
    right = _STRIP.sub("", text[end : end + 3 * CONTEXT])[:CONTEXT]
    return left, right


class _Reader:
    """Beam search over the readings of one shifted run (see :func:`repair_at`).

    Each observed character of the run is a unit the legacy decoder read one byte
    out of step: a two-byte pair (re-encoded), a flattened mark (``;`` for ``；``), or
    an ending: an ASCII letter or ``€`` (the trail byte that brought the decoder back
    in step), a pair whose second byte is an ASCII letter, or a ``?`` (one more lost
    byte: before ``py)`` it must make a character that reads ``py``; otherwise it
    swallowed an ASCII byte). Before each unit the decoder may have dropped one or
    more well-formed but unassigned pairs (the trail of ``，`` and any next lead):
    then the lead byte that follows is known only as a set. Each state is scored with
    the lexicon over everything read so far, one character at a time, and states are
    kept to a beam, so time grows linearly with the run.
    """

    def __init__(self, text: str, start: int, lexicon: Lexicon, traditional: bool = True) -> None:
        self.text = text
        self.traditional = traditional
        self.lexicon = lexicon
        self.left = _context(text, start, start)[0]
        self.readings: list[_Reading] = []
        self.right: dict[int, str] = {}  # the text after each end of the run, as readings are scored with it
        self.pairs = _document_pairs(text)
        self.root = self._state(None, self.left, 0)
        # With the C word table, the loops of _grow and _state run there (WordTable.grow, .walk),
        # the same arithmetic in the same order.
        table = lexicon.native
        self.kernel = None
        if table is not None:
            context = (lexicon.t2s, _script_cost, traditional, self.pairs, self.left[-1:])
            context += (DOCUMENT_PAIR_BONUS, DROP_COST, lexicon.first_logp)
            self.kernel = (table.grow, context, table.walk, (*context, _State))

    def _state(self, base: _State | None, added: str, pending: Pending, dropped: bool = False) -> _State:
        """``base`` extended by the real characters ``added`` (``dropped``: they assume a dropped pair)."""
        if base is not None and self.kernel is not None:
            state = self.kernel[2](base, added, pending, dropped, self.kernel[3])
            if state is not None:  # None: what only this code handles (a tail longer than a word)
                return state
        values, tail = (base.values, base.tail) if base else ((0.0,), "")
        extend, t2s, traditional, pairs = self.lexicon.extend, self.lexicon.t2s, self.traditional, self.pairs
        prior = 0.0
        before = base.decoded[-1:] if base and base.decoded else self.left[-1:]
        for ch in added:
            grown = tail + t2s.get(ch, ch)
            value = extend(grown, values)
            tail = grown[1:] if len(grown) == MAX_WORD else grown
            values = (*values[-len(tail) :], value)
            prior += _script_cost(ch, traditional) - (DOCUMENT_PAIR_BONUS if before + ch in pairs else 0.0)
            before = ch
        if base is None:
            return _State(values[-1], "", pending, values, tail, 0, 0.0, 0.0)
        drop = DROP_COST if dropped else 0.0
        prior += base.prior + drop
        return _State(
            values[-1] - prior,
            base.decoded + added,
            pending,
            values,
            tail,
            base.dropped + dropped,
            base.penalty + drop,
            prior,
        )

    def _grow(
        self,
        states: list[_State],
        choices: list[tuple],
        pending: Pending | None,
        dropped: bool,
        size: int = BEAM,
    ) -> list[_State]:
        """The best ``size`` states among the extensions ``(state, character, pending, dropped)``.

        The options are, for each ``states[i]``, each item of ``choices[i]`` (a tuple): a
        character, whose pending lead is ``pending``, or, when ``pending`` is ``None``, a
        ``(character, pending)`` pair. Each option is scored without building its state (one
        :meth:`Lexicon.extend` step); only the survivors are built. With the C word table the
        scoring loop runs in C (``WordTable.grow``), the same arithmetic in the same order.
        """
        if self.kernel is not None:
            grow, context = self.kernel[:2]
            kept = grow(states, choices, pending, dropped, size, context)
            if kept is not None:  # None: a score that is not a number, which the loop below orders
                return [self._state(state, ch, after, drop) for _, state, ch, after, drop in kept]
        if pending is None:
            options = (
                (s, ch, after) for s, items in zip(states, choices, strict=True) for ch, after in items
            )
        else:
            options = ((s, ch, pending) for s, items in zip(states, choices, strict=True) for ch in items)
        extend, t2s, traditional, pairs = self.lexicon.extend, self.lexicon.t2s, self.traditional, self.pairs
        left = self.left[-1:]
        best: dict[tuple[str, str, Pending], tuple[float, _State, str, Pending, bool]] = {}
        for state, ch, after in options:
            score = extend(state.tail + t2s.get(ch, ch), state.values) - state.prior
            score -= _script_cost(ch, traditional) + (DROP_COST if dropped else 0.0)
            decoded = state.decoded
            if (decoded[-1:] or left) + ch in pairs:
                score += DOCUMENT_PAIR_BONUS  # a pair of characters the page holds elsewhere
            key = (decoded[-2:], ch, after)
            known = best.get(key)
            if known is None or score > known[0]:
                best[key] = (score, state, ch, after, dropped)
        kept = heapq.nlargest(size, best.values(), key=lambda option: option[0])
        return [self._state(state, ch, after, drop) for _, state, ch, after, drop in kept]

    def _expand(self, states: list[_State]) -> list[_State]:
        """``states`` and the states that assume one or more dropped pairs after them."""
        out = list(states)
        frontier = states
        for _ in range(MAX_CHAIN):
            growing = [state for state in frontier if state.dropped < MAX_DROPPED]
            choices = [_dropping_chars(state.pending) for state in growing]
            frontier = self._grow(growing, choices, None, True, DROP_BEAM)
            out += frontier
        return out

    def _consume(self, expanded: list[_State], lead: int, trail: int) -> list[_State]:
        """Every state after a shifted pair ``lead trail`` (``expanded``: the states, dropped pairs included)."""
        return self._grow(expanded, [_chars_ending(state.pending, lead) for state in expanded], trail, False)

    @staticmethod
    def _prune(states: list[_State], size: int = BEAM) -> list[_State]:
        best: dict[tuple[str, Pending], _State] = {}
        for state in states:
            key = (state.decoded[-3:], state.pending)
            if key not in best or state.score > best[key].score:
                best[key] = state
        return heapq.nlargest(size, best.values(), key=lambda s: s.score)

    def _end(self, state: _State, added: str, end: int) -> None:
        """Record the reading ``state`` + ``added`` of the run up to ``end``, scored with the text after it."""
        if end not in self.right:
            self.right[end] = _context(self.text, end, end)[1]
        score = self._state(state, added + self.right[end], 0).score
        self.readings.append(_Reading(state.decoded + added, end, state.penalty, score))

    def _finish(self, expanded: list[_State], trail: int, end: int) -> None:
        """Record readings that close the run with real byte ``trail``, which brought the decoder back in step."""
        for state in expanded:
            for ch in _chars_ending(state.pending, trail):
                self._end(state, ch, end)

    def _finish_lost(
        self, expanded: list[_State], end: int, syllable: str | None, tails: Iterable[str]
    ) -> None:
        """Close with a lost byte: the last real character is a pending lead + an unknown trail."""
        for state in expanded:
            if syllable is not None:
                options = _lost_trail_chars(state.pending, syllable)
            else:
                options = _closing_chars(state.decoded[-1:], state.pending)
            for ch in options:
                for tail in tails:
                    self._end(state, ch + tail, end)

    def read(self, position: int, leads: Iterable[int]) -> list[_Reading]:
        """Every reading of the run whose shifted units begin at ``position``, after a lost byte in ``leads``.

        Units are read position by position; a unit NFKC made of several characters
        (``(十)``) moves its readings further on, so states wait at their position.
        """
        pending = _pending(leads)
        if pending is None:
            return []
        text = self.text
        root = self.root
        waiting: dict[int, list[_State]] = {
            position: [_State(root.score, "", pending, root.values, root.tail, 0, 0.0, 0.0)]
        }
        limit = min(len(text), position + MAX_UNITS)
        while waiting:
            position = min(waiting)
            states = waiting.pop(position)
            if position >= limit:
                continue
            for after, found in self._step(states, position):
                if found:
                    waiting.setdefault(after, []).extend(found)
                    waiting[after] = self._prune(waiting[after])
        return heapq.nlargest(READINGS, self.readings, key=lambda reading: reading.score)

    def _step(self, states: list[_State], position: int) -> list[tuple[int, list[_State]]]:
        """Record the endings at ``position`` and return the states after each reading of its unit."""
        text = self.text
        ch = text[position]
        if ch == "(" and _ANNOTATION_AFTER.match(text, position):
            return []  # an annotation after the run, not flattened marks inside it
        expanded = self._expand(states)
        units = [(flat, code) for flat, code in nfkc_units().get(ch, ()) if text.startswith(flat, position)]
        if ch == "?":
            syllable = _SYLLABLE.match(text, position + 1)
            if syllable:
                self._finish_lost(expanded, syllable.end(), syllable.group(1), ("",))
                return []
            self._finish_lost(expanded, position + 1, None, _swallowed(text, position + 1))
            after = text[position + 1 : position + 2]
            if not after or after.isascii():
                return []
            # else it may also be a flattened ？ (A3BF) inside the run, before more shifted pairs
        elif ch == EURO:
            self._finish(expanded, 0x80, position + 1)
            return []
        elif ch.isascii() and 0x40 <= ord(ch) <= 0x7E:
            self._finish(expanded, ord(ch), position + 1)
        code = unit_bytes(ch)
        if code is not None:
            units.append((ch, code))
        steps = []
        for flat, code in units:
            after = position + len(flat)
            found = self._consume(expanded, code >> 8, code & 255)
            if 0x40 <= code & 255 <= 0x7E:
                for state in found:
                    self._end(state, chr(code & 255), after)
                continue  # the ASCII trail byte brought the decoder back in step
            note = _ANNOTATION_AFTER.match(text, after)
            if flat == ch and note and reads_as(ch, note.group(1)):
                after = note.end()  # a second straddle: the pair was annotated, the shift goes on
            steps.append((after, found))
        return steps


def _swallowed(text: str, position: int) -> tuple[str, ...]:
    """What a ``?`` that ends a run may have swallowed: the ASCII byte after the lost one.

    ``(`` when a bracketed text follows, a line break before a heading, else an unknown
    character (a digit, a blank, a mark: the bytes do not tell), written as U+FFFD so that
    the rest of the run can still be repaired and the gap stays visible (ZH104 reports it).
    """
    if position >= len(text):
        return ("",)  # a lone lead byte at the very end
    mark = text[position]
    if mark == "*" or (mark in REPEATED_MARKS and text[position : position + 2] == mark * 2):
        return (mark,)  # one of a row of marks (censor stars **): the rest are there
    if _BRACKETED.match(text, position):
        return ("(",)
    if _HEADING_START.match(text, position):
        return ("\n",)
    return (UNKNOWN,)


@lru_cache(maxsize=4)
def _document_pairs(text: str) -> frozenset[str]:
    """Adjacent Han pairs of the document: a reading that makes words the page uses elsewhere is likelier."""
    return frozenset(run[i : i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1))


def _known_pairs(text: str, reading: str) -> int:
    """How many adjacent pairs of ``reading`` occur elsewhere in ``text``.

    >>> _known_pairs("他們都會來，也都會走", "都會")
    1
    """
    pairs = _document_pairs(text)
    return sum(1 for i in range(len(reading) - 1) if reading[i : i + 2] in pairs)


def _line_end_cost(decoded: str) -> float:
    """A reading that restores a swallowed line break should end its line like a line ends.

    >>> _line_end_cost("訪問。\\n"), _line_end_cost("訪問是\\n"), _line_end_cost("訪問、\\n")
    (0.0, 3.0, 6.0)
    """
    if not decoded.endswith("\n") or len(decoded) < 2:
        return 0.0
    last = decoded[-2]
    if last in "、，；":
        return LINE_END_COST
    return 0.0 if last in "。！？：”）」" else LINE_END_COST / 2


def _rank(
    text: str, start: int, readings: list[_Reading], lexicon: Lexicon, traditional: bool = True
) -> list[tuple[float, str, int]]:
    """Score each reading over one shared window of the text, best first."""
    far = max(reading.end for reading in readings)
    left, _ = _context(text, start, start)
    _, right = _context(text, far, far)
    cheapest: dict[tuple[str, int], float] = {}
    for reading in readings:
        key = (reading.decoded, reading.end)
        cheapest[key] = min(cheapest.get(key, math.inf), reading.penalty)
    scored: dict[tuple[str, int], float] = {}
    for (decoded, end), penalty in cheapest.items():
        middle = REMNANT.sub("", _STRIP.sub("", text[end:far]))  # without the damage of the next run
        window = lexicon.to_simplified(left + decoded + middle + right).replace(UNKNOWN, "0")
        cost = penalty + _script_cost(decoded, traditional)
        cost -= DOCUMENT_PAIR_BONUS * _known_pairs(text, left[-1:] + decoded + (middle + right)[:1])
        cost += _line_end_cost(decoded)
        scored[(decoded, end)] = lexicon.score(window) - cost
    ranked = [(score, decoded, end) for (decoded, end), score in scored.items()]
    ranked.sort(key=lambda item: -item[0])
    return ranked


def _baseline(text: str, start: int, end: int, lexicon: Lexicon) -> float:
    """Score of the run read as it stands (``?`` as a real question mark)."""
    left, right = _context(text, start, end)
    middle = "？" + _STRIP.sub("", text[start + 1 : end])
    return lexicon.score(lexicon.to_simplified(left + middle + right))


def _looks_shifted(run: str) -> bool:
    """A run that holds a mojibake signature: kana, symbols, private use, flattened marks."""
    for ch in run:
        if ch in "?€;:!" or "\u3040" <= ch <= "\u30ff" or "\ue000" <= ch <= "\uf8ff":
            return True
        if not ch.isascii() and not is_han(ch) and ch not in "，。、“”《》":
            return True
    return False


@dataclass(frozen=True)
class _Run:
    """A damaged run before the decision: its ranked readings and why it is damaged."""

    start: int
    ranked: tuple[tuple[float, str, int], ...]
    reason: str
    key: str  # the damaged bytes as they stand (the byte before, the run), shared by repeats
    marked: bool = False  # it starts at a `?` glued to `py)` (or `??py)`): certainly damage, never real text


def _read_run(text: str, position: int, lexicon: Lexicon, traditional: bool = True) -> _Run | None:
    """Read the ``?`` at ``position`` as the lost byte that starts a shifted run, or ``None``."""
    syllable = _SYLLABLE.match(text, position + 1)
    table = pair_table()[0]
    if syllable:
        previous = _previous_byte(text, position)
        if previous is None or previous < 0x81:
            return None
        leads = [
            lead
            for lead in LEAD_BYTES
            if (ch := table[previous << 8 | lead]) is not None and reads_as(ch, syllable.group(1))
        ]
        shifted_from = syllable.end()
    else:
        previous = None
        before = _previous_char(text, position)
        if not before or not (is_han(before) or before in "，。、"):
            return None
        after = text[position + 1 : position + 2]
        if not after or after.isspace() or (after.isascii() and after not in nfkc_units()):
            return None
        leads = list(LEAD_BYTES)
        shifted_from = position + 1
    if not leads:
        return None
    readings = _Reader(text, position, lexicon, traditional).read(shifted_from, leads)
    if not readings:
        return None
    ranked = _rank(text, position, readings, lexicon, traditional)
    best_score, _, best_end = ranked[0]
    if not syllable:
        gain = best_score - _baseline(text, position, best_end, lexicon)
        shifted = REMNANT.sub("", text[position + 1 : best_end])  # a lost byte at its end starts a run anyway
        if gain < (DEFAULT_MARGIN if _looks_shifted(shifted) else UNMARKED_GAIN):
            return None
    reason = "lost byte before " + ("`" + syllable.group(0) + "`" if syllable else "shifted characters")
    far = max(end for _, _, end in ranked)
    key = f"{previous}:{text[position:far]}"
    # a stray byte right before a lost one (`??jù)`) is as certain as a `?` glued to `py)`
    marked = syllable is not None or REMNANT.match(text, position + 1) is not None
    return _Run(position, tuple(ranked), reason, key, marked)


def _decide(run: _Run, margin: float, evidence: dict[tuple[str, int], float] | None = None) -> StraddleRepair:
    """The repair of one run: the best reading when it wins by ``margin``, else only candidates.

    ``evidence`` sums the scores of each reading (by text and length) over every run
    with the same damaged bytes in the document.
    """
    ranked = list(run.ranked)
    if evidence:
        ranked.sort(key=lambda item: -evidence.get((item[1], item[2] - run.start), -math.inf))
        scores = [evidence.get((d, e - run.start), -math.inf) for _, d, e in ranked]
    else:
        scores = [score for score, _, _ in ranked]
    _, best, best_end = ranked[0]
    candidates = tuple(dict.fromkeys(decoded for _, decoded, _ in ranked))[:5]
    runner_up = next((s for s, (_, d, _) in zip(scores[1:], ranked[1:], strict=True) if d != best), None)
    clear = runner_up is None or scores[0] - runner_up >= margin
    replacement = best if clear or run.marked else None
    return StraddleRepair(run.start, best_end, replacement, candidates, run.reason, clear)


def repair_at(text: str, position: int, margin: float = DEFAULT_MARGIN) -> StraddleRepair | None:
    """Try to read the ``?`` at ``position`` as the lost byte that starts a shifted run.

    >>> repair_at("發(fā)生?;ヂ?lián)網(wǎng)", 6).replacement
    '。互聯'
    >>> repair_at("你好嗎?我很好。", 3) is None
    True
    """
    run = _read_run(text, position, get_lexicon(), is_traditional(text))
    return None if run is None else _decide(run, margin)


@lru_cache(maxsize=8)
def find_straddles(text: str, margin: float = DEFAULT_MARGIN) -> tuple[StraddleRepair, ...]:
    """Every damaged run in ``text``, left to right, in time linear in the text.

    Runs with the same damaged bytes (the same word straddles the same way each
    time) are decided together: each reading's scores are summed over them.

    >>> [r.replacement for r in find_straddles("事件的發(fā)生?;ヂ?lián)網(wǎng)金融")]
    ['。互聯']
    """
    lexicon = get_lexicon()
    traditional = is_traditional(text)
    runs: list[_Run] = []
    consumed = 0
    for match in re.finditer(r"\?", text):
        if match.start() < consumed:
            continue
        run = _read_run(text, match.start(), lexicon, traditional)
        if run is not None and not run.marked and _decide(run, margin).replacement is None:
            inner = REMNANT.search(text, run.start + 1, run.ranked[0][2])
            if inner and _read_run(text, inner.start(), lexicon, traditional) is not None:
                continue  # an undecided reading must not swallow a run that starts at a `?py)`
            if inner:
                run = replace(run, marked=True)  # it holds a `?py)` no other reading covers
        if run is not None:
            runs.append(run)
            consumed = run.ranked[0][2]
    groups: dict[str, list[_Run]] = {}
    for run in runs:
        groups.setdefault(run.key, []).append(run)
    repairs = []
    for index, run in enumerate(runs):
        evidence = None
        repeats = groups[run.key]
        if len(repeats) > 1:
            evidence = _joint_scores(repeats)
        repair = _decide(run, margin, evidence)
        limit = runs[index + 1].start if index + 1 < len(runs) else len(text)
        if repair.end > limit:
            repair = _decide(run, margin)
        repairs.append(repair)
    return tuple(repairs)


def _joint_scores(runs: list[_Run]) -> dict[tuple[str, int], float]:
    """Summed score of each reading (text, length) over runs that hold the same damaged bytes."""
    totals: dict[tuple[str, int], float] = {}
    counts: dict[tuple[str, int], int] = {}
    for run in runs:
        for score, decoded, end in run.ranked:
            key = (decoded, end - run.start)
            totals[key] = totals.get(key, 0.0) + score
            counts[key] = counts.get(key, 0) + 1
    return {key: value for key, value in totals.items() if counts[key] == len(runs)}
