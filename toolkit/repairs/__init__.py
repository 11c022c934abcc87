"""Repairs: one module per kind of damage, each a set of pure functions on ``str``.

Every repair module offers a ``find_*`` function that returns
:class:`~toolkit.findings.Finding` objects with fixes, and a function that
applies them and returns a :class:`~toolkit.repairs.Repair`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from toolkit.findings import AppliedEdit, Finding, apply_edits, select_non_overlapping


@dataclass(frozen=True)
class Repair:
    """A repaired text and the edits that made it (offsets in the input)."""

    text: str
    edits: list[AppliedEdit] = field(default_factory=list)


def apply_findings(text: str, findings: Iterable[Finding]) -> Repair:
    """Apply the non-overlapping fixes of ``findings`` to ``text``.

    >>> from toolkit.findings import Edit
    >>> apply_findings("a,b", [Finding("ZH201", 1, 2, "comma", Edit(1, 2, "，"))]).text
    'a，b'
    """
    chosen = select_non_overlapping(findings)
    edits = [
        AppliedEdit(
            f.rule, f.fix.start, f.fix.end, text[f.fix.start : f.fix.end], f.fix.replacement, f.message
        )
        for f in chosen
    ]
    return Repair(apply_edits(text, [f.fix for f in chosen]), edits)
