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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from toolkit.chardata import PINYIN_LETTERS, is_han, reads_as
from toolkit.datacache import cached_table
from toolkit.lexicon import Lexicon, get_lexicon

EURO = "€"  # byte 0x80 on Windows code page 936
LEAD_BYTES = range(0x81, 0xFF)
MAX_UNITS = 48
MAX_PATHS = 32
CONTEXT = 6
DEFAULT_MARGIN = 3.0

_SYLLABLE = re.compile(rf"([{PINYIN_LETTERS}]{{1,7}})\)")
_ANNOTATION_BEFORE = re.compile(rf"(.)\(([{PINYIN_LETTERS}]{{1,7}})\)$")
_ANNOTATION_AFTER = re.compile(rf"\(([{PINYIN_LETTERS}]{{1,7}})\)")
_BRACKETED = re.compile(r"[^()\n]{1,30}\)")
_STRIP = re.compile(rf"\([{PINYIN_LETTERS}]{{1,7}}\)")


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


FLATTENABLE = ";:,?!()"


@cache
def flattened_forms() -> dict[str, int]:
    """ASCII that NFKC made of a full-width unit inside a run (``;`` from ``；`` = A3BB).

    >>> hex(flattened_forms()[";"]), hex(flattened_forms()["3"])
    ('0xa3bb', '0xa3b3')
    """
    reverse = pair_table()[1]
    return {chr(code): reverse[chr(code + 0xFEE0)] for code in range(0x21, 0x7F)}


def _flattenable(text: str, position: int) -> bool:
    """Marks anywhere in a run; letters and digits only between non-ASCII characters."""
    if text[position] in FLATTENABLE:
        return True
    before = text[position - 1 : position]
    after = text[position + 1 : position + 2]
    return bool(before) and bool(after) and not before.isascii() and not after.isascii()


def legacy_decode(data: bytes) -> str:
    """Decode bytes like the legacy decoder: two-byte units, ``?`` for an invalid pair.

    An invalid pair swallows both bytes; a lone 0x80 is ``€``.

    >>> legacy_decode(b"\\xb5(sh\\xa8\\xb4)\\xc4\\x91B")
    '?shù)膽B'
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
            out.append(table[byte << 8 | data[index + 1]] or "?")
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
class _Path:
    """One reading of the shifted characters after a lost byte."""

    data: tuple[int, ...]  # real bytes after the lost byte
    end: int  # end of the run in the text
    tail: str  # real text after the bytes (a restored ``(``)
    last: tuple[str, ...]  # syllable(s) the last pair must read (terminating ``?py)``), else ()
    closing: bool  # the run ends with a lost byte (terminating ``?``)


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
    return None if code is None else code & 0xFF


def _paths(text: str, start: int) -> list[_Path]:
    """Every consistent reading of the shifted run that begins at ``start`` (bounded)."""
    paths: list[_Path] = []
    forms = flattened_forms()
    stack: list[tuple[int, tuple[int, ...]]] = [(start, ())]
    while stack and len(paths) < MAX_PATHS:
        position, data = stack.pop()
        if len(data) > 2 * MAX_UNITS or position >= len(text):
            continue
        ch = text[position]
        if ch == "?":
            after = position + 1
            syllable = _SYLLABLE.match(text, after)
            if syllable:
                paths.append(_Path(data, syllable.end(), "", (syllable.group(1),), True))
            elif _BRACKETED.match(text, after):
                paths.append(_Path(data, after, "(", (), True))
        elif ch == EURO:
            paths.append(_Path((*data, 128), position + 1, "", (), False))
            continue
        elif ch.isascii() and 0x40 <= ord(ch) <= 0x7E:
            paths.append(_Path((*data, ord(ch)), position + 1, "", (), False))
        code = unit_bytes(ch)
        if code is not None:
            pair = (*data, code >> 8, code & 255)
            stack.append((position + 1, pair))
            note = _ANNOTATION_AFTER.match(text, position + 1)
            if note and reads_as(ch, note.group(1)):
                stack.append((note.end(), pair))
        flat_code = forms.get(ch)
        if flat_code is not None and _flattenable(text, position):
            stack.append((position + 1, (*data, flat_code >> 8, flat_code & 255)))
    return paths


def _decode_real(data: Iterable[int]) -> str | None:
    """Decode real bytes in proper alignment; ``None`` when a pair is invalid."""
    table, _ = pair_table()
    out: list[str] = []
    pending: int | None = None
    for byte in data:
        if pending is not None:
            ch = table[pending << 8 | byte]
            if ch is None:
                return None
            out.append(ch)
            pending = None
        elif byte < 0x80:
            out.append(chr(byte))
        else:
            pending = byte
    return None if pending is not None else "".join(out)


def _plausible(text: str) -> bool:
    """Real text decodes to Han characters, Chinese punctuation and ASCII."""
    return all(is_han(ch) or ch.isascii() or ch in "，。、；：？！（）《》“”「」…—·" for ch in text)


def _candidates(text: str, start: int, leads: list[int], paths: list[_Path]) -> dict[tuple[str, int], str]:
    """Readings ``(replacement, end)`` of the run at ``start`` for each lost byte and path."""
    table, _ = pair_table()
    found: dict[tuple[str, int], str] = {}
    for path in paths:
        closers: Iterable[int | None] = (None,)
        if path.closing:
            closers = LEAD_BYTES
        for lead in leads:
            for closer in closers:
                data = (lead, *path.data) if closer is None else (lead, *path.data, closer)
                if path.last:
                    last = table[data[-2] << 8 | data[-1]] if len(data) % 2 == 0 else None
                    if last is None or not reads_as(last, path.last[0]):
                        continue
                decoded = _decode_real(data)
                if decoded is None or not _plausible(decoded):
                    continue
                found.setdefault((decoded + path.tail, path.end), f"lost byte {lead:02X}")
    return found


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    left = _STRIP.sub("", text[max(0, start - 3 * CONTEXT) : start])[-CONTEXT:]
    right = _STRIP.sub("", text[end : end + 3 * CONTEXT])[:CONTEXT]
    return left, right


def _rank(
    text: str, start: int, found: dict[tuple[str, int], str], lexicon: Lexicon
) -> list[tuple[float, str, int]]:
    """Score each candidate over one shared window of the text, best first."""
    far = max(end for _, end in found)
    scored: list[tuple[float, str, int]] = []
    left, _ = _context(text, start, start)
    for (replacement, end), _reason in found.items():
        middle = _STRIP.sub("", text[end:far])
        _, right = _context(text, far, far)
        window = lexicon.to_simplified(left + replacement + middle + right)
        scored.append((lexicon.score(window), replacement, end))
    scored.sort(key=lambda item: -item[0])
    return scored


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


def repair_at(text: str, position: int, margin: float = DEFAULT_MARGIN) -> StraddleRepair | None:
    """Try to read the ``?`` at ``position`` as the lost byte that starts a shifted run.

    >>> repair_at("發(fā)生?;ヂ?lián)網(wǎng)", 6).replacement
    '。互聯'
    >>> repair_at("你好嗎?我很好。", 3) is None
    True
    """
    syllable = _SYLLABLE.match(text, position + 1)
    lexicon = get_lexicon()
    table, _ = pair_table()
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
        if position == 0 or not (is_han(text[position - 1]) or text[position - 1] in "，。、"):
            return None
        if position + 1 >= len(text) or (text[position + 1].isascii() and text[position + 1] not in ";:,!"):
            return None
        leads = list(LEAD_BYTES)
        shifted_from = position + 1
    if not leads:
        return None
    paths = _paths(text, shifted_from)
    found = _candidates(text, position, leads, paths)
    if not found:
        return None
    ranked = _rank(text, position, found, lexicon)
    best_score, best, best_end = ranked[0]
    if not syllable:
        run = text[position:best_end]
        baseline = _baseline(text, position, best_end, lexicon)
        if not _looks_shifted(run[1:]) or best_score - baseline < DEFAULT_MARGIN:
            return None
    candidates = tuple(dict.fromkeys(replacement for _, replacement, _ in ranked))[:5]
    clear = len(ranked) == 1 or best_score - ranked[1][0] >= margin
    reason = "lost byte before " + ("`" + syllable.group(0) + "`" if syllable else "shifted characters")
    return StraddleRepair(position, best_end, best if clear else None, candidates, reason)


@lru_cache(maxsize=8)
def find_straddles(text: str, margin: float = DEFAULT_MARGIN) -> tuple[StraddleRepair, ...]:
    """Every damaged run in ``text``, left to right, in time linear in the text.

    >>> [r.replacement for r in find_straddles("事件的發(fā)生?;ヂ?lián)網(wǎng)金融")]
    ['。互聯']
    """
    repairs: list[StraddleRepair] = []
    consumed = 0
    for match in re.finditer(r"\?", text):
        if match.start() < consumed:
            continue
        repair = repair_at(text, match.start(), margin)
        if repair is not None:
            repairs.append(repair)
            consumed = repair.end
    return tuple(repairs)
