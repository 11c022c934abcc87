"""Translating records: ``text_en`` and the section structure, one model per worker process.

The translation stack (llama-cpp-python and the rest of the ``translate`` extra) is imported
only here, only when ``toolkit corpus translate`` runs. Each worker process loads its model once
(:func:`worker_translator`) and opens the shared translation memory, an SQLite file that every
worker reads and writes, so a sentence translated by one worker is served to the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from toolkit.corpus.records import REPORT_KEY, RecordSettings, record_text


@dataclass(frozen=True)
class TranslateSettings(RecordSettings):
    """Record settings plus the model: a GGUF path or size key, threads per model, batch size."""

    model: str | None = None
    threads: int = 1
    batch_size: int | None = None
    glossary: str | None = None
    memory: str | None = None  # SQLite path; None for the default memory


@cache
def worker_translator(model: str | None, threads: int, batch_size: int | None, glossary: str | None):
    """The LLM engine of this process, loaded on first use (raises ModelMissingError without a model)."""
    from toolkit.models import find_llm, model_fingerprint
    from toolkit.translate.engines import load_glossary
    from toolkit.translate.engines.llm import LlamaLanguageModel, LLMTranslation

    path = find_llm(model)
    terms = load_glossary(glossary) if glossary else None
    return LLMTranslation(
        LlamaLanguageModel(path, n_threads=threads), model_fingerprint(path), batch_size, terms
    )


@cache
def worker_memory(path: str | None):
    """This process's connection to the shared translation memory."""
    from toolkit.translate.memory import TranslationMemory

    return TranslationMemory(Path(path) if path else None)


def translate_record(record: dict, settings: TranslateSettings) -> tuple[dict, dict]:
    """Add ``text_en`` (English Markdown) and ``sections`` (level, source, English) to ``record``.

    The text is repaired first (safe fixes; guesses too with ``unsafe``), as ``toolkit translate``
    does. The report counts sentences, those served by the memory, and translation QA findings.
    """
    from toolkit.translate.document import render_markdown, render_section, translate_text

    text = record_text(record, settings)
    translator = worker_translator(settings.model, settings.threads, settings.batch_size, settings.glossary)
    result = translate_text(
        text, translator, unsafe=settings.unsafe, config=settings.rules, memory=worker_memory(settings.memory)
    )
    report = {
        "sentences": result.sentence_count,
        "memory_hits": result.memory_hits,
        "qa": _counts(f.code for f in result.findings),
    }
    translated = dict(record)
    translated["text_en"] = render_markdown(result)
    translated["sections"] = [
        {
            "level": section.level,
            "source": "\n".join(s.source for s in section.segments),
            "text_en": render_section(section),
        }
        for section in result.sections
    ]
    translated[REPORT_KEY] = report
    return translated, report


def _counts(codes) -> dict[str, int]:
    found: dict[str, int] = {}
    for code in codes:
        found[code] = found.get(code, 0) + 1
    return dict(sorted(found.items()))
