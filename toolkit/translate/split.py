"""Split Chinese paragraphs into sentences without any model (Argos' splitters download theirs).

A sentence ends after ``。！？!?`` or an ellipsis (``……``/``…``), together with any closing quotes
or brackets that follow. Sentences longer than ``max_chars`` are split again after ``；;``.
Joining the pieces gives back the paragraph (whitespace between sentences is dropped).

>>> split_sentences("他說：“好。”我們走吧！真的？")
['他說：“好。”', '我們走吧！', '真的？']
>>> split_sentences("第一項；第二項。", max_chars=4)
['第一項；', '第二項。']
>>> split_sentences("")
[]
"""

from __future__ import annotations

import re

CLOSERS = "”’」』）)》〉】\"'"
_SENTENCE = re.compile(rf"[^。！？!?…]*(?:(?:[。！？!?]+|…+)[{re.escape(CLOSERS)}]*|$)")
_CLAUSE = re.compile(rf"[^；;]*(?:[；;][{re.escape(CLOSERS)}]*|$)")
MAX_SENTENCE_CHARS = 120


def _pieces(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0).strip() for m in pattern.finditer(text) if m.group(0).strip()]


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Sentences of ``text``; those over ``max_chars`` characters are cut after semicolons.

    >>> split_sentences("一。二")
    ['一。', '二']
    """
    sentences: list[str] = []
    for sentence in _pieces(_SENTENCE, text):
        if len(sentence) > max_chars:
            sentences.extend(_pieces(_CLAUSE, sentence))
        else:
            sentences.append(sentence)
    return sentences


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a Han character or a kana (CJK punctuation does not count).

    >>> has_cjk("Alipay 支付寶"), has_cjk("Alipay, 2024")
    (True, False)
    """
    return CJK.search(text) is not None


CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
