"""JSON report, schema version 1.

``{"version": 1, "tool": "toolkit", "findings": [...], "summary": {...}}``;
each finding has rule, name, severity, message, path, line, column, end_line,
end_column (exclusive), offset, length (code points), fix (or null) and
suggestions.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from toolkit import __version__
from toolkit.report import Diagnostic

SCHEMA_VERSION = 1


def as_dict(item: Diagnostic) -> dict:
    fix = item.finding.fix
    return {
        "rule": item.rule.id,
        "name": item.rule.name,
        "severity": item.severity,
        "message": item.finding.message,
        "path": item.path,
        "line": item.line,
        "column": item.column,
        "end_line": item.end_line,
        "end_column": item.end_column,
        "offset": item.finding.start,
        "length": item.finding.length,
        "fix": None
        if fix is None
        else {
            "applicability": item.rule.fix,
            "offset": fix.start,
            "length": fix.end - fix.start,
            "replacement": fix.replacement,
        },
        "suggestions": list(item.finding.suggestions),
    }


def render(diagnostics: Sequence[Diagnostic]) -> str:
    report = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "toolkit", "version": __version__},
        "findings": [as_dict(item) for item in diagnostics],
        "summary": {
            "total": len(diagnostics),
            "by_rule": dict(sorted(Counter(item.rule.id for item in diagnostics).items())),
            "by_severity": dict(sorted(Counter(item.severity for item in diagnostics).items())),
        },
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
