"""TMX 1.4 export and import of the translation memory, for CAT tools.

Every entry is a ``<tu>`` with a ``zh`` and an ``en`` variant. Machine translations carry their
engine and model as ``x-toolkit-engine``/``x-toolkit-model`` properties and come back as machine
entries; a ``<tu>`` without them (a translator's memory, a reviewed entry) comes back reviewed.

>>> from toolkit.translate.memory import MemoryEntry
>>> tmx = write_tmx([MemoryEntry("你好。", "Hello.", 0.0, "llm", "m1"), MemoryEntry("再見。", "Bye.", 0.0)])
>>> [(e.source, e.target, e.engine, e.reviewed) for e in read_tmx(tmx)]
[('你好。', 'Hello.', 'llm', False), ('再見。', 'Bye.', '', True)]
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from toolkit import __version__
from toolkit.errors import InputError
from toolkit.translate.memory import MemoryEntry

SOURCE_LANGUAGE, TARGET_LANGUAGE = "zh", "en"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the control characters XML 1.0 cannot hold.

    >>> xml_text("a\\x00b\\tc")
    'ab\\tc'
    """
    return _NOT_XML.sub("", text)


def _date(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).strftime("%Y%m%dT%H%M%SZ")


def _timestamp(date: str | None) -> float:
    try:
        return datetime.strptime(date or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return time.time()


def write_tmx(entries: Iterable[MemoryEntry]) -> str:
    """A TMX 1.4 document holding ``entries``."""
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(
        root,
        "header",
        creationtool="toolkit",
        creationtoolversion=__version__,
        segtype="sentence",
        adminlang="en",
        srclang=SOURCE_LANGUAGE,
        datatype="plaintext",
        **{"o-tmf": "toolkit-sqlite"},
    )
    body = ET.SubElement(root, "body")
    for entry in entries:
        unit = ET.SubElement(body, "tu", creationdate=_date(entry.created))
        if entry.reviewed:
            ET.SubElement(unit, "prop", type="x-toolkit-status").text = "reviewed"
        else:
            ET.SubElement(unit, "prop", type="x-toolkit-engine").text = xml_text(entry.engine)
            ET.SubElement(unit, "prop", type="x-toolkit-model").text = xml_text(entry.model)
        for language, text in ((SOURCE_LANGUAGE, entry.source), (TARGET_LANGUAGE, entry.target)):
            variant = ET.SubElement(unit, "tuv", {_XML_LANG: language})
            ET.SubElement(variant, "seg").text = xml_text(text)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def read_tmx(data: str | bytes) -> list[MemoryEntry]:
    """The zh→en entries of a TMX document (any TMX version; other language pairs are skipped).

    Raises :class:`~toolkit.errors.InputError` for text that is not TMX.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise InputError(f"not a TMX file: {error}") from None
    if root.tag != "tmx" or root.find("body") is None:
        raise InputError(f"not a TMX file: the root element is <{root.tag}>, expected <tmx> with a <body>")
    entries = []
    for unit in root.iter("tu"):
        props = {prop.get("type"): (prop.text or "") for prop in unit.findall("prop")}
        texts: dict[str, str] = {}
        for variant in unit.findall("tuv"):
            language = (variant.get(_XML_LANG) or variant.get("lang") or "").lower()
            segment = variant.find("seg")
            if segment is not None:
                texts.setdefault(language.split("-")[0], "".join(segment.itertext()))
        if SOURCE_LANGUAGE not in texts or TARGET_LANGUAGE not in texts:
            continue
        engine = props.get("x-toolkit-engine", "")
        model = props.get("x-toolkit-model", "") if engine else ""
        created = _timestamp(unit.get("changedate") or unit.get("creationdate"))
        entries.append(MemoryEntry(texts[SOURCE_LANGUAGE], texts[TARGET_LANGUAGE], created, engine, model))
    return entries
