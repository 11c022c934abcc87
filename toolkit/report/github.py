"""GitHub Actions workflow commands: ``::error file=…,line=…,col=…::message``."""

from __future__ import annotations

from collections.abc import Sequence

from toolkit.report import Diagnostic

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(value: str, property_value: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for item in diagnostics:
        properties = ",".join(
            [
                f"file={_escape(item.path, True)}",
                f"line={item.line}",
                f"col={item.column}",
                f"endLine={item.end_line}",
                f"endColumn={item.end_column}",
                f"title={_escape(f'{item.rule.id} {item.rule.name}', True)}",
            ]
        )
        lines.append(f"::{_LEVELS[item.severity]} {properties}::{_escape(item.finding.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
