"""Precision on text that is already right: how often `clean` and `lint` touch it.

Usage: ``python bench/bench_precision.py [--split tune|heldout|all] [--show]``

``bench/precision/<split>/*.txt`` hold texts separated by a line ``§§§``: undamaged
simplified and traditional Chinese (Taiwan, Hong Kong, classical quotations), Chinese with a
traditional-looking name, Markdown and HTML pages, European text with accents (alone and
inside Chinese sentences), Japanese, code and English with ``Yahoo!``, ``!important``, ``;-)``.
Each simplified text (``zh-hans.txt``) is also converted with OpenCC's ``s2t``, ``s2tw``,
``s2twp`` and ``s2hk``, the reference for the regional standard forms.

Every text is right as it stands, so every change is a false alarm. Per rule the table gives
the texts ``clean`` changes, the texts ``clean --unsafe`` changes and the lint findings (with
the rate per 10,000 characters). Targets: ``clean`` changes none; ``clean --unsafe`` at most
1 text in 100; lint findings at most 1 per 10,000 characters outside ZH201. The ``tune``
split guided the rules; ``heldout`` was written at the same time and never tuned on.

A second table damages the texts that hold accented Latin letters the way ftfy's users see
it (UTF-8 read as Windows-1252 or Latin-1, ``NicolÃ¡s``) and counts how many ``clean``
restores exactly and how many it writes Han characters into.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.chardata import is_han  # noqa: E402
from toolkit.config import load_config  # noqa: E402
from toolkit.engine import clean_text, lint_text  # noqa: E402
from toolkit.repairs.script import convert_script  # noqa: E402

CORPUS = ROOT / "bench" / "precision"
SEPARATOR = "\n§§§\n"
REGIONAL = ("s2t", "s2tw", "s2twp", "s2hk")


def load_split(split: str) -> list[tuple[str, str]]:
    """(label, text) pairs of one split, with the OpenCC conversions of ``zh-hans.txt``."""
    texts = []
    for path in sorted((CORPUS / split).glob("*.txt")):
        parts = [part.strip("\n") for part in path.read_text(encoding="utf-8").split(SEPARATOR)]
        for number, part in enumerate(parts, start=1):
            texts.append((f"{split}/{path.stem}#{number}", part))
            if path.stem == "zh-hans":
                for conversion in REGIONAL:
                    converted = convert_script(part, conversion).text
                    texts.append((f"{split}/{path.stem}-{conversion}#{number}", converted))
    return texts


def measure(texts: list[tuple[str, str]], config, show: bool) -> None:
    safe_texts: Counter[str] = Counter()
    unsafe_texts: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    changed_safe = changed_unsafe = 0
    chars = sum(len(text) for _, text in texts)
    for label, text in texts:
        lint = lint_text(text, config)
        findings.update(finding.rule for finding in lint)
        safe = clean_text(text, config)
        unsafe = clean_text(text, config, unsafe=True)
        safe_texts.update({edit.rule for edit in safe.edits})
        unsafe_texts.update({edit.rule for edit in unsafe.edits})
        changed_safe += safe.text != text
        changed_unsafe += unsafe.text != text
        if show:
            for finding in lint:
                print(f"  {label} {finding.rule} {text[finding.start : finding.end]!r}: {finding.message}")
            for edit in unsafe.edits:
                print(f"  {label} unsafe-edit {edit.rule} {edit.before!r} -> {edit.after!r}")
    print(f"{len(texts)} texts, {chars:,} characters")
    print()
    print("| rule | texts changed by clean | by clean --unsafe | lint findings | per 10,000 chars |")
    print("|---|---|---|---|---|")
    for rule in sorted(set(safe_texts) | set(unsafe_texts) | set(findings)):
        rate = 10_000 * findings[rule] / chars
        print(f"| {rule} | {safe_texts[rule]} | {unsafe_texts[rule]} | {findings[rule]} | {rate:.2f} |")
    outside = sum(count for rule, count in findings.items() if rule != "ZH201")
    print(
        f"| all rules | {changed_safe} of {len(texts)} | {changed_unsafe} of {len(texts)} "
        f"| {sum(findings.values())} | {10_000 * sum(findings.values()) / chars:.2f} |"
    )
    print(f"| all rules but ZH201 | | | {outside} | {10_000 * outside / chars:.2f} |")


def european_mojibake(texts: list[tuple[str, str]], config) -> None:
    """``clean`` on accented texts decoded with the wrong codec: restored exactly, Han written."""
    damaged = restored = wrote_han = 0
    for _, text in texts:
        if not any("\u00c0" <= ch <= "\u024f" for ch in text):
            continue
        for codec in ("cp1252", "latin-1"):
            try:
                page = text.encode("utf-8").decode(codec)
            except UnicodeDecodeError:
                continue
            damaged += 1
            cleaned = clean_text(page, config).text
            restored += cleaned == text
            wrote_han += sum(map(is_han, cleaned)) > sum(map(is_han, text))
    print()
    print("| UTF-8 accented text read as cp1252/latin-1 | pages | restored exactly by clean | Han written |")
    print("|---|---|---|---|")
    print(f"| | {damaged} | {restored} | {wrote_han} |")


def main() -> None:
    parser = argparse.ArgumentParser(description="clean/lint precision on text that is right")
    parser.add_argument("--split", choices=("tune", "heldout", "all"), default="all")
    parser.add_argument("--show", action="store_true", help="print every finding and unsafe edit")
    args = parser.parse_args()
    config = load_config(isolated=True)
    splits = ("tune", "heldout") if args.split == "all" else (args.split,)
    print(f"$ python bench/bench_precision.py --split {args.split}")
    for split in splits:
        print()
        print(f"## {split}")
        print()
        texts = load_split(split)
        measure(texts, config, args.show)
        european_mojibake(texts, config)


if __name__ == "__main__":
    main()
