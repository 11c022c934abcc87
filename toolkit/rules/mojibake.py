"""Mojibake rules: GBK byte straddles (ZH102), wrong-codec runs (ZH103), unrepairable residue (ZH104)."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.chardata import PINYIN_LETTERS, is_han
from toolkit.datacache import led_pattern
from toolkit.findings import Edit, Finding
from toolkit.lexicon import get_lexicon
from toolkit.markup import protected_spans
from toolkit.repairs import encoding, gbk
from toolkit.rules.registry import CheckContext, register

RARE_LOGP = -13.5  # a Han character rarer than this, next to damage, is part of it

# The katakana middle dot between Han characters separates the parts of a transliterated
# name (尤瓦尔・赫拉利) and is not damage.
RESIDUE_SOURCE = (
    rf"\?[{PINYIN_LETTERS}]{{1,7}}\)|[\u3040-\u30fa\u30fc-\u30ff\ue000-\uf8ff\ufffd€]"
    r"|(?<![\u3400-\u9fff])\u30fb|\u30fb(?![\u3400-\u9fff])"
    r"|(?<=[\u3400-\u9fff])\?(?=[\u3400-\u9fff])"
)
_RESIDUE_MARK = led_pattern(r"[?\u3040-\u30ff\ue000-\uf8ff\ufffd€]", RESIDUE_SOURCE)


def _straddle_findings(text: str, margin: float) -> list[Finding]:
    findings = []
    for repair in gbk.find_straddles(text, margin):
        damaged = text[repair.start : repair.end]
        if repair.replacement is not None and repair.decided:
            message = f"GBK byte-straddle mojibake `{damaged}` reads `{repair.replacement}` ({repair.reason})"
            fix = Edit(repair.start, repair.end, repair.replacement)
            findings.append(Finding("ZH102", repair.start, repair.end, message, fix))
        elif repair.replacement is not None:
            others = "`, `".join(c for c in repair.candidates if c != repair.replacement)
            message = (
                f"GBK byte-straddle mojibake `{damaged}` ({repair.reason}): several readings, the likeliest "
                f"`{repair.replacement}` is applied; it may also be `{others}`"
            )
            fix = Edit(repair.start, repair.end, repair.replacement)
            findings.append(
                Finding("ZH102", repair.start, repair.end, message, fix, suggestions=repair.candidates)
            )
        else:
            message = (
                f"GBK byte-straddle mojibake `{damaged}` ({repair.reason}): several readings, none "
                "clearly best; left as is, and no other fix is applied inside it"
            )
            findings.append(
                Finding("ZH102", repair.start, repair.end, message, suggestions=repair.candidates)
            )
    return findings


def _straddles(context: CheckContext, margin: float) -> list[Finding]:
    """ZH102's findings, computed once per text and margin (ZH104 needs them too)."""
    return context.memo(("gbk-straddles", margin), lambda: _straddle_findings(context.text, margin))


def _encoding_runs(context: CheckContext) -> list:
    """Wrong-codec runs, computed once per text (ZH103 reports them, ZH104 skips them)."""
    return context.memo("encoding-runs", lambda: encoding.find_encoding_mojibake(context.text))


@register(
    "ZH102",
    "gbk-mojibake",
    severity="error",
    fix="safe",
    options={"margin": gbk.DEFAULT_MARGIN},
)
def check_gbk(context: CheckContext) -> Iterable[Finding]:
    """GBK byte-straddle mojibake (`謹(jǐn)?shù)膽B` for `謹的態`)

    A byte-level annotator inserted `(py)` after GBK byte pairs that straddle two characters, and a
    legacy decoder then read the following bytes one byte out of step until an ASCII byte brought it
    back. The repair decodes the whole run again, however long: the lost byte must make a character
    that reads the pinyin; NFKC-flattened marks, pairs the decoder dropped (unassigned ones such as
    the trail of `，` with the next lead, several in a row), a second straddle inside the run and a
    lost closing byte are all part of the model. Readings are ranked with word frequencies, the
    words the page uses elsewhere, and jointly over every run with the same damaged bytes. A run
    that starts at a `?` glued to `py)` is certainly damage, so it is always given the likeliest
    reading, and the finding lists the other candidates when none clearly wins; a run without that
    mark is fixed only when one reading clearly wins. A byte it cannot know (an ASCII byte swallowed
    with the last one) becomes U+FFFD. Other rules never fix inside a run this rule or ZH104
    reports.

    Example: 嚴謹(jǐn)?shù)膽B(tài)度 → 嚴謹(jǐn)的態(tài)度; 發生?;ヂ?lián)網 → 發生。互聯網
    """
    if "?" not in context.text:
        return []
    margin = float(context.options.get("margin", gbk.DEFAULT_MARGIN))
    return _straddles(context, margin)


@register(
    "ZH103",
    "encoding-mojibake",
    severity="error",
    fix="safe",
)
def check_encoding(context: CheckContext) -> Iterable[Finding]:
    """Text decoded with the wrong codec (`浣犲ソ`, `ÄãºÃ`, `ä½ å¥½`)

    Whole runs decoded with the wrong legacy codec: UTF-8 read as GBK, GBK or Big5 read as
    Latin-1/Windows-1252, and UTF-8 read as Latin-1 (repaired by ftfy, configured to keep Chinese
    full-width punctuation and curly quotes). A run is turned into Chinese only when the result
    reads as Chinese words (most of its Han characters in dictionary words) and much better than the
    run, so accented European text (atenção, télécharger) is never given Han characters; its UTF-8
    mojibake (NicolÃ¡s) is repaired as ftfy does.

    Example: 浣犲ソ → 你好; ÄãºÃ → 你好; NicolÃ¡s → Nicolás; atenção is kept
    """
    text = context.text
    if text.isascii():
        return []
    return [
        Finding(
            "ZH103",
            r.start,
            r.end,
            f"encoding mojibake `{text[r.start : r.end]}` ({r.plan})",
            Edit(r.start, r.end, r.replacement),
        )
        for r in _encoding_runs(context)
    ]


def _japanese(line: str) -> bool:
    """A line of Japanese (several kana, or kana in Japanese quotes), where kana are legitimate."""
    kana = sum(1 for ch in line if "\u3040" <= ch <= "\u30ff")
    return kana >= 3 or ("「" in line and kana > 0)


def find_residue(text: str, covered: list[tuple[int, int]]) -> list[Finding]:
    """Damage that no repair can undo, one finding per damaged span, outside ``covered`` spans.

    >>> [(f.start, f.end) for f in find_residue("中文\\ue000文字", [])]
    [(2, 3)]
    """
    lexicon = None
    findings: list[Finding] = []
    line_start, line_end, japanese = -1, -1, False
    for match in _RESIDUE_MARK.finditer(text):
        start, end = match.span()
        if findings and start < findings[-1].end:
            continue
        if any(a < end and start < b for a, b in covered):
            continue
        if start >= line_end:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
            japanese = _japanese(text[line_start:line_end])
        mark = match.group()
        if "\u3040" <= mark[0] <= "\u30ff" and japanese:
            continue
        if mark == "€" and _euro_sign(text, start):
            continue
        lexicon = lexicon or get_lexicon()
        while start > line_start and _suspicious(text[start - 1], lexicon):
            start -= 1
        while end < line_end and _suspicious(text[end], lexicon):
            end += 1
        message = (
            f"unrepairable mojibake residue `{text[start:end]}`: {_why(mark)}; left for a human, "
            "and no other fix is applied inside it"
        )
        findings.append(Finding("ZH104", start, end, message))
    return findings


def _euro_sign(text: str, index: int) -> bool:
    """A real ``€``: next to a number (``10 €``, ``€5``) or standing apart from Chinese characters.

    >>> _euro_sign("價格 10 €。", 6), _euro_sign("符號是 € ，", 4), _euro_sign("齻€(gè)", 1)
    (True, True, False)
    """
    before, after = text[:index].rstrip()[-1:], text[index + 1 :].lstrip()[:1]
    if before.isdigit() or after.isdigit():
        return True
    return not (is_han(text[index - 1 : index] or " ") or is_han(text[index + 1 : index + 2] or " "))


def _why(mark: str) -> str:
    """Why a residue mark is damage, in words.

    >>> _why("?shù)")
    'a lost byte before `shù)` whose shifted run could not be decoded'
    """
    if mark.startswith("?") and len(mark) > 1:
        return f"a lost byte before `{mark[1:]}` whose shifted run could not be decoded"
    if mark == "?":
        return "a `?` between Chinese characters, where the legacy decoder met an invalid byte pair"
    if "\u3040" <= mark <= "\u30ff":
        return "kana amid Chinese text, made by bytes read out of step"
    if mark == "\ufffd":
        return "an unknown character (a byte the decoder swallowed, or U+FFFD from an earlier decoder)"
    if mark == "€":
        return "a lone `€`, byte 0x80 read out of step"
    return "a private-use character where bytes were lost"


def _suspicious(ch: str, lexicon) -> bool:
    if "\u3040" <= ch <= "\u30ff" or "\ue000" <= ch <= "\uf8ff" or ch in "\ufffd€":
        return True
    return is_han(ch) and lexicon.char_logp(lexicon.to_simplified(ch)) < RARE_LOGP


@register(
    "ZH104",
    "mojibake-residue",
    severity="error",
    fix="none",
)
def check_residue(context: CheckContext) -> Iterable[Finding]:
    """Mojibake that cannot be repaired (`?py)`, kana, private use, U+FFFD, `€`)

    What is left after the repairs: a `?` glued to pinyin, kana or private-use characters, U+FFFD, a
    lone `€` or very rare characters amid Chinese text. The bytes are lost, so the span is reported
    for a human, with the reason, and no other rule fixes inside it. Spans that gbk-mojibake or
    encoding-mojibake report are not reported again; Japanese lines, real question marks, prices in
    euros, the middle dot of a transliterated name (尤瓦尔・赫拉利) and markup (URLs, code) are left alone.

    Example: 的\ue000\ue001發展 (private-use characters where text was lost)
    """
    text = context.text
    if text.isascii():
        return []
    return context.memo("residue", lambda: _residue(context))


def _residue(context: CheckContext) -> list[Finding]:
    """ZH104's findings, computed once per text (the engine's claimed spans need them too)."""
    text = context.text
    if not _RESIDUE_MARK.search(text):
        return []  # no mark, nothing to report: the spans to leave out are not needed
    covered = [(f.start, f.end) for f in _straddles(context, gbk.DEFAULT_MARGIN)] if "?" in text else []
    covered += [(r.start, r.end) for r in _encoding_runs(context)]
    covered += protected_spans(text)  # URLs, code and markup: a `?` there is a query
    return find_residue(text, covered)
