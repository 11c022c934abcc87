"""Run a corpus: every shard through an engine, into ``OUT/`` with stats, errors and markers.

Layout of ``OUT``::

    data/NAME          output shard (same relative name; JSONL becomes .jsonl.gz)
    errors/NAME.jsonl  records that failed: shard, line, reason, raw content
    done/NAME.json     completion marker with the shard's counts, written last
    stats.json         totals over all shards, rebuilt from the markers on every run
    run.json           version, configuration and command of the last run

Records stream through: the reader feeds chunks to the engine with at most ``4 × workers``
chunks in flight and results are written in input order as they come back, so memory is
bounded by the chunk size, never by the shard. A shard's marker is written only after its
data and errors files are renamed into place, so a run killed at any moment leaves no half
shard that ``--resume`` would skip.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.corpus.engines import make_engine
from toolkit.corpus.records import REPORT_KEY, RecordSettings
from toolkit.corpus.shards import (
    AtomicOutput,
    JsonlGzWriter,
    ParquetWriter,
    Shard,
    discover_shards,
    parquet_schema,
    read_shard,
    remove_partials,
)
from toolkit.corpus.work import COUNT_KEYS, ChunkResult
from toolkit.errors import ToolkitError

# Chunks small enough that every worker gets many (a slow last chunk leaves the others idle)
# and large enough that sending them costs little next to cleaning them.
CHUNK_RECORDS = 50
CHUNK_BYTES = 256 << 10
# Chunks in flight per worker: results are written in input order, so one slow chunk must not
# leave the pool without work while the chunks after it wait to be written.
WINDOW_PER_WORKER = 4


class ErrorRateExceeded(ToolkitError):
    """More records failed than ``--max-error-rate`` allows (the outputs are written all the same)."""


@dataclass(frozen=True)
class RunOptions:
    """What to do with the shards: ``mode`` is ``clean``, ``lint`` or ``translate``.

    For ``translate`` the settings are :class:`toolkit.corpus.translation.TranslateSettings`
    and ``workers`` is the number of model workers.
    """

    settings: RecordSettings
    mode: str = "clean"
    workers: int = 1
    engine: str = "local"
    resume: bool = False
    max_error_rate: float = 0.01
    command: tuple[str, ...] = ()

    def digest(self) -> str:
        """Fingerprint of everything that changes the output (not workers or engine)."""
        described = repr((__version__, self.mode, self.settings))
        return hashlib.sha256(described.encode("utf-8")).hexdigest()[:16]


@dataclass
class ShardStats:
    """Counts of one shard (the completion marker's content) or of the whole run."""

    counts: Counter = field(default_factory=Counter)
    rules: dict[str, Counter] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, result: ChunkResult | ShardStats) -> None:
        self.counts.update(result.counts)
        for category, counter in result.rules.items():
            self.rules.setdefault(category, Counter()).update(counter)
        self.seconds += result.seconds

    def as_json(self) -> dict:
        data: dict[str, Any] = {key: self.counts.get(key, 0) for key in COUNT_KEYS}
        data["rules"] = {category: dict(sorted(c.items())) for category, c in sorted(self.rules.items())}
        data["worker_seconds"] = round(self.seconds, 3)
        return data

    @classmethod
    def from_json(cls, data: dict) -> ShardStats:
        rules = {category: Counter(counts) for category, counts in data["rules"].items()}
        return cls(Counter({key: data[key] for key in COUNT_KEYS}), rules, data["worker_seconds"])


@dataclass
class RunSummary:
    """What a run did: totals over all shards, and how many were processed or skipped."""

    totals: ShardStats
    processed: int
    skipped: int
    documents_this_run: int
    wall_seconds: float


Progress = Callable[[int, int, int], None]  # documents done, shards done, shards to do


def run_corpus(
    inputs: list[str], out: Path, options: RunOptions, progress: Progress | None = None
) -> RunSummary:
    """Process the shards named by ``inputs`` into ``out`` (see the module docstring).

    Raises :class:`ErrorRateExceeded` after everything is written when too many records failed.
    """
    started = time.perf_counter()
    out = Path(out)
    shards = discover_shards(inputs, exclude=out)
    for folder in ("data", "errors", "done"):
        remove_partials(out / folder)
    _write_json(out / "run.json", _run_description(options, inputs))
    digest = options.digest()
    todo = [shard for shard in shards if not (options.resume and _is_done(out, shard, options.mode, digest))]
    tally = {"documents": 0, "shards": 0}

    def on_chunk(result: ChunkResult | None) -> None:
        if result is None:
            tally["shards"] += 1
        else:
            tally["documents"] += result.counts["documents_in"]
        if progress is not None:
            progress(tally["documents"], tally["shards"], len(todo))

    engine = make_engine(options.engine, options.workers, _cpus_per_worker(options)) if todo else None
    try:
        _process(todo, out, options, engine, digest, on_chunk)
    finally:
        if engine is not None:
            engine.close()
    totals = ShardStats()
    for shard in shards:
        totals.add(ShardStats.from_json(json.loads(_marker(out, shard).read_text(encoding="utf-8"))["stats"]))
    wall = time.perf_counter() - started
    summary = RunSummary(totals, len(todo), len(shards) - len(todo), tally["documents"], wall)
    _write_json(out / "stats.json", _stats_json(summary, shards))
    failed, seen = totals.counts["failed"], totals.counts["documents_in"]
    if seen and failed / seen > options.max_error_rate:
        raise ErrorRateExceeded(
            f"{failed} of {seen} records failed ({failed / seen:.2%}), above --max-error-rate "
            f"{options.max_error_rate:.2%}; they are listed in {out / 'errors'}"
        )
    return summary


def _cpus_per_worker(options: RunOptions) -> int:
    return getattr(options.settings, "threads", 1) if options.mode == "translate" else 1


def _chunks(shard: Shard) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    size = 0
    for item in read_shard(shard):
        chunk.append(item)
        payload = item[1]
        size += len(payload) if isinstance(payload, bytes) else len(payload[1]) if shard.kind == "text" else 0
        if len(chunk) >= CHUNK_RECORDS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


class _OpenShard:
    """The output files of the shard being written, committed together at its end."""

    def __init__(self, out: Path, shard: Shard, options: RunOptions) -> None:
        self.out, self.shard, self.options = out, shard, options
        target = out / "data" / shard.output_name(options.mode)
        if shard.kind == "parquet" and options.mode == "clean":
            self.data: JsonlGzWriter | ParquetWriter = ParquetWriter(
                target, parquet_schema(shard.path), REPORT_KEY
            )
        else:
            self.data = JsonlGzWriter(target)
        self.errors: AtomicOutput | None = None
        self.stats = ShardStats()

    def write(self, result: ChunkResult) -> None:
        if result.rows:
            if isinstance(self.data, ParquetWriter):
                self.data.write_rows(result.rows)
            else:
                self.data.write_lines(result.rows)
        if result.errors:
            if self.errors is None:
                self.errors = AtomicOutput(_errors_path(self.out, self.shard))
            self.errors.write(b"".join(_json_line(entry) for entry in result.errors))
        self.stats.add(result)

    def commit(self, digest: str) -> None:
        self.data.commit()
        if self.errors is not None:
            self.errors.commit()
        else:
            _errors_path(self.out, self.shard).unlink(missing_ok=True)
        marker = {"shard": self.shard.name, "input": self.shard.fingerprint(), "settings": digest}
        marker["stats"] = self.stats.as_json()
        _write_json(_marker(self.out, self.shard), marker)

    def abort(self) -> None:
        self.data.abort()
        if self.errors is not None:
            self.errors.abort()


def _process(todo, out, options, engine, digest, on_chunk: Callable[[ChunkResult | None], None]) -> None:
    """Feed every chunk of every shard to the engine and write the results in input order.

    ``on_chunk`` hears of every chunk written and (with ``None``) of every shard committed.
    """
    window = WINDOW_PER_WORKER * options.workers
    pending: deque = deque()  # ("start", shard) | ("chunk", handle) | ("end", shard), in input order
    in_flight = 0
    current: _OpenShard | None = None

    def consume() -> None:
        nonlocal current, in_flight
        event, value = pending.popleft()
        if event == "start":
            current = _OpenShard(out, value, options)
        elif event == "chunk":
            in_flight -= 1
            result = engine.result(value)
            current.write(result)
            on_chunk(result)
        else:
            current.commit(digest)
            current = None
            on_chunk(None)

    try:
        for shard in todo:
            pending.append(("start", shard))
            for chunk in _chunks(shard):
                while in_flight >= window:
                    consume()
                handle = engine.submit(options.settings, options.mode, shard.kind, shard.name, chunk)
                pending.append(("chunk", handle))
                in_flight += 1
            pending.append(("end", shard))
        while pending:
            consume()
    finally:
        if current is not None:
            current.abort()


def _errors_path(out: Path, shard: Shard) -> Path:
    return out / "errors" / f"{shard.name}.jsonl"


def _marker(out: Path, shard: Shard) -> Path:
    return out / "done" / f"{shard.name}.json"


def _is_done(out: Path, shard: Shard, mode: str, digest: str) -> bool:
    """Whether ``shard`` finished with these settings and its input has not changed since."""
    try:
        marker = json.loads(_marker(out, shard).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        marker.get("settings") == digest
        and marker.get("input") == shard.fingerprint()
        and (out / "data" / shard.output_name(mode)).is_file()
    )


def _json_line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False) + "\n").encode("utf-8")


def _write_json(path: Path, value: Any) -> None:
    output = AtomicOutput(path)
    output.write((json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    output.commit()


def _run_description(options: RunOptions, inputs: list[str]) -> dict:
    settings = options.settings
    return {
        "version": __version__,
        "command": list(options.command),
        "inputs": list(inputs),
        "configuration": {
            "mode": options.mode,
            "engine": options.engine,
            "workers": options.workers,
            "unsafe": settings.unsafe,
            "text_key": settings.text_key,
            "id_key": settings.id_key,
            "max_error_rate": options.max_error_rate,
            "rules": [rule.id for rule in settings.rules.enabled_rules()],
            "severity": settings.rules.severity,
            "rule_options": settings.rules.rule_options,
            "config_sources": settings.rules.sources,
            **{
                key: getattr(settings, key)
                for key in ("model", "threads", "batch_size", "glossary")
                if hasattr(settings, key)
            },
        },
    }


def _stats_json(summary: RunSummary, shards: list[Shard]) -> dict:
    data = summary.totals.as_json()
    data["shards"] = len(shards)
    data["shards_processed"] = summary.processed
    data["shards_skipped"] = summary.skipped
    data["wall_seconds"] = round(summary.wall_seconds, 3)
    rate = summary.documents_this_run / summary.wall_seconds if summary.wall_seconds else 0.0
    data["documents_per_second"] = round(rate, 1)
    return data
