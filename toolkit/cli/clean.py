"""``toolkit clean``: repair files; print, write in place, write elsewhere, or show a diff."""

from __future__ import annotations

import difflib
import sys
from functools import partial
from pathlib import Path

import click

from toolkit.cli.files import encoding_notes, read_inputs, write_atomic
from toolkit.cli.options import build_config, rule_options
from toolkit.document import LineIndex
from toolkit.engine import clean_text
from toolkit.errors import ConfigError
from toolkit.parallel import default_jobs, map_texts
from toolkit.repairs.script import CONVERSIONS, convert_script


def _explain(name: str, text: str, result) -> None:
    index = LineIndex(text)
    for edit in result:
        line, column = index.position(edit.start)
        click.echo(
            f"{name}:{line}:{column}: {edit.rule} {edit.before!r} -> {edit.after!r}  ({edit.reason})",
            err=True,
        )


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-w", "--write", is_flag=True, help="Rewrite the files in place (atomically).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the cleaned text to this file.")
@click.option("--diff", is_flag=True, help="Print a unified diff instead of the text.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any file would change.")
@click.option("--unsafe", is_flag=True, help="Also apply guesses: dropped characters, years.")
@click.option("--explain", is_flag=True, help="List every edit (rule, position, before, after) on stderr.")
@click.option("--convert", type=click.Choice(CONVERSIONS), help="Convert the script with OpenCC afterwards.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Files cleaned in parallel (default: all cores)."
)
@rule_options
def clean(
    paths, write, output, diff, check, unsafe, explain, convert, jobs, select, ignore, config_file, isolated
):
    """Repair PATHS (files, folders, globs, - for stdin).

    Safe fixes always; guesses only with --unsafe. Without --write, -o, --diff
    or --check the cleaned text goes to stdout.
    """
    if sum(bool(flag) for flag in (write, output, diff, check)) > 1:
        raise click.UsageError("use only one of --write, --output, --diff and --check")
    config = build_config(select, ignore, config_file, isolated)
    inputs = read_inputs(paths)
    for note in encoding_notes(inputs):
        click.echo(f"toolkit: note: {note}", err=True)
    if (output or not (write or diff or check)) and len(inputs) > 1:
        raise click.UsageError("several inputs: use --write, --diff or --check (or one input with -o)")
    if write and any(item.path is None for item in inputs):
        raise ConfigError("--write cannot rewrite standard input; use -o FILE or stdout")
    changed = 0
    texts = [item.source.text for item in inputs]
    results = map_texts(partial(clean_text, config=config, unsafe=unsafe), texts, jobs or default_jobs())
    for item, text, result in zip(inputs, texts, results, strict=True):
        cleaned, edits = result.text, list(result.edits)
        if convert:
            converted = convert_script(cleaned, convert)
            cleaned = converted.text
            if explain:
                _explain(item.name + " (after repairs)", result.text, converted.edits)
        if explain:
            _explain(item.name, text, edits)
        if cleaned != text:
            changed += 1
        if diff:
            lines = difflib.unified_diff(
                text.splitlines(keepends=True),
                cleaned.splitlines(keepends=True),
                fromfile=f"a/{item.name}",
                tofile=f"b/{item.name}",
            )
            sys.stdout.buffer.write("".join(lines).encode("utf-8"))
        elif write:
            if cleaned != text:
                write_atomic(item.path, item.source.encode(cleaned))
        elif output:
            write_atomic(Path(output), item.source.encode(cleaned))
        elif not check:
            sys.stdout.buffer.write(cleaned.encode("utf-8"))
            sys.stdout.flush()
    if check or write:
        verb = "would change" if check else "changed"
        click.echo(f"{changed} of {len(inputs)} file(s) {verb}.", err=True)
    sys.exit(1 if check and changed else 0)
