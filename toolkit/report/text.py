"""Human-readable report: ``path:line:col: ID [name] message``, the line, a caret.

Carets are placed by display width, so they line up under Chinese text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from toolkit.report import Diagnostic


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (wide and full-width characters take two).

    >>> display_width("ab中文")
    6
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


CONTEXT = 30


def excerpt(line: str, column: int, end_column: int) -> tuple[str, int, int]:
    """A window of ``line`` around columns ``column``..``end_column`` (1-based, end exclusive).

    Returns the shown text and the 0-based start and end of the span within it.

    >>> excerpt("x" * 100 + "ab" + "y" * 100, 101, 103)[0][:3], excerpt("short", 2, 3)
    ('…xx', ('short', 1, 2))
    """
    start, end = column - 1, max(column, end_column - 1)
    if len(line) <= 2 * CONTEXT + 20:
        return line, start, end
    low, high = max(0, start - CONTEXT), min(len(line), end + CONTEXT)
    prefix = "…" if low else ""
    shown = prefix + line[low:high] + ("…" if high < len(line) else "")
    return shown, start - low + len(prefix), end - low + len(prefix)


def render(diagnostics: Sequence[Diagnostic]) -> str:
    lines = []
    for item in diagnostics:
        mark = " [*]" if item.fixable and item.rule.fix == "safe" else " [unsafe fix]" if item.fixable else ""
        lines.append(
            f"{item.path}:{item.line}:{item.column}: {item.rule.id} [{item.rule.name}] "
            f"{item.finding.message}{mark}"
        )
        end_column = item.end_column if item.end_line == item.line else len(item.source_line) + 1
        shown, start, end = excerpt(item.source_line, item.column, end_column)
        lines.append(f"    {shown}")
        width = max(1, display_width(shown[start:end]))
        lines.append("    " + " " * display_width(shown[:start]) + "^" * width)
        if item.finding.suggestions and not item.fixable:
            lines.append(f"    suggestions: {', '.join(item.finding.suggestions)}")
    return "\n".join(lines) + ("\n" if lines else "")
