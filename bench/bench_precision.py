"""Precision on text that is already right: how often `clean` and `lint` touch it.

Usage: ``python bench/bench_precision.py [--split tune|heldout|all] [--show] [--probes]``

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

``--probes`` adds two measurements on material that was never read while tuning, when it is
present on the machine: accented words from glibc's locale files (``/usr/share/i18n/locales``,
month and day names of some 300 locales), three to a text, alone and inside a Chinese
sentence, right and as UTF-8 read as Windows-1252; and the WMT22 zh source lines
(``../shared/data/wmt22-zh-en/src.zh``) in simplified and in OpenCC's four traditional
standards (lines ZH401 reports), plus the recall of ZH401 on leftovers of a naive converter
(simplified 于后并采发里面只准几么系干台 put back into the ``s2t`` form of five-line pieces).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.chardata import is_han  # noqa: E402
from toolkit.config import load_config  # noqa: E402
from toolkit.engine import clean_text, lint_text  # noqa: E402
from toolkit.repairs.script import convert_script, find_mixed_script  # noqa: E402

CORPUS = ROOT / "bench" / "precision"
SEPARATOR = "\n§§§\n"
REGIONAL = ("s2t", "s2tw", "s2twp", "s2hk")
LOCALES = Path("/usr/share/i18n/locales")
WMT = ROOT.parent / "shared" / "data" / "wmt22-zh-en" / "src.zh"
if not WMT.is_file():
    WMT = ROOT.parent.parent / "shared" / "data" / "wmt22-zh-en" / "src.zh"
LEFTOVERS = frozenset("于后并采发里面只准几么系干台")


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


def _locale_words() -> list[str]:
    """Accented words (three letters or more) in the quoted strings of glibc's locale files."""
    words = set()
    for path in sorted(LOCALES.glob("*")):
        source = path.read_text(encoding="utf-8", errors="ignore")
        for quoted in re.findall(r'"([^"\n]*)"', source):
            decoded = re.sub(r"<U([0-9A-Fa-f]{4,5})>", lambda m: chr(int(m.group(1), 16)), quoted)
            for word in re.split(r"[\s;,/%]+", decoded):
                if (
                    len(word) >= 3
                    and any("\u00c0" <= ch <= "\u024f" for ch in word)
                    and all(ch.isalpha() or ch in "'’-." for ch in word)
                ):
                    words.add(word)
    return sorted(words)


def locale_probe(config) -> None:
    words = _locale_words()
    texts = []
    for start in range(0, len(words), 3):
        group = " ".join(words[start : start + 3])
        texts += [group, f"外语单词 {group} 很难读。"]
    changed = sum(clean_text(text, config, unsafe=True).text != text for text in texts)
    findings = sum(len(lint_text(text, config)) for text in texts)
    print()
    print(f"glibc locale words: {len(words)} words in {len(texts)} texts")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| right texts changed by clean --unsafe | {changed} of {len(texts)} |")
    print(f"| lint findings on them | {findings} |")
    european_mojibake([("", text) for text in texts], config)


def wmt_probe() -> None:
    lines = [line for line in WMT.read_text(encoding="utf-8").split("\n") if line.strip()]
    print()
    print(f"WMT22 zh source: {len(lines)} lines, each a text")
    print()
    print("| form | lines with ZH401 findings |")
    print("|---|---|")
    for conversion in ("none", *REGIONAL):
        converted = (
            lines if conversion == "none" else [convert_script(line, conversion).text for line in lines]
        )
        print(f"| {conversion} | {sum(bool(find_mixed_script(line)) for line in converted)} |")
    leftovers = found = wrong = 0
    for start in range(0, len(lines), 5):
        simplified = " ".join(lines[start : start + 5])
        traditional = convert_script(simplified, "s2t").text
        if len(traditional) != len(simplified):
            continue
        damaged = "".join(
            a if a in LEFTOVERS and a != b else b for a, b in zip(simplified, traditional, strict=True)
        )
        truth = {i for i, (a, b) in enumerate(zip(damaged, traditional, strict=True)) if a != b}
        reported = {finding.start for finding in find_mixed_script(damaged)}
        leftovers += len(truth)
        found += len(truth & reported)
        wrong += len(reported - truth)
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| naive-converter leftovers | {leftovers} |")
    print(f"| reported by ZH401 | {found} ({100 * found / max(1, leftovers):.1f}%) |")
    print(f"| other ZH401 findings | {wrong} |")


def main() -> None:
    parser = argparse.ArgumentParser(description="clean/lint precision on text that is right")
    parser.add_argument("--split", choices=("tune", "heldout", "all"), default="all")
    parser.add_argument("--show", action="store_true", help="print every finding and unsafe edit")
    parser.add_argument("--probes", action="store_true", help="also glibc locale words and WMT22 lines")
    args = parser.parse_args()
    config = load_config(isolated=True)
    splits = ("tune", "heldout") if args.split == "all" else (args.split,)
    print(f"$ python bench/bench_precision.py --split {args.split}" + (" --probes" if args.probes else ""))
    for split in splits:
        print()
        print(f"## {split}")
        print()
        texts = load_split(split)
        measure(texts, config, args.show)
        european_mojibake(texts, config)
    if args.probes and LOCALES.is_dir():
        print()
        print("## probes")
        locale_probe(config)
    if args.probes and WMT.is_file():
        wmt_probe()


if __name__ == "__main__":
    main()
