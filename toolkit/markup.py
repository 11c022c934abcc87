"""Spans of markup and machine text that prose rules must leave alone.

Scraped pages carry HTML entities and tags; articles are often Markdown with code, links
and front matter. :func:`protected_spans` returns the character spans of

- YAML/TOML front matter at the top of the text (``---`` … ``---``);
- fenced code blocks (`````` ``` `````` or ``~~~``) and inline code (`` `x` ``);
- HTML and one-line ``/* */`` comments, tags (``<a href="…">``, ``<https://…>``) and
  entities (``&nbsp;``, ``&#12290;``);
- the target of Markdown links and images (``](/zh/指南)``), reference definitions
  (``[id]: https://…``), footnote markers (``[^1]:``) and the ``!`` that starts an image;
- ``:::`` directive fence lines and the ``:`` that starts a definition-list item;
- reference-list entries in the GB/T 7714 style, which writes ``. : ,`` half width
  (``王五. 书名[M]. 北京: 出版社, 2019.``);
- emoji shortcodes (``:smile:``), URLs and e-mail addresses;
- lines of source code pasted without a fence: mostly ASCII and holding a code token
  (``print(``, ``= "``, ``{``, ``;`` at the end, ``SELECT``, ``&&`` …).

>>> text = "见[指南](/zh/指南?v=2)和&nbsp;`f(x)`"
>>> [text[a:b] for a, b in protected_spans(text)]
['](/zh/指南?v=2)', '&nbsp;', '`f(x)`']
"""

from __future__ import annotations

import re
from functools import lru_cache

from toolkit.datacache import cached_pattern, led_pattern

_FRONT_MATTER = re.compile(r"\A(?:---\n.*?\n(?:---|\.\.\.)|\+\+\+\n.*?\n\+\+\+)[ \t]*(?:\n|\Z)", re.S)
_FENCE_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$", re.M)
_SPANS_SOURCE = (
    r"<!--.*?-->"  # HTML comments, including suppression comments
    r"|(`+)(?!`)[^\n]*?(?<!`)\1(?!`)"  # inline code, any number of backticks
    r"|</?[A-Za-z][\w:-]*(?:\s[^<>\n]*)?/?>"  # HTML tags
    r"|<(?:https?|ftp|mailto):[^<>\s]+>"  # autolinks
    r"|&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"  # entities
    r"|!(?=\[[^\]\n]*\]\()"  # the `!` of an image
    r"|\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"\n]*\")?\)"  # link and image targets
    r"|^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]+\S+"  # reference definitions
    r"|^[ \t]{0,3}\[\^[^\]\n]+\]:"  # footnote definition markers
    r"|/\*[^\n]*?\*/"  # one-line C-style comments
    r"|^[ \t]*:{3,}[^\n]*$"  # ::: directive fences
    r"|^[ \t]*(?:[-*+][ \t]+)?:(?=[ \t])"  # definition-list markers
    r"|^[^\n]*\[(?:M|J|C|D|R|S|P|N|G|Z|A|EB/OL|DB/OL|J/OL|M/OL|CP/DK)\][^\n]*$"  # GB/T 7714 references
    r"|:[a-z0-9_+-]{2,}:"  # emoji shortcodes: :smile:  :+1:
    r"|(?:https?|ftp)://[^\s<>\"，。；！？）」』】]+"  # URLs
    r"|www\.[^\s<>\"，。；！？）」』】]+"
)
_EMAIL_SOURCE = r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
_SPANS = cached_pattern(_SPANS_SOURCE + _EMAIL_SOURCE, re.S | re.M)
# The same without e-mail addresses, for a text without ``@``: the address pattern would try every run
# of word characters (all of a Chinese sentence) at each of its characters. Without it every match
# starts at a line or with one of a few characters.
_SPANS_WITHOUT_EMAIL = led_pattern(r"[<`&!\]/:hfw]|^", _SPANS_SOURCE, re.S | re.M)

_CODE_TOKEN_SOURCE = (
    r"(?<![\u3400-\u9fff])[A-Za-z_][A-Za-z0-9_.]*\((?![^()\n]*[\u00e0-\u01dc])"  # a call: print(  not 長(zhǎng)
    r"|[{}]|;\s*$|\s[=!<>+-]=\s|\s=>?\s|&&|\|\||\$[({]|->"
    r"|^\s*(?:def|class|import|from|return|if|elif|for|while|const|let|var|function|#include|#!"
    r"|SELECT|FROM|WHERE|GROUP BY|ORDER BY|INSERT|UPDATE)\b"
)
_CODE_TOKEN = cached_pattern(_CODE_TOKEN_SOURCE)  # searched in one line
# The same over a whole text, line by line: it matches wherever a line does (and a little more).
_CODE_TOKEN_ANYWHERE = led_pattern(r"[A-Za-z_{};\s&|$\-#]", _CODE_TOKEN_SOURCE, re.M)
MIN_CODE_ASCII_SHARE = 0.5
MAX_CODE_HAN_SHARE = 0.35


def _code_lines(text: str) -> list[tuple[int, int]]:
    """Spans of lines that read as source code: at least half ASCII and at most a
    third Han (spaces aside), with a code token.

    >>> text = 'print("你好, 世界!")\\n今天,我们'
    >>> [text[a:b] for a, b in _code_lines(text)]
    ['print("你好, 世界!")']
    """
    spans: list[tuple[int, int]] = []
    if not _CODE_TOKEN_ANYWHERE.search(text):
        return spans  # no line holds a code token
    start = 0
    for line in text.split("\n"):
        visible = [ch for ch in line if not ch.isspace()] if _CODE_TOKEN.search(line) else None
        if visible:
            ascii_share = sum(1 for ch in visible if ch.isascii()) / len(visible)
            han_share = sum(1 for ch in visible if "\u3400" <= ch <= "\u9fff") / len(visible)
            if ascii_share >= MIN_CODE_ASCII_SHARE and han_share <= MAX_CODE_HAN_SHARE:
                spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _fenced_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks; an unclosed fence runs to the end of the text."""
    spans = []
    position = 0
    while match := _FENCE_OPEN.search(text, position):
        fence = match.group(1)
        closing = re.compile(rf"^[ \t]{{0,3}}{fence[0]}{{{len(fence)},}}[ \t]*$", re.M)
        end_match = closing.search(text, match.end())
        end = end_match.end() if end_match else len(text)
        spans.append((match.start(), end))
        position = end
    return spans


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every character inside one of ``spans`` (which may overlap) made a space.

    >>> _blanked("ab<i>cd&lt;", [(2, 5), (7, 11), (3, 4)])
    'ab   cd    '
    """
    pieces, position = [], 0
    for start, end in sorted(spans):
        if end <= position:
            continue
        start = max(start, position)
        pieces += (text[position:start], " " * (end - start))
        position = end
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``(start, end)`` spans of markup in ``text`` (see the module).

    Several rules ask for the same text: the spans are found once.
    """
    return list(_protected_spans(text))


@lru_cache(maxsize=16)
def _protected_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    front = _FRONT_MATTER.match(text)
    if front:
        spans.append(front.span())
    blocks = _fenced_blocks(text)
    spans.extend(blocks)
    for match in (_SPANS if "@" in text else _SPANS_WITHOUT_EMAIL).finditer(text):
        start, end = match.span()
        if not any(a <= start < b for a, b in blocks):
            spans.append((start, end))
    spans.extend(_code_lines(_blanked(text, spans)))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def protected_mask(text: str) -> bytearray:
    """One byte per character of ``text``: 1 inside a :func:`protected_spans` span.

    >>> list(protected_mask("a&lt;b"))
    [0, 1, 1, 1, 1, 0]
    """
    mask = bytearray(len(text))
    for start, end in _protected_spans(text):
        mask[start:end] = b"\x01" * (end - start)
    return mask
