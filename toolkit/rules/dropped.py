"""Dropped characters and words (ZH301): ``逾期問也`` → ``逾期問題也``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from toolkit.findings import Edit, Finding
from toolkit.paths import data_file
from toolkit.repairs import dropped
from toolkit.rules.registry import CheckContext, register


@register(
    "ZH301",
    "dropped-character",
    severity="warning",
    fix="unsafe",
    options={"words": "dropped_words.tsv", "min_gain": dropped.MIN_GAIN, "statistical": True},
)
def check_dropped(context: CheckContext) -> Iterable[Finding]:
    """A character or word was dropped (`問題` → `問`, `的同時，忽視` → `的忽視`)

    Page generators delete words (問題 loses 題, 同時 disappears, 措施 becomes 措, 很多 becomes 多, 電話 leaves a
    blank). No spelling checker finds a missing character, because they keep the text's length. This
    rule matches a user-extensible list (config/dropped_words.tsv) in every position the generator
    leaves (the blank of 電話 or none, 同時 with or without its comma, at a sentence start before
    還要/也要), checks with word frequencies that the short form is not itself a word there (多數人, 多家電商,
    手機 stay) and with grammatical classes from jieba's tags that it stands where the word must (違規手
    after a modifier, 很多 before a noun it counts, not the adverb of 多問一句), leaves spans next to
    mojibake to the GBK repairs, and flags a character that is almost always half of a common word
    but stands alone. The fix is a guess: it is applied only with --unsafe.

    Example: 逾期問也逐漸顯現 → 逾期問題也逐漸顯現
    """
    text = context.text
    if text.isascii():
        return []
    words = str(context.options.get("words", "dropped_words.tsv"))
    path = Path(words) if Path(words).is_absolute() else data_file(words)
    guesses = dropped.find_dropped(
        text,
        dropped.load_patterns(path),
        float(context.options.get("min_gain", dropped.MIN_GAIN)),
        bool(context.options.get("statistical", True)),
    )
    return [
        Finding(
            "ZH301",
            g.start,
            g.end,
            f"dropped character(s): `{text[g.start : g.end]}` probably was `{g.replacement}` ({g.reason})",
            Edit(g.start, g.end, g.replacement),
            g.suggestions,
        )
        for g in guesses
    ]
