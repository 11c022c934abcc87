"""A self-contained HTML review page: what lint found, what clean changed, what the translation says.

:func:`render_review` returns one HTML document (inline CSS and a few lines of inline script; no
network, opens from ``file://``) with

* the counts per rule, each with a check box that shows or hides that rule's highlights;
* the original text, every finding a ``<mark>`` with ``data-rule``, ``data-start`` and
  ``data-end`` (code-point offsets in the input) and its message as a tooltip;
* the repaired text, every applied edit a ``<span class="edit">`` with the same attributes holding
  ``<del>before</del><ins>after</ins>``, and the list of every edit (before → after, rule, message);
* with a translation (the JSON of ``toolkit translate --format json``), each section's sentences
  and their English side by side, every QA finding an element with ``data-qa``.

>>> from toolkit.findings import AppliedEdit, Finding
>>> page = render_review("a.txt", "好,的", [Finding("ZH201", 1, 2, "half-width comma")],
...                      [AppliedEdit("ZH201", 1, 2, ",", "，", "half-width comma")], "好，的")
>>> '<mark class="f" data-rule="ZH201" data-start="1" data-end="2"' in page
True
>>> '<del>,</del><ins>，</ins>' in page
True
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from toolkit.errors import InputError
from toolkit.findings import AppliedEdit, Finding

_PALETTE = ["#ffe08a", "#ffb3b3", "#b3d9ff", "#c8f0b0", "#e6c8ff", "#ffd0a8", "#b8f0f0", "#f0c0dc", "#dddddd"]
_QA_COLOUR = "#ffc4a3"


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _rule_info(rule_id: str) -> tuple[str, str]:
    """(name, severity) of a lint rule or a translation QA code."""
    from toolkit.rules.registry import REGISTRY
    from toolkit.translate.qa import QA_CODES

    if rule_id in REGISTRY:
        rule = REGISTRY[rule_id]
        return rule.name, rule.severity
    return QA_CODES.get(rule_id, rule_id), "qa"


def highlight(text: str, findings: Sequence[Finding]) -> str:
    """``text`` as HTML with each finding a ``<mark data-rule data-start data-end>``.

    Nested findings nest; a finding that starts inside another and ends after it is cut at the
    outer one's end (``data-clipped``), its ``data-end`` still the real end. A zero-length finding
    is an empty mark.

    >>> highlight("ab<c", [Finding("ZH104", 2, 3, "odd")])
    'ab<mark class="f" data-rule="ZH104" data-start="2" data-end="3" title="ZH104 odd">&lt;</mark>c'
    """
    out: list[str] = []
    position = 0
    open_ends: list[int] = []

    def close_until(limit: int) -> None:
        nonlocal position
        while open_ends and open_ends[-1] <= limit:
            end = open_ends.pop()
            out.append(_escape(text[position:end]))
            out.append("</mark>")
            position = max(position, end)

    for finding in sorted(findings, key=lambda f: (f.start, -f.end, f.rule)):
        close_until(finding.start)
        out.append(_escape(text[position : finding.start]))
        position = max(position, finding.start)
        end = finding.end
        clipped = bool(open_ends) and end > open_ends[-1]
        if clipped:
            end = open_ends[-1]
        classes = "f empty" if finding.start == finding.end else "f"
        out.append(
            f'<mark class="{classes}" data-rule="{finding.rule}" data-start="{finding.start}"'
            f' data-end="{finding.end}"{" data-clipped" if clipped else ""}'
            f' title="{_escape(finding.rule + " " + finding.message)}">'
        )
        open_ends.append(end)
        if finding.start == finding.end:
            close_until(finding.start)
    close_until(len(text))
    out.append(_escape(text[position:]))
    return "".join(out)


def _edits_apply_cleanly(text: str, edits: Sequence[AppliedEdit], cleaned: str) -> bool:
    from toolkit.findings import apply_edits

    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    if any(a.end > b.start for a, b in pairwise(ordered)):
        return False
    return apply_edits(text, [e.as_edit() for e in ordered]) == cleaned


def _edit_title(edit: AppliedEdit) -> str:
    return f"{edit.rule} “{edit.before}” → “{edit.after}”: {edit.reason}"


def repaired(text: str, edits: Sequence[AppliedEdit], cleaned: str) -> str:
    """The repaired text as HTML, each edit ``<span class="edit" data-rule …><del>…</del><ins>…</ins>``.

    When the edits do not rebuild ``cleaned`` from ``text`` one by one (a later pass changed an
    earlier pass's output), the repaired text is shown as it is, without inline edits.

    >>> repaired("a(b)", [AppliedEdit("ZH101", 1, 4, "(b)", "", "pinyin")], "a")
    'a<span class="edit" data-rule="ZH101" data-start="1" data-end="4" title="ZH101 “(b)” → “”: pinyin"><del>(b)</del><ins></ins></span>'
    """
    if not _edits_apply_cleanly(text, edits, cleaned):
        return _escape(cleaned)
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(_escape(text[position : edit.start]))
        out.append(
            f'<span class="edit" data-rule="{edit.rule}" data-start="{edit.start}" data-end="{edit.end}"'
            f' title="{_escape(_edit_title(edit))}"><del>{_escape(edit.before)}</del>'
            f"<ins>{_escape(edit.after)}</ins></span>"
        )
        position = edit.end
    out.append(_escape(text[position:]))
    return "".join(out)


def check_translation(payload: Any) -> Mapping[str, Any]:
    """``payload`` if it looks like ``toolkit translate --format json`` output, else :class:`InputError`.

    >>> check_translation({"sections": []})
    {'sections': []}
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("sections"), list):
        raise InputError("the translation is not the JSON of `toolkit translate --format json` (no sections)")
    for section in payload["sections"]:
        segments = [section.get("heading"), *(section.get("paragraphs") or [])]
        for segment in segments:
            if segment is not None and not isinstance(segment.get("sentences"), list):
                raise InputError("the translation JSON has a heading or paragraph without sentences")
    return payload


def _translation_html(payload: Mapping[str, Any]) -> tuple[str, Counter[str]]:
    parts: list[str] = []
    counts: Counter[str] = Counter()
    for number, section in enumerate(payload["sections"], start=1):
        segments = [s for s in [section.get("heading"), *(section.get("paragraphs") or [])] if s]
        rows: list[str] = []
        for segment in segments:
            findings = segment.get("findings") or []
            kind = _escape(str(segment.get("kind", "paragraph")))
            label = _escape(str(segment.get("label") or ""))
            zh, en = [], []
            for sentence in segment["sentences"]:
                own = [f for f in findings if f.get("source") == sentence.get("source")]
                flagged = " ".join(sorted({str(f.get("code")) for f in own}))
                attributes = f' class="s qa" data-qa="{_escape(flagged)}"' if own else ' class="s"'
                zh.append(f"<span{attributes}>{_escape(str(sentence.get('source', '')))}</span>")
                en.append(f"<span{attributes}>{_escape(str(sentence.get('translation', '')))}</span>")
            label_html = f'<span class="label">{label}</span> ' if label else ""
            rows.append(
                f'<div class="pair {kind}"><div class="zh" lang="zh">{" ".join(zh)}</div>'
                f'<div class="en" lang="en">{label_html}{" ".join(en)}</div></div>'
            )
            if findings:
                items = []
                for finding in findings:
                    code = _escape(str(finding.get("code", "")))
                    counts[str(finding.get("code", ""))] += 1
                    items.append(
                        f'<li data-qa="{code}"><b>{code} {_escape(str(finding.get("name", "")))}</b> '
                        f"{_escape(str(finding.get('message', '')))}"
                        f' <q lang="zh">{_escape(str(finding.get("source", "")))}</q></li>'
                    )
                rows.append(f'<ul class="qa-list">{"".join(items)}</ul>')
        parts.append(f'<section class="tsection" data-section="{number}">{"".join(rows)}</section>')
    return "".join(parts), counts


_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans CJK TC",sans-serif;
 color:#1d1d1f;background:#fafafa;overflow-wrap:anywhere;word-break:normal}
header,main{padding:12px 16px;max-width:1600px;margin:0 auto}
h1{font-size:1.3rem;margin:.2rem 0}h2{font-size:1.1rem;margin:1.2rem 0 .4rem}
.meta{color:#555;font-size:.9rem}
.rules{display:flex;flex-wrap:wrap;gap:6px;margin:.5rem 0;padding:0;list-style:none}
.rules li{border:1px solid #ccc;border-radius:6px;padding:3px 8px;background:#fff;font-size:.85rem}
.rules label{cursor:pointer}.rules .swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;
 vertical-align:-.1em;margin-right:4px;border:1px solid #0003}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
.panel{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 12px;min-width:0}
.text{white-space:pre-wrap;margin:0;font-family:inherit}
mark.f{border-radius:2px;padding:0 1px;color:inherit}
mark.f.empty::after{content:"⁁";color:#c00;font-weight:bold}
.edit del{color:#a00;background:#fde8e8;font-size:.85em}
.edit ins{color:#060;background:#e3f6e3;text-decoration:none}
.edits{font-size:.85rem;padding-left:1.6em}.edits code{background:#f2f2f2;padding:0 3px;border-radius:3px}
.tsection{background:#fff;border:1px solid #ddd;border-radius:8px;padding:8px 12px;margin:10px 0}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px;padding:4px 0;
 border-bottom:1px dashed #eee}
.pair.title,.pair.heading{font-weight:600}
.s.qa{background:#fff0e6;outline:1px solid #f5a06b;border-radius:2px}
.qa-list{margin:4px 0 8px;padding-left:1.4em;font-size:.85rem;color:#8a3b00}
.label{color:#666}
@media (max-width:820px){.cols,.pair{grid-template-columns:minmax(0,1fr)}.pair .en{color:#234}
 header,main{padding:8px 10px}}
"""

_SCRIPT = """
document.querySelectorAll('input[data-toggle]').forEach(function (box) {
  box.addEventListener('change', function () {
    document.body.classList.toggle('hide-' + box.dataset.toggle, !box.checked);
  });
});
"""


def _rule_css(rule_ids: Sequence[str]) -> str:
    lines = []
    for index, rule in enumerate(rule_ids):
        colour = _PALETTE[index % len(_PALETTE)] if not rule.startswith("TQ") else _QA_COLOUR
        lines.append(f'[data-rule="{rule}"]{{background:{colour}}}')
        lines.append(f".sw-{rule}{{background:{colour}}}")
        lines.append(f'.hide-{rule} [data-rule="{rule}"]{{background:none;outline:none}}')
        lines.append(f'.hide-{rule} .edit[data-rule="{rule}"] del{{display:none}}')
        lines.append(f'.hide-{rule} li[data-qa="{rule}"]{{display:none}}')
    return "\n".join(lines)


def render_review(
    name: str,
    text: str,
    findings: Sequence[Finding],
    edits: Sequence[AppliedEdit],
    cleaned: str,
    translation: Mapping[str, Any] | None = None,
) -> str:
    """The review page of one input (see the module docstring)."""
    found = Counter(f.rule for f in findings)
    fixed = Counter(e.rule for e in edits)
    translation_html, qa_counts = _translation_html(translation) if translation else ("", Counter())
    rule_ids = sorted(set(found) | set(fixed)) + sorted(qa_counts)
    chips = []
    for rule in rule_ids:
        rule_name, severity = _rule_info(rule)
        if rule.startswith("TQ"):
            counts = f"<b>{qa_counts[rule]}</b> in the translation"
        else:
            counts = f"<b>{found[rule]}</b> found, <b>{fixed[rule]}</b> fixed"
        chips.append(
            f'<li data-summary="{rule}"><label><input type="checkbox" checked data-toggle="{rule}">'
            f' <span class="swatch sw-{rule}"></span>{rule} {_escape(rule_name)} ({severity}): {counts}'
            "</label></li>"
        )
    edit_items = "".join(
        f'<li data-edit-rule="{e.rule}"><b>{e.rule}</b> <code>{_escape(e.before)}</code> → '
        f"<code>{_escape(e.after)}</code> {_escape(e.reason)}</li>"
        for e in sorted(edits, key=lambda e: (e.start, e.end))
    )
    inline = _edits_apply_cleanly(text, edits, cleaned)
    note = "" if inline else '<p class="meta">Edits overlap between passes: see the list below.</p>'
    translation_block = ""
    if translation:
        meta = f"engine {translation.get('engine', '?')}, model {translation.get('model', '?')}"
        translation_block = (
            f'<h2 id="translation">Translation</h2><p class="meta">{_escape(meta)}; '
            f"{sum(qa_counts.values())} QA finding(s)</p>{translation_html}"
        )
    title = f"Review of {name}"
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_escape(title)}</title>
<style>{_CSS}
{_rule_css(rule_ids)}</style>
</head>
<body>
<header>
<h1>{_escape(title)}</h1>
<p class="meta">{len(text)} characters, {len(findings)} finding(s), {len(edits)} edit(s) applied.
Uncheck a rule to hide its highlights.</p>
<ul class="rules">{"".join(chips)}</ul>
</header>
<main>
<div class="cols">
<section class="panel" id="original"><h2>Original, with every finding</h2>
<pre class="text" lang="zh">{highlight(text, findings)}</pre></section>
<section class="panel" id="repaired"><h2>Repaired, with every edit</h2>{note}
<pre class="text" lang="zh">{repaired(text, edits, cleaned) if inline else _escape(cleaned)}</pre></section>
</div>
<details id="edit-list"><summary>Every edit ({len(edits)})</summary><ol class="edits">{edit_items}</ol></details>
{translation_block}
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""
