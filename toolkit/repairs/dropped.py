"""Dropped characters and words: ``逾期問也`` → ``逾期問題也``.

Two detectors, both ranked by how much better the restored text reads
(:meth:`~toolkit.lexicon.Lexicon.score` gain over a window):

1. a user-extensible list (``config/dropped_words.tsv``) of truncated forms in
   context and their restored forms;
2. a statistical detector: a character that is almost never a word on its own
   but nearly always the first (or last) half of a common word, standing alone
   in the best segmentation because its neighbour cannot continue it.

>>> [(g.start, g.end, g.replacement) for g in find_dropped("逾期問也逐漸顯現", load_patterns())]
[(2, 3, '問題')]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from pathlib import Path

from toolkit.chardata import CLAUSE_MARKS, HAN_CLASS, PINYIN_LETTERS, count_han, is_han, reads_as
from toolkit.datacache import (
    cached_pattern,
    cached_table,
    char_positions,
    finditer_needing,
    match_reach,
    required_chars,
)
from toolkit.document import CN_DIGITS
from toolkit.errors import ConfigError
from toolkit.lexicon import MAX_WORD, MIN_FREQUENCY, Lexicon, get_lexicon, jieba_dictionary
from toolkit.paths import data_file

HALF_RATIO = 0.05  # standalone frequency / frequency as a word half
MIN_MASS = 2000  # frequency as a word half
MIN_GAIN = 3.0  # nats the restored window must gain over the damaged one
WINDOW = 4
FUNCTION_WORD_LOGP = -8.0  # single characters at least this frequent (的, 了, 在) end a word on their own
SUGGESTIONS = 3
# Characters a measure word follows: numerals and quantifiers.
MEASURED = set(CN_DIGITS + "0123456789０１２３４５６７８９兩千万萬几幾每各某这這那哪")
MODES = ("alone", "always", "fits", "modified", "counts", "unspaced", "action")
LONE_NOUNS = set("人")  # the one-character noun a quantity (很多人) takes without a longer word
# Adverbs that open a relative clause after a quantity (很多刚走出校园的年轻人): never after the adverb 多.
CLAUSE_ADVERBS = ("刚", "已经", "正在")
# jieba's part-of-speech tags of words that modify a noun: adjectives, distinguishing words, verbal nouns.
MODIFIER_TAGS = ("a", "ad", "an", "b", "vn")
CLASSIFIER_ENDS = set("种種类類些等")  # 各种, 这类, 一些, 等: a kind of … needs a noun after it
FIT_MARGIN = 0.5  # nats a ``fits`` restoration may fall short of an exact word-for-word swap
NAME_DOTS = set("·・•‧")  # the middle dot between the parts of a transliterated foreign name
COMMON_MASS = 10**9  # the mass _mass gives a mark or a digit, which the dictionary's words do not hold
RECURRING = 3  # a lone character seen this often with the same neighbour is a term, not a drop

_ANNOTATION = cached_pattern(rf"(.)\(([{PINYIN_LETTERS}]{{1,7}})\)")
_ANNOTATED_BEFORE = re.compile(
    rf"(.)\([{PINYIN_LETTERS}]{{1,7}}\)$"
)  # an annotation ending where it is searched
# ``?shù)``: a byte lost in a straddle; a run that holds one on each side is mojibake, left to the GBK repairs
_STRADDLE = re.compile(rf"\?[{PINYIN_LETTERS}]{{1,7}}\)")
# ``?k``, ``?4``, ``?Ｏ``: a lost byte before a Latin letter or digit, half- or full-width, which a question
# mark in Chinese prose does not have (a URL's ``?q=`` aside, where no dropped half of a word is guessed either)
_LOST_BYTE = re.compile(rf"\?[0-9A-Za-z０-９Ａ-Ｚａ-ｚ{PINYIN_LETTERS}]")


@dataclass(frozen=True)
class DroppedPattern:
    """One line of ``dropped_words.tsv``: a regex, its replacement and its mode.

    ``alone``: the match must be a word of its own in the best segmentation; ``always``: the
    regex decides; ``fits``: the restored text must read as well as an exact word swap would
    (``多`` → ``很多`` in ``給多家庭``, not in ``多數人`` or ``多家電商``, where ``多`` starts a word);
    ``modified``: the match stands alone right after a word that modifies a noun (an adjective, a
    distinguishing word or a verbal noun in jieba's tags, or a kind word such as 各種, 這類),
    so it must be a noun there (``違規手`` → ``違規手段``, not ``他的手``, ``舉起手``);
    ``counts``: as ``fits``, and what follows must read as a noun it counts, a word of two or more
    characters or 人 (``受到多上班族`` → ``很多上班族``, not the adverb of ``多問一句``, ``多看、多問``);
    ``unspaced``: the regex matches a blank, and the page puts no blank between Han characters and
    digits elsewhere (at most one Han–digit boundary in five is spaced), so the blank is no spacing
    style but a lost word (``撥打客服 12306``);
    ``action``: the first word of the group named ``action`` is a verb in jieba's tags, so the
    phrase it opens is an action, not a place or a thing (``在推廣理念的專家認為`` lost 同時, ``在北京的人`` did not).
    A group named ``at`` narrows the reported span (and the replaced text) to that group; the
    replacement is written for the whole match and must give back the text around the group.
    """

    pattern: re.Pattern[str]
    replacement: str
    mode: str
    needs: tuple[frozenset[str], ...] = ()  # a match holds a character of each (required_chars), rarest first
    reach: int | None = None  # how far from its start a match looks (match_reach); None: unbounded

    def may_match(self, present: set[str]) -> bool:
        """False when the text's characters ``present`` lack every character of one set the
        pattern needs, so it cannot match there.

        >>> DroppedPattern(re.compile("措(?!施)"), "措施", "alone", (frozenset("措"),)).may_match(set("管理"))
        False
        """
        return all(not present.isdisjoint(chars) for chars in self.needs)

    def finditer(
        self, text: str, where: dict[str, list[int]], present: set[str] | None = None
    ) -> Iterator[re.Match[str]]:
        """The pattern's matches in ``text``, searched only near the characters of its rarest
        needed set when they are rare there; ``where`` caches each character's positions in ``text``
        and ``present``, when given, is the set of its characters.

        >>> entry = DroppedPattern(re.compile("措(?!施)"), "措施", "alone", (frozenset("措"),), 2)
        >>> [m.start() for m in entry.finditer("採取了措，措施", {})]
        [3]
        """
        return finditer_needing(self.pattern, text, self.needs, self.reach, where, present)


@dataclass(frozen=True)
class DroppedGuess:
    """``text[start:end]`` lost characters; ``replacement`` is the best restoration."""

    start: int
    end: int
    replacement: str
    suggestions: tuple[str, ...]
    gain: float
    reason: str


@cache
def load_patterns(path: Path | None = None) -> tuple[DroppedPattern, ...]:
    """Read a dropped-word list (default ``config/dropped_words.tsv``).

    >>> any(p.replacement == "問題" for p in load_patterns())
    True
    """
    source = path or data_file("dropped_words.tsv")
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: cannot read the dropped-word list ({error})") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2:
            raise ConfigError(f"{source}:{number}: expected pattern<TAB>replacement[<TAB>mode]")
        mode = fields[2].strip() if len(fields) > 2 else "alone"
        if mode not in MODES:
            raise ConfigError(f"{source}:{number}: mode must be one of {', '.join(MODES)}, not {mode!r}")
        try:
            compiled = cached_pattern(fields[0], re.MULTILINE)
        except re.error as error:
            raise ConfigError(f"{source}:{number}: bad pattern ({error})") from None
        rows.append((compiled, fields[1], mode))
    analyses = cached_table(  # parsing every regex again would cost each process's start-up
        "dropped-needs",
        3,  # 3: match_reach bounds a group reference
        [source],
        lambda: [
            (required_chars(p.pattern, re.MULTILINE), match_reach(p.pattern, re.MULTILINE))
            for p, _, _ in rows
        ],
    )
    lexicon = get_lexicon()
    return tuple(
        DroppedPattern(*row, tuple(sorted(map(frozenset, needs), key=lambda s: _mass(s, lexicon))), reach)
        for row, (needs, reach) in zip(rows, analyses, strict=True)
    )


def _mass(chars: frozenset[str], lexicon: Lexicon) -> int:
    """How often the characters ``chars`` occur in words, roughly (as a word's first or last character
    or alone, in jieba's counts): the rarest set a pattern needs is where its search looks first.
    Marks and digits, which the dictionary does not count, count as the most common; a blank, which
    Chinese prose seldom has, as rare.

    >>> _mass(frozenset("措"), get_lexicon()) < _mass(frozenset("的"), get_lexicon())
    True
    """
    total = 0
    for ch in chars:
        if not is_han(ch):
            total += 0 if ch == " " else COMMON_MASS
            continue
        simple = lexicon.to_simplified(ch)
        total += lexicon.start_mass.get(simple, 0) + lexicon.end_mass.get(simple, 0)
        total += lexicon.char_counts.get(simple, 0)
    return total


def is_traditional(text: str, lexicon: Lexicon) -> bool:
    """True when at least 2% of the Han characters are traditional-only forms.

    >>> is_traditional("問題很多", get_lexicon()), is_traditional("问题很多", get_lexicon())
    (True, False)
    """
    han = count_han(text)
    if not han:
        return False
    needed, found = 0.02 * han, 0
    for start in range(0, len(text), 256):  # a traditional page shows it early: stop there
        found += sum(map(lexicon.t2s.__contains__, text[start : start + 256]))
        if found >= needed:
            return True
    return False


def annotation_free(text: str) -> tuple[str, list[int]]:
    """The text without verified ``(py)`` annotations, and each kept character's offset.

    >>> annotation_free("問(wèn)也")
    ('問也', [0, 6])
    """
    kept: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _ANNOTATION.finditer(text):
        if reads_as(match.group(1), match.group(2)):
            kept.append(text[position : match.start(2) - 1])
            offsets.extend(range(position, match.start(2) - 1))
            position = match.end()
    kept.append(text[position:])
    offsets.extend(range(position, len(text)))
    return "".join(kept), offsets


def _dictionary_words(name: str, keep: Callable[[str, int, str], bool]) -> frozenset[str]:
    """The words of jieba's dictionary for which ``keep(word, frequency, tag)`` holds, built
    once into the data cache as the table ``name``."""
    source = jieba_dictionary()

    def build() -> str:
        words = []
        with source.open(encoding="utf-8") as handle:
            for line in handle:
                parts = line.split()
                if len(parts) > 2 and keep(parts[0], int(parts[1]), parts[2]):
                    words.append(parts[0])
        return "\n".join(words)

    return frozenset(cached_table(name, 1, [source], build).split("\n"))


@cache
def noun_modifiers() -> frozenset[str]:
    """Dictionary words (simplified) that jieba tags as modifying a noun, built once into the cache.

    >>> "特殊" in noun_modifiers(), "孩子" in noun_modifiers()
    (True, False)
    """
    return _dictionary_words(
        "noun-modifiers", lambda word, _, tag: len(word) <= MAX_WORD and tag in MODIFIER_TAGS
    )


@cache
def rare_pairs() -> frozenset[str]:
    """Two-character words that jieba lists too rarely for the lexicon (``时蔬``), built once.

    A lone character that forms one of them with a neighbour is a rare word, not a drop.

    >>> "时蔬" in rare_pairs(), "问题" in rare_pairs()
    (True, False)
    """
    return _dictionary_words(
        "rare-pairs", lambda word, frequency, _: len(word) == 2 and frequency < MIN_FREQUENCY
    )


@cache
def verbs() -> frozenset[str]:
    """Dictionary words (simplified) that jieba tags as verbs, built once into the cache.

    >>> "推广" in verbs(), "北京" in verbs()
    (True, False)
    """
    return _dictionary_words("verbs", lambda word, _, tag: len(word) <= MAX_WORD and tag == "v")


def _modifies_noun(word: str) -> bool:
    """Whether ``word`` (simplified) modifies a noun after it: 特殊, 违规, 非法, 各种.

    >>> _modifies_noun("违规"), _modifies_noun("各种"), _modifies_noun("他"), _modifies_noun("举起")
    (True, True, False, False)
    """
    return word in noun_modifiers() or (len(word) > 1 and word[-1] in CLASSIFIER_ENDS)


def _gain(lexicon: Lexicon, simple: str, start: int, end: int, replacement: str) -> float:
    """Score gain of replacing ``simple[start:end]`` by ``replacement`` over a small window."""
    low, high = max(0, start - WINDOW), min(len(simple), end + WINDOW)
    before = simple[low:high]
    after = simple[low:start] + replacement + simple[end:high]
    return lexicon.score(after) - lexicon.score(before)


def _tokens(simple: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Word spans of the best segmentation, line by line."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in simple.split("\n"):
        ends = lexicon.segment(line)[1]
        if offset:
            ends = [offset + end for end in ends]
        spans.extend(zip([offset, *ends][:-1], ends, strict=True))
        offset += len(line) + 1
    return spans


@lru_cache(maxsize=4096)  # the same suggested words recur on every page
def _to_script(word: str, traditional: bool) -> str:
    if not traditional:
        return word
    from toolkit.repairs.script import convert_script  # its OpenCC converter is built once

    return convert_script(word, "s2t").text


_BY_ANCHOR: dict[int, tuple[tuple[DroppedPattern, ...], dict[str, list[int]], list[int]]] = {}


def _candidates(patterns: tuple[DroppedPattern, ...], present: set[str]) -> list[DroppedPattern]:
    """The patterns that may match a text of the characters ``present``, in list order.

    Each pattern is filed once under the characters of its rarest needed set, so a text is
    checked against the patterns of the characters it holds, not against the whole list.

    >>> patterns = load_patterns()
    >>> {p.replacement for p in _candidates(patterns, set("採取了措"))}
    {'措施'}
    """
    known = _BY_ANCHOR.get(id(patterns))
    if known is None or known[0] is not patterns:
        by_char: dict[str, list[int]] = {}
        unfiled = []
        for index, entry in enumerate(patterns):
            if entry.needs:
                for ch in entry.needs[0]:
                    by_char.setdefault(ch, []).append(index)
            else:
                unfiled.append(index)
        known = _BY_ANCHOR[id(patterns)] = (patterns, by_char, unfiled)
    _, by_char, unfiled = known
    indices = set(unfiled)
    for ch in present.intersection(by_char):
        indices.update(by_char[ch])
    return [patterns[i] for i in sorted(indices) if patterns[i].may_match(present)]


def _listed(text, simple, patterns, lexicon, tokens, single, traditional) -> list[DroppedGuess]:
    maps = None  # where each token starts and ends, built at the first match
    unusual = None  # whether a blank before digits goes against the page's style, known at the first need
    guesses = []
    present = set(text)
    where: dict[str, list[int]] = {}
    for entry in _candidates(patterns, present):
        for match in entry.finditer(text, where, present):
            if (
                _STRADDLE.match(text, match.end())
                and "?" in text[max(0, match.start() - 2 * WINDOW) : match.start()]
            ):
                continue  # ?O胍岣叻謹(jǐn)?shù): 謹 is inside a garbled run, not a lost 慎
            if maps is None:
                maps = _token_maps(tokens, single)
            previous, following, ends = maps
            group = "at" if "at" in entry.pattern.groupindex else 0
            start, end = match.span(group)
            # a replacement without a backslash holds no group reference or escape: it is its own expansion
            replacement = match.expand(entry.replacement) if "\\" in entry.replacement else entry.replacement
            if group:
                whole_start, whole_end = match.span()
                replacement = replacement[start - whole_start : len(replacement) - (whole_end - end)]
            restored = lexicon.to_simplified(replacement)
            if not traditional:
                replacement = restored  # a form shared by both scripts (也要) restores in the text's
            if entry.mode in ("alone", "modified") and any(
                (i, i + 1) not in single for i in range(start, end)
            ):
                # a lone character that ends (清盤問) or starts (審核實) a word the drop made
                tangled = (
                    entry.mode == "alone"
                    and end - start == 1
                    and (start in ends or following.get(start, end) > end)
                )
                if not (tangled and _untangles(lexicon, simple, start, end, restored)):
                    continue
            if entry.mode == "modified" and not (
                start in previous and _modifies_noun(simple[previous[start] : start])
            ):
                continue
            if entry.mode == "action":
                begin = match.start("action")  # the first word of the group must be a verb (推廣, not 北京)
                if simple[begin : following.get(begin, begin)] not in verbs():
                    continue
            if entry.mode == "counts" and (
                not _counts_noun(lexicon, simple, end, restored, following)
                or _in_adverb_series(simple, start)
            ):
                continue
            if entry.mode == "unspaced":
                if unusual is None:
                    unusual = blank_is_unusual(text)
                if not unusual:
                    continue
            gain = _gain(lexicon, simple, start, end, restored)
            if entry.mode in ("fits", "counts"):
                swap = lexicon.score(restored) - (lexicon.score(simple[start:end]) if end > start else 0.0)
                if gain < swap - FIT_MARGIN:
                    continue
            guesses.append(
                DroppedGuess(start, end, replacement, (replacement,), gain, "listed truncated form")
            )
    return guesses


def _token_maps(
    tokens: list[tuple[int, int]], single: set[tuple[int, int]]
) -> tuple[dict[int, int], dict[int, int], set[int]]:
    """Each token's start by its end, its end by its start, and the last characters of longer words
    (``single`` holds the one-character tokens).

    >>> _token_maps([(0, 2), (2, 3)], {(2, 3)})
    ({2: 0, 3: 2}, {0: 2, 2: 3}, {1})
    """
    starts, ends = zip(*tokens, strict=True) if tokens else ((), ())
    # every token's last character, less the lone characters (which end where they start)
    last = set(map((1).__rsub__, ends)) - set(map(itemgetter(0), single))
    return dict(zip(ends, starts, strict=True)), dict(zip(starts, ends, strict=True)), last


_HAN_DIGIT = cached_pattern(rf"(?={HAN_CLASS}( ?)[0-9]|[0-9]( ?){HAN_CLASS})")
MIN_DIGIT_BOUNDARIES = 3  # other Han–digit boundaries a page needs before its spacing style is known
SPACED_SHARE = 0.2  # at most this share of them may be spaced on a page that writes digits tight


def blank_is_unusual(text: str) -> bool:
    """Whether a blank between a Han character and a digit of ``text`` goes against the page's own
    style: the other Han–digit boundaries are written tight (``2021年``), not spaced (``2021 年``).

    >>> blank_is_unusual("2021年有3家，撥打客服 12306"), blank_is_unusual("2021 年有 3 家，客服 12306")
    (True, False)
    """
    boundaries = spaced = 0
    for match in _HAN_DIGIT.finditer(text):
        boundaries += 1
        spaced += bool(match.group(1) or match.group(2))
    others, spaced_others = boundaries - 1, spaced - 1  # the blank itself is one spaced boundary
    return others >= MIN_DIGIT_BOUNDARIES and spaced_others <= SPACED_SHARE * others


def _counted(simple: str, start: int, following: dict[int, int]) -> bool:
    """Whether the token at ``start`` is a noun a quantity can count (a longer word, 人, or a rare
    two-character word the segmentation split: 猫/咪), or an adverb opening a clause that describes one.

    >>> tokens = {0: 1, 1: 4, 4: 5, 5: 6}
    >>> _counted("多上班族多问", 1, tokens), _counted("多上班族多问", 5, tokens)
    (True, False)
    >>> _counted("多猫咪", 1, {1: 2, 2: 3}), _counted("多刚走出校园的人", 1, {1: 2, 2: 4})
    (True, True)
    """
    end = following.get(start)
    if end is None:
        return False
    return (
        end - start > 1
        or simple[start] in LONE_NOUNS
        or simple[start : start + 2] in rare_pairs()
        or simple.startswith(CLAUSE_ADVERBS, start)
    )


def _counts_noun(lexicon: Lexicon, simple: str, end: int, restored: str, following: dict[int, int]) -> bool:
    """Whether what follows a restored quantity at ``end`` is a noun it counts (:func:`_counted`),
    reading again when the short form took the next character into an accidental word: ``多快遞公司``
    reads 多快 (how fast)/遞, with 很多 it reads 很多/快遞/公司.

    >>> _counts_noun(get_lexicon(), "多快递公司会", 1, "很多", {0: 2, 2: 3, 3: 5})
    True
    >>> _counts_noun(get_lexicon(), "多快啊", 1, "很多", {0: 2, 2: 3})
    False
    """
    if end in following:
        return _counted(simple, end, following)
    window = restored + simple[end : end + 2 * MAX_WORD]
    bounds = lexicon.segment(window)[1]
    if not bounds or bounds[0] != len(restored):
        return False
    return _counted(window, len(restored), dict(zip([0, *bounds], bounds, strict=False)))


_SERIES_MARKS = "，,；;"  # marks between the clauses of one series
_OPENING_QUOTES = "“「‘『"  # a quoted clause starts after them
_CLAUSE_MARK = re.compile(f"[{CLAUSE_MARKS}]")
CLAUSE_REACH = 40  # characters searched for a clause's other end: the check stays linear in the text
# A clause of advice that opens with the adverb 多, after at most two openers and the word for whom
# it is meant (平时多打几个电话, 要多喝水, 子女平时多打): not 多数, 多年, 多人, which are words.
_OPENERS = r"(?:平[时時]|平日|日常|每天|要|[应應][该該]?|尽量|儘量|[经經]常|可以|不妨|[记記]得|[还還也更]要)"
_ADVICE = cached_pattern(
    rf"(?:{HAN_CLASS}{{1,2}}(?={_OPENERS}))?{_OPENERS}{{0,2}}"
    rf"多(?![数數家年种種样樣个個次位名元人地国國部方余餘少])(?={HAN_CLASS})"
)


def _in_adverb_series(simple: str, start: int) -> bool:
    """Whether the 多 at ``start`` opens a clause next to a clause of advice with the adverb 多
    (平时多打几个电话，多回家看看: call more, visit more), where it is not a 很多 that lost 很.

    >>> _in_adverb_series("子女平时多打几个电话，多回家看看", 11), _in_adverb_series("要让猫多喝水，多猫咪平时饮水不足", 7)
    (True, False)
    >>> _in_adverb_series("多喝水，多运动", 0), _in_adverb_series("多游客反映价格偏高，可以多走几家", 0)
    (True, False)
    >>> _in_adverb_series("他说：“多喝水，多运动", 4), _in_adverb_series("他说：“多喝水，多运动", 8)
    (True, True)
    """
    if start > 0 and simple[start - 1] in _SERIES_MARKS:
        low = max(0, start - 1 - CLAUSE_REACH)
        cut = max(simple.rfind(mark, low, start - 1) for mark in CLAUSE_MARKS)  # -1: none, the text starts
        opens = cut + 1 + (simple[cut + 1 : cut + 2] in _OPENING_QUOTES)  # “多喝水，多運動
        if (cut >= 0 or low == 0) and _ADVICE.match(simple, opens, start - 1):
            return True
    if start == 0 or simple[start - 1] in CLAUSE_MARKS or simple[start - 1] in _OPENING_QUOTES:
        mark = _CLAUSE_MARK.search(simple, start, start + CLAUSE_REACH)
        if mark and mark.group() in _SERIES_MARKS:
            advice = _ADVICE.match(simple, mark.end())  # a series goes on with a bare 多 (多喝水，多运动)
            return bool(advice) and advice.end() == mark.end() + 1
    return False


def _rare_singles(lexicon: Lexicon, text: str) -> int:
    """How many Han characters of ``text`` stand alone in its best segmentation and are rare alone."""
    ends = lexicon.segment(text)[1]
    return sum(
        1
        for start, end in zip([0, *ends], ends, strict=False)
        if end - start == 1 and is_han(text[start]) and lexicon.char_logp(text[start]) < FUNCTION_WORD_LOGP
    )


def _untangles(lexicon: Lexicon, simple: str, start: int, end: int, restored: str) -> bool:
    """Whether restoring ``simple[start:end]`` (the end or start of a longer word) leaves fewer
    rare lone characters.

    ``清盤問，`` reads 清/盤問 (a lone 清); with 問題 it reads 清盤/問題: the word 盤問 was an
    accident of the drop. ``提問，`` stays: 提/問題 leaves a lone 提. So does a word the drop
    began: ``審核實對方`` reads 審核/實, with 審慎 it reads 審慎/核實; ``審核通過`` stays.

    >>> [_untangles(get_lexicon(), t, 4, 5, "问题") for t in ("面临清盘问，规模", "老师提问，学生")]
    [True, False]
    >>> [_untangles(get_lexicon(), t, 4, 5, "审慎") for t in ("买房人应审核实对方身份", "申请材料审核通过后")]
    [True, False]
    """
    low, high = max(0, start - WINDOW), min(len(simple), end + WINDOW)
    after = simple[low:start] + restored + simple[end:high]
    return _rare_singles(lexicon, after) < _rare_singles(lexicon, simple[low:high])


def _unknown_word(simple: str, index: int, single: set[tuple[int, int]], lexicon: Lexicon) -> bool:
    """A lone Han character at ``index`` that is too rare to be a word by itself."""
    if not 0 <= index < len(simple) or (index, index + 1) not in single or not is_han(simple[index]):
        return False
    return lexicon.char_logp(simple[index]) < FUNCTION_WORD_LOGP


def _measure_word(simple: str, index: int) -> bool:
    """Whether the character at ``index`` follows a number or quantifier, as a measure word does.

    >>> _measure_word("有 2 样东西", 4), _measure_word("每样东西", 1), _measure_word("逾期问也", 2)
    (True, True, False)
    """
    before = simple[max(0, index - 3) : index].rstrip(" ")  # a space may follow a digit
    return bool(before) and before[-1] in MEASURED


def _in_name(simple: str, index: int) -> bool:
    """Whether the character at ``index`` touches the middle dot of a transliterated name (凯莱什·贾古特).

    >>> _in_name("凯莱什·贾古特帕尔", 2), _in_name("逾期问也", 2)
    (True, False)
    """
    return any(0 <= i < len(simple) and simple[i] in NAME_DOTS for i in (index - 1, index + 1))


def _recurring_term(simple: str, index: int) -> bool:
    """Whether the character and a neighbour recur as a pair: a term the dictionary lacks.

    A dropped word leaves a different neighbour each time; ``双年展`` (a biennale) or ``进样``
    (a lab term) repeat the same pair.

    >>> _recurring_term("双年展开幕。本届双年展的主题。双年展基金会", 2)
    True
    >>> _recurring_term("逾期问也逐渐显现", 2)
    False
    """
    pairs = (simple[index - 1 : index + 1] if index else "", simple[index : index + 2])
    return any(len(pair) == 2 and simple.count(pair) >= RECURRING for pair in pairs)


@cache
def _word_halves(lexicon: Lexicon) -> dict[str, tuple[bool, bool]]:
    """Han characters almost always the first (head) or last (tail) half of a word, not a word alone.

    >>> _word_halves(get_lexicon())["措"], "的" in _word_halves(get_lexicon())
    ((True, False), False)
    """
    heads = {ch for ch, mass in lexicon.start_mass.items() if mass >= MIN_MASS}
    tails = {ch for ch, mass in lexicon.end_mass.items() if mass >= MIN_MASS}
    halves = {}
    for ch in heads | tails:
        if not is_han(ch):
            continue
        alone = lexicon.char_counts.get(ch, 0)
        head = ch in heads and alone < HALF_RATIO * lexicon.start_mass[ch]
        tail = ch in tails and alone < HALF_RATIO * lexicon.end_mass[ch]
        if head or tail:
            halves[ch] = (head, tail)
    return halves


def _parallel_item(simple: str, index: int, single: set[tuple[int, int]]) -> bool:
    """Whether the lone character at ``index`` stands where the item before it in a ``、`` list has a
    lone character too, after the same words: a series of one-character verbs and their objects
    (查備案、選渠道、看標籤、驗批號) or a repeated frame (藏糧于地、藏糧于技), not a word that lost its half.

    >>> single = {(0, 1), (4, 5)}
    >>> _parallel_item("看标签、验批号", 4, single), _parallel_item("看标签、验批号", 0, single)
    (True, False)
    >>> _parallel_item("坚持藏粮于地、藏粮于技，", 10, {(4, 5), (5, 6), (9, 10), (10, 11)})
    True
    """
    marks = CLAUSE_MARKS + "、"
    low = max(0, index - CLAUSE_REACH)
    start = max(simple.rfind(mark, low, index) for mark in marks) + 1  # of the item holding ``index``
    if start < 2 or simple[start - 1] != "、":
        return False
    before = max(simple.rfind(mark, low, start - 1) for mark in marks) + 1  # of the item before
    offset, prefix = index - start, simple[start:index]
    if before + offset < start - 1 and simple[before : before + offset] == prefix:
        return (before + offset, before + offset + 1) in single  # aligned at the items' starts
    last = start - 2  # the item before ends there; aligned at the items' ends (藏糧于地、藏糧于技)
    ends_item = index + 1 == len(simple) or simple[index + 1] in marks
    return (
        ends_item
        and last - offset >= before
        and simple[last - offset : last] == prefix
        and (last, start - 1) in single
    )


def _word_with_neighbour(simple: str, index: int, lexicon: Lexicon) -> bool:
    """Whether the character at ``index`` makes a dictionary word (or a rare one) with a neighbour,
    which the best segmentation gave to a longer word: no half of a word was lost there.

    >>> _word_with_neighbour("办理上一年度的汇算", 5, get_lexicon()), _word_with_neighbour("公司的研也在进行", 3, get_lexicon())
    (True, False)
    >>> _word_with_neighbour("愉快的体(ti)验。", 8, get_lexicon())
    True
    """
    left = simple[index - 1] if index else ""
    if left == ")":  # 體(tǐ)驗: an annotation the checks could not verify stands between the two halves
        annotated = _ANNOTATED_BEFORE.search(simple, max(0, index - 10), index)
        left = annotated.group(1) if annotated else left
    pairs = (left + simple[index], simple[index : index + 2])
    return any(len(pair) == 2 and (pair in lexicon or pair in rare_pairs()) for pair in pairs)


def _straddle_follows(text: str, position: int) -> bool:
    """Whether a straddle's ``?py)`` starts within :data:`WINDOW` characters from ``position``.

    >>> _straddle_follows("業用?xiū)?hù)申訴", 1), _straddle_follows("業用戶申訴", 1)
    (True, False)
    """
    match = _STRADDLE.search(text, position, position + WINDOW + 9)  # ``?`` + 7 letters + ``)``
    return bool(match) and match.start() < position + WINDOW


def _statistical(text, simple, lexicon, single, traditional, min_gain) -> list[DroppedGuess]:
    guesses = []
    halves = _word_halves(lexicon)
    where: dict[str, list[int]] = {}
    lone = sorted(  # characters that stand alone often enough (or no Han character) are never drops
        i
        for ch in halves.keys() & set(simple)
        for i in char_positions(simple, ch, where)
        if (i, i + 1) in single
    )
    for start in lone:
        ch = simple[start]
        head, tail = halves[ch]
        if _LOST_BYTE.search(text, max(0, start - 4 * WINDOW), start) or _straddle_follows(text, start + 1):
            continue  # 第三方?kǔn)C構, 郵政業用?xiū): a character next to a garbled run, left to the GBK repairs
        if _unknown_word(simple, start - 1, single, lexicon) or _unknown_word(
            simple, start + 1, single, lexicon
        ):
            continue  # two rare single characters side by side: a word the dictionary lacks (投研)
        options: list[tuple[float, str]] = []
        if head:
            for word in lexicon.heads.get(ch, ()):
                options.append((_gain(lexicon, simple, start, start + 1, word), word))
        if tail:
            for word in lexicon.tails.get(ch, ()):
                options.append((_gain(lexicon, simple, start, start + 1, word), word))
        if (
            not options
            or _measure_word(simple, start)
            or _recurring_term(simple, start)
            or _in_name(simple, start)
        ):
            continue
        if _parallel_item(simple, start, single):
            continue  # 看標籤、驗批號, 藏糧于地、藏糧于技: a lone character where the item before has one
        if _word_with_neighbour(simple, start, lexicon):
            continue  # 上一年/度 (年度), 清炒/时/蔬 (时蔬): a longer word took a neighbour it shares a word with
        options.sort(key=lambda option: -option[0])
        if options[0][0] < min_gain:
            continue
        words = tuple(dict.fromkeys(_to_script(word, traditional) for _, word in options[:SUGGESTIONS]))
        reason = f"`{text[start]}` is almost always part of a word such as {'、'.join(words)}"
        guesses.append(DroppedGuess(start, start + 1, words[0], words, options[0][0], reason))
    return guesses


def find_dropped(
    text: str, patterns: tuple[DroppedPattern, ...], min_gain: float = MIN_GAIN, statistical: bool = True
) -> list[DroppedGuess]:
    """Places where characters were dropped, best restoration first, without overlaps.

    >>> [g.replacement for g in find_dropped("採取了措，加強了管理", load_patterns())]
    ['措施']
    """
    lexicon = get_lexicon()
    view, offsets = annotation_free(text)
    offsets.append(len(text))
    simple = lexicon.to_simplified(view)
    tokens = _tokens(simple, lexicon)
    single = {span for span in tokens if span[1] - span[0] == 1}
    traditional = is_traditional(view, lexicon)
    guesses = _listed(view, simple, patterns, lexicon, tokens, single, traditional)
    if statistical:
        guesses += _statistical(view, simple, lexicon, single, traditional, min_gain)
    guesses.sort(key=lambda g: (g.start, -g.gain))
    kept: list[DroppedGuess] = []
    reached = 0
    for guess in guesses:
        if guess.start >= reached:
            start, end = offsets[guess.start], offsets[guess.end - 1] + 1
            kept.append(
                DroppedGuess(start, end, guess.replacement, guess.suggestions, guess.gain, guess.reason)
            )
            reached = guess.end
    return kept
