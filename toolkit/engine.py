"""Run rules on a text (lint) and apply their fixes until nothing changes (clean).

>>> from toolkit.config import load_config
>>> config = load_config(isolated=True)
>>> clean_text("數(shù)據(jù),好", config).text
'數據，好'
>>> [f.rule for f in lint_text("數(shù)據(jù)", config)]
['ZH101', 'ZH101']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from toolkit.config import Config
from toolkit.document import LineIndex
from toolkit.findings import AppliedEdit, Edit, Finding, apply_edits, offset_before, select_non_overlapping
from toolkit.rules.registry import REGISTRY, CheckContext, Rule, resolve

MAX_PASSES = 8

# Rules that find damage no other rule may touch: their spans are *claimed*.
CLAIMING_RULES = ("ZH102", "ZH103", "ZH104")
# Rules whose findings and fixes are held back inside a claimed span.
YIELDING_RULES = ("ZH101", "ZH201", "ZH301", "ZH302", "ZH401")

_SUPPRESSION = re.compile(
    r"<!--\s*toolkit:\s*(disable|enable|disable-next-line|disable-line)\s*(?:=\s*([\w,\s-]+?))?\s*-->"
)


def _suppressed_lines(text: str) -> dict[str, set[int]]:
    """Lines (1-based) on which each rule id, or ``*`` for all, is switched off.

    ``<!-- toolkit: disable=ZH201 -->`` … ``<!-- toolkit: enable=ZH201 -->``
    switches rules off for a range (to the end when never enabled again);
    ``disable-next-line`` and ``disable-line`` for a single line. Without
    ``=IDS`` they apply to every rule.

    >>> _suppressed_lines("a\\n<!-- toolkit: disable-next-line=ZH201 -->\\nb")["ZH201"]
    {3}
    """
    lines = text.split("\n")
    suppressed: dict[str, set[int]] = {}
    open_ranges: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        for match in _SUPPRESSION.finditer(line):
            action, ids = match.group(1), match.group(2)
            keys = _expand_ids(ids)
            for key in keys:
                if action == "disable":
                    open_ranges.setdefault(key, number)
                elif action == "enable" and key in open_ranges:
                    suppressed.setdefault(key, set()).update(range(open_ranges.pop(key), number + 1))
                elif action == "disable-next-line":
                    suppressed.setdefault(key, set()).add(number + 1)
                elif action == "disable-line":
                    suppressed.setdefault(key, set()).add(number)
    for key, first in open_ranges.items():
        suppressed.setdefault(key, set()).update(range(first, len(lines) + 1))
    return suppressed


def _expand_ids(ids: str | None) -> list[str]:
    if not ids:
        return ["*"]
    keys: list[str] = []
    for selector in ids.split(","):
        selector = selector.strip()
        if selector.upper() == "ALL":
            keys.append("*")
        elif selector:
            keys.extend([rule.id for rule in resolve(selector)] or [selector.upper()])
    return keys


def claimed_spans(text: str, config: Config, context: CheckContext | None = None) -> list[tuple[int, int]]:
    """Spans that still look damaged after the mojibake repairs, as the mojibake rules report them.

    They are claimed whether or not those rules are selected: the damage is there either way.

    >>> from toolkit.config import load_config
    >>> claimed_spans("嚴謹?shù)膽B度", load_config(isolated=True))
    [(2, 9)]
    """
    context = context or CheckContext(text)
    key = ("claimed-spans", repr([config.options_for(REGISTRY[rule_id]) for rule_id in CLAIMING_RULES]))
    return context.memo(key, lambda: _claimed(context, config))


def _claimed(context: CheckContext, config: Config) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for rule_id in CLAIMING_RULES:
        rule = REGISTRY[rule_id]
        spans.extend((f.start, f.end) for f in rule.check(context.for_rule(config.options_for(rule))))
    return sorted(spans)


def _inside(finding: Finding, spans: list[tuple[int, int]]) -> bool:
    """True when the finding, or its fix, touches a claimed span (an insertion counts at its point)."""
    ranges = [(finding.start, finding.end)]
    if finding.fix is not None:
        ranges.append((finding.fix.start, finding.fix.end))
    for start, end in ranges:
        for a, b in spans:
            if (start < b and a < end) or (start == end and a <= start < b):
                return True
    return False


def run_rules(
    text: str, rules: list[Rule], config: Config, shared: CheckContext | None = None
) -> list[Finding]:
    """Every finding of ``rules`` on ``text``, minus suppressed ones, in text order.

    Findings of :data:`YIELDING_RULES` inside a span the mojibake rules claim are
    dropped: no punctuation, annotation, drop, year or script fix inside damage.
    ``shared`` is a context on ``text`` whose analyses an earlier run already made.
    """
    findings: list[Finding] = []
    shared = shared if shared is not None else CheckContext(text)
    for rule in rules:
        findings.extend(rule.check(shared.for_rule(config.options_for(rule))))
    if any(f.rule in YIELDING_RULES for f in findings):
        spans = claimed_spans(text, config, shared)
        if spans:
            findings = [f for f in findings if f.rule not in YIELDING_RULES or not _inside(f, spans)]
    suppressed = _suppressed_lines(text) if "toolkit:" in text else {}
    if suppressed:
        index = LineIndex(text)
        everywhere = suppressed.get("*", set())
        findings = [
            f
            for f in findings
            if (line := index.position(f.start)[0]) not in everywhere
            and line not in suppressed.get(f.rule, set())
        ]
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings


def lint_text(text: str, config: Config) -> list[Finding]:
    """All findings of the enabled rules on ``text``."""
    return run_rules(text, config.enabled_rules(), config)


@dataclass
class CleanResult:
    """The repaired text, the edits applied (offsets in the input), the passes run.

    ``left`` holds what the fixing rules still report on the repaired text (findings
    without a fix, such as ambiguous mojibake), so a caller need not run them again;
    ``context`` keeps the analyses of the repaired text that the last pass made.
    """

    text: str
    edits: list[AppliedEdit] = field(default_factory=list)
    passes: int = 0
    left: list[Finding] = field(default_factory=list)
    context: CheckContext | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict:
        """Pickled (from a worker process) without ``context``: the analyses stay where they were made."""
        return {**self.__dict__, "context": None}


def _fixing_rules(config: Config, unsafe: bool) -> list[Rule]:
    allowed = ("safe", "unsafe") if unsafe else ("safe",)
    return [rule for rule in config.enabled_rules() if rule.fix in allowed]


def clean_text(text: str, config: Config, unsafe: bool = False) -> CleanResult:
    """Apply the fixes of the enabled rules, pass after pass, until none is left.

    Only ``safe`` fixes run unless ``unsafe`` is true. Overlapping fixes wait
    for the next pass. The result is idempotent: cleaning it again changes
    nothing.
    """
    rules = _fixing_rules(config, unsafe)
    history: list[list[Edit]] = []
    applied: list[AppliedEdit] = []
    passes = 0
    found: list[Finding] | None = None
    for passes in range(1, MAX_PASSES + 1):
        context = CheckContext(text)
        found = run_rules(text, rules, config, context)
        chosen = select_non_overlapping(found)
        if not chosen:
            passes -= 1
            break
        edits = [finding.fix for finding in chosen]
        for finding in chosen:
            start, end = finding.fix.start, finding.fix.end
            for earlier in reversed(history):
                start, end = offset_before(start, earlier), offset_before(end, earlier)
            applied.append(
                AppliedEdit(
                    finding.rule,
                    start,
                    max(start, end),
                    text[finding.fix.start : finding.fix.end],
                    finding.fix.replacement,
                    finding.message,
                )
            )
        text = apply_edits(text, edits)
        history.append(sorted(edits))
        found = None
    applied.sort(key=lambda edit: (edit.start, edit.end))
    if found is None:
        context = CheckContext(text)
        found = run_rules(text, rules, config, context)
    return CleanResult(text, applied, passes, found, context)


def remaining_findings(result: CleanResult, config: Config, unsafe: bool = False) -> list[Finding]:
    """What ``lint_text(result.text, config)`` reports, reusing the fixing rules' last pass.

    >>> from toolkit.config import load_config
    >>> config = load_config(isolated=True)
    >>> result = clean_text("成立于24年,好", config)
    >>> remaining_findings(result, config) == lint_text(result.text, config)
    True
    """
    fixing = {rule.id for rule in _fixing_rules(config, unsafe)}
    others = [rule for rule in config.enabled_rules() if rule.id not in fixing]
    findings = result.left + run_rules(result.text, others, config, result.context)
    findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return findings
