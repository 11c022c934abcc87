"""``toolkit rules``: list the registry, or explain one rule."""

from __future__ import annotations

import json

import click

from toolkit.cli.options import choice_option
from toolkit.errors import ConfigError
from toolkit.rules import REGISTRY, resolve


@click.command()
@click.argument("rule", required=False)
@choice_option("--format", "output_format", choices=["text", "json"])
def rules(rule, output_format):
    """List every rule (id, name, severity, fix safety), or explain RULE (id or name)."""
    chosen = sorted(REGISTRY.values(), key=lambda r: r.id)
    if rule:
        chosen = resolve(rule)
        if not chosen:
            raise ConfigError(f"unknown rule {rule!r}")
    if output_format == "json":
        fields = ("id", "name", "severity", "fix", "summary", "rationale", "example")
        click.echo(
            json.dumps(
                [{key: getattr(r, key) for key in fields} | {"options": dict(r.options)} for r in chosen],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if rule:
        for item in chosen:
            click.echo(f"{item.id} {item.name}\n")
            click.echo(f"  severity: {item.severity}    fix: {item.fix}\n")
            click.echo(f"  {item.summary}.\n")
            click.echo(click.wrap_text(item.rationale, initial_indent="  ", subsequent_indent="  ") + "\n")
            click.echo(f"  Example: {item.example}")
            if item.options:
                click.echo("  Options: " + ", ".join(f"{k} = {v!r}" for k, v in item.options.items()))
        return
    click.echo(f"{'id':6}  {'name':22}  {'severity':8}  {'fix':6}  summary")
    for item in chosen:
        click.echo(f"{item.id:6}  {item.name:22}  {item.severity:8}  {item.fix:6}  {item.summary}")
