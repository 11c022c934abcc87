"""Reading inputs and writing outputs for the commands: paths, globs, stdin, atomic writes."""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from toolkit.document import SourceText, decode_bytes, read_source
from toolkit.errors import InputError

DEFAULT_EXTENSIONS = (".txt", ".md", ".markdown")
STDIN = "-"


@dataclass(frozen=True)
class InputFile:
    """A decoded input: its display name, its path (None for stdin) and its source text."""

    name: str
    path: Path | None
    source: SourceText


def expand_paths(paths: tuple[str, ...], extensions: tuple[str, ...] = DEFAULT_EXTENSIONS) -> list[str]:
    """Files named by ``paths``: files as given, folders searched for text files, globs expanded.

    ``-`` stands for standard input. Raises :class:`InputError` for a path that
    matches nothing.
    """
    found: list[str] = []
    for raw in paths:
        if raw == STDIN:
            found.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found.extend(
                str(item)
                for item in sorted(path.rglob("*"))
                if item.is_file() and item.suffix.lower() in extensions and ".git" not in item.parts
            )
        elif path.exists():
            found.append(raw)
        elif glob.has_magic(raw):
            matches = sorted(m for m in glob.glob(raw, recursive=True) if Path(m).is_file())
            if not matches:
                raise InputError(f"{raw}: no file matches this pattern")
            found.extend(matches)
        else:
            raise InputError(f"{raw}: no such file or folder")
    return list(dict.fromkeys(found))


def read_inputs(paths: tuple[str, ...]) -> list[InputFile]:
    """Decode every input file (stdin once, as ``<stdin>``)."""
    inputs = []
    for name in expand_paths(paths):
        if name == STDIN:
            inputs.append(InputFile("<stdin>", None, decode_bytes(sys.stdin.buffer.read(), "<stdin>")))
        else:
            inputs.append(InputFile(name, Path(name), read_source(name)))
    return inputs


def encoding_notes(inputs: list[InputFile]) -> list[str]:
    """One line per input that is not plain UTF-8 with ``\\n`` line endings, saying what was found.

    Files written back (``--write``, ``-o``) keep that encoding, byte-order mark and line ending.

    >>> encoding_notes([InputFile("a.txt", None, SourceText("", "big5", "\\n", False))])
    ['a.txt: read as big5']
    """
    notes = []
    for item in inputs:
        source = item.source
        if source.encoding == "utf-8" and source.newline == "\n" and not source.bom:
            continue
        details = source.encoding + (" with a byte-order mark" if source.bom else "")
        if source.newline != "\n":
            details += f", {source.newline.encode('unicode_escape').decode()} line endings"
        notes.append(f"{item.name}: read as {details}")
    return notes


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A crash leaves either the old file or the new one, never half of it. An existing file keeps
    its permissions; a new one gets the usual ``0o666`` less the umask (not ``mkstemp``'s 0o600).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    import tempfile  # here, not at the top: a lint run that writes nothing saves its 5 ms import

    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write ({error.strerror})") from None


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    current = os.umask(0o022)
    os.umask(current)
    return current
