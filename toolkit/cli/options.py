"""Options shared by the commands that run rules."""

from __future__ import annotations

from collections.abc import Callable

import click

from toolkit.config import Config, load_config


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


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
    """The configuration for this run."""
    return load_config(config_file, _split(select) or None, _split(ignore) or None, isolated=isolated)
