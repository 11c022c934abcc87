"""The document model: decode files, map offsets to lines, parse the section tree.

>>> doc = parse_document("小編導語\\n正文。\\n一、背景\\n1.1 歷史\\n內容。\\n")
>>> [(b.kind, b.level, b.number, b.title) for b in doc.blocks][:4]
[('title', 0, None, '小編導語'), ('paragraph', 9, None, '正文。'), ('heading', 1, (1,), '背景'), ('heading', 2, (1, 1), '歷史')]
>>> doc.tree.children[1].heading.title, doc.tree.children[1].children[0].heading.label
('背景', '1.1 ')
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from toolkit.datacache import cached_pattern
from toolkit.errors import InputError

# ---------------------------------------------------------------------------
# Decoding


@dataclass(frozen=True)
class SourceText:
    """A decoded text file: the text with ``\\n`` newlines, and how to write it back.

    ``encoding`` is the codec that decoded the bytes; ``newline`` the file's
    dominant line ending; ``bom`` whether a byte-order mark was present.
    """

    text: str
    encoding: str = "utf-8"
    newline: str = "\n"
    bom: bool = False

    def encode(self, text: str) -> bytes:
        """Encode ``text`` (with ``\\n`` newlines) the way the source was stored.

        Falls back to UTF-8 when the original legacy encoding cannot hold a
        character of ``text`` (never loses text).

        >>> SourceText("", newline="\\r\\n").encode("a\\nb")
        b'a\\r\\nb'
        """
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        encoding = self.encoding
        prefix = _BOMS.get(encoding, b"") if self.bom else b""
        try:
            return prefix + text.encode(encoding)
        except UnicodeEncodeError:
            return text.encode("utf-8")


_LEGACY_CANDIDATES = ("gb18030", "big5")
MIN_WORD_COVERAGE = 0.3  # see _word_coverage: right codec about 0.7-0.85, wrong one near 0
MIN_HAN_TO_JUDGE = 20  # fewer Han characters than this: too little text to reject
_BOMS = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


def _word_coverage(text: str) -> tuple[float, int]:
    """Share of the Han characters (in the first 4,000 characters) that fall in dictionary words
    of two or more characters, and how many Han characters were looked at.

    Chinese decoded with the right codec scores about 0.7-0.85 (damaged pages included); bytes
    decoded with the wrong legacy codec (Big5 read as GBK, Shift-JIS or EUC-KR read as GB18030)
    give strings of unrelated characters that score near 0.

    >>> _word_coverage("問題很多，逾期問也逐漸顯現。")[0] > 0.7
    True
    >>> _word_coverage("逾期問題".encode("big5").decode("gb18030"))
    (0.0, 4)
    """
    from toolkit.chardata import is_han
    from toolkit.lexicon import get_lexicon

    lexicon = get_lexicon()
    simple = lexicon.to_simplified(text[:4000])
    han = in_words = start = 0
    for end in lexicon.segment(simple)[1]:
        word = simple[start:end]
        count = sum(1 for ch in word if is_han(ch))
        han += count
        in_words += count if len(word) > 1 else 0
        start = end
    return (in_words / han if han else 0.0), han


def _other_language(data: bytes) -> str:
    """Name a CJK legacy encoding of Japanese or Korean that ``data`` reads as, or ""."""
    for codec, script, name in (
        ("shift_jis", "\u3040-\u30ff", "Japanese in Shift-JIS"),
        ("euc_jp", "\u3040-\u30ff", "Japanese in EUC-JP"),
        ("euc_kr", "\uac00-\ud7a3", "Korean in EUC-KR"),
    ):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        letters = [ch for ch in text if not ch.isascii()]
        if letters and len(re.findall(f"[{script}]", text)) > 0.3 * len(letters):
            return name
    return ""


def _looks_binary(data: bytes) -> str | None:
    """Return a description when ``data`` is not text in any supported encoding."""
    sample = data[:8192]
    if b"\x00" in sample:
        return "NUL bytes (a binary file, or UTF-16/32 without a byte-order mark)"
    controls = sum(1 for b in sample if b < 0x09 or 0x0E <= b < 0x20 or b == 0x7F)
    if sample and controls / len(sample) > 0.05:
        return f"{controls} control bytes in the first {len(sample)} bytes"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Detect BOM-less UTF-16 from the NUL bytes of ASCII characters."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = len(data) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> SourceText:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16, GB18030/GBK, Big5.

    Raises :class:`InputError` for binary data, naming what was found.

    >>> decode_bytes("中文".encode("gbk")).encoding
    'gb18030'
    >>> decode_bytes(b"\\xef\\xbb\\xbfok").bom
    True
    """
    encoding: str | None = None
    bom = False
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, bom, body = "utf-8", True, data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        bom, body = True, data[2:]
    else:
        body = data
        encoding = _utf16_without_bom(data)
    if encoding is not None:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as error:
            raise InputError(f"{name}: looks like {encoding} but does not decode: {error}") from None
    else:
        reason = _looks_binary(data)
        if reason:
            raise InputError(f"{name}: not a text file ({reason})")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as utf8_error:
            encoding, text = _legacy_decode(data, name, utf8_error)
    return _with_newlines(text, encoding, bom)


def _legacy_decode(data: bytes, name: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    """Decode non-UTF-8 bytes as GB18030/GBK or Big5, whichever reads as Chinese.

    Raises :class:`InputError` when neither decodes, or when the better one does not read as
    Chinese (another encoding, such as Shift-JIS or EUC-KR, whose bytes happen to be valid).
    """
    not_utf8 = f"{name}: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start})"
    decoded = []
    for candidate in _LEGACY_CANDIDATES:
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        coverage, han = _word_coverage(text)
        decoded.append((coverage, han, candidate, text))
    if not decoded:
        found = _other_language(data)
        raise InputError(
            f"{not_utf8}, and not GB18030/GBK or Big5 either" + (f"; it reads as {found}" if found else "")
        ) from None
    coverage, han, encoding, text = max(decoded, key=lambda item: item[:2])
    if han >= MIN_HAN_TO_JUDGE and coverage < MIN_WORD_COVERAGE:
        found = _other_language(data) or "another encoding"
        raise InputError(
            f"{not_utf8}; as {encoding} only {coverage:.0%} of its Chinese characters form words,"
            f" so it is probably {found}: convert it to UTF-8 first"
        )
    return encoding, text


def _with_newlines(text: str, encoding: str, bom: bool) -> SourceText:
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    newline = max((lf, "\n"), (crlf, "\r\n"), (lone_cr, "\r"))[1] if crlf or lone_cr else "\n"
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(normalized, encoding, newline, bom)


def read_source(path: str | Path) -> SourceText:
    """Read and decode a file; ``-`` is not handled here (the CLI reads stdin)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    return decode_bytes(data, str(path))


# ---------------------------------------------------------------------------
# Positions


class LineIndex:
    """Map 0-based character offsets to 1-based (line, column) and back.

    Columns count code points, as SARIF's ``unicodeCodePoints`` does.

    >>> index = LineIndex("ab\\n中文\\n")
    >>> index.position(4)
    (2, 2)
    >>> index.offset(2, 2)
    4
    >>> index.line_text(2)
    '中文'
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for line in text.split("\n")[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start : end if end >= 0 else len(self.text)]


# ---------------------------------------------------------------------------
# Blocks and the section tree

CN_DIGITS = "零〇一二三四五六七八九十百两"
_CN_VALUES = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_VALUES.update({"六": 6, "七": 7, "八": 8, "九": 9})


def chinese_number(numeral: str) -> int | None:
    """Value of a Chinese numeral up to 999.

    >>> [chinese_number(n) for n in ("一", "十", "十二", "二十", "二十三", "一百零五")]
    [1, 10, 12, 20, 23, 105]
    """
    total, current = 0, 0
    for ch in numeral:
        if ch in _CN_VALUES:
            current = _CN_VALUES[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


# Heading styles, by level in the GB/T 9704 order 一、 → （一） → 1. → （1）.
# A decimal number "1.1" is the usual alternative to （一） for the second level.
_MARKDOWN = re.compile(r"(#{1,6})[ \t]+")
_STYLES: list[tuple[str, int, re.Pattern[str]]] = [
    ("cn-chapter", 1, cached_pattern(rf"([{CN_DIGITS}]+)[、．.][ \t　]*")),
    ("cn-paren", 2, cached_pattern(rf"[（(]([{CN_DIGITS}]+)[）)][ \t　]*")),
    (
        "decimal",
        2,
        cached_pattern(r"(\d{1,3}(?:\.\d{1,3}){1,2})(?:[ \t　]+|[、．](?!\d)|(?=[\u3400-\u9fff]))"),
    ),
    ("arabic-dot", 3, re.compile(r"(\d{1,3})(?:[.．](?![\d.])|、)[ \t　]*")),
    ("arabic-paren", 4, re.compile(r"[（(](\d{1,3})[）)][ \t　]*")),
]
_LABEL_STARTS = frozenset(CN_DIGITS + "（(")  # a _STYLES label starts with one of them or a digit
_SENTENCE_END = "。！？；：，.!?;:,…"
HEADING_MAX_CHARS = 40
_ANNOTATION = cached_pattern(r"\([a-zA-Z\u00c0-\u01dc\u0300-\u036f]+\)")


def _visible_length(title: str) -> int:
    """Length of a title without flattened pinyin annotations such as ``(dǎo)``."""
    return len(_ANNOTATION.sub("", title))


@dataclass(frozen=True)
class Block:
    """One line of the document: a title, heading, numbered item or paragraph.

    ``start``/``end`` span the line without its newline. For numbered lines,
    ``label`` is the numbering prefix as written (``"一、"``, ``"1.1 "``),
    ``number`` its value (``(1,)``, ``(1, 1)``), ``style`` its numbering style,
    and ``title`` the rest of the line. ``level`` orders headings: 0 title,
    1 chapter, 2 ``（一）``/``1.1``, 3 ``1.``, 4 ``（1）``; paragraphs have 9.
    """

    kind: str
    start: int
    end: int
    text: str
    level: int = 9
    style: str = ""
    label: str = ""
    number: tuple[int, ...] | None = None
    title: str = ""
    markdown_level: int = 0


@dataclass
class Section:
    """A heading (``None`` for the document root) with its content and subsections."""

    heading: Block | None
    content: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)

    def walk(self):
        """Yield this section and every section below it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    """Parsed text: its blocks in order, the section tree, and a line index."""

    text: str
    blocks: list[Block]
    tree: Section
    lines: LineIndex


def classify_line(line: str, start: int) -> Block:
    """Classify one line (without its newline) that starts at offset ``start``.

    >>> classify_line("（二）風險", 0).number
    (2,)
    >>> classify_line("1. 第一，我們要做好準備工作。", 0).kind
    'item'
    >>> classify_line("3.5%的用戶逾期。", 0).kind
    'paragraph'
    """
    stripped = line.strip()
    end = start + len(line)
    body, markdown_level = _body(stripped)
    numbering = _numbering(body)
    if numbering:
        style, level, match, title = numbering
        label = body[: match.end()]
        if style.startswith("cn"):
            number = (chinese_number(match.group(1)),)
        else:
            number = tuple(int(part) for part in match.group(1).split("."))
        is_heading = _visible_length(title) <= HEADING_MAX_CHARS and title[-1] not in _SENTENCE_END
        kind = "heading" if is_heading or markdown_level else "item"
        return Block(kind, start, end, line, level, style, label, number, title, markdown_level)
    if markdown_level:
        return Block("heading", start, end, line, markdown_level, "markdown", "", None, body, markdown_level)
    return Block("paragraph", start, end, line, title=stripped)


def _body(stripped: str) -> tuple[str, int]:
    """A stripped line without its Markdown heading marker, and the heading's level (0: none)."""
    marker = _MARKDOWN.match(stripped)
    if marker:
        return stripped[marker.end() :], len(marker.group(1))
    return stripped, 0


def _numbering(body: str) -> tuple[str, int, re.Match[str], str] | None:
    """The numbering of a line's body: its style, level, label match and the title after the label;
    ``None`` for a line without a label (or with nothing after it).

    >>> _numbering("（二）風險")[:2], _numbering("3.5%的用戶逾期。")
    (('cn-paren', 2), None)
    """
    if not (body[:1] in _LABEL_STARTS or body[:1].isdecimal()):  # what \d matches: full-width digits too
        return None
    for style, level, pattern in _STYLES:
        match = pattern.match(body)
        if match:
            title = body[match.end() :].strip()
            if title:
                return style, level, match, title
    return None


def label_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the numbering labels of ``text``'s lines (``一、``, ``1.1 ``), as :func:`parse_blocks`
    gives them, without building the blocks.

    >>> text = "一、總則\\n今天,我們\\n1.1 範圍"
    >>> [text[a:b] for a, b in label_spans(text)]
    ['一、', '1.1 ']
    """
    spans = []
    offset = 0
    for line in text.split("\n"):
        body, _ = _body(line.strip())
        numbering = _numbering(body)
        if numbering:
            label = body[: numbering[2].end()]
            start = offset + line.index(label)
            spans.append((start, start + len(label)))
        offset += len(line) + 1
    return spans


def parse_blocks(text: str) -> list[Block]:
    """Split ``text`` into blocks, one per non-empty line.

    The first line becomes the ``title`` when it is short, unnumbered and has
    no sentence punctuation (``小編導語``). Several rules parse the same text:
    it is parsed once.
    """
    return list(_parse_blocks(text))


@lru_cache(maxsize=16)
def _parse_blocks(text: str) -> tuple[Block, ...]:
    blocks: list[Block] = []
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            blocks.append(classify_line(line, offset))
        offset += len(line) + 1
    _items_stay_together(blocks)
    if len(blocks) > 1 and blocks[0].kind == "paragraph":
        first = blocks[0]
        if _visible_length(first.title) <= HEADING_MAX_CHARS and not any(
            p in first.title for p in _SENTENCE_END
        ):
            blocks[0] = Block("title", first.start, first.end, first.text, 0, title=first.title)
    return tuple(blocks)


def _items_stay_together(blocks: list[Block]) -> None:
    """Numbered lines of one style on consecutive lines are one list: when one of them reads as
    an item (a sentence or a long line), all of them are items, not headings.

    >>> [b.kind for b in parse_blocks("1. 克隆仓库并安装依赖。\\n2. 启动\\n3. 测试")]
    ['item', 'item', 'item']
    """
    runs: list[list[int]] = []
    for index, block in enumerate(blocks):
        if block.number is None or block.markdown_level:
            continue
        previous = blocks[runs[-1][-1]] if runs else None
        if previous is not None and previous.style == block.style and previous.end + 1 == block.start:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        if len(run) > 1 and any(blocks[i].kind == "item" for i in run):
            for i in run:
                blocks[i] = replace(blocks[i], kind="item")


def _tree_level(block: Block) -> int:
    if block.kind == "title":
        return 1
    if block.markdown_level:
        return block.markdown_level
    if block.style == "decimal" and block.number is not None:
        return len(block.number)
    return block.level


def build_tree(blocks: list[Block]) -> Section:
    """Nest headings by level; paragraphs and numbered items are content."""
    root = Section(None)
    stack: list[tuple[int, Section]] = [(-1, root)]
    for block in blocks:
        if block.kind in ("heading", "title"):
            level = _tree_level(block)
            while stack[-1][0] >= level:
                stack.pop()
            section = Section(block)
            stack[-1][1].children.append(section)
            stack.append((level, section))
        else:
            stack[-1][1].content.append(block)
    return root


def parse_document(text: str) -> Document:
    """Parse ``text`` into blocks, a section tree and a line index."""
    blocks = parse_blocks(text)
    return Document(text, blocks, build_tree(blocks), LineIndex(text))
