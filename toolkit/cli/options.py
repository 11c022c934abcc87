"""Options shared by the commands: the rule options and a choice option with its default shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from toolkit.config import Config


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def choice_option(
    *names: str, choices: Sequence[str], default: str | None = None, help: str | None = None
) -> Callable[[Callable], Callable]:
    """``click.option(*names)`` taking one of ``choices``; the default (the first) is shown in --help.

    >>> @click.command()
    ... @choice_option("--size", choices=["small", "large"])
    ... def size(size):
    ...     click.echo(size)
    >>> from click.testing import CliRunner
    >>> CliRunner().invoke(size, []).output.strip(), "[default: small]" in CliRunner().invoke(size, ["--help"]).output
    ('small', True)
    """
    return click.option(
        *names, type=click.Choice(list(choices)), default=default or choices[0], show_default=True, help=help
    )


def rule_options(command: Callable) -> Callable:
    """Add --select, --ignore, --config and --isolated."""
    decorators = [
        click.option(
            "--select", multiple=True, metavar="RULES", help="Only these rules (ids, names, prefixes)."
        ),
        click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules."),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help="A TOML file ([tool.toolkit] table or top-level keys).",
        ),
        click.option("--isolated", is_flag=True, help="Ignore toolkit.toml and pyproject.toml."),
    ]
    for decorate in reversed(decorators):
        command = decorate(command)
    return command


def build_config(
    select: tuple[str, ...], ignore: tuple[str, ...], config_file: str | None, isolated: bool
) -> Config:
    """The configuration for this run (``toolkit.config`` is imported here: it loads every rule)."""
    from toolkit.config import load_config

    return load_config(config_file, _split(select) or None, _split(ignore) or None, isolated=isolated)
