"""``toolkit translate``: translate articles to English Markdown or JSON, offline.

Only options, files and output formatting live here; the work is in :mod:`toolkit.translate`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from toolkit.cli.files import InputFile, read_inputs, write_atomic
from toolkit.cli.options import build_config, choice_option, rule_options
from toolkit.errors import InputError
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


_EXTENSIONS = {"md": "md", "json": "json", "xliff": "xlf"}


def _target(item: InputFile, output: str | None, into_folder: bool, fmt: str) -> Path | None:
    if output is None:
        return None
    if not into_folder:
        return Path(output)
    stem = Path(item.name).stem
    return Path(output) / f"{stem}.en.{_EXTENSIONS[fmt]}"


def _report(name: str, result) -> int:
    """Print every QA finding of ``result`` on stderr; return how many there were."""
    problems = 0
    for section in result.sections:
        for segment in section.segments:
            for finding in segment.findings:
                problems += 1
                click.echo(
                    f"{name}:{segment.line}: {finding.code} {finding.name}: {finding.message}", err=True
                )
    return problems


def _render(result, name: str, fmt: str, bilingual: bool) -> str:
    from toolkit.translate.document import render_markdown
    from toolkit.translate.xliff import write_xliff

    if fmt == "json":
        return json.dumps({"path": name, **result.to_dict()}, ensure_ascii=False, indent=2) + "\n"
    if fmt == "xliff":
        return write_xliff(result, name)
    return render_markdown(result, bilingual=bilingual)


def _emit(text: str, target: Path | None) -> None:
    if target is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    else:
        write_atomic(target, text.encode("utf-8"))


def _from_xliff(
    path: str, output: str | None, fmt: str, bilingual: bool, glossary: str | None, memory
) -> int:
    """Render a reviewed XLIFF file and store its reviewed sentences; returns the QA finding count."""
    from toolkit.translate.document import check_segment
    from toolkit.translate.engines import load_glossary
    from toolkit.translate.xliff import read_xliff, reviewed_pairs

    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    document = read_xliff(data)
    terms = load_glossary(glossary) if glossary else None
    for segment in document.segments():
        doubts = [f for f in segment.findings if f.code == "TQ7"]
        segment.findings = check_segment(segment, terms, doubts) + doubts
    result = document.translation
    name = document.original or path
    if memory is not None:
        sources = [s for segment in document.segments() for s in segment.sentences]
        machine = memory.lookup(result.engine, result.model, sources)
        pairs = reviewed_pairs(document, machine)
        memory.store_reviewed(pairs)
        click.echo(f"{path}: {len(pairs)} reviewed sentence(s) stored in the translation memory", err=True)
    problems = _report(name, result)
    _emit(_render(result, name, fmt, bilingual), Path(output) if output else None)
    return problems


@click.command()
@click.argument("paths", nargs=-1)
@click.option(
    "-o",
    "--output",
    help="Output file; a folder (ending in / or existing, or several inputs) gets NAME.en.md.",
)
@choice_option(
    "--format",
    "fmt",
    choices=["md", "json", "xliff"],
    help="Markdown, JSON, or XLIFF 2 for a translator's review.",
)
@click.option(
    "--from-xliff",
    "from_xliff",
    type=click.Path(dir_okay=False),
    help="Render a reviewed XLIFF file (md/json) and store its reviewed sentences; no model needed.",
)
@click.option("--bilingual", is_flag=True, help="Put each source line (quoted) before its translation.")
@click.option("--raw", is_flag=True, help="Translate the text as it is, without repairing it first.")
@click.option(
    "--unsafe", is_flag=True, help="Also apply the guesses (dropped words, years) before translating."
)
@choice_option(
    "--engine",
    choices=["llm", "openai", "argos"],
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
    from_xliff,
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
    left over, loops, empty, truncated, odd length, numbers, doubtful source, glossary) go to
    stderr. Nothing is downloaded: without a model, run `toolkit models fetch`, pass --model
    FILE.gguf, or use a server with --engine openai --base-url URL. Exit 1 when a check found
    something; exit 2 when the server is down (what was translated until then stays in the
    translation memory).

    --format xliff writes XLIFF 2 for a CAT tool; --from-xliff FILE renders the reviewed file
    and keeps the reviewer's sentences in the translation memory, where they win in later runs.
    """
    from toolkit.translate.document import translate_text
    from toolkit.translate.engines import load_engine, load_glossary
    from toolkit.translate.memory import TranslationMemory

    if from_xliff:
        if paths:
            raise click.UsageError("--from-xliff takes the XLIFF file instead of PATHS")
        if fmt == "xliff":
            raise click.UsageError("--from-xliff renders Markdown or JSON (--format md/json)")
        memory = None if no_memory else TranslationMemory()
        try:
            problems = _from_xliff(
                from_xliff, output, fmt, bilingual, glossary or str(data_file("glossary.tsv")), memory
            )
        finally:
            if memory is not None:
                memory.close()
        sys.exit(1 if problems else 0)
    if not paths:
        raise click.UsageError("give PATHS to translate (or --from-xliff FILE)")
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
                    glossary=terms,
                )
            finally:
                close()
            problems += _report(item.name, result)
            _emit(_render(result, item.name, fmt, bilingual), _target(item, output, into_folder, fmt))
            if not quiet:
                reviewed = f" ({result.reviewed_hits} reviewed)" if result.reviewed_hits else ""
                click.echo(
                    f"{item.name}: {result.sentence_count} sentences, {result.memory_hits} from memory"
                    f"{reviewed}, {result.seconds:.1f} s",
                    err=True,
                )
    finally:
        if memory is not None:
            memory.close()
    sys.exit(1 if problems else 0)
