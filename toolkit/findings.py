"""Findings and edits: the values every check returns and every repair applies.

A *finding* is one problem at a character span of a text, found by a rule. It may
carry an *edit* (a fix): replace ``text[start:end]`` with ``replacement``.
Offsets are code-point offsets into the Python ``str``; they are 0-based and
``end`` is exclusive.

>>> text = "導(dǎo)語"
>>> fix = Edit(1, 6, "")
>>> apply_edits(text, [fix])
'導語'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement``.

    >>> Edit(0, 1, "，").apply(",好")
    '，好'
    """

    start: int
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        """Return ``text`` with this one edit applied."""
        return text[: self.start] + self.replacement + text[self.end :]


@dataclass(frozen=True)
class Finding:
    """One problem found by a rule, with an optional fix.

    ``rule`` is the rule id (``ZH101``); the rule's registry entry gives its name,
    severity and fix safety.  ``suggestions`` lists alternatives a human may pick
    when no single fix can be trusted (a year, several decoding candidates).
    """

    rule: str
    start: int
    end: int
    message: str
    fix: Edit | None = None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class AppliedEdit:
    """An edit that a repair applied, for ``--explain``.

    ``start``/``end`` are offsets in the text the edit was applied to; ``before``
    is the replaced text.
    """

    rule: str
    start: int
    end: int
    before: str
    after: str
    reason: str

    def as_edit(self) -> Edit:
        """The same change as an :class:`Edit` on the original text."""
        return Edit(self.start, self.end, self.after)


def overlaps(a: Edit, b: Edit) -> bool:
    """True when two edits touch the same characters (or insert at one point).

    >>> overlaps(Edit(0, 2, "x"), Edit(2, 3, "y"))
    False
    >>> overlaps(Edit(0, 2, "x"), Edit(1, 3, "y"))
    True
    >>> overlaps(Edit(2, 2, "x"), Edit(2, 2, "y"))
    True
    """
    if a.start == a.end == b.start == b.end:
        return True
    return a.start < b.end and b.start < a.end


def select_non_overlapping(findings: Iterable[Finding]) -> list[Finding]:
    """Keep the fixable findings whose fixes do not overlap, in text order.

    The earlier fix wins; a later overlapping one waits for the next pass.

    >>> f1 = Finding("A", 0, 2, "", Edit(0, 2, "x"))
    >>> f2 = Finding("B", 1, 3, "", Edit(1, 3, "y"))
    >>> [f.rule for f in select_non_overlapping([f2, f1])]
    ['A']
    """
    chosen: list[Finding] = []
    for finding in sorted((f for f in findings if f.fix is not None), key=lambda f: (f.fix.start, f.fix.end)):
        if chosen and overlaps(chosen[-1].fix, finding.fix):
            continue
        chosen.append(finding)
    return chosen


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits in one pass, in linear time.

    >>> apply_edits("a,b;c", [Edit(1, 2, "，"), Edit(3, 4, "；")])
    'a，b；c'
    """
    parts: list[str] = []
    position = 0
    for edit in sorted(edits):
        if edit.start < position:
            raise ValueError(f"overlapping edits at offset {edit.start}")
        parts.append(text[position : edit.start])
        parts.append(edit.replacement)
        position = edit.end
    parts.append(text[position:])
    return "".join(parts)


def offset_before(offset: int, edits: Sequence[Edit]) -> int:
    """Map an offset in the text after ``edits`` back to the text before them.

    Offsets inside a replacement map to the start of the replaced span.

    >>> edits = [Edit(1, 6, ""), Edit(7, 8, "，")]  # "導(dǎo)語,好" -> "導語，好"
    >>> [offset_before(offset, edits) for offset in range(5)]
    [0, 6, 7, 8, 9]
    """
    shift = 0
    for edit in sorted(edits):
        new_start = edit.start + shift
        if offset < new_start:
            break
        if offset < new_start + len(edit.replacement):
            return edit.start
        shift += len(edit.replacement) - (edit.end - edit.start)
    return offset - shift
