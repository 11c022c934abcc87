"""``toolkit lint``: report problems; exit 1 when any at or above --fail-on remains."""

from __future__ import annotations

import sys
from collections import Counter
from functools import partial

import click

from toolkit.cli.files import encoding_notes, read_inputs, write_atomic
from toolkit.cli.options import build_config, choice_option, rule_options
from toolkit.document import LineIndex
from toolkit.engine import lint_text
from toolkit.parallel import default_jobs, map_texts
from toolkit.report import FORMATS, formatter, locate
from toolkit.rules.registry import SEVERITIES

_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}


@click.command()
@click.argument("paths", nargs=-1, required=True)
@choice_option("-f", "--format", "output_format", choices=FORMATS)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to a file.")
@click.option("--statistics", is_flag=True, help="Print a count per rule instead of each finding.")
@choice_option(
    "--fail-on",
    choices=SEVERITIES,
    default="warning",
    help="Lowest severity that makes the exit code 1.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), help="Files linted in parallel (default: all cores)."
)
@rule_options
def lint(
    paths,
    output_format,
    output,
    statistics,
    fail_on,
    exit_zero,
    quiet,
    jobs,
    select,
    ignore,
    config_file,
    isolated,
):
    """Check PATHS (files, folders, globs, - for stdin) and report every problem.

    Text output is `path:line:col: ID [name] message` with the line and a caret;
    columns count characters. Exit 0 clean, 1 problems, 2 errors.
    """
    config = build_config(select, ignore, config_file, isolated)
    diagnostics = []
    inputs = read_inputs(paths)
    if not quiet:
        for note in encoding_notes(inputs):
            click.echo(f"toolkit: note: {note}", err=True)
    texts = [item.source.text for item in inputs]
    for item, text, findings in zip(
        inputs,
        texts,
        map_texts(partial(lint_text, config=config), texts, jobs or default_jobs()),
        strict=True,
    ):
        diagnostics.extend(locate(item.name, findings, LineIndex(text), config.severity_of))
    if statistics:
        counts = Counter((d.rule.id, d.rule.name) for d in diagnostics)
        report = "".join(
            f"{count:6d}  {rule_id}  {name}\n" for (rule_id, name), count in sorted(counts.items())
        )
    else:
        report = formatter(output_format)(diagnostics)
    if output:
        from pathlib import Path

        write_atomic(Path(output), report.encode("utf-8"))
    else:
        click.echo(report, nl=False)
    failing = [d for d in diagnostics if _RANK[d.severity] >= _RANK[fail_on]]
    if not quiet and output_format == "text":
        fixable = sum(1 for d in diagnostics if d.fixable and d.rule.fix == "safe")
        unsafe = sum(1 for d in diagnostics if d.fixable and d.rule.fix == "unsafe")
        click.echo(
            f"Found {len(diagnostics)} problem(s): {fixable} fixable with `toolkit clean`, "
            f"{unsafe} more with `toolkit clean --unsafe`.",
            err=True,
        )
    sys.exit(0 if exit_zero or not failing else 1)
