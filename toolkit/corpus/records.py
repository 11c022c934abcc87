"""One record at a time: repair or lint the text field of a dict, keep every other field.

These are the functions a pipeline calls per document (a Ray Data ``map_batches`` function,
a datatrove step, a plain loop). They are pure: the input record is not modified.

>>> from toolkit.config import load_config
>>> settings = RecordSettings(load_config(isolated=True))
>>> record, report = repair_record({"id": 7, "text": "數(shù)據(jù),好"}, settings)
>>> record["text"], record["id"]
('數據，好', 7)
>>> report
{'changed': True, 'fixed': {'ZH101': 2, 'ZH201': 1}, 'remaining': {}}
>>> lint_record({"text": "數(shù)據(jù)"}, settings)[1]["counts"]
{'ZH101': 2}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from toolkit.config import Config
from toolkit.engine import clean_text, lint_text, remaining_findings

REPORT_KEY = "toolkit"


class RecordError(ValueError):
    """A record that cannot be processed (no text field, text not a string); the message says why."""


@dataclass(frozen=True)
class RecordSettings:
    """How records are processed: the rules, whether guesses are applied, the field names."""

    rules: Config
    unsafe: bool = False
    text_key: str = "text"
    id_key: str = "id"


def record_text(record: Any, settings: RecordSettings) -> str:
    """The text field of ``record``, or :class:`RecordError` saying what is wrong.

    >>> record_text({"body": 1}, RecordSettings(None, text_key="body"))
    Traceback (most recent call last):
    ...
    toolkit.corpus.records.RecordError: field 'body' is int, not a string
    """
    if not isinstance(record, dict):
        raise RecordError(f"record is a JSON {type(record).__name__}, not an object")
    if settings.text_key not in record:
        raise RecordError(f"no field {settings.text_key!r}")
    text = record[settings.text_key]
    if not isinstance(text, str):
        raise RecordError(f"field {settings.text_key!r} is {type(text).__name__}, not a string")
    return text


def repair_record(record: dict, settings: RecordSettings) -> tuple[dict, dict]:
    """Clean the text field; return a new record (with a ``toolkit`` report field) and the report.

    The report says whether the text changed, how many fixes each rule made and how many
    findings each rule still reports on the cleaned text. Raises :class:`RecordError` for a
    record without a string text field.
    """
    text = record_text(record, settings)
    result = clean_text(text, settings.rules, unsafe=settings.unsafe)
    report = {
        "changed": result.text != text,
        "fixed": _sorted_counts(edit.rule for edit in result.edits),
        "remaining": _sorted_counts(
            f.rule for f in remaining_findings(result, settings.rules, settings.unsafe)
        ),
    }
    repaired = dict(record)
    repaired[settings.text_key] = result.text
    repaired[REPORT_KEY] = report
    return repaired, report


def lint_record(record: dict, settings: RecordSettings) -> tuple[dict, dict]:
    """Lint the text field; return a findings-only record (the id and the report) and the report.

    The report has per-rule ``counts`` and ``findings`` as ``[rule, start, end]`` code-point spans.
    """
    text = record_text(record, settings)
    findings = lint_text(text, settings.rules)
    report = {
        "counts": _sorted_counts(f.rule for f in findings),
        "findings": [[f.rule, f.start, f.end] for f in findings],
    }
    summary = {settings.id_key: record[settings.id_key]} if settings.id_key in record else {}
    summary[REPORT_KEY] = report
    return summary, report


def _sorted_counts(rule_ids) -> dict[str, int]:
    return dict(sorted(Counter(rule_ids).items()))
