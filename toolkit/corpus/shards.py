"""Shards: finding them, streaming their records, and writing output shards atomically.

A shard is one input file (``.jsonl``, ``.jsonl.gz``, ``.parquet``) or one folder of ``.txt``/``.md``
files (one document a file). Readers yield ``(position, payload)`` pairs one record at a time:
the line number and raw bytes of a JSONL line, the row number and dict of a Parquet row, or the
file index and ``(relative path, bytes)`` of a text file. A stream that breaks off (a truncated
gzip file) yields one :class:`Unreadable` payload and stops, so the break is reported, not raised.

Output files are written under a temporary name in their final folder and renamed into place
by :meth:`AtomicOutput.commit`; gzip output has no timestamp, so the same records give the same
bytes on every run and engine.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, InputError

DATA_SUFFIXES = (".jsonl.gz", ".jsonl", ".parquet")
TEXT_SUFFIXES = (".txt", ".md")
PARTIAL_SUFFIX = ".partial"


@dataclass(frozen=True)
class Unreadable:
    """The rest of a shard could not be read; ``reason`` says why."""

    reason: str


@dataclass(frozen=True)
class Shard:
    """One unit of input: ``name`` is its path relative to the input folder (or its file name).

    ``kind`` is ``jsonl`` (plain or gzipped), ``parquet`` or ``text`` (then ``files`` lists the
    documents, relative to ``path``).
    """

    name: str
    path: Path
    kind: str
    files: tuple[str, ...] = field(default=())

    def output_name(self, mode: str) -> str:
        """Name of the output shard: JSONL becomes ``.jsonl.gz``; Parquet stays Parquet when cleaned
        (lint and translate write JSONL).

        >>> Shard("a/b.jsonl", Path("b.jsonl"), "jsonl").output_name("clean")
        'a/b.jsonl.gz'
        >>> Shard("c.parquet", Path("c.parquet"), "parquet").output_name("lint")
        'c.jsonl.gz'
        """
        if self.kind == "parquet":
            return self.name if mode == "clean" else self.name.removesuffix(".parquet") + ".jsonl.gz"
        return self.name.removesuffix(".gz").removesuffix(".jsonl") + ".jsonl.gz"

    def fingerprint(self) -> list[int]:
        """Size and modification time of the input, to tell whether a finished shard is still current."""
        paths = [self.path / name for name in self.files] if self.kind == "text" else [self.path]
        stats = [path.stat() for path in paths]
        return [sum(s.st_size for s in stats), max((s.st_mtime_ns for s in stats), default=0), len(stats)]


def _kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz")):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    return None


def discover_shards(inputs: list[str], exclude: Path | None = None) -> list[Shard]:
    """The shards named by ``inputs`` (files or folders), in a stable order.

    A folder contributes every data file below it (named relative to it) and, when it holds
    text files, one ``text`` shard named after the folder; nothing under ``exclude`` (the output
    folder) counts. Raises :class:`InputError` for a path that does not exist or yields nothing,
    and for two shards with the same name.
    """
    shards: list[Shard] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_file():
            kind = _kind_of(path)
            if kind is None:
                raise InputError(f"{raw}: not a .jsonl, .jsonl.gz or .parquet file (or a folder)")
            shards.append(Shard(path.name, path, kind))
        elif path.is_dir():
            found = _folder_shards(path, exclude.resolve() if exclude is not None else None)
            if not found:
                raise InputError(f"{raw}: no .jsonl, .jsonl.gz, .parquet, .txt or .md files in this folder")
            shards.extend(found)
        else:
            raise InputError(f"{raw}: no such file or folder")
    names: dict[str, Path] = {}
    for shard in shards:
        if shard.name in names:
            raise InputError(
                f"two inputs make the same output shard {shard.name!r}: {names[shard.name]}, {shard.path}"
            )
        names[shard.name] = shard.path
    return shards


def _folder_shards(folder: Path, exclude: Path | None) -> list[Shard]:
    shards, texts = [], []
    for item in sorted(folder.rglob("*")):
        if not item.is_file() or ".git" in item.parts or item.name.startswith("."):
            continue
        if exclude is not None and item.resolve().is_relative_to(exclude):
            continue
        kind = _kind_of(item)
        if kind is not None:
            shards.append(Shard(item.relative_to(folder).as_posix(), item, kind))
        elif item.suffix.lower() in TEXT_SUFFIXES:
            texts.append(item.relative_to(folder).as_posix())
    if texts:
        shards.append(Shard(f"{folder.resolve().name}.jsonl.gz", folder, "text", tuple(texts)))
    return shards


def read_shard(shard: Shard) -> Iterator[tuple[int, Any]]:
    """Stream the records of ``shard`` as ``(position, payload)`` pairs (1-based positions)."""
    if shard.kind == "jsonl":
        yield from _read_jsonl(shard.path)
    elif shard.kind == "parquet":
        yield from _read_parquet(shard.path)
    else:
        for index, name in enumerate(shard.files, start=1):
            try:
                yield index, (name, (shard.path / name).read_bytes())
            except OSError as error:
                yield index, Unreadable(f"{name}: cannot read ({error.strerror})")


def _read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    number = 0
    try:
        with opener(path, "rb") as stream:
            for number, line in enumerate(stream, start=1):
                if line.strip():
                    yield number, line.rstrip(b"\r\n")
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        yield number + 1, Unreadable(f"shard unreadable from here on: {type(error).__name__}: {error}")


def _pyarrow():
    """``(pyarrow, pyarrow.parquet)``, or a :class:`ConfigError` saying how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ConfigError('Parquet shards need pyarrow: pip install "toolkit[corpus]"') from None
    return pyarrow, pyarrow.parquet


def _read_parquet(path: Path) -> Iterator[tuple[int, Any]]:
    _, pq = _pyarrow()
    number = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        yield number + 1, Unreadable(f"shard unreadable from here on: {type(error).__name__}: {error}")


def parquet_schema(path: Path):
    """The Arrow schema of a Parquet file, or ``None`` when it cannot be read."""
    _, pq = _pyarrow()

    try:
        return pq.ParquetFile(path).schema_arrow
    except (OSError, ValueError):
        return None


class AtomicOutput:
    """A file written under a temporary name beside ``path`` and renamed into place on commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}{PARTIAL_SUFFIX}")
        self.stream = open(self.temporary, "wb")

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def commit(self) -> None:
        """Flush to disk and rename over ``path``: readers see the old file or the whole new one."""
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        self.stream.close()
        self.temporary.unlink(missing_ok=True)


class JsonlGzWriter(AtomicOutput):
    """Gzipped JSON lines, reproducible: no file name or time stamp in the gzip header."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self.stream, compresslevel=6, mtime=0)

    def write_lines(self, lines: list[bytes]) -> None:
        self.gzip.write(b"".join(lines))

    def commit(self) -> None:
        self.gzip.close()
        super().commit()

    def abort(self) -> None:
        self.gzip.close()
        super().abort()


class ParquetWriter(AtomicOutput):
    """Parquet rows with the input's columns plus the ``toolkit`` report column."""

    def __init__(self, path: Path, input_schema, report_key: str) -> None:
        pa, pq = _pyarrow()
        super().__init__(path)
        counts = pa.map_(pa.string(), pa.int64())
        report = pa.struct([("changed", pa.bool_()), ("fixed", counts), ("remaining", counts)])
        fields = [f for f in input_schema if f.name != report_key] if input_schema is not None else []
        self.schema = pa.schema([*fields, pa.field(report_key, report)])
        self.report_key = report_key
        self.writer = pq.ParquetWriter(self.stream, self.schema)

    def write_rows(self, rows: list[dict]) -> None:
        pa, _ = _pyarrow()
        for row in rows:
            report = row[self.report_key]
            row[self.report_key] = {
                "changed": report["changed"],
                "fixed": list(report["fixed"].items()),
                "remaining": list(report["remaining"].items()),
            }
        self.writer.write_table(pa.Table.from_pylist(rows, schema=self.schema))

    def commit(self) -> None:
        self.writer.close()
        super().commit()

    def abort(self) -> None:
        self.writer.close()
        super().abort()


def remove_partials(folder: Path) -> int:
    """Delete temporary files left in ``folder`` by a run that was killed; return how many."""
    removed = 0
    if folder.is_dir():
        for item in folder.rglob(f".*{PARTIAL_SUFFIX}"):
            item.unlink(missing_ok=True)
            removed += 1
    return removed
