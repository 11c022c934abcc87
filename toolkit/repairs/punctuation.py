"""Half-width punctuation in Chinese context: ``今天,我們`` → ``今天，我們``.

A mark is converted only when a Chinese character stands next to it (spaces
ignored) and it is not part of a number (``1,000``, ``3.5``, ``10:30``), a
heading or list number (``1.1``, ``一.``), markup or machine text that
:func:`toolkit.markup.protected_spans` returns (entities, tags, links, code,
front matter, directive fences, definition lists, URLs, e-mail addresses), an
emoticon (``;-)``), a Latin name or keyword (``Yahoo!``, ``!important``), or
damaged text that the mojibake repair owns (``?shù)``). Brackets are converted
as a pair, and only when they hold Chinese text outside ASCII string quotes:
``(GDP)``, pinyin and ``print("你好")`` stay; a bracketed list number before
Chinese text is converted too, as a line's label or inline (``(1)水压`` →
``（1）水压``, ``如式(2)所示``). A full stop before a closing quote is a sentence
end: ``"参数错误."`` → ``"参数错误。"``.

>>> fix_halfwidth_punctuation("今天,我們去北京!1,000元;網址 https://a.cn/?q=1 ,好").text
'今天，我們去北京！1,000元；網址 https://a.cn/?q=1 ，好'
>>> fix_halfwidth_punctuation("支付寶(阿里巴巴旗下)與(GDP)").text
'支付寶（阿里巴巴旗下）與(GDP)'
>>> fix_halfwidth_punctuation("(1)检查门窗;(二)查看水电").text
'（1）检查门窗；（二）查看水电'
>>> fix_halfwidth_punctuation("&nbsp;中文[指南](/zh/指南)用Yahoo!搜索;-)").text
'&nbsp;中文[指南](/zh/指南)用Yahoo!搜索;-)'
"""

from __future__ import annotations

import re

from toolkit.chardata import HAN, HAN_CLASS, PINYIN_LETTERS, is_cjk, is_han
from toolkit.datacache import cached_pattern, led_pattern
from toolkit.document import CN_DIGITS, label_spans
from toolkit.findings import Edit, Finding
from toolkit.markup import protected_mask
from toolkit.repairs import Repair, apply_findings

RULE = "ZH201"
FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", ".": "。", "(": "（", ")": "）"}

PROTECTED_SOURCE = (
    r"\d+(?:[.,:]\d+)+"  # 1,000  3.5  10:30  1.2.3
    r"|\.{2,}"  # ellipsis written with dots
    r"|[:;]-[()DPpO/\\|]"  # emoticons: ;-)  :-(  :-P
    r"|[:;][)DP](?![A-Za-z0-9])"  # ;)  :D
    r"|[:;]\((?![^()\n]*\))"  # :( that no bracket closes
    r"|(?<=[A-Za-z])[!?]"  # part of a Latin name: Yahoo!  Jeopardy!
    r"|[!?](?=[A-Za-z])"  # a keyword or query: !important  ?q=
)
_PROTECTED = led_pattern(r"[\d.:;!?]", PROTECTED_SOURCE)
_ASCII_STRING = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")
_CLOSING_QUOTES = frozenset("\"'”’」』)）")
_PAIR = re.compile(r"\(([^()\n]{1,80})\)")
# What a bracket pair must hold to be converted: a Han character or a list number's digit.
_PAIR_MAY_CONVERT = cached_pattern(rf"[\d{CN_DIGITS}]|{HAN_CLASS}")
_LIST_NUMBER = re.compile(rf"\([ \t]*(?:\d{{1,3}}|[{CN_DIGITS}]{{1,3}})[ \t]*\)")
# A `?` that starts a GBK straddle run: pinyin without its `(`, or shifted characters
# up to an ASCII letter that carries an annotation (the run ends at an ASCII byte).
_DAMAGE = cached_pattern(
    rf"\?[{PINYIN_LETTERS}]{{1,7}}\)|\?[^\x00-\x7f]{{1,8}}[A-Za-z]\([{PINYIN_LETTERS}]{{1,7}}\)"
)
_DAMAGE_NEIGHBOURS = frozenset("?\ufffd€")
_DAMAGE_SIGNS = cached_pattern("[\ufffd€\u3040-\u30ff\ue000-\uf8ff]")  # _looks_damaged without `?`
_MARKS = re.compile("[,;:?!.]")  # FULL_WIDTH without the brackets, which go in pairs


def _looks_damaged(ch: str) -> bool:
    """Characters that signal mojibake nearby: ``?``, U+FFFD, ``€``, kana, private use."""
    return ch in _DAMAGE_NEIGHBOURS or "\u3040" <= ch <= "\u30ff" or "\ue000" <= ch <= "\uf8ff"


def _protected_mask(text: str) -> bytearray:
    """Offsets no mark may be converted at: markup, numbers, emoticons, damage."""
    mask = protected_mask(text)
    for match in _PROTECTED.finditer(text):
        mask[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    for match in _DAMAGE.finditer(text):
        mask[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    for match in _DAMAGE_SIGNS.finditer(text):
        index = match.start()
        low, high = max(0, index - 2), min(len(text), index + 3)
        mask[low:high] = b"\x01" * (high - low)
    return mask


def _with_labels(text: str, mask: bytearray) -> bytearray:
    """``mask`` with every line's numbering label (``1.1``, ``一.``) protected as well."""
    mask = bytearray(mask)
    for start, end in label_spans(text):
        mask[start:end] = b"\x01" * (end - start)
    return mask


def _numbers_chinese_text(text: str, match: re.Match[str]) -> bool:
    """A bracketed list number (``(1)``, ``(二)``) at a line start or after Chinese, before Chinese."""
    if not _LIST_NUMBER.fullmatch(match.group()):
        return False
    before, after = _neighbour(text, match.start(), -1), _neighbour(text, match.end() - 1, 1)
    return (before == "\n" or is_cjk(before)) and is_han(after)


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest character before (step -1) or after (step 1), skipping spaces."""
    index += step
    while 0 <= index < len(text) and text[index] in " \t":
        index += step
    return text[index] if 0 <= index < len(text) else "\n"


def find_halfwidth_punctuation(text: str) -> list[Finding]:
    """Half-width marks in Chinese context, each with a fix to the full-width form.

    Marks are first tested on their neighbours; the masks of protected offsets (markup,
    numbers, labels, damage) are built only when some mark passes.
    """
    pairs: list[tuple[re.Match[str], bool]] = []
    for match in _PAIR.finditer(text):
        if not _PAIR_MAY_CONVERT.search(match.group(1)):
            continue  # neither Chinese text nor a list number inside: pinyin, (GDP), an account id
        if _numbers_chinese_text(text, match):
            pairs.append((match, True))
        elif HAN.search(_ASCII_STRING.sub("", match.group(1))):
            pairs.append((match, False))
    marks: list[int] = []
    for match in _MARKS.finditer(text):
        index, ch = match.start(), match.group()
        before, after = _neighbour(text, index, -1), _neighbour(text, index, 1)
        if _looks_damaged(before) or _looks_damaged(after):
            continue
        if ch == ".":
            if not (is_han(before) and (is_han(after) or after == "\n" or after in _CLOSING_QUOTES)):
                continue
        elif not (is_cjk(before) or is_han(after)):
            continue
        marks.append(index)
    if not pairs and not marks:
        return []
    unlabelled = _protected_mask(text)
    mask = _with_labels(text, unlabelled)
    findings: list[Finding] = []
    for match, numbering in pairs:
        open_at, close_at = match.start(), match.end() - 1
        protected = unlabelled if numbering else mask  # a list number's own label is what it converts
        if protected[open_at] or protected[close_at]:
            continue
        for at in (open_at, close_at):
            findings.append(_finding(text, at))
    findings.extend(_finding(text, index) for index in marks if not mask[index])
    findings.sort(key=lambda f: f.start)
    return findings


def _finding(text: str, index: int) -> Finding:
    ch = text[index]
    end = index + 1
    # Swallow spaces after the mark: full-width punctuation carries its own space.
    while end < len(text) and text[end] == " " and ch not in "(":
        end += 1
    return Finding(
        RULE, index, index + 1, f"half-width {ch!r} in Chinese text", Edit(index, end, FULL_WIDTH[ch])
    )


def fix_halfwidth_punctuation(text: str) -> Repair:
    """Convert every half-width mark in Chinese context."""
    return apply_findings(text, find_halfwidth_punctuation(text))
