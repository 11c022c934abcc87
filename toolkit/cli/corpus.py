"""``toolkit corpus clean|lint|translate``: process shards of documents into an output folder."""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

import click

from toolkit.cli.options import build_config, rule_options
from toolkit.corpus.engines import ENGINES
from toolkit.corpus.records import RecordSettings
from toolkit.corpus.runner import RunOptions, run_corpus
from toolkit.parallel import default_jobs


class ProgressLine:
    """Documents done and documents per second on stderr, at most twice a second."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.live = sys.stderr.isatty()

    def __call__(self, documents: int, shards_done: int, shards: int) -> None:
        now = time.perf_counter()
        if now - self.last < (0.5 if self.live else 5.0) and shards_done < shards:
            return
        self.last = now
        rate = documents / (now - self.started) if now > self.started else 0.0
        line = f"toolkit: {documents:,} documents, {rate:,.0f}/s, shards {shards_done}/{shards}"
        click.echo(("\r" + line) if self.live else line, err=True, nl=not self.live)

    def finish(self) -> None:
        if self.live:
            click.echo("", err=True)


def corpus_options(command, workers: bool = True):
    """The options shared by ``corpus clean``, ``lint`` and (without --workers) ``translate``."""
    decorators = [
        click.argument("inputs", nargs=-1, required=True),
        click.option(
            "-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="Output folder."
        ),
        *[click.option("--workers", type=int, help="Parallel workers (default: all cores).")][: int(workers)],
        click.option("--engine", type=click.Choice(ENGINES), default="local", show_default=True),
        click.option("--resume", is_flag=True, help="Skip shards that finished in an earlier run."),
        click.option("--text-key", default="text", show_default=True, help="Field that holds the text."),
        click.option("--id-key", default="id", show_default=True, help="Field that identifies a record."),
        click.option(
            "--max-error-rate",
            type=click.FloatRange(0, 1),
            default=0.01,
            show_default=True,
            help="Exit 2 when a larger share of records fails.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return rule_options(command)


def _run(mode: str, params: dict, **model) -> None:
    """Run ``mode`` with a command's parsed options (``params``); ``model`` settings for translate."""
    config = build_config(params["select"], params["ignore"], params["config_file"], params["isolated"])
    fields = {
        "unsafe": params.get("unsafe", False),
        "text_key": params["text_key"],
        "id_key": params["id_key"],
    }
    if mode == "translate":
        from toolkit.corpus.translation import TranslateSettings

        settings = TranslateSettings(config, **fields, **model)
    else:
        settings = RecordSettings(config, **fields)
    options = RunOptions(
        settings,
        mode=mode,
        workers=params["workers"] or default_jobs(),
        engine=params["engine"],
        resume=params["resume"],
        max_error_rate=params["max_error_rate"],
        command=tuple(sys.argv),
    )
    quiet, out = params["quiet"], Path(params["out"])
    progress = None if quiet else ProgressLine()
    try:
        summary = run_corpus(list(params["inputs"]), out, options, progress)
    finally:
        if progress is not None:
            progress.finish()
    if not quiet:
        counts = summary.totals.counts
        click.echo(
            f"toolkit: {counts['documents_in']:,} documents in, {counts['documents_out']:,} out, "
            f"{counts['changed']:,} changed, {counts['failed']:,} failed; "
            f"{summary.processed} shard(s) processed, {summary.skipped} skipped; see {out / 'stats.json'}",
            err=True,
        )


@click.group()
def corpus() -> None:
    """Clean or lint corpora: JSONL, JSONL.gz and Parquet shards, folders of .txt/.md files.

    Output in OUT: data/ (one shard per input shard, records in order, every field kept),
    errors/ (bad records with shard, line, reason, raw content), stats.json, run.json.
    """


@corpus.command("clean")
@corpus_options
@click.option("--unsafe", is_flag=True, help="Also apply guesses: dropped characters, years.")
def corpus_clean(**params):
    """Repair the text of every record in INPUTS into OUT/data (a `toolkit` field reports per record)."""
    _run("clean", params)


@corpus.command("lint")
@corpus_options
def corpus_lint(**params):
    """Report findings per record of INPUTS (counts per rule and spans) into OUT/data."""
    _run("lint", params)


@corpus.command("translate")
@functools.partial(corpus_options, workers=False)
@click.option(
    "--unsafe", is_flag=True, help="Also apply the guesses (dropped words, years) before translating."
)
@click.option("--model", help="A .gguf file or 0.5b/1.5b (default: the installed model).")
@click.option(
    "--model-workers",
    type=int,
    default=1,
    show_default=True,
    help="Processes (or Ray actors) that each hold the model.",
)
@click.option(
    "--threads-per-model",
    type=int,
    default=None,
    help="Threads of each model (default: cores / model workers).",
)
@click.option("--batch-size", type=click.IntRange(1, 64), help="Sequences each model decodes in parallel.")
@click.option(
    "--glossary",
    type=click.Path(dir_okay=False),
    help="中文<TAB>English names and terms (default config/glossary.tsv).",
)
def corpus_translate(model, model_workers, threads_per_model, batch_size, glossary, **params):
    """Translate every record of INPUTS (for example OUT/data of `corpus clean`) into OUT/data.

    Each record gains `text_en` (English Markdown) and `sections` (level, source, English). The
    translation memory is shared by all model workers. Nothing is downloaded.
    """
    from toolkit.models import find_llm
    from toolkit.paths import data_file

    find_llm(model)  # no model: say how to get one now, not once per record
    threads = threads_per_model or max(1, default_jobs() // max(1, model_workers))
    _run(
        "translate",
        {**params, "workers": model_workers},
        model=model,
        threads=threads,
        batch_size=batch_size,
        glossary=glossary or str(data_file("glossary.tsv")),
    )
