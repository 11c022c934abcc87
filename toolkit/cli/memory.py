"""``toolkit memory``: export, import and count the translation memory (TMX 1.4 for CAT tools)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toolkit.cli.files import write_atomic
from toolkit.cli.options import choice_option
from toolkit.errors import InputError


@click.group()
def memory() -> None:
    """Export, import and count the translation memory ($TOOLKIT_HOME/translation-memory.sqlite3)."""


@memory.command("export")
@choice_option("--format", "fmt", choices=["tmx"])
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (default stdout).")
def export(fmt: str, output: str | None) -> None:
    """Write every entry (machine and reviewed) as TMX 1.4, source zh, target en."""
    from toolkit.translate.memory import TranslationMemory
    from toolkit.translate.tmx import write_tmx

    with TranslationMemory() as store:
        entries = list(store.entries())
    text = write_tmx(entries)
    if output:
        write_atomic(Path(output), text.encode("utf-8"))
        click.echo(f"wrote {len(entries)} entries to {output}", err=True)
    else:
        click.echo(text, nl=False)


@memory.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def import_(path: str) -> None:
    """Add the zh→en entries of a TMX file: toolkit's machine entries as they were, all others as reviewed."""
    from toolkit.translate.memory import TranslationMemory
    from toolkit.translate.tmx import read_tmx

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    entries = read_tmx(data)
    with TranslationMemory() as store:
        count = store.store_entries(entries)
    reviewed = sum(1 for entry in entries if entry.reviewed)
    click.echo(f"imported {count} entries from {path} ({reviewed} reviewed)", err=True)


@memory.command("stats")
@choice_option("--format", "fmt", choices=["text", "json"])
def stats(fmt: str) -> None:
    """Count the entries: machine translations per engine and model, and reviewed ones."""
    from toolkit.translate.memory import TranslationMemory

    with TranslationMemory() as store:
        counts = store.stats()
        location = str(store.path)
    if fmt == "json":
        click.echo(json.dumps({"path": location, **counts}, ensure_ascii=False, indent=2))
        return
    click.echo(f"{location}")
    click.echo(f"{counts['machine']:>7}  machine translations")
    for key, count in counts["engines"].items():
        click.echo(f"{count:>7}    {key}")
    click.echo(f"{counts['reviewed']:>7}  reviewed translations")
