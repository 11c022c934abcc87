"""``toolkit translate``: translate articles to English Markdown or JSON, offline.

Only options, files and output formatting live here; the work is in :mod:`toolkit.translate`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from toolkit.cli.files import InputFile, read_inputs, write_atomic
from toolkit.cli.options import build_config, rule_options
from toolkit.paths import data_file


def _progress(quiet: bool, name: str):
    """A ``progress(done, total)`` callback drawing a click progress bar on stderr, or ``None``."""
    if quiet:
        return None, lambda: None
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            bar = click.progressbar(length=total, label=f"translating {name}", file=sys.stderr, show_pos=True)
            state["bar"] = bar.__enter__()
        state["bar"].update(done)

    def close() -> None:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)

    return update, close


def _target(item: InputFile, output: str | None, into_folder: bool, fmt: str) -> Path | None:
    if output is None:
        return None
    if not into_folder:
        return Path(output)
    stem = Path(item.name).stem
    return Path(output) / f"{stem}.en.{'json' if fmt == 'json' else 'md'}"


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    help="Output file; a folder (ending in / or existing, or several inputs) gets NAME.en.md.",
)
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
@click.option("--bilingual", is_flag=True, help="Put each source line (quoted) before its translation.")
@click.option("--raw", is_flag=True, help="Translate the text as it is, without repairing it first.")
@click.option(
    "--unsafe", is_flag=True, help="Also apply the guesses (dropped words, years) before translating."
)
@click.option(
    "--engine",
    type=click.Choice(["llm", "openai", "argos"]),
    default="llm",
    show_default=True,
    help="llm: a GGUF model in this process; openai: an OpenAI-compatible server; argos: an Argos package.",
)
@click.option(
    "--model",
    help="llm: any GGUF instruction model file (with a chat template) or 0.5b/1.5b; argos: a package folder.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 64),
    help="Sequences decoded in parallel (llm) or per batch (argos).",
)
@click.option(
    "--base-url",
    help="openai: the server, e.g. http://127.0.0.1:8080/v1 (only this host is contacted).",
)
@click.option("--api-model", help="openai: the server's model name (default: the first it lists).")
@click.option("--api-key-env", metavar="VAR", help="openai: the environment variable that holds the API key.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    help="openai: requests in flight at once (default 4, for one local server; more for vLLM).",
)
@click.option(
    "--candidates",
    type=click.IntRange(1, 32),
    default=1,
    show_default=True,
    help="llm: decode N candidates per sentence (greedy + samples) and keep their chrF consensus;"
    " better, about N/2 times slower.",
)
@click.option(
    "--glossary",
    type=click.Path(dir_okay=False),
    help="中文<TAB>English pairs for names/terms (llm, openai; default config/glossary.tsv).",
)
@click.option("--no-memory", is_flag=True, help="Neither read nor write the translation memory.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@rule_options
def translate(
    paths,
    output,
    fmt,
    bilingual,
    raw,
    unsafe,
    engine,
    model,
    batch_size,
    base_url,
    api_model,
    api_key_env,
    concurrency,
    candidates,
    glossary,
    no_memory,
    quiet,
    select,
    ignore,
    config_file,
    isolated,
):
    """Translate PATHS (files, folders, globs, - for stdin) from Chinese to English.

    The text is repaired first (unless --raw), split into its sections and translated section by
    section; headings keep their numbering (一、 → 1., 1.1 → 1.1). Translation checks (Chinese
    left over, loops, empty, truncated, odd length) go to stderr. Nothing is downloaded: without
    a model, run `toolkit models fetch`, pass --model FILE.gguf, or use a server with
    --engine openai --base-url URL. Exit 1 when a check found something; exit 2 when the server
    is down (what was translated until then stays in the translation memory).
    """
    from toolkit.translate.document import render_markdown, translate_text
    from toolkit.translate.engines import load_engine, load_glossary
    from toolkit.translate.memory import TranslationMemory

    config = build_config(select, ignore, config_file, isolated)
    inputs = read_inputs(paths)
    into_folder = output is not None and (len(inputs) > 1 or output.endswith("/") or Path(output).is_dir())
    if len(inputs) > 1 and output is None:
        raise click.UsageError("several inputs: give -o FOLDER for the translations")
    if into_folder:
        Path(output).mkdir(parents=True, exist_ok=True)
    if glossary is None and engine in ("llm", "openai"):
        glossary = str(data_file("glossary.tsv"))
    terms = load_glossary(glossary) if glossary else None
    translator = load_engine(
        engine,
        model,
        batch_size=batch_size,
        glossary=terms,
        candidates=candidates,
        base_url=base_url,
        api_model=api_model,
        api_key_env=api_key_env,
        concurrency=concurrency,
    )
    memory = None if no_memory else TranslationMemory()
    problems = 0
    try:
        for item in inputs:
            update, close = _progress(quiet, item.name)
            try:
                result = translate_text(
                    item.source.text,
                    translator,
                    raw=raw,
                    unsafe=unsafe,
                    config=config,
                    memory=memory,
                    progress=update,
                )
            finally:
                close()
            for section in result.sections:
                for segment in section.segments:
                    for finding in segment.findings:
                        problems += 1
                        click.echo(
                            f"{item.name}:{segment.line}: {finding.code} {finding.name}: {finding.message}",
                            err=True,
                        )
            if fmt == "json":
                payload = {"path": item.name, **result.to_dict()}
                text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
            else:
                text = render_markdown(result, bilingual=bilingual)
            target = _target(item, output, into_folder, fmt)
            if target is None:
                sys.stdout.buffer.write(text.encode("utf-8"))
                sys.stdout.flush()
            else:
                write_atomic(target, text.encode("utf-8"))
            if not quiet:
                click.echo(
                    f"{item.name}: {result.sentence_count} sentences, {result.memory_hits} from memory,"
                    f" {result.seconds:.1f} s",
                    err=True,
                )
    finally:
        if memory is not None:
            memory.close()
    sys.exit(1 if problems else 0)
