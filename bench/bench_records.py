"""`repair_record` over the first N documents of a shard, for instruction counts under callgrind.

Run: python bench/bench_corpus.py --documents 2000 --shards 8 --keep DIR   (once, for the shard)
     valgrind --tool=callgrind python bench/bench_records.py DIR/corpus/part-000.jsonl.gz 0
     valgrind --tool=callgrind python bench/bench_records.py DIR/corpus/part-000.jsonl.gz 120

The records are loaded and one is repaired to warm up (loading the rules' data) before the N
documents, so the difference of the two counts is the work on the documents alone. Set
TOOLKIT_PURE_PYTHON=1 to measure the pure-Python code instead of the C extension.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from toolkit.config import load_config
from toolkit.corpus.records import RecordSettings, repair_record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shard", type=Path, help="a .jsonl.gz shard written by bench_corpus.py --keep")
    parser.add_argument("documents", type=int, help="documents repaired after the warm-up")
    args = parser.parse_args()
    records = []
    with gzip.open(args.shard, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                records.append(record)
    settings = RecordSettings(load_config(isolated=True))
    repair_record(records[0], settings)
    chosen = records[1 : 1 + args.documents]
    for record in chosen:
        repair_record(record, settings)
    print(f"{len(chosen)} documents, {sum(len(r['text']) for r in chosen):,} characters")


if __name__ == "__main__":
    main()
