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
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
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
_CHUNK = 400
_KEY = "engine = ? AND model = ?"


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

    def close(self) -> None:
        """Close the database."""
        self.connection.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
