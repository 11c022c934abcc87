"""Translation memory: an SQLite table of sentence translations keyed by engine, model and source.

The model key is the engine's ``model_id`` (a content hash of the model file, cached by path,
size and mtime, plus the prompt/decoding version), so a changed model or prompt never reuses old
translations, and a second run over an unchanged document translates nothing.
Default location: ``$TOOLKIT_HOME/translation-memory.sqlite3`` (see
:func:`toolkit.paths.user_home`).

>>> tm = TranslationMemory(":memory:")
>>> tm.store("llm", "abc", [("你好。", "Hello.")])
>>> tm.lookup("llm", "abc", ["你好。", "再見。"])
{'你好。': 'Hello.'}
>>> tm.lookup("llm", "other-model", ["你好。"])
{}

Reviewed entries (a translator's corrections, from a reviewed XLIFF or a TMX) are keyed by the
source alone and win over every engine's translation:

>>> tm.store_reviewed([("你好。", "Hi there.")])
>>> tm.lookup_reviewed(["你好。", "再見。"])
{'你好。': 'Hi there.'}
>>> tm.stats()
{'machine': 1, 'reviewed': 1, 'engines': {'llm abc': 1}}
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from toolkit.paths import user_home

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (engine, model, source)
)
"""
_REVIEWED_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewed (
    source TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    created REAL NOT NULL
)
"""
_CHUNK = 400
_KEY = "engine = ? AND model = ?"


@dataclass(frozen=True)
class MemoryEntry:
    """One stored translation; ``engine`` and ``model`` are empty for a reviewed (human) entry."""

    source: str
    target: str
    created: float
    engine: str = ""
    model: str = ""

    @property
    def reviewed(self) -> bool:
        return not self.engine


def default_memory_path() -> Path:
    """``user_home()/translation-memory.sqlite3``."""
    return user_home() / "translation-memory.sqlite3"


class TranslationMemory:
    """Sentence-level translation memory in one SQLite file (``":memory:"`` for a throw-away one)."""

    def __init__(self, path: str | Path | None = None) -> None:
        target = default_memory_path() if path is None else path
        if str(target) != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        self.path = target
        self.connection = sqlite3.connect(str(target), timeout=30)
        self.connection.execute(_SCHEMA)
        self.connection.execute(_REVIEWED_SCHEMA)

    def lookup(self, engine: str, model: str, sources: Sequence[str]) -> dict[str, str]:
        """Known translations of ``sources`` for this engine and model."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT source, target FROM translations WHERE {_KEY} AND source IN ({marks})"
            rows = self.connection.execute(query, (engine, model, *chunk))
            found.update(rows.fetchall())
        return found

    def store(self, engine: str, model: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember (source, translation) pairs; empty translations are not stored."""
        now = time.time()
        rows = [(engine, model, source, target, now) for source, target in pairs if target.strip()]
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)", rows)

    def lookup_reviewed(self, sources: Sequence[str]) -> dict[str, str]:
        """Reviewed translations of ``sources`` (any engine)."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT source, target FROM reviewed WHERE source IN ({marks})", chunk
            )
            found.update(rows.fetchall())
        return found

    def store_reviewed(self, pairs: Iterable[tuple[str, str]], created: float | None = None) -> None:
        """Remember reviewed (source, translation) pairs; they replace earlier reviewed ones."""
        now = time.time() if created is None else created
        rows = [(source, target, now) for source, target in pairs if source.strip() and target.strip()]
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO reviewed VALUES (?, ?, ?)", rows)

    def entries(self) -> Iterator[MemoryEntry]:
        """Every entry: machine translations (by engine and model), then reviewed ones."""
        query = "SELECT engine, model, source, target, created FROM translations ORDER BY created, source"
        for engine, model, source, target, created in self.connection.execute(query):
            yield MemoryEntry(source, target, created, engine, model)
        for source, target, created in self.connection.execute(
            "SELECT source, target, created FROM reviewed ORDER BY created, source"
        ):
            yield MemoryEntry(source, target, created)

    def store_entries(self, entries: Iterable[MemoryEntry]) -> int:
        """Store entries as they are (machine ones under their engine and model); returns the count."""
        machine, reviewed = [], []
        for entry in entries:
            if not entry.source.strip() or not entry.target.strip():
                continue
            if entry.reviewed:
                reviewed.append((entry.source, entry.target, entry.created))
            else:
                machine.append((entry.engine, entry.model, entry.source, entry.target, entry.created))
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)", machine)
            self.connection.executemany("INSERT OR REPLACE INTO reviewed VALUES (?, ?, ?)", reviewed)
        return len(machine) + len(reviewed)

    def stats(self) -> dict[str, object]:
        """Entry counts: machine, reviewed, and machine entries per ``engine model``."""
        engines = self.connection.execute(
            "SELECT engine, model, COUNT(*) FROM translations GROUP BY engine, model ORDER BY engine, model"
        ).fetchall()
        (reviewed,) = self.connection.execute("SELECT COUNT(*) FROM reviewed").fetchone()
        return {
            "machine": sum(count for _, _, count in engines),
            "reviewed": reviewed,
            "engines": {f"{engine} {model}": count for engine, model, count in engines},
        }

    def close(self) -> None:
        """Close the database."""
        self.connection.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
