"""`toolkit corpus translate` with the real 0.5B model: two model workers, a shared memory."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import installed_small_model, write_jsonl_shards

from toolkit.cli import main

DOCUMENTS = ["標題\n支付寶(bǎo)是一個支付平臺(tái)。", "今天天氣很好。", "我們明天去北京。"]


def _records(path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


@pytest.mark.model
def test_corpus_translate_adds_english_with_two_model_workers(tmp_path, runner, monkeypatch) -> None:
    pytest.importorskip("llama_cpp")
    installed_small_model()
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))  # a fresh translation memory
    folder = tmp_path / "in"
    write_jsonl_shards(folder, DOCUMENTS, tail="{broken\n")
    arguments = [
        "corpus",
        "translate",
        "--isolated",
        "-q",
        "--model",
        "0.5b",
        "--max-error-rate",
        "0.5",
        str(folder),
    ]
    first = runner.invoke(
        main, [*arguments, "-o", str(tmp_path / "en"), "--model-workers", "2", "--threads-per-model", "1"]
    )
    assert first.exit_code == 0, first.output
    records = [
        r for name in ("part-0", "part-1") for r in _records(tmp_path / "en" / "data" / f"{name}.jsonl.gz")
    ]
    assert [r["id"] for r in records] == ["0-0", "0-1", "0-2", "1-0", "1-1", "1-2"]
    for record in records:
        assert record["text_en"].strip() and not any("\u4e00" <= ch <= "\u9fff" for ch in record["text_en"])
        assert record["sections"] and record["toolkit"]["sentences"] >= 1
    assert records[0]["text_en"].startswith("# ") and records[0]["sections"][0]["source"].startswith("標題")
    assert records[0]["text"] == DOCUMENTS[0]  # the source text is kept as it was
    stats = json.loads((tmp_path / "en" / "stats.json").read_text())
    assert stats["failed"] == 2 and stats["rules"]["translation"]["sentences"] >= 6
    # The second shard repeats the first one's sentences, and a second run finds all in the memory.
    again = runner.invoke(main, [*arguments, "-o", str(tmp_path / "again"), "--model-workers", "1"])
    assert again.exit_code == 0, again.output
    stats = json.loads((tmp_path / "again" / "stats.json").read_text())
    assert stats["rules"]["translation"]["memory_hits"] == stats["rules"]["translation"]["sentences"]
