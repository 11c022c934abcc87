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

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from toolkit.chardata import PINYIN_LETTERS, is_han, normalize_pinyin, pinyin_source, readings, reads_as
from toolkit.datacache import cached_table
from toolkit.lexicon import UNKNOWN_HAN_LOGP, Lexicon, get_lexicon

EURO = "€"  # byte 0x80 on Windows code page 936
REPEATED_MARKS = "*-=_~#."
UNKNOWN = "\ufffd"  # an ASCII byte the decoder swallowed, when nothing tells which
LEAD_BYTES = range(0x81, 0xFF)
MAX_UNITS = 160  # characters of one shifted run (a line of text)
BEAM = 16  # partial readings kept per step
BEAM_WINDOW = 16  # characters a partial reading is scored on
DROP_OPTIONS = 4  # restorations of a dropped unassigned pair tried per step
MAX_DROPPED = 3  # dropped pairs per run
DROP_COST = 10.0  # log-probability cost of assuming a dropped pair after a Han character
DROP_COST_AFTER_MARK = 3.0  # ... after ，（） whose second bytes (AC A8 A9) start unassigned pairs
WORD_BONUS = 6.0  # a closing character that makes a word with the one before ranks as if this much likelier
CLOSE_OPTIONS = 16  # readings of a lost closing byte kept
UNMARKED_GAIN = (
    15.0  # a ? before plain-looking characters is a lost byte only when reading it so gains this much
)
DOCUMENT_PAIR_BONUS = 4.0  # per pair of a reading that the page holds elsewhere
RARE_COST = 6.0  # a Han character that no word of the lexicon holds, in a reading
SCRIPT_COST = 4.0  # a character of the other script in a reading
LINE_END_COST = 6.0  # a line that ends in 、，； (half of it: in a Han character) before a line break
CONTEXT = 6
DEFAULT_MARGIN = 3.0

_SYLLABLE = re.compile(rf"([{PINYIN_LETTERS}]{{1,7}})\)")
_ANNOTATION_BEFORE = re.compile(rf"(.)\(([{PINYIN_LETTERS}]{{1,7}})\)$")
_ANNOTATION_AFTER = re.compile(rf"\(([{PINYIN_LETTERS}]{{1,7}})\)")
_BRACKETED = re.compile(r"[^()\n]{1,30}\)")
_STRIP = re.compile(rf"\([{PINYIN_LETTERS}]{{1,7}}\)")
_HEADING_START = re.compile(
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
        for trail in (*range(0x40, 0x7F), *range(0x80, 0xFF)):
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

    ``replacement`` is set when the best candidate wins by the margin;
    ``candidates`` holds the best few readings either way, best first.
    """

    start: int
    end: int
    replacement: str | None
    candidates: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class _State:
    """A partial reading of a run: the real text so far and the lead byte still waiting for its trail."""

    score: float
    decoded: str
    pending: int
    dropped: int  # unassigned pairs restored so far
    penalty: float  # their cost
    prior: float  # penalty plus the cost of unlikely characters so far


@dataclass(frozen=True)
class _Reading:
    """A complete reading of a run that ends at ``end``."""

    decoded: str
    end: int
    penalty: float = 0.0


def _previous_byte(text: str, position: int) -> int | None:
    """Last byte of the real character before ``position``, skipping its annotation."""
    window = text[max(0, position - 10) : position]
    match = _ANNOTATION_BEFORE.search(window)
    if match and reads_as(match.group(1), match.group(2)):
        ch = match.group(1)
    elif position > 0:
        ch = text[position - 1]
    else:
        return None
    code = unit_bytes(ch)
    if code is None and "!" <= ch <= "~":
        code = unit_bytes(chr(ord(ch) + 0xFEE0))  # a full-width mark that NFKC flattened
    return None if code is None else code & 0xFF


def _real_char(lead: int, trail: int) -> str | None:
    """The character the real bytes ``lead trail`` make, ``None`` when invalid or implausible."""
    ch = pair_table()[0][lead << 8 | trail]
    return ch if ch is not None and _plausible(ch) else None


@cache
def _unassigned_after() -> dict[int, tuple[int, ...]]:
    """For a byte ``a``: the lead bytes ``b`` that make ``a b`` a well-formed but unassigned pair.

    The legacy decoder drops such a pair without a trace (``AC B6``: the trail of ``，`` and
    the lead of ``都`` read one byte out of step), so a shifted run can hide one.

    >>> 0xB6 in _unassigned_after()[0xAC]
    True
    """
    table = pair_table()[0]

    def unassigned(code: int) -> bool:
        ch = table[code]
        return ch is None or "\ue000" <= ch <= "\uf8ff"  # the user-defined areas

    after = {a: tuple(b for b in LEAD_BYTES if unassigned(a << 8 | b)) for a in LEAD_BYTES}
    return {a: leads for a, leads in after.items() if leads}


@lru_cache(maxsize=4096)
def _ranked_chars(lead: int | None, trail: int | None) -> tuple[tuple[int, str], ...]:
    """The plausible real characters ``lead ?`` (or ``? trail``), most frequent first, with the free byte."""
    lexicon = get_lexicon()
    found = []
    for byte in LEAD_BYTES:
        ch = _real_char(lead, byte) if lead is not None else _real_char(byte, trail)
        if ch is not None:
            found.append((lexicon.char_logp(lexicon.to_simplified(ch)), byte, ch))
    found.sort(reverse=True)
    return tuple((byte, ch) for _, byte, ch in found)


@lru_cache(maxsize=4096)
def _closing_chars(previous: str, lead: int) -> tuple[str, ...]:
    """The characters ``lead ?``, those that make a word with ``previous`` first, then the frequent ones.

    >>> "午" in _closing_chars("下", 0xCE)[:3]
    True
    """
    lexicon = get_lexicon()
    scored = []
    for _, ch in _ranked_chars(lead, None):
        simplified = lexicon.to_simplified(ch)
        word = lexicon.word_logp(lexicon.to_simplified(previous) + simplified) if previous else None
        scored.append(
            (max(lexicon.char_logp(simplified), word + WORD_BONUS if word is not None else -math.inf), ch)
        )
    scored.sort(reverse=True)
    return tuple(ch for _, ch in scored)


@lru_cache(maxsize=4096)
def _dropped_pairs(pending: int, lead: int) -> tuple[str, ...]:
    """The likeliest two characters ``pending a`` + ``b lead`` where ``a b`` is a pair the decoder dropped."""
    lexicon = get_lexicon()
    unassigned = _unassigned_after()
    seconds = _ranked_chars(None, lead)
    options = []
    firsts = [(a, ch) for a, ch in _ranked_chars(pending, None) if a in unassigned][: DROP_OPTIONS * 2]
    for a, first in firsts:
        leads = unassigned[a]
        found = [second for b, second in seconds if b in leads][:DROP_OPTIONS]
        for second in found:
            score = lexicon.char_logp(lexicon.to_simplified(first)) + lexicon.char_logp(
                lexicon.to_simplified(second)
            )
            options.append((score, first + second))
    options.sort(reverse=True)
    return tuple(pair for _, pair in options[: DROP_OPTIONS * 2])


@cache
def _syllable_pairs() -> dict[str, tuple[tuple[int, int, str], ...]]:
    """Every plausible two-byte character by reading: ``(lead, trail, char)`` (from the data cache)."""
    return cached_table("gbk-syllables", 1, [pinyin_source()], _build_syllable_pairs)


def _build_syllable_pairs() -> dict[str, tuple[tuple[int, int, str], ...]]:
    table = pair_table()[0]
    found: dict[str, list[tuple[int, int, str]]] = {}
    for code, ch in enumerate(table):
        if ch is not None and is_han(ch):
            for reading in readings(ch):
                found.setdefault(reading, []).append((code >> 8, code & 255, ch))
    return {reading: tuple(chars) for reading, chars in found.items()}


@cache
def _convertible_simplified() -> frozenset[str]:
    """Simplified characters with exactly one traditional form (a converter always changes them)."""
    sources: dict[str, int] = {}
    for simplified in get_lexicon().t2s.values():
        sources[simplified] = sources.get(simplified, 0) + 1
    return frozenset(ch for ch, count in sources.items() if count == 1 and ch not in get_lexicon().t2s)


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


def _drop_cost(pair: str) -> float:
    """Prior cost of a dropped pair between two characters; most follow a comma or bracket (``，`` = A3AC)."""
    return DROP_COST_AFTER_MARK if pair[0] in "，（）" else DROP_COST


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
    swallowed an ASCII byte). Between two units the decoder may have dropped a
    well-formed but unassigned pair. States are scored with the lexicon over the
    left context and kept to a beam, so time grows linearly with the run.
    """

    def __init__(self, text: str, start: int, lexicon: Lexicon, traditional: bool = True) -> None:
        self.text = text
        self.traditional = traditional
        self.lexicon = lexicon
        self.left = _context(text, start, start)[0]
        self.readings: list[_Reading] = []

    def _state(self, base: _State | None, added: str, pending: int, drop: float = 0.0) -> _State:
        """``base`` extended by the real characters ``added`` (``drop``: the cost of a dropped pair they assume).

        States are compared on the last :data:`BEAM_WINDOW` characters, so each costs the same.
        """
        decoded = (base.decoded if base else "") + added
        dropped = (base.dropped if base else 0) + (drop > 0)
        penalty = (base.penalty if base else 0.0) + drop
        prior = (base.prior if base else 0.0) + drop + _script_cost(added, self.traditional)
        window = (self.left + decoded)[-BEAM_WINDOW:]
        score = self.lexicon.score(self.lexicon.to_simplified(window)) - prior
        return _State(score, decoded, pending, dropped, penalty, prior)

    def _consume(self, states: list[_State], lead: int, trail: int) -> list[_State]:
        """Every state after a shifted pair ``lead trail``, with or without a dropped pair before it."""
        out: list[_State] = []
        unsure = len(states) > BEAM  # the lost byte itself is open: no dropped pair on top of it
        for state in states:
            ch = _real_char(state.pending, lead)
            if ch is not None:
                out.append(self._state(state, ch, trail))
            if unsure or state.dropped >= MAX_DROPPED:
                continue
            for pair in _dropped_pairs(state.pending, lead):
                out.append(self._state(state, pair, trail, _drop_cost(pair)))
        return self._prune(out)

    @staticmethod
    def _prune(states: list[_State]) -> list[_State]:
        best: dict[tuple[str, int], _State] = {}
        for state in states:
            key = (state.decoded[-3:], state.pending)
            if key not in best or state.score > best[key].score:
                best[key] = state
        return sorted(best.values(), key=lambda s: -s.score)[:BEAM]

    def _finish(self, states: list[_State], trail: int | None, end: int, tail: str = "") -> None:
        """Record readings that close the run with real byte ``trail`` (``None``: the pending byte ends it)."""
        for state in states:
            if trail is None:
                self.readings.append(_Reading(state.decoded + tail, end, state.penalty))
                continue
            ch = _real_char(state.pending, trail)
            if ch is not None:
                self.readings.append(_Reading(state.decoded + ch + tail, end, state.penalty))
            if state.dropped < MAX_DROPPED:
                for pair in _dropped_pairs(state.pending, trail):
                    penalty = state.penalty + _drop_cost(pair)
                    self.readings.append(_Reading(state.decoded + pair + tail, end, penalty))

    def _finish_lost(
        self, states: list[_State], end: int, syllable: str | None, tails: Iterable[str]
    ) -> None:
        """Close with a lost byte: the last real character is ``pending`` + an unknown trail."""
        for state in states:
            options = list(_closing_chars(state.decoded[-1:], state.pending))
            if syllable is not None:
                options = [ch for ch in options if reads_as(ch, syllable)]
            options = options[:CLOSE_OPTIONS]
            if syllable is not None and state.dropped < MAX_DROPPED:
                options += _dropped_before_reading(state.pending, syllable)
            for ch in options:
                penalty = state.penalty + (_drop_cost(ch) if len(ch) == 2 else 0.0)
                for tail in tails:
                    self.readings.append(_Reading(state.decoded + ch + tail, end, penalty))

    def read(self, position: int, leads: Iterable[int]) -> list[_Reading]:
        """Every reading of the run whose shifted units begin at ``position``, after a lost ``lead``.

        Units are read position by position; a unit NFKC made of several characters
        (``(十)``) moves its readings further on, so states wait at their position.
        """
        text = self.text
        waiting: dict[int, list[_State]] = {position: [self._state(None, "", lead) for lead in leads]}
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
        return self.readings

    def _step(self, states: list[_State], position: int) -> list[tuple[int, list[_State]]]:
        """Record the endings at ``position`` and return the states after each reading of its unit."""
        text = self.text
        ch = text[position]
        if ch == "(" and _ANNOTATION_AFTER.match(text, position):
            return []  # an annotation after the run, not flattened marks inside it
        units = [(flat, code) for flat, code in nfkc_units().get(ch, ()) if text.startswith(flat, position)]
        if ch == "?":
            syllable = _SYLLABLE.match(text, position + 1)
            if syllable:
                self._finish_lost(states, syllable.end(), syllable.group(1), ("",))
                return []
            self._finish_lost(states, position + 1, None, _swallowed(text, position + 1))
            after = text[position + 1 : position + 2]
            if not after or after.isascii():
                return []
            # else it may also be a flattened ？ (A3BF) inside the run, before more shifted pairs
        elif ch == EURO:
            self._finish(states, 0x80, position + 1)
            return []
        elif ch.isascii() and 0x40 <= ord(ch) <= 0x7E:
            self._finish(states, ord(ch), position + 1)
        code = unit_bytes(ch)
        if code is not None:
            units.append((ch, code))
        steps = []
        for flat, code in units:
            after = position + len(flat)
            found = self._consume(states, code >> 8, code & 255)
            if 0x40 <= code & 255 <= 0x7E:
                self._finish(found, None, after, chr(code & 255))
                continue  # the ASCII trail byte brought the decoder back in step
            note = _ANNOTATION_AFTER.match(text, after)
            if flat == ch and note and reads_as(ch, note.group(1)):
                after = note.end()  # a second straddle: the pair was annotated, the shift goes on
            steps.append((after, found))
        return steps


@lru_cache(maxsize=4096)
def _dropped_before_reading(pending: int, syllable: str) -> list[str]:
    """``pending a`` + a character reading ``syllable`` whose lead ``b`` made ``a b`` a dropped pair."""
    lexicon = get_lexicon()
    unassigned = _unassigned_after()
    reading_chars = _syllable_pairs().get(normalize_pinyin(syllable), ())
    options = []
    firsts = [(a, ch) for a, ch in _ranked_chars(pending, None) if a in unassigned][: DROP_OPTIONS * 2]
    for a, first in firsts:
        leads = unassigned[a]
        for b, _trail, second in reading_chars:
            if b in leads:
                score = lexicon.char_logp(lexicon.to_simplified(first)) + lexicon.char_logp(
                    lexicon.to_simplified(second)
                )
                options.append((score, first + second))
    options.sort(reverse=True)
    return [pair for _, pair in options[:DROP_OPTIONS]]


def _swallowed(text: str, position: int) -> tuple[str, ...]:
    """What a ``?`` that ends a run may have swallowed: the ASCII byte after the lost one.

    ``(`` when a bracketed text follows, a line break before a heading, else an unknown
    character (a digit, a blank, a mark: the bytes do not tell), written as U+FFFD so that
    the rest of the run can still be repaired and the gap stays visible (ZH104 reports it).
    """
    if position >= len(text):
        return ("",)  # a lone lead byte at the very end
    if text[position] in REPEATED_MARKS and text[position : position + 2] == text[position] * 2:
        return (text[position],)  # one of a row of marks (censor stars ***): the rest are there
    if _BRACKETED.match(text, position):
        return ("(",)
    if _HEADING_START.match(text, position):
        return ("\n",)
    return (UNKNOWN,)


@lru_cache(maxsize=4)
def _document_pairs(text: str) -> frozenset[str]:
    """Adjacent Han pairs of the document: a reading that makes words the page uses elsewhere is likelier."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1) if is_han(text[i]) and is_han(text[i + 1]))


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
    scored: dict[tuple[str, int], float] = {}
    for reading in readings:
        key = (reading.decoded, reading.end)
        middle = _STRIP.sub("", text[reading.end : far])
        window = lexicon.to_simplified(left + reading.decoded + middle + right).replace(UNKNOWN, "0")
        cost = reading.penalty + _script_cost(reading.decoded, traditional)
        cost -= DOCUMENT_PAIR_BONUS * _known_pairs(text, left[-1:] + reading.decoded + (middle + right)[:1])
        cost += _line_end_cost(reading.decoded)
        scored[key] = max(scored.get(key, -math.inf), lexicon.score(window) - cost)
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
        if position == 0 or not (is_han(text[position - 1]) or text[position - 1] in "，。、"):
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
        if gain < (DEFAULT_MARGIN if _looks_shifted(text[position + 1 : best_end]) else UNMARKED_GAIN):
            return None
    reason = "lost byte before " + ("`" + syllable.group(0) + "`" if syllable else "shifted characters")
    far = max(end for _, _, end in ranked)
    key = f"{previous}:{text[position:far]}"
    return _Run(position, tuple(ranked), reason, key)


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
    return StraddleRepair(run.start, best_end, best if clear else None, candidates, run.reason)


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
