"""A compact on-disk cache of derived tables, so a fresh process starts in hundredths of a second.

Tables that take a while to build (word frequencies parsed from jieba's ``dict.txt``, the GBK
pair table, per-character script classes from OpenCC, pypinyin's reading table) are built once
and stored with :mod:`marshal` in the cache folder (``$TOOLKIT_CACHE``, see
:func:`toolkit.paths.cache_dir`). The file name carries the table's name, its format version and
a fingerprint of its sources (path, size, modification time), so a changed source or format
builds a new file. A cache that cannot be written (a read-only home) only costs speed.

>>> import tempfile, os
>>> os.environ["TOOLKIT_CACHE"] = tempfile.mkdtemp()
>>> cached_table("squares", 1, [], lambda: {n: n * n for n in range(4)})
{0: 0, 1: 1, 2: 4, 3: 9}
>>> cached_table("squares", 1, [], lambda: "not built again")
{0: 0, 1: 1, 2: 4, 3: 9}
>>> del os.environ["TOOLKIT_CACHE"]
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toolkit.paths import cache_dir


def cache_file(name: str, version: int, sources: list[Path]) -> Path:
    """Where the table ``name`` built from ``sources`` is cached."""
    fingerprint = hashlib.sha256(sys.version.encode())  # codec tables and marshal follow Python
    for source in sources:
        stat = source.stat()
        fingerprint.update(f"{source.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return cache_dir() / f"{name}-v{version}-{fingerprint.hexdigest()[:16]}.marshal"


def cached_table(name: str, version: int, sources: list[Path], build: Callable[[], Any]) -> Any:
    """The table ``name``: loaded from the cache, else built with ``build()`` and stored.

    ``build`` must return plain data (dicts, lists, tuples, strings, numbers) that
    :mod:`marshal` can store.
    """
    path = cache_file(name, version, sources)
    collecting = gc.isenabled()
    gc.disable()  # the collector would rescan the growing tables many times while they load
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    finally:
        if collecting:
            gc.enable()
    table = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(table))
        temporary.replace(path)
    except OSError:
        pass
    return table
