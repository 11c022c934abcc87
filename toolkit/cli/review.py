"""``toolkit review``: one self-contained HTML page per input to review repairs and translation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from toolkit.cli.files import read_inputs, write_atomic
from toolkit.cli.options import build_config, rule_options
from toolkit.errors import InputError


def _load_translation(path: str):
    from toolkit.report.html import check_translation

    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not JSON ({error})") from None
    return check_translation(payload)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    help="The HTML file (default stdout); a folder (several inputs) gets NAME.review.html.",
)
@click.option(
    "--translation",
    type=click.Path(dir_okay=False),
    help="JSON of `toolkit translate --format json` for this input: shown beside its source.",
)
@click.option("--unsafe", is_flag=True, help="Show the repair with the guesses too (as clean --unsafe).")
@rule_options
def review(paths, output, translation, unsafe, select, ignore, config_file, isolated):
    """Write an HTML page for each of PATHS: the original with every finding highlighted, the
    repaired text with every edit (before → after, rule, message), counts per rule with
    show/hide toggles and, with --translation, each section's source and English side by side
    with its QA findings. The page needs no network and opens from file://.
    """
    from toolkit.engine import clean_text, lint_text
    from toolkit.report.html import render_review

    config = build_config(select, ignore, config_file, isolated)
    inputs = read_inputs(paths)
    if translation and len(inputs) > 1:
        raise click.UsageError("--translation belongs to one input; review the files one at a time")
    into_folder = output is not None and (len(inputs) > 1 or output.endswith("/") or Path(output).is_dir())
    if len(inputs) > 1 and output is None:
        raise click.UsageError("several inputs: give -o FOLDER for the pages")
    payload = _load_translation(translation) if translation else None
    if into_folder:
        Path(output).mkdir(parents=True, exist_ok=True)
    for item in inputs:
        text = item.source.text
        result = clean_text(text, config, unsafe=unsafe)
        page = render_review(item.name, text, lint_text(text, config), result.edits, result.text, payload)
        if output is None:
            sys.stdout.buffer.write(page.encode("utf-8"))
            sys.stdout.flush()
            continue
        target = Path(output) / f"{Path(item.name).stem}.review.html" if into_folder else Path(output)
        write_atomic(target, page.encode("utf-8"))
        click.echo(f"wrote {target}", err=True)
