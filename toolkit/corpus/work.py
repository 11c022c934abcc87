"""The unit of work an engine runs: one chunk of records of one shard, in a worker process.

:func:`process_chunk` parses each payload, repairs (or lints) it and returns the output rows
in input order, the records that failed (with the raw content and the reason) and the chunk's
counts. It never raises for a bad record, so one document cannot stop a run.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from toolkit.corpus.records import RecordError, RecordSettings, lint_record, repair_record
from toolkit.corpus.shards import Unreadable
from toolkit.errors import InputError

COUNT_KEYS = ("documents_in", "documents_out", "changed", "failed", "characters_in", "characters_out")


@dataclass
class ChunkResult:
    """Output rows (JSON lines as bytes, or dicts for Parquet), failures and counts of one chunk."""

    rows: list[Any] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    rules: dict[str, Counter] = field(default_factory=dict)
    seconds: float = 0.0


def error_entry(shard: str, position: int, raw: Any, reason: str) -> dict:
    """An ``errors/`` line: shard, line number, reason and the raw content (never lost).

    Bytes that are not UTF-8 are kept exactly in ``raw_base64`` (``raw`` shows them escaped).

    >>> error_entry("a.jsonl", 3, b"{\\xff", "invalid UTF-8")["raw_base64"]
    'e/8='
    """
    entry = {"shard": shard, "line": position, "reason": reason}
    if isinstance(raw, bytes):
        try:
            entry["raw"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["raw"] = raw.decode("utf-8", "backslashreplace")
            entry["raw_base64"] = base64.b64encode(raw).decode("ascii")
    elif raw is not None:
        entry["raw"] = json.dumps(raw, ensure_ascii=False, default=str)
    return entry


def _parse(kind: str, payload: Any, settings: RecordSettings) -> Any:
    """The record held by a payload; raises :class:`RecordError` when it is not one."""
    if kind == "jsonl":
        try:
            line = payload.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RecordError(f"invalid UTF-8 at byte {error.start}") from None
        try:
            return json.loads(line)
        except json.JSONDecodeError as error:
            raise RecordError(f"not JSON: {error}") from None
    if kind == "text":
        from toolkit.document import decode_bytes

        name, data = payload
        try:
            return {settings.id_key: name, settings.text_key: decode_bytes(data, name).text}
        except InputError as error:
            raise RecordError(str(error)) from None
    return payload


def process_chunk(
    settings: RecordSettings, mode: str, kind: str, shard: str, items: list[tuple[int, Any]]
) -> ChunkResult:
    """Repair (``mode="clean"``), lint (``"lint"``) or translate (``"translate"``) a chunk of one shard."""
    started = time.perf_counter()
    if mode == "translate":
        from toolkit.corpus.translation import translate_record as process
    else:
        process = repair_record if mode == "clean" else lint_record
    result = ChunkResult()
    counts = result.counts
    categories = {"clean": ("fixed", "remaining"), "lint": ("found",), "translate": ("translation", "qa")}[
        mode
    ]
    rules = result.rules = {category: Counter() for category in categories}
    as_lines = kind != "parquet" or mode != "clean"
    for position, payload in items:
        counts["documents_in"] += 1
        if isinstance(payload, Unreadable):
            result.errors.append(error_entry(shard, position, None, payload.reason))
            counts["failed"] += 1
            continue
        raw = payload[1] if kind == "text" else payload
        try:
            record = _parse(kind, payload, settings)
            output, report = process(record, settings)
            row = (json.dumps(output, ensure_ascii=False) + "\n").encode("utf-8") if as_lines else output
        except RecordError as error:
            result.errors.append(error_entry(shard, position, raw, str(error)))
            counts["failed"] += 1
            continue
        except Exception as error:  # one document's crash must not stop the run
            result.errors.append(error_entry(shard, position, raw, f"{type(error).__name__}: {error}"))
            counts["failed"] += 1
            continue
        result.rows.append(row)
        counts["documents_out"] += 1
        text = record[settings.text_key]
        counts["characters_in"] += len(text)
        if mode == "clean":
            counts["characters_out"] += len(output[settings.text_key])
            counts["changed"] += report["changed"]
            rules["fixed"].update(report["fixed"])
            rules["remaining"].update(report["remaining"])
        elif mode == "lint":
            rules["found"].update(report["counts"])
        else:
            counts["characters_out"] += len(output["text_en"])
            rules["translation"].update(sentences=report["sentences"], memory_hits=report["memory_hits"])
            rules["qa"].update(report["qa"])
    result.seconds = time.perf_counter() - started
    return result
