"""Corrupt clean simplified Chinese the way the scraped pages were corrupted (docs/CORRUPTION.md).

Pipeline, with every output character traced back to its source:

1. naive simplified → traditional, character by character (the ground truth);
2. content edits: dropped words (問題→問, 的同時，→的, 措施→措, 謹慎→謹, 審慎→審,
   手段→手, 很多→多) and truncated years (2004年 → 24年);
3. GBK bytes; ``(py)`` inserted after every occurrence of each annotated
   character's bytes, straddles included (one reading per character, from pypinyin);
   rarely a straddle loses its pinyin and only the swallowed byte remains;
4. the legacy decoder (``?`` for an invalid pair, swallowing both bytes);
5. NFKC (full-width punctuation becomes ASCII).

Labels are spans of the corrupted text per class: ``annotation``, ``mojibake``,
``halfwidth``, ``dropped``, ``year``.

Run ``python bench/simulate.py bench/corpus/01_credit_card.txt --seed 1`` to see one page.
"""

from __future__ import annotations

import argparse
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.chardata import readings
from toolkit.repairs.gbk import EURO, pair_table

ANNOTATED = (
    "網發聯會產對統現業時應個來經長務學數關進規問導實據機戶點協萬創內構認計護費"
    "風險開結動價國續穩評驗過見環責復設財濟監級請戰"
)
DROPS = [("問題", 1, 1.0), ("措施", 1, 0.6), ("謹慎", 1, 0.6), ("審慎", 1, 0.6), ("手段", 1, 0.6)]
HALF_WIDTH = set("，；：？！（）")


@dataclass
class Page:
    """A corrupted page, its ground truth and the labelled damage spans ``(kind, start, end)``."""

    text: str
    truth: str
    labels: list[tuple[str, int, int]] = field(default_factory=list)


def to_traditional(text: str) -> str:
    """Naive character-by-character simplified → traditional conversion.

    >>> to_traditional("问题")
    '問題'
    """
    import opencc

    converter = opencc.OpenCC("s2t")
    out = []
    for ch in text:
        converted = converter.convert(ch)
        out.append(converted if len(converted) == 1 else ch)
    return "".join(out)


def _edit_content(truth: str, rng: random.Random) -> tuple[list[str], list[tuple[str, int]]]:
    """Apply dropped words and truncated years; return the characters and (kind, index) marks."""
    chars = list(truth)
    keep = [True] * len(chars)
    marks: list[tuple[str, int]] = []
    for word, cut, probability in DROPS:
        if rng.random() < 0.5:
            continue
        for match in re.finditer(word, truth):
            if rng.random() < probability:
                for index in range(match.start() + cut, match.end()):
                    keep[index] = False
                marks.append(("dropped", match.start()))
    for match in re.finditer(r"的同時，", truth):
        if rng.random() < 0.7:
            for index in range(match.start() + 1, match.end()):
                keep[index] = False
            marks.append(("dropped", match.start()))
    for match in re.finditer(r"(?<![\d,.])很多", truth):
        if rng.random() < 0.3:
            keep[match.start()] = False
            marks.append(("dropped", match.start() + 1))
    for match in re.finditer(r"(?<![\d,.])((?:19|20)\d\d)年", truth):
        digits = match.group(1)
        if "0" in digits and rng.random() < 0.5:
            for offset, digit in enumerate(digits):
                if digit == "0":
                    keep[match.start() + offset] = False
            marks.append(("year", match.start(1)))
    edited: list[str] = []
    new_index: dict[int, int] = {}
    for index, ch in enumerate(chars):
        new_index[index] = len(edited)
        if keep[index]:
            edited.append(ch)
    return edited, [(kind, new_index[index]) for kind, index in marks]


def simulate(
    clean: str, seed: int, annotate_share: float = 0.8, extra_annotated: int = 0, lost_pinyin: float = 0.05
) -> Page:
    """Corrupt one clean simplified article; deterministic for a given ``seed``.

    ``extra_annotated`` adds that many of the page's own characters to the
    annotation table (sites annotate different characters), which makes
    straddles, and so GBK mojibake, more frequent.
    """
    rng = random.Random(seed)
    truth = to_traditional(clean)
    chars, marks = _edit_content(truth, rng)
    # Bytes tagged (source char index, position in it); inserted bytes (-1 aligned / -2 straddle, owner).
    data = bytearray()
    tags: list[tuple[int, int]] = []
    for index, ch in enumerate(chars):
        encoded = ch.encode("gbk", errors="replace")
        data += encoded
        tags += [(index, position) for position in range(len(encoded))]
    table = [ch for ch in ANNOTATED if rng.random() < annotate_share]
    own = sorted({ch for ch in truth if "\u4e00" <= ch <= "\u9fff" and readings(ch)} - set(table))
    table += rng.sample(own, min(extra_annotated, len(own)))
    rng.shuffle(table)
    for ch in table:
        syllable = sorted(readings(ch))[0] if len(readings(ch)) == 1 else rng.choice(sorted(readings(ch)))
        pattern = ch.encode("gbk")
        note = b"(" + syllable.encode("gbk") + b")"
        out, out_tags, position = bytearray(), [], 0
        while (found := data.find(pattern, position)) >= 0:
            end = found + len(pattern)
            out += data[position:end]
            out_tags += tags[position:end]
            straddle = tags[found][1] != 0 or tags[found][0] < 0
            inserted = b"(" if straddle and rng.random() < lost_pinyin else note
            owner = tags[end - 1][0]
            out += inserted
            out_tags += [(-2 if straddle else -1, owner)] * len(inserted)
            position = end
        out += data[position:]
        out_tags += tags[position:]
        data, tags = out, out_tags
    return _decode_with_labels(bytes(data), tags, chars, truth, marks)


def _decode_with_labels(data, tags, chars, truth, marks) -> Page:
    """Legacy-decode the tagged bytes, NFKC each unit, and label the damage."""
    pairs, _ = pair_table()
    units: list[tuple[str, list[tuple[int, int]]]] = []
    index = 0
    while index < len(data):
        byte = data[index]
        if byte < 0x80 or byte == 0x80 or index + 1 == len(data):
            text = chr(byte) if byte < 0x80 else (EURO if byte == 0x80 else "?")
            units.append((text, tags[index : index + 1]))
            index += 1
        else:
            units.append((pairs[byte << 8 | data[index + 1]] or "?", tags[index : index + 2]))
            index += 2
    out: list[str] = []
    kinds: list[str] = []  # per output character: clean, annotation, mojibake, halfwidth
    char_start: dict[int, int] = {}
    for text, unit_tags in units:
        flat = unicodedata.normalize("NFKC", text)
        sources = {tag[0] for tag in unit_tags}
        whole = len(sources) == 1 and next(iter(sources)) >= 0
        if whole and len(unit_tags) == len(chars[unit_tags[0][0]].encode("gbk", errors="replace")):
            kind = "halfwidth" if flat != text and text in HALF_WIDTH else "clean"
            char_start.setdefault(unit_tags[0][0], len(out))
        elif all(tag[0] == -1 for tag in unit_tags):
            kind = "annotation"
        else:
            kind = "mojibake"
        out.append(flat)
        kinds.append(kind)
    text = "".join(out)
    labels: list[tuple[str, int, int]] = []
    offset = 0
    for piece, kind in zip(out, kinds, strict=True):
        if kind != "clean":
            if labels and labels[-1][0] == kind and labels[-1][2] == offset and kind != "halfwidth":
                labels[-1] = (kind, labels[-1][1], offset + len(piece))
            else:
                labels.append((kind, offset, offset + len(piece)))
        offset += len(piece)
    labels = _merge_broken_annotations(labels, text)
    for kind, index in marks:
        position = char_start.get(index)
        if position is not None:
            length = 1
            if kind == "year":
                while position + length < len(text) and text[position + length].isdigit():
                    length += 1
                length += 1
            labels.append((kind, position, position + length))
    labels.sort(key=lambda label: label[1])
    return Page(text, truth, labels)


def _merge_broken_annotations(labels, text):
    """An annotation glued to mojibake (its ``(`` swallowed) belongs to the mojibake span."""
    merged: list[tuple[str, int, int]] = []
    for label in labels:
        if merged and merged[-1][2] == label[1] and {merged[-1][0], label[0]} == {"annotation", "mojibake"}:
            merged[-1] = ("mojibake", merged[-1][1], label[2])
        else:
            merged.append(label)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extra", type=int, default=0, help="extra annotated characters")
    args = parser.parse_args()
    page = simulate(args.path.read_text(encoding="utf-8"), args.seed, extra_annotated=args.extra)
    print(page.text)
    for kind, start, end in page.labels:
        if kind != "annotation":
            print(f"{kind:10} {start:5} {page.text[start:end]!r}")


if __name__ == "__main__":
    main()
