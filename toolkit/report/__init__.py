"""Output formats for findings: text, json, sarif, github.

Formatters receive :class:`Diagnostic` objects (a finding with its file,
rule, severity and 1-based positions) and return the whole report as a string.
Columns count code points; ``end_column`` is exclusive, as in SARIF.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toolkit.document import LineIndex
from toolkit.findings import Finding
from toolkit.rules.registry import REGISTRY, Rule


@dataclass(frozen=True)
class Diagnostic:
    """A finding located in a file, ready to format."""

    path: str
    finding: Finding
    rule: Rule
    severity: str
    line: int
    column: int
    end_line: int
    end_column: int
    source_line: str

    @property
    def fixable(self) -> bool:
        return self.finding.fix is not None and self.rule.fix in ("safe", "unsafe")


def locate(path: str, findings: Sequence[Finding], index: LineIndex, severity_of: Callable[[str], str]):
    """Turn findings of one file into diagnostics."""
    diagnostics = []
    for finding in findings:
        line, column = index.position(finding.start)
        end_line, end_column = index.position(max(finding.start, finding.end))
        diagnostics.append(
            Diagnostic(
                path,
                finding,
                REGISTRY[finding.rule],
                severity_of(finding.rule),
                line,
                column,
                end_line,
                end_column,
                index.line_text(line),
            )
        )
    return diagnostics


Formatter = Callable[[Sequence[Diagnostic]], str]


def formatter(name: str) -> Formatter:
    """The formatter called ``name`` (text, json, sarif, github)."""
    import importlib

    module = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github"}[name]
    return importlib.import_module(f"toolkit.report.{module}").render  # only the one asked for


FORMATS = ("text", "json", "sarif", "github")
