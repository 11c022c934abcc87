"""Rules that wrap the text repairs: pinyin annotations and half-width punctuation."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.findings import Finding
from toolkit.repairs import pinyin, punctuation
from toolkit.rules.registry import CheckContext, register


@register(pinyin.RULE, "pinyin-annotation", severity="error", fix="safe")
def check_pinyin(context: CheckContext) -> Iterable[Finding]:
    """Flattened pinyin annotation after a character.

    Scraped pages often carry ruby annotations flattened into the text as ASCII brackets. They are
    removed only when the pinyin is a real reading of the character before it (every reading in
    pypinyin's table counts), so genuine brackets such as (GDP), (2021) or an account id stay.

    Example: 導(dǎo)語(yǔ) → 導語; 小羽毛(ngbjxym) is kept
    """
    return pinyin.find_pinyin_annotations(context.text)


@register(punctuation.RULE, "halfwidth-punctuation", severity="warning", fix="safe")
def check_punctuation(context: CheckContext) -> Iterable[Finding]:
    """Half-width punctuation in Chinese text.

    Chinese text uses full-width ，；：？！（） and 。. NFKC normalisation and converters flatten them to
    ASCII. The fix converts a mark only next to Chinese characters and never inside numbers (1,000,
    3.5, 10:30), heading or list numbers (1.1, 一.), markup (HTML entities and tags, Markdown links,
    images, inline and fenced code, front matter, ::: fences, definition lists), pasted code lines,
    URLs, e-mail addresses, emoticons (;-)) or Latin names and keywords (Yahoo!, !important);
    brackets only as a pair around Chinese outside string quotes. A full stop before a closing quote
    is converted.

    Example: 今天,我們 → 今天，我們; "參數錯誤." → "參數錯誤。"; &nbsp;中文, [指南](/zh/指南) are kept
    """
    return punctuation.find_halfwidth_punctuation(context.text)
