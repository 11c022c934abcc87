"""Benchmark `lint` and `clean` on simulated pages: CER, per-class recall/precision, throughput.

Usage: ``python bench/bench_clean.py [--seeds 3] [--extra 150]``

Each clean article in ``bench/corpus`` is corrupted by ``bench/simulate.py``
with several seeds. Character error rate is the Levenshtein distance to the
ground truth over the truth's length, before and after ``clean`` (safe) and
``clean --unsafe``. Lint findings are matched to labelled damage spans by
overlap. Throughput times the whole safe clean, and the clean minus the time
spent in lexicon scoring (:meth:`toolkit.lexicon.Lexicon.segment`).

False alarms: lint findings per rule on undamaged text (``--undamaged``, default the WMT22 zh
source, 1,875 lines of reviews, chat and news, if present; the ZH301 guards against the verb 问,
measure words and recurring terms were written after reading its findings). That text was
never through the damaging pipeline, so every annotation, mojibake and dropped-character
finding there is a false alarm; half-width punctuation and mixed scripts do occur in it for real.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from simulate import simulate  # noqa: E402

from toolkit import lexicon as lexicon_module  # noqa: E402
from toolkit.config import load_config  # noqa: E402
from toolkit.engine import clean_text, lint_text  # noqa: E402

UNDAMAGED = ROOT.parent / "shared" / "data" / "wmt22-zh-en" / "src.zh"
CLASSES = {
    "annotation": ("ZH101",),
    "mojibake": ("ZH102", "ZH103", "ZH104"),
    "halfwidth": ("ZH201",),
    "year": ("ZH302",),
    "dropped": ("ZH301",),
}

_lm_seconds = 0.0


def _timed_segment(original):
    def segment(self, text):
        global _lm_seconds
        started = time.perf_counter()
        try:
            return original(self, text)
        finally:
            _lm_seconds += time.perf_counter() - started

    return segment


def _match(labels, findings, rules):
    spans = [(f.start, max(f.end, f.start + 1)) for f in findings if f.rule in rules]
    hit_labels = sum(1 for _, a, b in labels if any(s < b and a < e for s, e in spans))
    hit_findings = sum(1 for s, e in spans if any(s < b and a < e for _, a, b in labels))
    return hit_labels, len(labels), hit_findings, len(spans)


def main() -> None:
    parser = argparse.ArgumentParser(description="clean/lint benchmark on simulated pages")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--extra", type=int, default=150, help="extra annotated characters per page")
    parser.add_argument(
        "--undamaged", type=Path, default=UNDAMAGED, help="undamaged Chinese text for the false-alarm count"
    )
    args = parser.parse_args()
    lexicon_module.Lexicon.segment = _timed_segment(lexicon_module.Lexicon.segment)
    config = load_config(isolated=True)
    known = {rule.id for rule in config.enabled_rules()}
    lexicon_module.get_lexicon()
    totals = {kind: [0, 0, 0, 0] for kind in CLASSES}
    errors = {"before": 0, "safe": 0, "unsafe": 0}
    truth_chars = 0
    clean_seconds = 0.0
    clean_lm = 0.0
    chars = 0
    for path in sorted((ROOT / "bench" / "corpus").glob("*.txt")):
        clean = path.read_text(encoding="utf-8")
        for seed in range(args.seeds):
            page = simulate(clean, seed, extra_annotated=args.extra)
            truth_chars += len(page.truth)
            errors["before"] += Levenshtein.distance(page.text, page.truth)
            findings = lint_text(page.text, config)
            for kind, rules in CLASSES.items():
                labels = [label for label in page.labels if label[0] == kind]
                for slot, value in enumerate(_match(labels, findings, rules)):
                    totals[kind][slot] += value
            global _lm_seconds
            _lm_seconds = 0.0
            started = time.perf_counter()
            safe = clean_text(page.text, config).text
            clean_seconds += time.perf_counter() - started
            clean_lm += _lm_seconds
            chars += len(page.text)
            errors["safe"] += Levenshtein.distance(safe, page.truth)
            errors["unsafe"] += Levenshtein.distance(
                clean_text(page.text, config, unsafe=True).text, page.truth
            )
    pages = args.seeds * len(list((ROOT / "bench" / "corpus").glob("*.txt")))
    print(f"$ python bench/bench_clean.py --seeds {args.seeds} --extra {args.extra}")
    print(f"{pages} simulated pages, {truth_chars} truth characters")
    print()
    print("| measure | value |")
    print("|---|---|")
    for name, value in errors.items():
        print(f"| CER {name} clean | {100 * value / truth_chars:.2f}% |")
    for kind, (hit_labels, labels, hit_findings, findings) in totals.items():
        rules = "/".join(CLASSES[kind])
        if not set(CLASSES[kind]) & known:
            print(f"| {kind} ({rules}) | rule not registered |")
            continue
        recall = 100 * hit_labels / labels if labels else float("nan")
        precision = 100 * hit_findings / findings if findings else float("nan")
        scores = f"{recall:.1f}% of {labels} / {precision:.1f}% of {findings}"
        print(f"| {kind} ({rules}) recall / precision | {scores} |")
    print(f"| clean (safe) throughput, whole | {chars / clean_seconds:,.0f} chars/s |")
    without_lm = chars / (clean_seconds - clean_lm)
    print(f"| clean (safe) throughput, excluding LM scoring | {without_lm:,.0f} chars/s |")
    if args.undamaged.is_file():
        false_alarms(args.undamaged, config)


def false_alarms(path: Path, config) -> None:
    """Lint findings per rule on undamaged text, per 10,000 characters."""
    text = path.read_text(encoding="utf-8")
    counts = Counter(finding.rule for finding in lint_text(text, config))
    print()
    print(f"Findings on undamaged text ({path.name}, {len(text):,} characters):")
    print()
    print("| rule | findings | per 10,000 characters |")
    print("|---|---|---|")
    for rule in sorted(counts):
        print(f"| {rule} | {counts[rule]} | {10_000 * counts[rule] / len(text):.2f} |")


if __name__ == "__main__":
    main()
