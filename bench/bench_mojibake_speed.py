"""Throughput of ``lint_text`` and ``clean_text`` on pages damaged by ``corrupt.py`` (dense mojibake).

Usage::

    python bench/bench_mojibake_speed.py                       # bench/articles/dev, seeds 1-3
    python bench/bench_mojibake_speed.py --seed-list 1,2 --toolkit ../other-checkout

Each page is linted once and cleaned once (``clean`` and ``clean --unsafe``), in one process,
after a warm-up on another text, so the tables are loaded, and with the memo of
:func:`toolkit.repairs.gbk.find_straddles` cleared before each call. ``--toolkit DIR`` imports the library from another checkout (to compare two commits
in one run: the machine is shared, so only ratios measured together mean much).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="lint/clean characters per second on damaged pages")
    parser.add_argument("--articles", type=Path, default=ROOT / "bench" / "articles" / "dev")
    parser.add_argument("--seed-list", default="1,2,3", help="comma-separated seeds (default 1,2,3)")
    parser.add_argument(
        "--toolkit", type=Path, help="checkout whose toolkit package is timed (default: this one)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_corrupt

    sys.path.insert(0, str((args.toolkit or ROOT).resolve()))
    for name in [name for name in sys.modules if name == "toolkit" or name.startswith("toolkit.")]:
        del sys.modules[name]  # bench_corrupt imported this checkout's; time the one asked for
    import toolkit
    from toolkit.config import load_config
    from toolkit.engine import clean_text, lint_text
    from toolkit.repairs import gbk

    corrupt = bench_corrupt.load_corrupt(bench_corrupt.DEFAULT_CORRUPT)
    seeds = [int(seed) for seed in args.seed_list.split(",") if seed.strip()]
    pages = [
        page for seed in seeds for _, _, page, _ in bench_corrupt.damaged_pages(corrupt, args.articles, seed)
    ]
    config = load_config(isolated=True)
    warm = "嚴(yán)謹(jǐn)?shù)膽B(tài)度,事件的發(fā)生?;ヂ?lián)網(wǎng)"
    lint_text(warm, config)
    clean_text(warm, config, unsafe=True)
    timings = {"lint": 0.0, "clean": 0.0, "clean --unsafe": 0.0}
    for page in pages:
        for label, call in (
            ("lint", lambda page=page: lint_text(page, config)),
            ("clean", lambda page=page: clean_text(page, config)),
            ("clean --unsafe", lambda page=page: clean_text(page, config, unsafe=True)),
        ):
            gbk.find_straddles.cache_clear()  # each call reads the page afresh
            started = time.perf_counter()
            call()
            timings[label] += time.perf_counter() - started
    chars = sum(len(page) for page in pages)
    print(f"toolkit: {Path(toolkit.__file__).parent.parent}; {len(pages)} pages, {chars:,} characters")
    for label, seconds in timings.items():
        print(f"{label}: {chars / seconds:,.0f} characters/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
