"""Corpus mode end to end: shards in, identical outputs from every engine, errors kept, resume."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.corpus import RecordError, RecordSettings, lint_record, repair_record
from toolkit.corpus.runner import RunOptions, run_corpus
from toolkit.corpus.shards import discover_shards

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"
BROKEN = {
    b"{not json": "not JSON",
    b'{"id": "x1", "body": "no text field"}': "no field 'text'",
    b'{"id": "x2", "text": 42}': "field 'text' is int, not a string",
    b'{"id": "\xff\xfe", "text": "bad bytes"}': "invalid UTF-8",
}


def _documents() -> list[str]:
    """Real damaged text: the seed's paragraphs, and the whole seed."""
    seed = SEED.read_text(encoding="utf-8")
    return [line for line in seed.splitlines() if line.strip()] + [seed]


def _write_shards(folder: Path, shards: int = 3, broken: bool = True) -> dict[str, str]:
    """Gzipped JSONL shards with extra fields and some broken lines; returns id -> text."""
    folder.mkdir(parents=True, exist_ok=True)
    texts, documents = {}, _documents()
    for number in range(shards):
        lines = []
        for index, text in enumerate(documents):
            key = f"{number}-{index}"
            texts[key] = text
            lines.append(
                json.dumps({"id": key, "text": text, "meta": {"n": index}}, ensure_ascii=False).encode()
            )
        if broken:
            for position, line in enumerate(BROKEN):
                lines.insert(3 + 4 * position, line)
        (folder / f"part-{number}.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines) + b"\n", mtime=0))
    return texts


def _outputs(out: Path) -> dict[str, bytes]:
    """Every data and error file of a run, by relative path (what must be identical across engines)."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for folder in ("data", "errors")
        for path in sorted((out / folder).rglob("*"))
        if path.is_file()
    }


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus") / "input"
    return folder, _write_shards(folder)


@pytest.fixture(scope="module")
def local_run(corpus, tmp_path_factory):
    """One reference run with one worker, through the command line."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("runs") / "one"
    result = CliRunner().invoke(
        main,
        [
            "corpus",
            "clean",
            "--isolated",
            "--workers",
            "1",
            "--max-error-rate",
            "0.2",
            str(corpus[0]),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_repair_record_keeps_fields_and_reports(config) -> None:
    settings = RecordSettings(config, text_key="body")
    record = {"body": "支付寶(bǎo)成立,好", "lang": "zh", "toolkit": "old"}
    repaired, report = repair_record(record, settings)
    assert repaired == {"body": "支付寶成立，好", "lang": "zh", "toolkit": report}
    assert report == {"changed": True, "fixed": {"ZH101": 1, "ZH201": 1}, "remaining": {}}
    assert record["body"] == "支付寶(bǎo)成立,好"  # the input is not modified
    with pytest.raises(RecordError, match="no field 'body'"):
        repair_record({"text": "x"}, settings)


def test_lint_record_gives_spans(config) -> None:
    summary, report = lint_record({"id": 3, "text": "導(dǎo)語,好"}, RecordSettings(config))
    assert summary == {"id": 3, "toolkit": report}
    assert report["findings"] == [["ZH101", 1, 6], ["ZH201", 7, 8]]


def test_corpus_clean_output_matches_toolkit_clean(local_run, corpus, tmp_path, runner) -> None:
    texts = corpus[1]
    records = [r for shard in sorted((local_run / "data").glob("*.jsonl.gz")) for r in _records(shard)]
    assert len(records) == len(texts)
    assert [r["id"] for r in records] == list(texts)  # input order
    for record in records[:: max(1, len(records) // 6)] + records[-1:]:
        source = tmp_path / "doc.txt"
        source.write_text(texts[record["id"]], encoding="utf-8")
        alone = runner.invoke(main, ["clean", "--isolated", str(source)])
        assert record["text"] == alone.stdout
        assert record["meta"] == {"n": int(record["id"].split("-")[1])}
        assert record["toolkit"]["changed"] == (record["text"] != texts[record["id"]])


def test_every_broken_line_is_in_errors_with_its_content(local_run, corpus) -> None:
    entries = [json.loads(line) for path in sorted((local_run / "errors").glob("*")) for line in path.open()]
    assert len(entries) == 3 * len(BROKEN)
    for entry in entries:
        raw = next(raw for raw in BROKEN if raw.decode("utf-8", "backslashreplace") == entry["raw"])
        assert BROKEN[raw] in entry["reason"]
        assert entry["shard"].startswith("part-") and entry["line"] in (4, 8, 12, 16)
    undecodable = next(e for e in entries if "raw_base64" in e)
    assert __import__("base64").b64decode(undecodable["raw_base64"]) in BROKEN


def test_stats_count_documents_and_rules(local_run, corpus) -> None:
    stats = json.loads((local_run / "stats.json").read_text())
    texts = corpus[1]
    assert stats["documents_in"] == len(texts) + 3 * len(BROKEN)
    assert (stats["documents_out"], stats["failed"]) == (len(texts), 3 * len(BROKEN))
    records = [r for shard in sorted((local_run / "data").glob("*")) for r in _records(shard)]
    assert stats["changed"] == sum(r["toolkit"]["changed"] for r in records)
    assert stats["rules"]["fixed"]["ZH101"] == sum(r["toolkit"]["fixed"].get("ZH101", 0) for r in records) > 0
    assert stats["characters_in"] == sum(len(text) for text in texts.values())
    run = json.loads((local_run / "run.json").read_text())
    assert run["configuration"]["mode"] == "clean" and "ZH101" in run["configuration"]["rules"]


def test_two_workers_give_identical_output_and_resume_skips(local_run, corpus, tmp_path, runner) -> None:
    out = tmp_path / "two"
    arguments = ["corpus", "clean", "--isolated", "--max-error-rate", "0.2", str(corpus[0]), "-o", str(out)]
    result = runner.invoke(main, [*arguments, "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert _outputs(out) == _outputs(local_run)
    again = runner.invoke(main, [*arguments, "--workers", "2", "--resume"])
    assert again.exit_code == 0
    stats = json.loads((out / "stats.json").read_text())
    assert (stats["shards_processed"], stats["shards_skipped"]) == (0, 3)
    assert stats["documents_in"] == json.loads((local_run / "stats.json").read_text())["documents_in"]
    assert "0 shard(s) processed, 3 skipped" in again.stderr


def test_error_rate_above_limit_exits_2(corpus, tmp_path, runner) -> None:
    out = tmp_path / "strict"
    result = runner.invoke(main, ["corpus", "clean", "--isolated", "-q", str(corpus[0]), "-o", str(out)])
    assert result.exit_code == 2
    assert "records failed" in result.stderr and "above --max-error-rate 1.00%" in result.stderr
    assert (out / "stats.json").is_file()  # everything is written all the same


def test_bad_inputs_exit_2(tmp_path, runner) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n")
    for arguments in (
        [str(tmp_path / "missing.jsonl")],
        [str(tmp_path / "notes.csv")],
        [str(tmp_path), "--workers", "0"],
    ):
        result = runner.invoke(main, ["corpus", "clean", "--isolated", *arguments, "-o", str(tmp_path / "o")])
        assert result.exit_code == 2, arguments
        assert "Traceback" not in result.output


def test_truncated_gzip_shard_is_reported_not_lost(tmp_path, runner) -> None:
    folder = tmp_path / "in"
    _write_shards(folder, shards=1, broken=False)
    shard = folder / "part-0.jsonl.gz"
    shard.write_bytes(shard.read_bytes()[:-200])
    out = tmp_path / "out"
    result = runner.invoke(main, ["corpus", "clean", "--isolated", "-q", str(folder), "-o", str(out)])
    assert result.exit_code == 2  # one failure in a few dozen records is above 1%
    (entry,) = [json.loads(line) for line in (out / "errors" / "part-0.jsonl.gz.jsonl").open()]
    assert "unreadable" in entry["reason"]
    assert len(_records(out / "data" / "part-0.jsonl.gz")) == entry["line"] - 1


def test_text_folder_and_lint_mode(tmp_path, runner) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("數(shù)據(jù),好\n", encoding="utf-8")
    (folder / "b.md").write_bytes("導(dǎo)語".encode("gb18030"))
    out = tmp_path / "out"
    assert (
        runner.invoke(main, ["corpus", "clean", "--isolated", "-q", str(folder), "-o", str(out)]).exit_code
        == 0
    )
    records = _records(out / "data" / "articles.jsonl.gz")
    assert [(r["id"], r["text"]) for r in records] == [("a.txt", "數據，好\n"), ("b.md", "導語")]
    linted = tmp_path / "lint"
    assert (
        runner.invoke(main, ["corpus", "lint", "--isolated", "-q", str(folder), "-o", str(linted)]).exit_code
        == 0
    )
    (first, second) = _records(linted / "data" / "articles.jsonl.gz")
    assert first == {
        "id": "a.txt",
        "toolkit": {"counts": {"ZH101": 2, "ZH201": 1}, "findings": first["toolkit"]["findings"]},
    }
    assert second["toolkit"]["counts"] == {"ZH101": 1}
    assert json.loads((linted / "stats.json").read_text())["rules"] == {"found": {"ZH101": 3, "ZH201": 1}}


def test_parquet_shards_round_trip(tmp_path, config) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet needs the corpus extra (installed by make test)")
    import pyarrow.parquet as pq

    folder = tmp_path / "in"
    folder.mkdir()
    table = pa.table({"id": [1, 2, 3], "text": ["數(shù)據(jù),好", None, "好的"], "score": [0.5, 0.1, 0.9]})
    pq.write_table(table, folder / "p.parquet")
    out = tmp_path / "out"
    run_corpus([str(folder)], out, RunOptions(RecordSettings(config), max_error_rate=0.5))
    rows = pq.read_table(out / "data" / "p.parquet").to_pylist()
    assert [(row["id"], row["text"], row["score"]) for row in rows] == [
        (1, "數據，好", 0.5),
        (3, "好的", 0.9),
    ]
    assert dict(rows[0]["toolkit"]["fixed"]) == {"ZH101": 2, "ZH201": 1}
    (entry,) = [json.loads(line) for line in (out / "errors" / "p.parquet.jsonl").open()]
    assert (entry["line"], entry["reason"]) == (2, "field 'text' is NoneType, not a string")


def test_output_folder_inside_the_input_is_not_read_back(tmp_path, runner) -> None:
    folder = tmp_path / "in"
    _write_shards(folder, shards=1, broken=False)
    for _ in range(2):
        result = runner.invoke(
            main, ["corpus", "clean", "--isolated", "-q", str(folder), "-o", str(folder / "out")]
        )
        assert result.exit_code == 0, result.output
    assert json.loads((folder / "out" / "stats.json").read_text())["shards"] == 1


def test_shard_names_are_relative_and_unique(tmp_path) -> None:
    (tmp_path / "a" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "sub" / "x.jsonl").write_text("{}\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "sub").mkdir()
    (tmp_path / "b" / "sub" / "x.jsonl").write_text("{}\n")
    assert [s.name for s in discover_shards([str(tmp_path / "a")])] == ["sub/x.jsonl"]
    with pytest.raises(Exception, match="same output shard"):
        discover_shards([str(tmp_path / "a"), str(tmp_path / "b")])


def test_sigkill_leaves_no_half_shard_counted_as_done(tmp_path) -> None:
    """Kill a real run mid-way; every shard marked done is whole, and --resume completes the rest."""
    folder = tmp_path / "in"
    _write_shards(folder, shards=12, broken=False)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "toolkit", "corpus", "clean", "--isolated", "-q", "--workers", "1"]
    command += [str(folder), "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list((out / "done").glob("*.json")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    time.sleep(0.05)  # somewhere inside the next shard
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = {path.name.removesuffix(".json") for path in (out / "done").glob("*.json")}
    assert 0 < len(done) < 12, "the run must be killed part-way"
    for name in done:
        marker = json.loads((out / "done" / f"{name}.json").read_text())
        assert len(_records(out / "data" / name)) == marker["stats"]["documents_out"] == len(_documents())
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    stats = json.loads((out / "stats.json").read_text())
    assert stats["shards_skipped"] == len(done) and stats["documents_out"] == 12 * len(_documents())
    assert not list(out.rglob("*.partial"))
    fresh = tmp_path / "fresh"
    subprocess.run([*command[:-3], str(folder), "-o", str(fresh)], check=True)
    assert _outputs(out) == _outputs(fresh)


@pytest.mark.parametrize("unsafe", [False, True])
def test_remaining_counts_equal_a_lint_of_the_cleaned_text(config, unsafe) -> None:
    from toolkit.engine import clean_text, lint_text, remaining_findings

    texts = _documents() + [
        path.read_text(encoding="utf-8") for path in sorted((ROOT / "bench" / "corpus").glob("*.txt"))
    ]
    for text in texts:
        result = clean_text(text, config, unsafe=unsafe)
        assert remaining_findings(result, config, unsafe) == lint_text(result.text, config)
