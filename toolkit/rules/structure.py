"""Heading structure rules: numbering sequences, subsection parents, level order, empty sections.

Chinese documents number headings 一、 → （一） → 1. → （1） (GB/T 9704), with
``1.1`` as the usual alternative for the second level.

>>> from toolkit.rules.registry import CheckContext
>>> text = "一、背景\\n1.1 歷史\\n內容。\\n三、原因\\n2.1 風險\\n內容。\\n"
>>> [(f.rule, f.message) for f in check_sequence(CheckContext(text))]
[('ZH501', 'chapter 三、 follows 一、: 二 is missing')]
>>> [f.message for f in check_parent(CheckContext(text))]
['subsection 2.1 is under chapter 三、 (3)']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from toolkit.document import Block, Section
from toolkit.findings import Finding
from toolkit.rules.registry import CheckContext, register

_KIND_NAMES = {
    "cn-chapter": "chapter",
    "cn-paren": "section",
    "decimal": "subsection",
    "arabic-dot": "item",
    "arabic-paren": "item",
}
_CN = "零一二三四五六七八九十"
_GB_LEVEL = {"cn-chapter": 1, "cn-paren": 2, "decimal": 2, "arabic-dot": 3, "arabic-paren": 4}


def _numeral(style: str, value: int) -> str:
    if style.startswith("cn") and 0 <= value <= 10:
        return _CN[value]
    return str(value)


def _label(block: Block) -> str:
    return block.label.strip()


def _span(block: Block) -> tuple[int, int]:
    start = block.start + len(block.text) - len(block.text.lstrip())
    return start, block.end


def _numbered_runs(section: Section) -> Iterator[list[Block]]:
    """Sibling sequences to check: child headings per style, and item lists in the content."""
    by_style: dict[str, list[Block]] = {}
    for child in section.children:
        heading = child.heading
        if heading is not None and heading.number is not None:
            by_style.setdefault(heading.style, []).append(heading)
    yield from by_style.values()
    lists: dict[str, list[Block]] = {}
    for block in section.content:
        if block.kind != "item":
            continue
        if block.number and block.number[-1] == 1 and block.style in lists:
            yield lists.pop(block.style)
        lists.setdefault(block.style, []).append(block)
    yield from lists.values()


@register("ZH501", "heading-sequence", severity="error", fix="none")
def check_sequence(context: CheckContext) -> Iterable[Finding]:
    """Skipped, repeated or out-of-order heading number.

    Sibling headings of one style must count 1, 2, 3… from 1 (一、二、三、; 1.1, 1.2; （一）（二）). A gap, a
    repeat or a step back means a lost, duplicated or misplaced section. Numbered list items are
    checked the same way; a list may restart at 1.

    Example: 一、 … 三、 (二 is missing); 1.1 … 1.1 (repeated)
    """
    for section in context.document.tree.walk():
        for run in _numbered_runs(section):
            expected = 1
            previous: Block | None = None
            for block in run:
                value = block.number[-1]
                kind = _KIND_NAMES.get(block.style, "heading")
                start, end = _span(block)
                if value != expected:
                    wanted = _numeral(block.style, expected)
                    if previous is None:
                        message = f"{kind} {_label(block)} is the first of its level; expected {wanted}"
                    elif value == previous.number[-1]:
                        message = f"{kind} {_label(block)} repeats the number of {_label(previous)}"
                    elif value > expected:
                        missing = ", ".join(_numeral(block.style, n) for n in range(expected, value))
                        message = f"{kind} {_label(block)} follows {_label(previous)}: {missing} is missing"
                    else:
                        message = f"{kind} {_label(block)} is out of order after {_label(previous)}"
                    yield Finding("ZH501", start, end, message)
                expected = value + 1
                previous = block


@register("ZH502", "subsection-parent", severity="error", fix="none")
def check_parent(context: CheckContext) -> Iterable[Finding]:
    """Subsection number does not match its chapter.

    A decimal subsection N.M belongs to chapter N (and N.M.K to N.M). When the prefix differs from
    the number of the heading it stands under, the subsection was moved or mis-numbered.

    Example: 三、原因 followed by 2.1 風險 (should be 3.1)
    """
    for section in context.document.tree.walk():
        parent = section.heading
        if parent is None or parent.number is None:
            continue
        for child in section.children:
            heading = child.heading
            if heading is None or heading.style != "decimal" or heading.number is None:
                continue
            prefix = heading.number[:-1]
            parent_number = parent.number[-len(prefix) :] if parent.style != "decimal" else parent.number
            if prefix != parent_number:
                start, end = _span(heading)
                number = ".".join(map(str, parent.number))
                yield Finding(
                    "ZH502",
                    start,
                    end,
                    f"subsection {_label(heading)} is under {_KIND_NAMES.get(parent.style, 'heading')} "
                    f"{_label(parent)} ({number})",
                )


@register("ZH503", "heading-level-order", severity="warning", fix="none")
def check_level_order(context: CheckContext) -> Iterable[Finding]:
    """Heading level skipped in the 一、→（一）→1.→（1） order.

    GB/T 9704 orders levels 一、 → （一） → 1. → （1）. When a document uses a level, a heading that jumps
    past it (a （1） directly under 一、 while 1. exists elsewhere) breaks the hierarchy readers and
    converters rely on.

    Example: 一、背景 then （1）細節, in a document that also uses 1.
    """
    headings = [b for b in context.document.blocks if b.kind == "heading" and b.style in _GB_LEVEL]
    used = {_GB_LEVEL[b.style] for b in headings}
    previous_level = 0
    for block in headings:
        level = _GB_LEVEL[block.style]
        skipped = [n for n in range(previous_level + 1, level) if n in used]
        if previous_level and skipped:
            start, end = _span(block)
            yield Finding(
                "ZH503",
                start,
                end,
                f"{_label(block)} (level {level}) follows a level-{previous_level} heading; "
                f"level {skipped[0]} is skipped",
            )
        previous_level = level


@register("ZH504", "empty-section", severity="warning", fix="none")
def check_empty(context: CheckContext) -> Iterable[Finding]:
    """Heading with no content.

    A heading followed directly by a heading of the same or a higher level has no text: the page
    generator dropped the section body.

    Example: 2.2 用戶信用意識薄弱 directly followed by 2.3 …
    """
    for section in context.document.tree.walk():
        heading = section.heading
        if heading is not None and not section.content and not section.children:
            start, end = _span(heading)
            yield Finding("ZH504", start, end, f"section {heading.title!r} has no content")
