"""Content rules: malformed years and mixed scripts."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.findings import Finding
from toolkit.paths import data_file
from toolkit.repairs import script, years
from toolkit.rules.registry import CheckContext, register


@register(
    years.RULE,
    "malformed-year",
    severity="warning",
    fix="unsafe",
    options={"facts": "facts.tsv", "year_min": 1000, "year_max": 0},
)
def check_years(context: CheckContext) -> Iterable[Finding]:
    """Truncated or impossible year.

    Generated pages drop digits of years: the zeros (成立于24年 for 2004, 221年 for 2021) or the middle
    digits (20年 for 2010). A 1–3 digit year in a date context (after 于/於/到/截至, before 年底/年3月,
    opening a clause before its subject, three digits without a zero), or a four-digit year outside
    year_min..year_max, is reported with every restoration as a suggestion; durations (20年前, 近20年,
    诞生12年) are not. The fix needs evidence: the fact table (organisation → founding year, option
    `facts`), a matching year elsewhere in the text, or the page's way of truncating years with the
    years around it. It is applied only with --unsafe.

    Example: 支付寶成立于24年 → 支付寶成立于2004年 (from config/facts.tsv)
    """
    facts_path = str(data_file(context.options["facts"]))
    return years.find_malformed_years(
        context.text,
        years.load_facts(facts_path),
        year_min=int(context.options["year_min"]),
        year_max=int(context.options["year_max"]) or None,
    )


@register(script.RULE, "mixed-script", severity="info", fix="unsafe", options={"min_share": 0.0})
def check_mixed_script(context: CheckContext) -> Iterable[Finding]:
    """Simplified and traditional characters mixed.

    A naive character-by-character converter leaves characters of the other script (关于 → 關于). Once
    the text is clearly one script (at least 4 script-specific characters, 3 to 1), each character
    that only the other script uses is reported when OpenCC, reading its line, converts it for every
    standard: the Taiwan and Hong Kong forms (台, 群, 裡, 温, 户), classical 于 (之子于歸), Japanese lines,
    markup and URLs are accepted; in simplified text traditional-looking names (乾隆, 毕昇) are kept
    unless two different such characters are left. The unsafe fix converts that character alone;
    `toolkit clean --convert s2t` (or t2s) converts the whole text.

    Example: 關于 (traditional text with simplified 于) → 關於
    """
    return script.find_mixed_script(context.text, float(context.options["min_share"]))
