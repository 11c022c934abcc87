"""Corpus mode: clean or lint shards of documents (JSONL, JSONL.gz, Parquet, folders of text).

Per record, for pipelines (Ray Data, datatrove, a loop)::

    from toolkit.config import load_config
    from toolkit.corpus import RecordSettings, repair_record

    settings = RecordSettings(load_config(isolated=True), text_key="text")
    record, report = repair_record({"id": 1, "text": "數(shù)據(jù)"}, settings)

Whole corpora, with stats, errors, resume and a choice of engine: :func:`run_corpus`
(``toolkit corpus clean`` on the command line).
"""

from toolkit.corpus.records import RecordError, RecordSettings, lint_record, repair_record
from toolkit.corpus.runner import ErrorRateExceeded, RunOptions, RunSummary, run_corpus

__all__ = [
    "ErrorRateExceeded",
    "RecordError",
    "RecordSettings",
    "RunOptions",
    "RunSummary",
    "lint_record",
    "repair_record",
    "run_corpus",
]
