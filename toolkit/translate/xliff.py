"""XLIFF 2.0 for translators: write a document's translation, read a reviewed file back.

:func:`write_xliff` makes one ``<group>`` per section, one ``<unit>`` per heading or paragraph
and one ``<segment>`` per sentence with the cleaned Chinese source and the English target
(``state="translated"``); QA findings become the unit's ``<note>`` elements (``category`` is the
QA code, the text starts with the segment id). Section level, kind, line, label and the original
line ride along as ``tk:`` attributes (namespace :data:`TOOLKIT_NS`), which XLIFF 2 allows on
files, groups and units and CAT tools keep.

:func:`read_xliff` rebuilds the :class:`~toolkit.translate.document.DocumentTranslation` from a
reviewed file, with each segment's target and state. A segment counts as reviewed when its state
is ``reviewed`` or ``final`` or its target differs from the machine translation it was written
with (see :func:`reviewed_pairs`).

>>> from toolkit.translate.document import translate_text
>>> class Echo:
...     name, model_id = "echo", "0"
...     def translate_batch(self, sentences):
...         return [f"<{s}>" for s in sentences]
>>> result = translate_text("標題\\n一、背景\\n內容。很好。\\n", Echo(), raw=True)
>>> xliff = write_xliff(result, "a.txt")
>>> edited = xliff.replace("&lt;很好。&gt;", "Very good.")
>>> document = read_xliff(edited)
>>> [s.translation for s in document.translation.sections[-1].paragraphs]
['<內容。> Very good.']
>>> reviewed_pairs(document, machine={"很好。": "<很好。>", "內容。": "<內容。>"})
[('很好。', 'Very good.')]
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field

from toolkit.errors import InputError
from toolkit.translate.document import DocumentTranslation, SectionTranslation, Segment
from toolkit.translate.qa import QAFinding
from toolkit.translate.tmx import xml_text

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
TOOLKIT_NS = "urn:toolkit:xliff:1"
REVIEWED_STATES = ("reviewed", "final")
ET.register_namespace("", XLIFF_NS)
ET.register_namespace("tk", TOOLKIT_NS)


def _x(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _tk(name: str) -> str:
    return f"{{{TOOLKIT_NS}}}{name}"


def write_xliff(result: DocumentTranslation, original: str) -> str:
    """XLIFF 2.0 (zh → en) of ``result``; ``original`` names the source file."""
    root = ET.Element(_x("xliff"), version="2.0", srcLang="zh", trgLang="en")
    file = ET.SubElement(
        root,
        _x("file"),
        {
            "id": "f1",
            "original": xml_text(original),
            _tk("engine"): result.engine,
            _tk("model"): result.model,
        },
    )
    file.set(_tk("cleaned"), "yes" if result.cleaned else "no")
    unit_number = 0
    for group_number, section in enumerate(result.sections, start=1):
        group = ET.SubElement(file, _x("group"), {"id": f"g{group_number}", _tk("level"): str(section.level)})
        for segment in section.segments:
            unit_number += 1
            _write_unit(group, f"u{unit_number}", segment)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _write_unit(parent: ET.Element, unit_id: str, segment: Segment) -> None:
    unit = ET.SubElement(parent, _x("unit"), {"id": unit_id, "name": segment.kind})
    for name, value in (
        ("kind", segment.kind),
        ("line", str(segment.line)),
        ("label", segment.label),
        ("original", segment.source),
        ("cleaned", segment.cleaned),
    ):
        unit.set(_tk(name), xml_text(value))
    sentences = segment.sentences or [""]
    translations = segment.translations or [""]
    if segment.findings:
        notes = ET.SubElement(unit, _x("notes"))
        for number, finding in enumerate(segment.findings, start=1):
            index = sentences.index(finding.source) + 1 if finding.source in sentences else 1
            note = ET.SubElement(
                notes, _x("note"), id=f"n{number}", category=finding.code, appliesTo="source"
            )
            if finding.code != "TQ7":
                note.set("appliesTo", "target")
            note.text = xml_text(f"s{index}: {finding.code} {finding.name}: {finding.message}")
            if finding.rule or finding.span:
                note.set(_tk("span"), xml_text(finding.span))
                note.set(_tk("rule"), finding.rule)
            if finding.repaired:
                note.set(_tk("repaired"), xml_text(finding.repaired))
    for number, (sentence, english) in enumerate(zip(sentences, translations, strict=True), start=1):
        element = ET.SubElement(unit, _x("segment"), id=f"s{number}", state="translated")
        ET.SubElement(element, _x("source")).text = xml_text(sentence)
        ET.SubElement(element, _x("target")).text = xml_text(english)


@dataclass
class ReviewedDocument:
    """A document read back from XLIFF: its translation and the state of every sentence."""

    translation: DocumentTranslation
    original: str
    states: dict[tuple[int, int], str] = field(default_factory=dict)  # (unit index, sentence) -> state

    def segments(self) -> list[Segment]:
        return [segment for section in self.translation.sections for segment in section.segments]


def read_xliff(data: str | bytes) -> ReviewedDocument:
    """Read an XLIFF 2.0 file written by :func:`write_xliff` (and edited in any CAT tool).

    The ``TQ7`` notes (doubtful source) come back as findings; the other QA findings depend on
    the target and are recomputed by the caller. Raises :class:`~toolkit.errors.InputError` for
    anything else than XLIFF 2.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise InputError(f"not an XLIFF file: {error}") from None
    if root.tag != _x("xliff") or root.get("version", "").split(".")[0] != "2":
        raise InputError(f"not an XLIFF 2 file (root element {root.tag}, version {root.get('version')})")
    file = root.find(_x("file"))
    if file is None:
        raise InputError("the XLIFF file has no <file> element")
    result = DocumentTranslation(
        [], file.get(_tk("engine"), ""), file.get(_tk("model"), ""), file.get(_tk("cleaned")) != "no"
    )
    document = ReviewedDocument(result, file.get("original", ""))
    groups = file.findall(_x("group")) or [file]
    units = 0
    for group in groups:
        section = SectionTranslation(int(group.get(_tk("level"), "0") or 0), None, [])
        for unit in group.iter(_x("unit")):
            segment = _read_unit(unit, units, document.states)
            units += 1
            if segment.kind in ("title", "heading") and section.heading is None and not section.paragraphs:
                section.heading = segment
            else:
                section.paragraphs.append(segment)
        result.sections.append(section)
    return document


def _read_unit(unit: ET.Element, unit_index: int, states: dict[tuple[int, int], str]) -> Segment:
    sentences, translations = [], []
    for number, element in enumerate(unit.findall(_x("segment"))):
        source, target = element.find(_x("source")), element.find(_x("target"))
        sentences.append("".join(source.itertext()) if source is not None else "")
        translations.append("".join(target.itertext()) if target is not None else "")
        states[(unit_index, number)] = element.get("state", "initial")
    if sentences == [""]:
        sentences, translations = [], []
    kind = unit.get(_tk("kind")) or unit.get("name") or "paragraph"
    try:
        line = int(unit.get(_tk("line"), "0"))
    except ValueError:
        line = 0
    cleaned = unit.get(_tk("cleaned"), "".join(sentences))
    segment = Segment(kind, line, unit.get(_tk("original"), cleaned), cleaned, "".join(sentences))
    segment.label = unit.get(_tk("label"), "")
    segment.sentences, segment.translations = sentences, translations
    for note in unit.iter(_x("note")):
        if note.get("category") != "TQ7":
            continue
        index = _note_sentence(note.text or "", len(sentences))
        source = sentences[index] if sentences else ""
        message = (note.text or "").split(": ", 2)[-1]
        target = translations[index] if translations else ""
        span, rule, repaired = (note.get(_tk(name), "") for name in ("span", "rule", "repaired"))
        segment.findings.append(QAFinding("TQ7", message, source, target, span, rule, repaired))
    return segment


def _note_sentence(text: str, count: int) -> int:
    head = text.split(":", 1)[0]
    if head.startswith("s") and head[1:].isdigit():
        return min(max(int(head[1:]) - 1, 0), max(count - 1, 0))
    return 0


def reviewed_pairs(document: ReviewedDocument, machine: Mapping[str, str]) -> list[tuple[str, str]]:
    """(source, target) of the sentences a reviewer confirmed or changed.

    A sentence counts when its state is ``reviewed``/``final``, or when its target differs from
    ``machine`` (the machine translations of the sources, e.g. from the translation memory;
    headings compared without their final full stop).
    """
    pairs: dict[str, str] = {}
    for unit_index, segment in enumerate(document.segments()):
        heading = segment.kind in ("title", "heading")
        for number, (source, target) in enumerate(zip(segment.sentences, segment.translations, strict=True)):
            if not source.strip() or not target.strip():
                continue
            state = document.states.get((unit_index, number), "")
            known = machine.get(source)
            if known is not None and heading:
                known = known.rstrip(" .")
            if state in REVIEWED_STATES or (known is not None and known != target):
                pairs[source] = target
    return list(pairs.items())
