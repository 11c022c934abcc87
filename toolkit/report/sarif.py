"""SARIF 2.1.0 report with ``columnKind: unicodeCodePoints`` and fixes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from toolkit import __version__
from toolkit.report import Diagnostic
from toolkit.rules.registry import REGISTRY

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule_descriptor(rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale}\nExample: {rule.example}"},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"fixSafety": rule.fix},
    }


def _result(item: Diagnostic, rule_index: dict[str, int]) -> dict:
    region = {
        "startLine": item.line,
        "startColumn": item.column,
        "endLine": item.end_line,
        "endColumn": item.end_column,
        "charOffset": item.finding.start,
        "charLength": item.finding.length,
    }
    result = {
        "ruleId": item.rule.id,
        "ruleIndex": rule_index[item.rule.id],
        "level": _LEVELS[item.severity],
        "message": {"text": item.finding.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": item.path}, "region": region}}],
    }
    fix = item.finding.fix
    if fix is not None:
        result["fixes"] = [
            {
                "description": {"text": f"{item.rule.fix} fix"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": item.path},
                        "replacements": [
                            {
                                "deletedRegion": {"charOffset": fix.start, "charLength": fix.end - fix.start},
                                "insertedContent": {"text": fix.replacement},
                            }
                        ],
                    }
                ],
            }
        ]
    return result


def render(diagnostics: Sequence[Diagnostic]) -> str:
    rules = sorted(REGISTRY.values(), key=lambda rule: rule.id)
    rule_index = {rule.id: position for position, rule in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "toolkit",
                        "version": __version__,
                        "rules": [_rule_descriptor(rule) for rule in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(item, rule_index) for item in diagnostics],
            }
        ],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
