"""Benchmark `lint` and `clean` on pages damaged by the shared simulator ``corrupt.py``.

Usage::

    python bench/bench_corrupt.py                                   # bench/articles/dev, seeds 1-3
    python bench/bench_corrupt.py --articles bench/articles/heldout --seeds 5
    python bench/bench_corrupt.py --articles ../shared/data/articles --seed-list 2 --json

``corrupt.py`` (``../shared/tools/corrupt.py``, see its README; ``--corrupt`` to point
elsewhere) is imported, not copied, and run in memory on every ``*.md`` article of each
``--articles`` folder, once per seed, exactly as its ``--clean DIR --out OUT --seed N``
does (the site vocabulary is drawn from the whole folder). The damaged page goes through
:func:`toolkit.engine.lint_text` and :func:`toolkit.engine.clean_text` (library calls).

Figures (the table of issue 11):

- character error rate (Levenshtein distance over the truth's length) after
  ``clean --unsafe``, and after ``clean`` with punctuation ignored; both sides are
  compared with whitespace removed and OpenCC ``t2s`` applied, as the simulator says;
- ``?py)`` remnants left by ``clean`` (a ``?`` glued to a pinyin syllable and ``)``);
- recall per event type, each finding paired with at most one event (one-to-one, by
  overlap, :func:`pair_one_to_one`), and precision of the findings of every rule but
  ZH401 (mixed script), one finding per event: a finding counts as right only when it is
  paired with an event of a type its rule repairs.

:func:`score_events` is the reusable part: ``score_events(findings, events)`` gives the
per-type counts for one page; :func:`add_counts` sums pages.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import re
import sys
import time
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.chardata import PINYIN_LETTERS  # noqa: E402
from toolkit.config import load_config  # noqa: E402
from toolkit.engine import clean_text, lint_text  # noqa: E402
from toolkit.findings import Finding  # noqa: E402


def _shared() -> Path:
    """``../shared`` beside the checkout (a worktree one level deeper finds it one level up)."""
    for parent in (ROOT.parent, ROOT.parent.parent):
        if (parent / "shared").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


DEFAULT_CORRUPT = _shared() / "tools" / "corrupt.py"
DEFAULT_ARTICLES = ROOT / "bench" / "articles" / "dev"

# Which rules repair which simulator event type. synonym_swap has none (out of scope).
RULES_FOR_EVENT = {
    "ruby": ("ZH101",),
    "straddle_mojibake": ("ZH102", "ZH103", "ZH104"),
    "stray_byte": ("ZH102", "ZH103", "ZH104"),
    "punct_halfwidth": ("ZH201",),
    "dropped_chars": ("ZH301",),
    "year_truncated": ("ZH302",),
    "synonym_swap": (),
}
PRECISION_IGNORES = ("ZH401",)
REMNANT = re.compile(rf"\?[{PINYIN_LETTERS}]{{1,7}}\)")


# ---------------------------------------------------------------------------
# Scoring (importable)


def _span(start: int, end: int) -> tuple[int, int]:
    """A half-open span; an empty one (an insertion point) covers the character after it."""
    return (start, end) if end > start else (start, start + 1)


def _touch(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def pair_one_to_one(
    events: Sequence[tuple[int, int]], findings: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Pairs ``(event index, finding index)`` by overlap, each side used at most once.

    Greedy by event end, each event taking the overlapping free finding that ends
    first: a maximum matching for intervals. Empty spans count as the next character.

    >>> pair_one_to_one([(0, 2), (1, 3)], [(0, 3)])
    [(0, 0)]
    >>> pair_one_to_one([(0, 2), (4, 4)], [(1, 2), (4, 5)])
    [(0, 0), (1, 1)]
    """
    event_spans = [_span(*span) for span in events]
    finding_spans = [_span(*span) for span in findings]
    free = sorted(range(len(finding_spans)), key=lambda i: (finding_spans[i][1], finding_spans[i][0]))
    pairs: list[tuple[int, int]] = []
    for event in sorted(range(len(event_spans)), key=lambda i: (event_spans[i][1], event_spans[i][0])):
        for position, finding in enumerate(free):
            if _touch(event_spans[event], finding_spans[finding]):
                pairs.append((event, finding))
                del free[position]
                break
    pairs.sort()
    return pairs


def score_events(findings: Iterable[Finding], events: Iterable[dict]) -> dict[str, dict[str, int]]:
    """Per event type: ``events``, ``found`` (paired one-to-one); per rule: ``findings``, ``right``.

    Findings of the rules that repair a type are paired with that type's events;
    ``right`` counts a rule's findings paired with some event.

    >>> found = [Finding("ZH302", 3, 6, "year"), Finding("ZH302", 9, 11, "year")]
    >>> counts = score_events(found, [{"type": "year_truncated", "span": [3, 5]}])
    >>> counts["year_truncated"], counts["rule:ZH302"]
    ({'events': 1, 'found': 1}, {'findings': 2, 'right': 1})
    """
    findings = list(findings)
    events = list(events)
    counts: dict[str, dict[str, int]] = {}
    right: set[int] = set()
    groups: dict[tuple[str, ...], list[str]] = {}
    for kind, rules in RULES_FOR_EVENT.items():
        groups.setdefault(rules, []).append(kind)
    for kind in RULES_FOR_EVENT:
        counts[kind] = {"events": sum(1 for e in events if e["type"] == kind), "found": 0}
    for rules, kinds in groups.items():
        if not rules:
            continue
        mine = [e for e in events if e["type"] in kinds]
        candidates = [i for i, f in enumerate(findings) if f.rule in rules]
        pairs = pair_one_to_one(
            [tuple(e["span"]) for e in mine], [(findings[i].start, findings[i].end) for i in candidates]
        )
        for event, finding in pairs:
            counts[mine[event]["type"]]["found"] += 1
            right.add(candidates[finding])
    for index, finding in enumerate(findings):
        slot = counts.setdefault("rule:" + finding.rule, {"findings": 0, "right": 0})
        slot["findings"] += 1
        slot["right"] += index in right
    return counts


def add_counts(total: dict[str, dict[str, int]], counts: dict[str, dict[str, int]]) -> None:
    """Add one page's :func:`score_events` counts into ``total``."""
    for key, values in counts.items():
        slot = total.setdefault(key, dict.fromkeys(values, 0))
        for name, value in values.items():
            slot[name] = slot.get(name, 0) + value


def precision(
    counts: dict[str, dict[str, int]], ignore: Sequence[str] = PRECISION_IGNORES
) -> tuple[int, int]:
    """``(right, findings)`` over every rule but ``ignore``."""
    rules = [k for k in counts if k.startswith("rule:") and k[5:] not in ignore]
    return sum(counts[k]["right"] for k in rules), sum(counts[k]["findings"] for k in rules)


# ---------------------------------------------------------------------------
# Comparison


def comparable(text: str, t2s, *, punctuation: bool = True) -> str:
    """Text as compared: no whitespace, simplified (OpenCC ``t2s``), optionally no punctuation.

    NFKC makes ``，`` and ``,`` the same before punctuation is dropped.
    """
    text = "".join(text.split())
    text = t2s.convert(text)
    if not punctuation:
        text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch)[0] != "P")
    return text


def load_corrupt(path: Path) -> ModuleType:
    """Import ``corrupt.py`` from ``path`` (it stays in shared; never copied here)."""
    if not path.is_file():
        raise SystemExit(f"error: corrupt.py not found at {path} (use --corrupt)")
    spec = importlib.util.spec_from_file_location("corrupt", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["corrupt"] = module
    spec.loader.exec_module(module)
    return module


def damaged_pages(corrupt: ModuleType, folder: Path, seed: int, only: Sequence[str] = ()):
    """``(name, truth, corrupted, events)`` for every article of ``folder``, as ``corrupt.py --seed`` makes them."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}
    if not texts:
        raise SystemExit(f"error: no *.md articles in {folder}")
    site_vocab = sorted(
        set().union(*(corrupt.converted_chars(corrupt.s2t_charwise(t)) for t in texts.values()))
    )
    for name, text in texts.items():
        if only and not any(fnmatch.fnmatch(name, pattern) for pattern in only):
            continue
        truth, result, _ = corrupt.process_article(name, text, seed, site_vocab)
        yield name, truth, result["corrupted"], result["events"]


# ---------------------------------------------------------------------------
# The run


def run(folders: Sequence[Path], seeds: Sequence[int], corrupt_path: Path, only: Sequence[str] = ()) -> dict:
    """Every figure, per seed and in total, as a JSON-ready dict."""
    corrupt = load_corrupt(corrupt_path)
    t2s = corrupt.opencc_converter("t2s")
    config = load_config(isolated=True)
    runs: dict[str, dict] = {}
    total = _empty()
    for seed in seeds:
        figures = _empty()
        for folder in folders:
            for _name, truth, page, events in damaged_pages(corrupt, folder, seed, only):
                started = time.perf_counter()
                findings = lint_text(page, config)
                safe = clean_text(page, config).text
                unsafe = clean_text(page, config, unsafe=True).text
                figures["seconds"] += time.perf_counter() - started
                figures["pages"] += 1
                figures["chars"] += len(page)
                plain_truth = comparable(truth, t2s)
                bare_truth = comparable(truth, t2s, punctuation=False)
                figures["truth_chars"] += len(plain_truth)
                figures["truth_chars_bare"] += len(bare_truth)
                figures["errors_unsafe"] += Levenshtein.distance(comparable(unsafe, t2s), plain_truth)
                figures["errors_safe_bare"] += Levenshtein.distance(
                    comparable(safe, t2s, punctuation=False), bare_truth
                )
                figures["errors_before"] += Levenshtein.distance(comparable(page, t2s), plain_truth)
                figures["remnants"] += len(REMNANT.findall(safe))
                add_counts(figures["counts"], score_events(findings, events))
        runs[str(seed)] = _summary(figures)
        for key, value in figures.items():
            if key == "counts":
                add_counts(total["counts"], value)
            else:
                total[key] += value
    return {
        "articles": [str(folder) for folder in folders],
        "seeds": list(seeds),
        "per_seed": runs,
        "all": _summary(total),
    }


def _empty() -> dict:
    keys = ("pages", "chars", "truth_chars", "truth_chars_bare", "errors_unsafe", "errors_safe_bare")
    figures: dict = dict.fromkeys((*keys, "errors_before", "remnants"), 0)
    figures["seconds"] = 0.0
    figures["counts"] = {}
    return figures


def _summary(figures: dict) -> dict:
    counts = figures["counts"]
    right, found = precision(counts)
    recall = {
        kind: {**counts[kind], "recall": counts[kind]["found"] / counts[kind]["events"]}
        for kind in RULES_FOR_EVENT
        if kind in counts and counts[kind]["events"] and RULES_FOR_EVENT[kind]
    }
    rules = {key[5:]: value for key, value in sorted(counts.items()) if key.startswith("rule:")}
    return {
        "pages": figures["pages"],
        "chars": figures["chars"],
        "cer_before": figures["errors_before"] / max(1, figures["truth_chars"]),
        "cer_unsafe": figures["errors_unsafe"] / max(1, figures["truth_chars"]),
        "cer_safe_no_punct": figures["errors_safe_bare"] / max(1, figures["truth_chars_bare"]),
        "remnants": figures["remnants"],
        "recall": recall,
        "precision": right / found if found else None,
        "precision_counts": [right, found],
        "rules": rules,
        "chars_per_second": figures["chars"] / figures["seconds"] if figures["seconds"] else None,
    }


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%"


def print_table(result: dict, command: str) -> None:
    columns = [*result["per_seed"], "all"]
    summaries = [*result["per_seed"].values(), result["all"]]
    print(f"$ {command}")
    print(
        f"articles: {', '.join(result['articles'])}; {result['all']['pages']} pages, seeds {result['seeds']}"
    )
    print()
    print("| measure | " + " | ".join(f"seed {c}" if c != "all" else "all" for c in columns) + " |")
    print("|---|" + "---|" * len(columns))

    def row(label: str, cells: Iterable[str]) -> None:
        print(f"| {label} | " + " | ".join(cells) + " |")

    row("characters wrong before repair", (_percent(s["cer_before"]) for s in summaries))
    row("characters wrong after `clean --unsafe`", (_percent(s["cer_unsafe"]) for s in summaries))
    row(
        "characters wrong after `clean`, punctuation-insensitive",
        (_percent(s["cer_safe_no_punct"]) for s in summaries),
    )
    row("`?py)` remnants after `clean`", (str(s["remnants"]) for s in summaries))
    for kind in RULES_FOR_EVENT:
        if not RULES_FOR_EVENT[kind] or kind not in result["all"]["recall"]:
            continue
        cells = []
        for s in summaries:
            r = s["recall"].get(kind)
            cells.append("–" if r is None else f"{100 * r['recall']:.1f}% of {r['events']}")
        row(f"{kind} found ({'/'.join(RULES_FOR_EVENT[kind])}), one finding per event", cells)
    row(
        "precision of findings (ZH401 aside), one finding per event",
        (f"{_percent(s['precision'])} of {s['precision_counts'][1]}" for s in summaries),
    )
    print()
    print(
        "Findings per rule (all seeds): "
        + ", ".join(f"{rule} {v['right']}/{v['findings']}" for rule, v in result["all"]["rules"].items())
    )
    speed = result["all"]["chars_per_second"]
    if speed:
        print(f"lint + clean + clean --unsafe: {speed:,.0f} damaged characters/s")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="lint/clean benchmark on pages made by ../shared/tools/corrupt.py"
    )
    parser.add_argument("--articles", type=Path, action="append", help="folder of *.md articles (repeatable)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N (default 3)")
    parser.add_argument("--seed-list", help="comma-separated seeds, instead of --seeds")
    parser.add_argument("--only", action="append", default=[], help="article name pattern (repeatable)")
    parser.add_argument("--corrupt", type=Path, default=DEFAULT_CORRUPT, help="path of corrupt.py")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    folders = args.articles or [DEFAULT_ARTICLES]
    for folder in folders:
        if not folder.is_dir():
            parser.error(f"--articles {folder}: not a folder")
    if args.seed_list:
        try:
            seeds = [int(s) for s in args.seed_list.split(",") if s.strip()]
        except ValueError:
            parser.error("--seed-list takes integers separated by commas")
    else:
        seeds = list(range(1, args.seeds + 1))
    result = run(folders, seeds, args.corrupt, args.only)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        command = "python bench/bench_corrupt.py " + " ".join(sys.argv[1:] if argv is None else argv)
        print_table(result, command.strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
