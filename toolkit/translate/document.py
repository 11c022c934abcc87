"""Translate a whole document section by section and render it as Markdown or JSON.

Pipeline: clean the text with the repair rules (unless ``raw``), parse the section tree
(:func:`toolkit.document.parse_document`), split every heading, paragraph and numbered item into
sentences, look them up in the translation memory, translate the rest in chunks of two engine
batches across section boundaries (so parallel decoding stays busy; each chunk goes to the memory
as soon as it is done), then check the output (:mod:`toolkit.translate.qa`). A section's
``seconds`` is the share of the translation time of the sentences it holds.

Markdown conventions:

* the document title (the lead line, e.g. ``小編導語``) is ``# …`` and its lead paragraphs follow it;
* chapters are ``##``, their subsections ``###``, and so on by depth in the section tree (capped at
  ``######``); headings that were Markdown in the source keep their level;
* numbering is kept and written with Arabic numerals: ``一、`` → ``1.``, ``（一）``/``（1）`` →
  ``(1)``, ``1.1`` → ``1.1``, ``1.``/``1、`` → ``1.``; so ``一、事件背景`` becomes
  ``## 1. Background of the event`` and ``1.1 …`` becomes ``### 1.1 …``;
* numbered items (numbered lines that are sentences, not headings) stay numbered paragraphs;
* ``bilingual`` puts each source line, as a ``>`` quote, before its translation.

>>> class Echo:
...     name, model_id = "echo", "0"
...     def translate_batch(self, sentences):
...         return [f"<{s}>" for s in sentences]
>>> result = translate_text("標題\\n導語。\\n一、背景\\n1.1 歷史\\n內容。很好。\\n", Echo(), raw=True)
>>> print(render_markdown(result))
# <標題>
<BLANKLINE>
<導語。>
<BLANKLINE>
## 1. <背景>
<BLANKLINE>
### 1.1 <歷史>
<BLANKLINE>
<內容。> <很好。>
<BLANKLINE>
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from toolkit.document import Block, Document, Section, parse_document
from toolkit.findings import AppliedEdit, offset_before
from toolkit.translate.engines import Engine, EngineUnavailableError
from toolkit.translate.memory import TranslationMemory
from toolkit.translate.qa import DOUBTFUL_RULES, QAFinding, check_pair, source_doubts
from toolkit.translate.split import split_sentences

JSON_SCHEMA_VERSION = 1
_ENGLISH_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclass
class Segment:
    """A translated heading, paragraph or numbered item.

    ``source`` is the line as it was in the input, ``cleaned`` the line after repairs, ``text`` the
    part that is translated (without the numbering label), ``label`` the numbering rewritten with
    Arabic numerals, ``starts`` the offset of each sentence in the cleaned document.
    """

    kind: str
    line: int
    source: str
    cleaned: str
    text: str
    label: str = ""
    sentences: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    findings: list[QAFinding] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    @property
    def translation(self) -> str:
        """The English text (without the label)."""
        return " ".join(t for t in self.translations if t)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "line": self.line,
            "label": self.label,
            "source": self.source,
            "cleaned": self.cleaned,
            "translation": self.translation,
            "sentences": [
                {"source": s, "translation": t, **({"start": o} if o is not None else {})}
                for s, t, o in zip(
                    self.sentences,
                    self.translations,
                    self.starts or [None] * len(self.sentences),
                    strict=True,
                )
            ],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class SectionTranslation:
    """One section: its heading (``None`` for text before the first heading) and content."""

    level: int
    heading: Segment | None
    paragraphs: list[Segment]
    seconds: float = 0.0

    @property
    def segments(self) -> list[Segment]:
        return ([self.heading] if self.heading else []) + self.paragraphs

    @property
    def sentence_count(self) -> int:
        return sum(len(s.sentences) for s in self.segments)

    @property
    def english(self) -> str:
        """The section's English text, heading first, without Markdown markup."""
        return "\n".join(s.translation for s in self.segments)

    def readability(self) -> dict[str, float | None]:
        """Readability of the section's English paragraphs (headings excluded), see :func:`readability`."""
        return readability(" ".join(p.translation for p in self.paragraphs))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form, with per-section source, cleaned source, translation and timings."""
        return {
            "level": self.level,
            "heading": self.heading.to_dict() if self.heading else None,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "source": "\n".join(s.source for s in self.segments),
            "cleaned": "\n".join(s.cleaned for s in self.segments),
            "translation": render_section(self),
            "sentence_count": self.sentence_count,
            "seconds": round(self.seconds, 3),
            "readability": self.readability(),
        }


@dataclass
class DocumentTranslation:
    """A translated document: its sections in order, and how it was made."""

    sections: list[SectionTranslation]
    engine: str
    model: str
    cleaned: bool
    seconds: float = 0.0
    memory_hits: int = 0
    reviewed_hits: int = 0
    translated: int = 0

    @property
    def findings(self) -> list[QAFinding]:
        return [f for section in self.sections for s in section.segments for f in s.findings]

    @property
    def sentence_count(self) -> int:
        return sum(s.sentence_count for s in self.sections)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (schema version :data:`JSON_SCHEMA_VERSION`)."""
        return {
            "version": JSON_SCHEMA_VERSION,
            "engine": self.engine,
            "model": self.model,
            "cleaned": self.cleaned,
            "seconds": round(self.seconds, 3),
            "sentence_count": self.sentence_count,
            "memory_hits": self.memory_hits,
            "reviewed_hits": self.reviewed_hits,
            "translated_sentences": self.translated,
            "sections": [s.to_dict() for s in self.sections],
            "findings": [f.to_dict() for f in self.findings],
        }


def readability(text: str) -> dict[str, float | None]:
    """Flesch reading ease and Flesch-Kincaid grade of English ``text``.

    Words and sentences are counted by textstat, syllables by pyphen's hyphenation dictionary (what
    textstat falls back to): textstat's own syllable counter fetches NLTK's cmudict from the
    internet at first use, which an offline tool must not do.

    >>> readability("The cat sat on the mat. It was happy.")
    {'flesch_reading_ease': 108.3, 'flesch_kincaid_grade': -0.7}
    """
    import pyphen
    import textstat

    words = textstat.lexicon_count(text)
    if not words:
        return {"flesch_reading_ease": None, "flesch_kincaid_grade": None}
    sentences = max(1, textstat.sentence_count(text))
    dictionary = pyphen.Pyphen(lang="en_US")
    syllables = sum(len(dictionary.positions(word)) + 1 for word in _ENGLISH_WORD.findall(text))
    per_sentence, per_word = words / sentences, syllables / words
    return {
        "flesch_reading_ease": round(206.835 - 1.015 * per_sentence - 84.6 * per_word, 1),
        "flesch_kincaid_grade": round(0.39 * per_sentence + 11.8 * per_word - 15.59, 1),
    }


def english_label(block: Block) -> str:
    """A heading's or item's numbering with Arabic numerals (``一、`` → ``1.``, ``（一）`` → ``(1)``).

    >>> from toolkit.document import classify_line
    >>> [english_label(classify_line(line, 0)) for line in ("一、背景", "（二）風險", "1.2 歷史", "3、步驟")]
    ['1.', '(2)', '1.2', '3.']
    """
    if not block.label or block.number is None or None in block.number:
        return ""
    digits = ".".join(str(n) for n in block.number)
    if block.style in ("cn-paren", "arabic-paren"):
        return f"({digits})"
    if block.style == "decimal":
        return digits
    return f"{digits}."


def _sentence_starts(cleaned: str, start: int, sentences: Sequence[str]) -> list[int]:
    """Offsets of ``sentences`` (pieces of the block at ``start``, in order) in ``cleaned``."""
    starts = []
    for sentence in sentences:
        found = cleaned.find(sentence, start)
        starts.append(found)
        start = found + len(sentence) if found >= 0 else start
    return starts


def _segment(
    block: Block, line: int, cleaned: str, source_text: str, edits: Sequence[AppliedEdit], split: bool
) -> Segment:
    changes = [edit.as_edit() for edit in edits]
    start, end = offset_before(block.start, changes), offset_before(block.end, changes)
    text = block.title if block.kind != "paragraph" else block.text.strip()
    sentences = split_sentences(text) if split else ([text] if text.strip() else [])
    source = source_text[start:end].strip()
    segment = Segment(block.kind, line, source, block.text.strip(), text, english_label(block), sentences)
    segment.starts = _sentence_starts(cleaned, block.start, sentences)
    return segment


def _heading_level(block: Block, depth: int) -> int:
    if block.kind == "title":
        return 1
    return min(6, block.markdown_level or depth + 1)


def _sections(
    document: Document, cleaned: str, source_text: str, edits: Sequence[AppliedEdit]
) -> list[SectionTranslation]:
    sections: list[SectionTranslation] = []

    def segment(block: Block, split: bool) -> Segment:
        line = document.lines.position(block.start)[0]
        return _segment(block, line, cleaned, source_text, edits, split)

    def visit(section: Section, depth: int) -> None:
        heading = section.heading
        paragraphs = [segment(b, split=True) for b in section.content]
        if heading is not None:
            sections.append(
                SectionTranslation(_heading_level(heading, depth), segment(heading, False), paragraphs)
            )
        elif paragraphs:
            sections.append(SectionTranslation(0, None, paragraphs))
        for child in section.children:
            visit(child, depth + 1)

    visit(document.tree, 0)
    return sections


def clean_for_translation(text: str, config=None, unsafe: bool = False) -> tuple[str, list[AppliedEdit]]:
    """Repair ``text`` with the fixes of the configured rules (guesses too when ``unsafe``)."""
    from toolkit.config import load_config
    from toolkit.engine import clean_text

    result = clean_text(text, config if config is not None else load_config(), unsafe=unsafe)
    return result.text, result.edits


def translate_text(
    text: str,
    engine: Engine,
    *,
    raw: bool = False,
    unsafe: bool = False,
    config=None,
    memory: TranslationMemory | None = None,
    progress: Callable[[int, int], None] | None = None,
    glossary: Mapping[str, str] | None = None,
) -> DocumentTranslation:
    """Clean (unless ``raw``; guesses too when ``unsafe``), parse and translate ``text`` section by section.

    ``memory`` serves and stores sentence translations (a reviewed translation wins over the
    engine's); ``progress(done, total)`` gets the number of sentences just finished (those served
    by the memory first, then each chunk) and the document's total. QA findings are attached to
    each segment: the pair checks (with ``glossary`` terms), and the lint findings of
    :data:`~toolkit.translate.qa.DOUBTFUL_RULES` that the repair left in a sentence. When the
    engine fails part-way (:class:`~toolkit.translate.engines.EngineUnavailableError`), what it
    did translate goes to the memory before the error is raised again.
    """
    from toolkit.config import load_config
    from toolkit.engine import lint_text

    started = time.perf_counter()
    config = config if config is not None else load_config()
    cleaned, edits = (text, []) if raw else clean_for_translation(text, config, unsafe)
    sections = _sections(parse_document(cleaned), cleaned, text, edits)
    result = DocumentTranslation(sections, engine.name, engine.model_id, cleaned=not raw)
    doubtful = [f for f in lint_text(cleaned, config) if f.rule in DOUBTFUL_RULES]
    every = [s for section in sections for segment in section.segments for s in segment.sentences]
    known = memory.lookup(engine.name, engine.model_id, every) if memory else {}
    reviewed = memory.lookup_reviewed(every) if memory else {}
    known.update(reviewed)
    occurrences = Counter(every)
    todo = list(dict.fromkeys(s for s in every if s not in known))
    result.memory_hits = len(every) - sum(occurrences[s] for s in todo)
    result.reviewed_hits = sum(occurrences[s] for s in reviewed)
    if progress and result.memory_hits:
        progress(result.memory_hits, len(every))
    fresh: dict[str, str] = {}
    cost: dict[str, float] = {}  # seconds spent per sentence: its chunk's time shared equally
    chunk_size = 2 * max(1, getattr(engine, "batch_size", 8))
    for start in range(0, len(todo), chunk_size):
        chunk = todo[start : start + chunk_size]
        chunk_start = time.perf_counter()
        try:
            translated = dict(zip(chunk, engine.translate_batch(chunk), strict=True))
        except EngineUnavailableError as error:
            if memory:
                memory.store(engine.name, engine.model_id, error.done.items())
            raise
        seconds = time.perf_counter() - chunk_start
        cost.update(dict.fromkeys(chunk, seconds / len(chunk)))
        fresh.update(translated)
        if memory:
            memory.store(engine.name, engine.model_id, translated.items())
        if progress:
            progress(sum(occurrences[s] for s in chunk), len(every))
    result.translated = len(fresh)
    for section in sections:
        for segment in section.segments:
            segment.translations = [fresh.get(s) or known.get(s, "") for s in segment.sentences]
            if segment.kind in ("title", "heading"):  # models often end a heading like a sentence
                segment.translations = [t.rstrip(" .") for t in segment.translations]
            doubts = [
                doubt
                for s, t, start in zip(segment.sentences, segment.translations, segment.starts, strict=True)
                for doubt in source_doubts(s, t, start, doubtful, cleaned)
            ]
            segment.findings = check_segment(segment, glossary, doubts) + doubts
            section.seconds += sum(cost.pop(s, 0.0) for s in segment.sentences)
    result.seconds = time.perf_counter() - started
    return result


def check_segment(
    segment: Segment, glossary: Mapping[str, str] | None = None, doubts: Sequence[QAFinding] = ()
) -> list[QAFinding]:
    """The pair checks (:func:`~toolkit.translate.qa.check_pair`) on each sentence of ``segment``;
    ``doubts`` are the sentences' ``TQ7`` findings."""
    return [
        f
        for s, t in zip(segment.sentences, segment.translations, strict=True)
        for f in check_pair(s, t, glossary, [d for d in doubts if d.source == s])
    ]


def _paragraph_line(segment: Segment) -> str:
    return f"{segment.label} {segment.translation}".strip()


def render_section(section: SectionTranslation, bilingual: bool = False) -> str:
    """One section as Markdown (see the module docstring for the conventions)."""
    parts: list[str] = []
    if section.heading is not None:
        heading = section.heading
        parts.append(f"{'#' * section.level} {_paragraph_line(heading)}".rstrip())
        if bilingual:
            parts.append(f"> {heading.cleaned}")
    for paragraph in section.paragraphs:
        if bilingual:
            parts.append(f"> {paragraph.cleaned}")
        parts.append(_paragraph_line(paragraph))
    return "\n\n".join(parts)


def render_markdown(result: DocumentTranslation, bilingual: bool = False) -> str:
    """The whole translation as Markdown, one blank line between blocks, ending with a newline."""
    return "\n\n".join(render_section(section, bilingual) for section in result.sections) + "\n"
