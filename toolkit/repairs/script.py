"""Simplified/traditional script: detect mixed documents, convert with OpenCC.

A character is *traditional-only* when OpenCC's t2s changes it and some
traditional standard (``s2t``, Taiwan ``s2tw``, Hong Kong ``s2hk``) keeps it;
it is *simplified-only* when every one of those conversions changes it and t2s
does not. Characters that some standard writes either way
(台, 群, 吃, 床, 裡, 温, 户) count for neither. A document that is clearly one
script (at least :data:`MIN_EVIDENCE` script-specific characters, the majority
at least :data:`MIN_MAJORITY_SHARE` of them) but contains characters only the
other script uses is mixed, typically the trace of a naive character-by-character
converter (``于`` left in ``關於``).

A minority character is reported only when every standard converts it in its
line (OpenCC's phrase rules see the context; a traditional line is first taken
back to simplified, so that the rules match): ``皇后`` stays while ``以后``
becomes ``以後``, ``干擾`` keeps its ``干`` and ``之子于歸`` its classical ``于``. Japanese lines (with
kana), markup and URLs (:func:`toolkit.markup.protected_spans`) are skipped. In a
simplified text, traditional-looking characters are usually names (乾隆, 毕昇), so
they are reported only when at least two different ones are left outside
dictionary words as written. The fix converts the one character with the
standard that agrees best with the rest of the document.

>>> [(f.start, f.message) for f in find_mixed_script("關於這個問題，我們成立于2004年。")]
[(11, 'simplified-only character 于 in a traditional text (traditional: 於)')]
>>> [f.fix.replacement for f in find_mixed_script("這是皇后居住的宮殿，以后我們再來參觀。")]
['後']
>>> find_mixed_script("臺灣的夜市裡擠滿人群，邊走邊吃。")
[]
>>> convert_script("後來的發展", "t2s").text
'后来的发展'
"""

from __future__ import annotations

import bisect
import json
import os
import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from toolkit.chardata import HAN, count_han
from toolkit.findings import AppliedEdit, Edit, Finding
from toolkit.lexicon import get_lexicon
from toolkit.markup import protected_mask
from toolkit.repairs import Repair

RULE = "ZH401"
CONVERSIONS = ("s2t", "t2s", "s2tw", "s2twp", "tw2s", "s2hk", "hk2s", "t2tw", "t2hk")
TRADITIONAL_STANDARDS = ("s2t", "s2tw", "s2hk")
MIN_EVIDENCE = 4  # script-specific characters needed to call a text's script
MIN_MAJORITY_SHARE = 0.75
MIN_DISTINCT_TRADITIONAL = 2  # different traditional characters needed in a simplified text
MIN_KANA, MIN_KANA_SHARE = 2, 0.15  # a line with this much kana is Japanese
_KANA = re.compile(r"[\u3040-\u30fa\u30fc-\u30ff]")  # kana, not the middle dot ・


# OpenCC's s2tw and s2hk are its s2t followed by the regional variants; the variant step alone
# (t2tw, t2hk) builds in a fraction of the time of a second phrase converter, and the chain gives
# the same text (tests/test_text_rules.py compares them).
_CHAINS = {"s2tw": ("s2t", "t2tw"), "s2hk": ("s2t", "t2hk")}


def convert_with(text: str, name: str) -> str:
    """``text`` through the OpenCC conversion ``name``, building as few converters as it can.

    >>> convert_with("台湾的软件", "s2tw")
    '臺灣的軟件'
    """
    for step in _CHAINS.get(name, (name,)):
        text = (_s2t_converter(text) if step == "s2t" else _converter(step)).convert(text)
    return text


@cache
def _converter(name: str):
    import opencc

    if name not in CONVERSIONS:
        raise ValueError(f"unknown conversion {name!r}; use one of {', '.join(CONVERSIONS)}")
    return opencc.OpenCC(f"{name}.json" if not name.endswith(".json") else name)


# Building OpenCC's full s2t converter (its 49,000 STPhrases) costs ~55 ms, a fifth of a fresh
# `toolkit lint`. OpenCC converts by maximum forward matching, so a phrase that occurs nowhere
# in the text cannot change its conversion: a converter whose phrase dictionary holds only the
# phrases found in the text gives the same output and builds in a few milliseconds. A process
# builds such converters for its first few short texts only; from then on (or for a long text)
# it builds the full converter once and keeps it, so a long run pays the full build once. A subset
# for 3,000 characters costs ~8 ms, for 5,000 ~14 ms (the phrase search grows with the text), so
# the subsets a process may build cost at most about one full build.
SUBSET_MAX_TEXTS = 4  # subset converters a process builds before it builds the full one
SUBSET_MAX_CHARS = 5_000  # longer texts go to the full converter
_PHRASES_FILE = "STPhrases.ocd2"


class _S2TState:
    """How many subset s2t converters a process built, and the last one with its text (one
    tuple, read at once, so that threads never pair a text with another text's converter)."""

    def __init__(self) -> None:
        self.builds = 0
        self.last: tuple[str, object] | None = None


_S2T = _S2TState()


def _s2t_converter(text: str):
    """An OpenCC s2t converter that converts ``text`` exactly as the full one does.

    >>> _s2t_converter("以后的头发").convert("以后的头发")
    '以後的頭髮'
    """
    last = _S2T.last
    if last is not None and text in last[0]:
        return last[1]  # a part of the last text holds only phrases that text holds
    if _S2T.builds < SUBSET_MAX_TEXTS and len(text) <= SUBSET_MAX_CHARS:
        converter = _subset_s2t(text)
        if converter is not None:
            _S2T.builds += 1
            _S2T.last = (text, converter)
            return converter
    _S2T.builds, _S2T.last = SUBSET_MAX_TEXTS, None
    return _converter("s2t")


def _subset_s2t(text: str):
    """OpenCC's s2t with only the STPhrases entries that occur in ``text``, or ``None`` when the
    phrase table is not available (another OpenCC layout, a cache that cannot be written) or
    ``text`` holds a compatibility ideograph (OpenCC normalizes those before matching)."""
    table = _phrase_table()
    if table is None:
        return None
    config, compatibility, blocks = table
    if not set(text).isdisjoint(compatibility):
        return None
    lines = _phrases_in(text, blocks)
    import opencc

    try:
        with tempfile.TemporaryDirectory(prefix="toolkit-s2t-") as folder:
            phrases = os.path.join(folder, "phrases.txt")
            with open(phrases, "w", encoding="utf-8") as handle:
                handle.write("".join(f"{line}\n" for line in lines))
            path = os.path.join(folder, "s2t.json")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(config.replace('"@PHRASES@"', json.dumps(phrases)))
            return opencc.OpenCC(path)  # dictionaries are read here: the folder can go
    except (OSError, RuntimeError, ValueError):
        return None


def _phrases_in(text: str, blocks: dict[str, str]) -> list[str]:
    """The ``key<TAB>values`` lines of ``blocks`` whose key occurs in ``text``.

    ``blocks`` maps a first character to its phrases' lines, sorted, each after a newline.

    >>> _phrases_in("头发和以后", {"头": "\\n头发\\t頭髮\\n头发廊\\t頭髮廊\\n", "后": "\\n后来\\t後來\\n"})
    ['头发\\t頭髮']
    """
    found = []
    for bigram in {text[index : index + 2] for index in range(len(text) - 1)}:
        block = blocks.get(bigram[0])
        at = block.find("\n" + bigram) if block is not None else -1
        while at >= 0:
            end = block.index("\n", at + 1)
            line = block[at + 1 : end]
            key = line[: line.index("\t")]
            if len(key) == 2 or key in text:
                found.append(line)
            at = end if block.startswith(bigram, end + 1) else -1
    return sorted(found)


@cache
def _phrase_table() -> tuple[str, str, dict[str, str]] | None:
    """From the data cache: the s2t configuration (absolute paths, ``"@PHRASES@"`` for the
    phrase file), the compatibility ideographs, and the phrases by first character.

    ``None`` when the cache cannot hold it: building it every run would cost more than
    the full converter.
    """
    from toolkit.datacache import cache_file, cached_table

    share = _opencc_share()
    if share is None:
        return None
    sources = [
        share / "s2t.json",
        share / _PHRASES_FILE,
        share / "CJK_Compatibility_Ideographs.ocd2",
        _dict_tool(share),
    ]
    if not all(source.is_file() for source in sources):
        return None
    path = cache_file("s2t-phrases", 1, sources)
    if not path.is_file() and not _writable(path.parent):
        return None  # it could not be cached: the dump would run again in every process
    table = cached_table("s2t-phrases", 1, sources, lambda: _build_phrase_table(share))
    return tuple(table) if table is not None else None


def _writable(folder: Path) -> bool:
    """Whether files can be written in ``folder`` (created if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _opencc_share() -> Path | None:
    """The folder of the installed OpenCC wheel's configurations and dictionaries."""
    import importlib.util

    spec = importlib.util.find_spec("opencc")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).parent / "clib" / "share" / "opencc"


def _dict_tool(share: Path) -> Path:
    """The wheel's ``opencc_dict`` tool, which converts its dictionaries between formats."""
    return share.parent.parent / "bin" / "opencc_dict"


def _build_phrase_table(share: Path) -> tuple[str, str, dict[str, str]] | None:
    """Dump the wheel's dictionaries with its ``opencc_dict`` tool into the phrase table."""
    config = json.loads((share / "s2t.json").read_text(encoding="utf-8"))
    replaced = []

    def place(node: dict) -> None:
        if node.get("type") == "group":
            for child in node["dicts"]:
                place(child)
        elif node.get("file") == _PHRASES_FILE:
            node["type"], node["file"] = "text", "@PHRASES@"
            replaced.append(node)
        else:
            node["file"] = str(share / node["file"])

    for step in (*config.get("normalization", ()), *config["conversion_chain"]):
        place(step["dict"])
    if "segmentation" in config:
        place(config["segmentation"]["dict"])
    if len(replaced) != 1:
        return None
    dumps = {}
    with tempfile.TemporaryDirectory(prefix="toolkit-s2t-") as folder:
        for name in (_PHRASES_FILE, "CJK_Compatibility_Ideographs.ocd2"):
            output = os.path.join(folder, f"{name}.txt")
            command = [
                str(_dict_tool(share)),
                "-i",
                str(share / name),
                "-o",
                output,
                "-f",
                "ocd2",
                "-t",
                "text",
            ]
            if subprocess.run(command, capture_output=True, check=False).returncode != 0:
                return None
            with open(output, encoding="utf-8") as handle:
                dumps[name] = [line.rstrip("\n") for line in handle if "\t" in line]
    by_first: dict[str, list[str]] = {}
    for line in sorted(dumps[_PHRASES_FILE]):
        if line.index("\t") < 2:
            return None  # a one-character phrase: the bigram search would miss it
        by_first.setdefault(line[0], []).append(line)
    compatibility = "".join(line[: line.index("\t")] for line in dumps["CJK_Compatibility_Ideographs.ocd2"])
    blocks = {first: "\n" + "\n".join(lines) + "\n" for first, lines in by_first.items()}
    return json.dumps(config, ensure_ascii=False), compatibility, blocks


def _convert_chars(chars: list[str], name: str) -> dict[str, str]:
    """Convert characters one by one (newline-separated so no phrase rule applies).

    >>> _convert_chars([], "t2s")
    {}
    """
    if not chars:
        return {}
    converted = _converter(name).convert("\n".join(chars)).split("\n")
    return dict(zip(chars, converted, strict=True))


def classify_chars(text: str) -> dict[str, str]:
    """Map each Han character of ``text`` to ``traditional``, ``simplified`` or ``shared``.

    >>> sorted(classify_chars("后後群").items())
    [('后', 'simplified'), ('後', 'traditional'), ('群', 'shared')]
    """
    scripts = _script_table()
    distinct = "".join(set(text))  # each character once: most of a page's characters repeat
    return {ch: scripts.get(ch, "shared") for ch in HAN.findall(distinct)}


@cache
def _script_table() -> dict[str, str]:
    """Every Han character that only one script uses, and which (from the data cache)."""
    import importlib.util

    from toolkit.datacache import cached_table

    opencc = importlib.util.find_spec("opencc")
    sources = [Path(opencc.origin)] if opencc is not None and opencc.origin else []
    return cached_table("scripts", 2, sources, _build_script_table)


def _build_script_table() -> dict[str, str]:
    """A character is traditional-only when t2s changes it and some traditional standard keeps
    it; simplified-only when every standard (s2t, s2tw, s2hk) changes it."""
    chars = [chr(code) for code in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000), *range(0xF900, 0xFB00))]
    to_simplified = _convert_chars(chars, "t2s")
    to_traditional = [_convert_chars(chars, name) for name in TRADITIONAL_STANDARDS]
    scripts = {}
    for ch in chars:
        changed = [table[ch] != ch for table in to_traditional]
        if to_simplified[ch] != ch and not all(changed):
            scripts[ch] = "traditional"
        elif to_simplified[ch] == ch and all(changed):
            scripts[ch] = "simplified"
    return scripts


def _japanese(line: str) -> bool:
    """A Japanese line: kana make up a good share of its letters (a stray kana is mojibake).

    >>> _japanese("東京の桜は今が見頃です"), _japanese("金融的未來ヂ依賴於平臺")
    (True, False)
    """
    kana = len(_KANA.findall(line))
    han = count_han(line)
    return kana >= MIN_KANA and kana >= MIN_KANA_SHARE * (kana + han)


def _candidates(text: str) -> list[int]:
    """Offsets of the Han characters that count: outside markup, URLs and Japanese lines."""
    mask = protected_mask(text)
    offsets = []
    start = 0
    for line in text.split("\n"):
        if not _japanese(line):
            offsets.extend(
                start + match.start() for match in HAN.finditer(line) if not mask[start + match.start()]
            )
        start += len(line) + 1
    return offsets


def find_mixed_script(text: str, min_share: float = 0.0) -> list[Finding]:
    """Characters of the minority script, one finding each.

    ``min_share`` ignores documents where the minority script is at most that
    share of the script-specific characters (0 reports any mixture).
    """
    kinds = classify_chars(text)
    present = set(kinds.values())
    if "traditional" not in present or "simplified" not in present:
        return []  # one script only (or neither): nothing is mixed
    offsets = _candidates(text)
    counts = {"traditional": 0, "simplified": 0}
    for index in offsets:
        kind = kinds[text[index]]
        if kind in counts:
            counts[kind] += 1
    if not counts["traditional"] or not counts["simplified"]:
        return []
    majority = max(counts, key=counts.get)
    minority = "simplified" if majority == "traditional" else "traditional"
    evidence = counts["traditional"] + counts["simplified"]
    if evidence < MIN_EVIDENCE or counts[majority] < MIN_MAJORITY_SHARE * evidence:
        return []
    if counts[minority] / evidence <= min_share:
        return []
    suspects = [index for index in offsets if kinds[text[index]] == minority]
    if minority == "traditional":
        suspects = [index for index in suspects if not _in_written_word(text, index)]
        if len({text[index] for index in suspects}) < MIN_DISTINCT_TRADITIONAL:
            return []
        conversions: tuple[str, ...] = ("t2s",)
    else:
        conversions = TRADITIONAL_STANDARDS
    if not suspects:
        return []  # nothing to convert: no OpenCC converter is built
    in_context = _LineConversions(text, conversions)
    fix_with = in_context.closest_standard()
    findings = []
    for index in suspects:
        ch = text[index]
        converted = {name: in_context.char(index, name) for name in conversions}
        if any(counterpart == ch for counterpart in converted.values()):
            continue
        counterpart = converted[fix_with]
        findings.append(
            Finding(
                RULE,
                index,
                index + 1,
                f"{minority}-only character {ch} in a {majority} text ({majority}: {counterpart})",
                Edit(index, index + 1, counterpart),
            )
        )
    return findings


def _in_written_word(text: str, index: int) -> bool:
    """True when a dictionary word of two to four characters, as written, covers ``text[index]``.

    jieba's words are simplified, so a traditional-looking character inside one is part
    of a name or term that simplified text keeps (乾隆, 乾坤).

    >>> _in_written_word("乾隆年间", 0), _in_written_word("乾淨的", 0)
    (True, False)
    """
    lexicon = get_lexicon()
    for length in range(2, 5):
        for start in range(max(0, index - length + 1), index + 1):
            if start + length <= len(text) and text[start : start + length] in lexicon:
                return True
    return False


class _LineConversions:
    """OpenCC conversions of ``text``, line by line, for reading single characters in context.

    Conversions to a traditional standard start from the t2s form of the text, so that
    OpenCC's phrase rules (written for simplified input) see the words.
    """

    def __init__(self, text: str, conversions: tuple[str, ...]) -> None:
        self.text = text
        source = text if conversions == ("t2s",) else convert_with(text, "t2s")
        self.source = source if len(source) == len(text) else text
        self.lines = {name: convert_with(source, name).split("\n") for name in conversions}
        self.starts = [0]
        for line in text.split("\n"):
            self.starts.append(self.starts[-1] + len(line) + 1)

    def closest_standard(self) -> str:
        """The conversion that changes the fewest characters of the text: the text's own standard."""
        original = self.text.split("\n")

        def changes(name: str) -> int:
            return sum(
                sum(a != b for a, b in zip(before, after, strict=False)) + abs(len(before) - len(after))
                for before, after in zip(original, self.lines[name], strict=False)
            )

        return min(self.lines, key=changes)

    def char(self, index: int, name: str) -> str:
        """The conversion of ``text[index]`` by ``name`` in its line (by its neighbours if the
        line changed length)."""
        number = bisect.bisect_right(self.starts, index) - 1
        line = self.lines[name][number] if number < len(self.lines[name]) else ""
        column = index - self.starts[number]
        if len(line) == self.starts[number + 1] - 1 - self.starts[number]:
            return line[column]
        return _convert_in_context(self.source, index, name)


def _convert_in_context(text: str, index: int, conversion: str, window: int = 3) -> str:
    """The conversion of ``text[index]`` by OpenCC's phrase rules, looking at its neighbours.

    ``皇后`` stays ``皇后`` in s2t while ``以后`` becomes ``以後``.
    """
    low, high = max(0, index - window), min(len(text), index + window + 1)
    converted = convert_with(text[low:high], conversion)
    if len(converted) != high - low:
        return _convert_chars([text[index]], conversion)[text[index]]
    return converted[index - low]


def convert_script(text: str, conversion: str) -> Repair:
    """Convert the whole text with an OpenCC configuration (``t2s``, ``s2t``, ``s2twp``…).

    The edit list holds one entry per changed line.
    """
    converted = _converter(conversion).convert(text)
    edits = []
    offset = 0
    for before, after in zip(text.split("\n"), converted.split("\n"), strict=False):
        if before != after:
            edits.append(
                AppliedEdit("convert", offset, offset + len(before), before, after, f"OpenCC {conversion}")
            )
        offset += len(before) + 1
    return Repair(converted, edits)
