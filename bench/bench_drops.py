"""Recall and precision of ZH301 (dropped characters) and ZH302 (truncated years) on corrupt.py pages.

Usage::

    python bench/bench_drops.py [--articles DIR ...] [--seeds 1 2 3] [--other] [--undamaged FILE]

Every article (``*.md`` or ``*.txt``, simplified Chinese, one paragraph a line) is damaged by
``../shared/tools/corrupt.py`` (imported from there, never copied) under each seed, exactly as
its command line does. Findings of ZH301 and ZH302 are paired one to one with the simulator's
``dropped_chars`` and ``year_truncated`` events by overlap, as ``bench_corrupt.py`` pairs (a drop that
left nothing stands for the character after it). Recall counts paired events, precision paired findings.

``--other`` is the detector's own test: the simulator's list of dropped words is replaced by
common two-character words that are *not* in ``config/dropped_words.tsv`` (jieba's most
frequent ones found in the article), each dropped the way the simulator drops its own words,
keeping the first character, keeping the last or removing the whole word. The simulator still
writes the truth and the event spans, so alignment stays exact. Recall is reported per way.

``--undamaged`` counts ZH301 and ZH302 findings per 10,000 characters on text that was never
damaged (default: the WMT22 zh source), where every such finding is a false alarm.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_corrupt import pair_one_to_one  # noqa: E402

from toolkit.config import load_config  # noqa: E402
from toolkit.engine import lint_text  # noqa: E402
from toolkit.lexicon import get_lexicon, jieba_dictionary  # noqa: E402
from toolkit.repairs.dropped import load_patterns  # noqa: E402

SHARED = next(
    (p / "shared" for p in ROOT.parents if (p / "shared" / "tools").is_dir()), ROOT.parent / "shared"
)
CORRUPT = SHARED / "tools" / "corrupt.py"
UNDAMAGED = SHARED / "data" / "wmt22-zh-en" / "src.zh"
DEFAULT_ARTICLES = [ROOT / "bench" / "articles" / "dev"]
RULES = {"dropped_chars": "ZH301", "year_truncated": "ZH302"}
OTHER_WORDS = 3000  # jieba's most frequent two-character words are the pool for --other
OTHER_RATE = 0.03  # chance that one occurrence of a pool word is dropped (about one drop in 150 characters)
WAYS = {"left": "first character kept", "right": "last character kept", None: "whole word removed"}


def load_corrupt():
    """The shared simulator as a module."""
    spec = importlib.util.spec_from_file_location("corrupt", CORRUPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_articles(folders: list[Path]) -> dict[str, str]:
    articles = {}
    for folder in folders:
        for path in sorted([*folder.glob("*.md"), *folder.glob("*.txt")]):
            articles[path.stem] = path.read_text(encoding="utf-8")  # corrupt.py seeds its draw with the stem
    return articles


def other_words(listed_replacements: set[str]) -> list[str]:
    """jieba's most frequent two-character Han words, the listed ones left out."""
    rows = []
    with jieba_dictionary().open(encoding="utf-8") as handle:
        for line in handle:
            word, freq = line.split()[:2]
            if len(word) == 2 and all("\u4e00" <= ch <= "\u9fff" for ch in word):
                rows.append((int(freq), word))
    rows.sort(reverse=True)
    return [word for _, word in rows if word not in listed_replacements][:OTHER_WORDS]


def use_other_words(corrupt, pool: list[str]) -> None:
    """Make ``corrupt`` drop pool words (first kept, last kept, whole word) instead of its list."""
    chooser = random.Random(11)
    rules = []
    for word in pool:
        traditional = corrupt.s2t_charwise(word)
        way = chooser.choice(list(WAYS))
        keep = {"left": traditional[0], "right": traditional[1], None: ""}[way]
        rules.append((f"other:{word}", traditional, keep, way))
    corrupt.DROP_RULES = rules
    corrupt.SWAPS = []
    draw_params = corrupt.draw_params

    def with_pool_rates(rng, t0, site_vocab=()):
        table, params = draw_params(rng, t0, site_vocab)
        params["p_drop"] = {name: OTHER_RATE for name, *_ in rules}
        return table, params

    corrupt.draw_params = with_pool_rates


def restores(replacement: str, truth: str) -> bool:
    """Whether a replacement puts back the lost text (a year, or the dropped characters)."""
    convert = get_lexicon().to_simplified
    return convert(truth) in convert(replacement)


def pair(events: list[dict], findings: list) -> tuple[set[int], set[int], list[tuple[int, int]]]:
    """One-to-one pairing by overlap, as bench_corrupt.py pairs (an empty event span is the next character)."""
    pairs = pair_one_to_one([tuple(e["span"]) for e in events], [(f.start, f.end) for f in findings])
    return {e for e, _ in pairs}, {f for _, f in pairs}, pairs


def measure(articles: dict[str, str], seeds: list[int], other: bool, verbose: bool) -> None:
    corrupt = load_corrupt()
    if other:
        pool = other_words({p.replacement for p in load_patterns()})
        use_other_words(corrupt, pool)
    config = load_config(isolated=True, select=["ZH301", "ZH302"])
    site_vocab = sorted(
        set().union(*(corrupt.converted_chars(corrupt.s2t_charwise(t)) for t in articles.values()))
    )
    totals: Counter = Counter()
    ways: Counter = Counter()
    rules: Counter = Counter()  # (kind, simulator rule, "events" | "found")
    for seed in seeds:
        for name, text in articles.items():
            _, result, _ = corrupt.process_article(name, text, seed, site_vocab)
            page = result["corrupted"]
            findings = lint_text(page, config)
            for kind, rule in RULES.items():
                events = [e for e in result["events"] if e["type"] == kind]
                found = [f for f in findings if f.rule == rule]
                paired, used, pairs = pair(events, found)
                for e_index, f_index in pairs:
                    truth, finding = events[e_index]["original"].rstrip("，"), found[f_index]
                    totals[kind, "fixed"] += finding.fix is not None
                    totals[kind, "fixed right"] += finding.fix is not None and restores(
                        finding.fix.replacement, truth
                    )
                    totals[kind, "suggested"] += any(restores(s, truth) for s in finding.suggestions)
                totals[kind, "events"] += len(events)
                totals[kind, "found"] += len(paired)
                totals[kind, "findings"] += len(found)
                totals[kind, "true"] += len(used)
                for index, event in enumerate(events):
                    rules[kind, event["rule"], "events"] += 1
                    rules[kind, event["rule"], "found"] += index in paired
                    if event["rule"] == "tongshi":
                        where = _position(event, page)
                        rules[kind, f"tongshi at {where}", "events"] += 1
                        rules[kind, f"tongshi at {where}", "found"] += index in paired
                    if not _traceless(event, page):
                        totals[kind, "traced events"] += 1
                        totals[kind, "traced found"] += index in paired
                    way = event["rule"].startswith("other:") and _way(event, corrupt)
                    if other:
                        ways[way, "events"] += 1
                        ways[way, "found"] += index in paired
                if verbose:
                    for index, event in enumerate(events):
                        if index not in paired:
                            s, e = event["span"]
                            print(f"  missed {seed} {name} {kind} {event['rule']}: …{_context(page, s, e)}…")
                    for index, finding in enumerate(found):
                        if index not in used:
                            print(
                                f"  false  {seed} {name} {rule}: …{_context(page, finding.start, finding.end)}… {finding.message}"
                            )
    print(
        f"corrupt.py pages: {len(articles)} articles × seeds {seeds}"
        + (" (other words dropped)" if other else "")
    )
    for kind, rule in RULES.items():
        events, found = totals[kind, "events"], totals[kind, "found"]
        findings, true = totals[kind, "findings"], totals[kind, "true"]
        print(
            f"  {rule} {kind:15} recall {found}/{events} = {_percent(found, events)}"
            f"   precision {true}/{findings} = {_percent(true, findings)}"
        )
        fixed, right, suggested = (
            totals[kind, "fixed"],
            totals[kind, "fixed right"],
            totals[kind, "suggested"],
        )
        print(
            f"        of the found: the right text among the suggestions {_percent(suggested, found)},"
            f" fixed {_percent(fixed, found)}, fixed right {right}/{fixed} = {_percent(right, fixed)}"
        )
        traced, traced_found = totals[kind, "traced events"], totals[kind, "traced found"]
        if traced != events:
            print(
                f"        without 同時 removed at a sentence start (no trace left): recall {traced_found}/{traced}"
                f" = {_percent(traced_found, traced)}"
            )
        if not other:
            names = sorted({name for k, name, _ in rules if k == kind})
            print(
                "        by simulator rule: "
                + ", ".join(
                    f"{name} {rules[kind, name, 'found']}/{rules[kind, name, 'events']}" for name in names
                )
            )
    if other:
        for way, label in WAYS.items():
            print(
                f"    {label:22} recall {ways[way, 'found']}/{ways[way, 'events']} = {_percent(ways[way, 'found'], ways[way, 'events'])}"
            )


SENTENCE_ENDS = "。！？!?；;\n"


def _position(event: dict, page: str) -> str:
    """Where a drop happened: ``sentence start`` (after 。！？； or at a line start), ``clause start``
    (after a comma) or ``mid-clause``."""
    before = page[: event["span"][0]].rstrip(" ")
    if not before or before[-1] in SENTENCE_ENDS:
        return "sentence start"
    return "clause start" if before[-1] in "，," else "mid-clause"


def _traceless(event: dict, page: str) -> bool:
    """Whether the event is 同時 (and its comma) removed at a sentence start: ``維度。同時，按時還款`` →
    ``維度。按時還款`` leaves well-formed text and no mark of the loss."""
    return event["rule"] == "tongshi" and _position(event, page) == "sentence start"


def _way(event: dict, corrupt) -> str | None:
    for name, _, _, way in corrupt.DROP_RULES:
        if name == event["rule"]:
            return way
    return None


def _context(text: str, start: int, end: int, width: int = 12) -> str:
    """``text[start:end]`` in brackets with ``width`` characters each side, line breaks shown as ⏎."""
    around = text[max(0, start - width) : start] + "[" + text[start:end] + "]" + text[end : end + width]
    return around.replace("\n", "⏎")


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


def false_alarms(path: Path, verbose: bool) -> None:
    """ZH301/ZH302 findings on undamaged text (linted whole, as bench_clean.py does)."""
    text = path.read_text(encoding="utf-8")
    findings = lint_text(text, load_config(isolated=True, select=["ZH301", "ZH302"]))
    counts = Counter(f.rule for f in findings)
    for rule in ("ZH301", "ZH302"):
        rate = 10_000 * counts[rule] / len(text)
        print(
            f"  {rule} on undamaged {path.name} ({len(text):,} chars): {counts[rule]} = {rate:.2f} per 10,000 chars"
        )
    if verbose:
        for f in findings:
            print(f"  false  {f.rule}: …{_context(text, f.start, f.end)}… {f.message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=Path, nargs="+", default=DEFAULT_ARTICLES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--other", action="store_true", help="drop common words outside the list instead")
    parser.add_argument("--undamaged", type=Path, help="also count findings on this undamaged text")
    parser.add_argument("--verbose", action="store_true", help="print every miss and false finding")
    args = parser.parse_args()
    measure(read_articles(args.articles), args.seeds, args.other, args.verbose)
    if args.undamaged:
        false_alarms(args.undamaged, args.verbose)


if __name__ == "__main__":
    main()
