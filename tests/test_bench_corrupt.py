"""The corrupt.py benchmark's scoring: one finding per event, paired by overlap."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from toolkit.findings import Finding

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import bench_corrupt  # noqa: E402


def test_one_finding_is_paired_with_one_event() -> None:
    # a single finding over two dense events counts once, not twice
    events = [{"type": "ruby", "span": [0, 3]}, {"type": "ruby", "span": [3, 6]}]
    counts = bench_corrupt.score_events([Finding("ZH101", 0, 6, "x")], events)
    assert counts["ruby"] == {"events": 2, "found": 1}
    assert counts["rule:ZH101"] == {"findings": 1, "right": 1}


def test_findings_only_match_events_their_rule_repairs() -> None:
    events = [{"type": "year_truncated", "span": [5, 8]}]
    counts = bench_corrupt.score_events([Finding("ZH201", 5, 6, "x"), Finding("ZH302", 5, 8, "y")], events)
    assert counts["year_truncated"]["found"] == 1
    assert counts["rule:ZH201"] == {"findings": 1, "right": 0}
    assert bench_corrupt.precision(counts) == (1, 2)


def test_insertion_point_events_pair_with_the_next_character() -> None:
    pairs = bench_corrupt.pair_one_to_one([(4, 4)], [(3, 4), (4, 5)])
    assert pairs == [(0, 1)]


def test_comparison_ignores_whitespace_script_and_optionally_punctuation() -> None:
    class T2S:
        def convert(self, text: str) -> str:
            return text.replace("數", "数")

    assert bench_corrupt.comparable("分 數，好", T2S()) == "分数，好"
    assert bench_corrupt.comparable("分數,好", T2S(), punctuation=False) == "分数好"


@pytest.mark.skipif(not bench_corrupt.DEFAULT_CORRUPT.is_file(), reason="needs ../shared/tools/corrupt.py")
def test_benchmark_runs_on_an_article(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "如何提高学习效率\n一、制定计划\n很多学生没有计划，学习效率不高。同时，也要注意休息。\n",
        encoding="utf-8",
    )
    result = bench_corrupt.run([tmp_path], [1, 2], bench_corrupt.DEFAULT_CORRUPT)
    assert result["all"]["pages"] == 2
    assert 0.0 <= result["all"]["cer_unsafe"] < result["all"]["cer_before"]
    assert result["all"]["recall"]["ruby"]["events"] > 0
