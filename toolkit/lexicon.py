"""Word and character statistics from jieba's ``dict.txt``, and a word-unigram scorer.

The dictionary file ships inside the jieba wheel; it is located with
:func:`importlib.util.find_spec` and read directly (jieba itself is never
imported). The parsed tables are stored compactly in the user cache
(:func:`toolkit.datacache.cached_table`): each table as its own marshalled blob,
decoded only when first used. The words are grouped by their last character (a
joined string and an array of log-frequencies per character), and a group is
decoded when a text first asks about a word ending in that character, so a
fresh ``toolkit lint`` of one page decodes a third of the 130,000 words, and
the tables it does not need not at all.

Text is scored in simplified Chinese: traditional characters are mapped one to
one (offsets stay aligned) with a table made from OpenCC when the cache is built.

The word table and the segmentation run in C (``toolkit/_native.c``, built at
install) when the extension is there; the pure-Python code below is the
reference and the fallback (``TOOLKIT_PURE_PYTHON=1`` forces it), with the same
doubles in the same order, so both give identical scores and boundaries.

>>> lexicon = get_lexicon()
>>> lexicon.to_simplified("問題")
'问题'
>>> lexicon.score("发生。互联网") > lexicon.score("发生挨互联网")
True
"""

from __future__ import annotations

import array
import importlib.util
import marshal
import math
import os
from collections.abc import Callable, Iterator, Mapping
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit._native import WordTable

from toolkit.chardata import is_han
from toolkit.datacache import cached_table

FORMAT_VERSION = 11
MIN_FREQUENCY = 5
MAX_WORD = 4
TOP_WORDS = 16

# Log-probabilities of things a word list does not hold. Chinese sentence
# punctuation is about one token in six; rarer marks get less.
PUNCTUATION_LOGP = {"，": -2.5, "。": -3.0, "、": -4.0}
OTHER_PUNCTUATION = "；：？！（）《》“”「」『』…—·"
OTHER_PUNCTUATION_LOGP = -6.0
ASCII_LOGP = -7.0
UNKNOWN_HAN_LOGP = -17.0
SYMBOL_LOGP = -22.0
# Each token costs this much more, so that a common word beats two frequent single characters.
TOKEN_PENALTY = 3.0


def _native_module() -> ModuleType | None:
    """``toolkit._native`` when it is built and not turned off by ``TOOLKIT_PURE_PYTHON``."""
    if os.environ.get("TOOLKIT_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from toolkit import _native
    except ImportError:
        return None
    return _native


_NATIVE = _native_module()
NATIVE = _NATIVE is not None  # whether lexicons use the C word table by default


def jieba_dictionary() -> Path:
    """Path of jieba's ``dict.txt`` (without importing jieba).

    >>> jieba_dictionary().name
    'dict.txt'
    """
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("jieba is not installed: its dict.txt provides the word frequencies")
    return Path(spec.submodule_search_locations[0]) / "dict.txt"


def _traditional_map() -> dict[str, str]:
    """Traditional → simplified for every single CJK character OpenCC maps one to one."""
    import opencc

    chars = [chr(code) for code in range(0x3400, 0xA000)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    return {a: b for a, b in zip(chars, converted, strict=True) if len(b) == 1 and a != b}


def _build(source: Path) -> dict[str, bytes]:
    """Parse ``dict.txt`` into the cached blobs (see :class:`Lexicon`), one per table."""
    words: dict[str, int] = {}
    heads: dict[str, dict[str, int]] = {}
    tails: dict[str, dict[str, int]] = {}
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) < 2:
                continue
            word, freq = parts[0], int(parts[1])
            if freq < MIN_FREQUENCY or len(word) > MAX_WORD:
                continue
            words[word] = words.get(word, 0) + freq
            if len(word) > 1 and all(is_han(ch) for ch in word):
                heads.setdefault(word[0], {})[word] = freq
                tails.setdefault(word[-1], {})[word] = freq

    def top(tables: dict[str, dict[str, int]]) -> dict[str, bytes]:
        return {
            ch: "\n".join(sorted(t, key=t.get, reverse=True)[:TOP_WORDS]).encode() for ch, t in tables.items()
        }

    by_end: dict[str, list[str]] = {}
    for word in words:
        by_end.setdefault(word[-1], []).append(word)
    tables = {
        "groups": {
            ch: _joined_group(group)
            + b"\0"
            + array.array("d", [math.log(words[word]) for word in group]).tobytes()
            for ch, group in by_end.items()
        },
        "total": sum(words.values()),
        "chars": {word: count for word, count in words.items() if len(word) == 1},
        "start_mass": {ch: sum(table.values()) for ch, table in heads.items()},
        "end_mass": {ch: sum(table.values()) for ch, table in tails.items()},
        "heads": top(heads),
        "tails": top(tails),
        "t2s": _traditional_map(),
    }
    return {name: marshal.dumps(table) for name, table in tables.items()}


def _joined_group(words: list[str]) -> bytes:
    """The words of a group, then (after a tab) the distinct last two characters of its longer words.

    >>> _joined_group(["问题", "话题", "题"]).decode()
    '问题\\n话题\\n题\\t问题\\n话题'
    """
    endings = dict.fromkeys(word[-2:] for word in words if len(word) > 1)
    return ("\n".join(words) + "\t" + "\n".join(endings)).encode()


class _CharMemo(dict):
    """The memo of :meth:`Lexicon.char_logp` that :meth:`~Lexicon.segment` and
    :meth:`~Lexicon.extend` fill as they meet characters.

    Both look words up by their last character right after meeting it, so storing a
    character first adds the words that end in it (``add_words``) to the lexicon's tables.
    """

    def __init__(self, add_words: Callable[[str], None]) -> None:
        super().__init__()
        self._add_words = add_words

    def __setitem__(self, ch: str, logp: float) -> None:
        self._add_words(ch)
        super().__setitem__(ch, logp)


class _JoinedLists(Mapping[str, list[str]]):
    """``{char: [word, …]}`` stored as newline-joined UTF-8, each list decoded when first read.

    A page reads the lists of a few of its characters, not of the 5,000 in the table.

    >>> table = _JoinedLists({"措": "措施\\n举措".encode()})
    >>> table["措"], table.get("問", ()), len(table)
    (['措施', '举措'], (), 1)
    """

    def __init__(self, joined: dict[str, bytes]) -> None:
        self._joined = joined
        self._split: dict[str, list[str]] = {}

    def __getitem__(self, ch: str) -> list[str]:
        words = self._split.get(ch)
        if words is None:
            words = self._split[ch] = self._joined[ch].decode().split("\n")
        return words

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)


class Lexicon:
    """Word frequencies with a unigram segmentation scorer.

    ``start_mass[c]``/``end_mass[c]`` are the summed frequencies of the
    multi-character words that begin/end with ``c``; ``heads[c]``/``tails[c]``
    list the most frequent of those words.
    """

    def __init__(self, blobs: dict[str, bytes], native: bool = NATIVE) -> None:
        """``native``: hold the words in the C table of ``toolkit._native`` (else in Python dicts)."""
        if native and _NATIVE is None:
            raise ImportError("toolkit._native is not built (or TOOLKIT_PURE_PYTHON is set)")
        self._blobs = blobs
        self.total = marshal.loads(blobs["total"])
        self._log_total = math.log(self.total)
        # Filled a group at a time by _add_words_ending (a fresh process computes no logarithm):
        self._ending_in: set[str] = set()  # the characters whose words were added
        self._word_endings: set[str] = set()  # the last two characters of those words (Python only)
        self._table = _NATIVE.WordTable(self._log_total) if native else None
        if self._table is not None:
            # words, endings and the memo of char_logp are held in C; segment and extend run there
            self._word_logs: Mapping[str, float] = self._table
            self._fill = self.first_logp
        else:
            self._word_logs = {}  # log-frequency of each word added so far
            self._char_logps = _CharMemo(self._add_words_ending)  # memo of char_logp

    @cached_property
    def char_counts(self) -> dict[str, int]:
        """The frequency of each single character as a word of its own (a small table)."""
        return marshal.loads(self._blobs["chars"])

    def __contains__(self, word: str) -> bool:
        """Whether ``word`` (simplified) is in the dictionary.

        >>> "问题" in get_lexicon(), "问也" in get_lexicon(), "问" in get_lexicon()
        (True, False, True)
        """
        return self._log_frequency(word) is not None

    @cached_property
    def start_mass(self) -> dict[str, int]:
        return marshal.loads(self._blobs["start_mass"])

    @cached_property
    def end_mass(self) -> dict[str, int]:
        return marshal.loads(self._blobs["end_mass"])

    @cached_property
    def heads(self) -> Mapping[str, list[str]]:
        return _JoinedLists(marshal.loads(self._blobs["heads"]))

    @cached_property
    def tails(self) -> Mapping[str, list[str]]:
        return _JoinedLists(marshal.loads(self._blobs["tails"]))

    @cached_property
    def t2s(self) -> dict[str, str]:
        return marshal.loads(self._blobs["t2s"])

    def to_simplified(self, text: str) -> str:
        """Map traditional characters to simplified, one to one.

        >>> get_lexicon().to_simplified("嚴謹的態度")
        '严谨的态度'
        """
        return text.translate(self._t2s_table)

    @cached_property
    def _t2s_table(self) -> dict[int, str]:
        """:attr:`t2s` as a :meth:`str.translate` table."""
        return {ord(a): b for a, b in self.t2s.items()}

    def word_logp(self, word: str) -> float | None:
        """Log-probability of a dictionary word (simplified), ``None`` when absent.

        >>> get_lexicon().word_logp("问题") > get_lexicon().word_logp("问")
        True
        """
        log_freq = self._log_frequency(word)
        return None if log_freq is None else log_freq - self._log_total

    def _log_frequency(self, word: str) -> float | None:
        """``math.log`` of the frequency of ``word``, ``None`` when absent."""
        if len(word) < 2:
            return self._char_logs.get(word)
        self._add_words_ending(word[-1])
        return self._word_logs.get(word)

    def char_logp(self, ch: str) -> float:
        """Log-probability of one character standing alone as a token.

        >>> get_lexicon().char_logp("。") > get_lexicon().char_logp("ヂ")
        True
        """
        if ch in PUNCTUATION_LOGP:
            return PUNCTUATION_LOGP[ch]
        if ch in OTHER_PUNCTUATION:
            return OTHER_PUNCTUATION_LOGP
        logp = self.word_logp(ch)
        if logp is not None:
            return logp
        if ch.isascii():
            return ASCII_LOGP
        return UNKNOWN_HAN_LOGP if is_han(ch) else SYMBOL_LOGP

    @property
    def native(self) -> WordTable | None:
        """The C word table (``toolkit._native.WordTable``) when this lexicon uses it, else ``None``."""
        return self._table

    def first_logp(self, ch: str) -> float:
        """:meth:`char_logp` of a character met for the first time, having added the words that end
        in it, as :class:`_CharMemo` does: what the C memo of ``char_logp`` stores.

        >>> get_lexicon().first_logp("问") == get_lexicon().char_logp("问")
        True
        """
        self._add_words_ending(ch)
        return self.char_logp(ch)

    def score(self, text: str) -> float:
        """Best segmentation log-probability of simplified ``text`` (words up to 4 chars).

        >>> lexicon = get_lexicon()
        >>> lexicon.score("问题") > lexicon.score("问") + lexicon.score("题")
        True
        """
        return self.segment(text)[0]

    def segment(self, text: str) -> tuple[float, list[int]]:
        """Score and word boundaries (end offsets) of the best unigram segmentation.

        >>> get_lexicon().segment("逾期问也")[1]
        [2, 3, 4]
        """
        if self._table is not None:
            return self._table.segment(text, self._fill)
        size = len(text)
        word_logs, char_logps, endings = self._word_logs, self._char_logps, self._word_endings
        log_total = self._log_total
        logps = [char_logps.get(ch) for ch in text]
        if None in logps:
            for index, ch in enumerate(text):
                if logps[index] is None:
                    logps[index] = char_logps[ch] = self.char_logp(ch)
        best = [0.0] * (size + 1)
        back = [0, *range(size)]  # one character back unless a word ends there
        value = 0.0
        for end in range(1, size + 1):
            value = value + logps[end - 1] - TOKEN_PENALTY
            if end > 1 and text[end - 2 : end] in endings:  # a word of two or more characters may end here
                start_of = end - 1
                for start in range(end - 2, max(-1, end - MAX_WORD - 1), -1):
                    log_freq = word_logs.get(text[start:end])
                    if log_freq is not None:
                        candidate = best[start] + log_freq - log_total - TOKEN_PENALTY
                        if candidate > value:
                            value, start_of = candidate, start
                back[end] = start_of
            best[end] = value
        ends: list[int] = []
        position = size
        while position > 0:
            ends.append(position)
            position = back[position]
        return best[size], ends[::-1]

    def extend(self, tail: str, values: tuple[float, ...]) -> float:
        """One step of :meth:`segment`: the score after ``tail[-1]``, for text read left to right.

        ``tail`` holds the last characters (up to :data:`MAX_WORD`), ``values[i]`` the
        score of the text before ``tail[i]``, so a search can grow many texts a
        character at a time, each step in constant time.

        >>> lexicon = get_lexicon()
        >>> first = lexicon.extend("问", (0.0,))
        >>> lexicon.extend("问题", (0.0, first)) == lexicon.score("问题")
        True
        """
        if self._table is not None:
            return self._table.extend(tail, values, self._fill)
        ch = tail[-1]
        char_logp = self._char_logps.get(ch)
        if char_logp is None:
            char_logp = self._char_logps[ch] = self.char_logp(ch)
        value = values[-1] + char_logp - TOKEN_PENALTY
        if tail[-2:] in self._word_endings:
            word_logs, log_total = self._word_logs, self._log_total
            for size in range(2, len(tail) + 1):
                log_freq = word_logs.get(tail[-size:])
                if log_freq is not None:
                    candidate = values[-size] + log_freq - log_total - TOKEN_PENALTY
                    if candidate > value:
                        value = candidate
        return value

    @cached_property
    def _char_logs(self) -> dict[str, float]:
        """``math.log`` of the frequency of each single-character word."""
        return {ch: math.log(count) for ch, count in self.char_counts.items()}

    @cached_property
    def _groups(self) -> dict[str, bytes]:
        """The cached word groups by last character: the joined words and their endings (UTF-8,
        decoded when used, see :func:`_joined_group`), a zero byte, their log-frequencies."""
        return marshal.loads(self._blobs["groups"])

    def _add_words_ending(self, ch: str) -> None:
        """Add the words that end in ``ch`` to :attr:`_word_logs` and :attr:`_word_endings` (once)."""
        if ch in self._ending_in:
            return
        self._ending_in.add(ch)
        group = self._groups.get(ch)
        if group is None:
            return
        text, logs = group.split(b"\0", 1)
        if self._table is not None:
            self._table.add_group(text, logs)
            return
        words, endings = text.decode().split("\t")
        self._word_logs.update(zip(words.split("\n"), array.array("d", logs).tolist(), strict=True))
        if endings:
            self._word_endings.update(endings.split("\n"))


@cache
def get_lexicon() -> Lexicon:
    """The lexicon, built from jieba's ``dict.txt`` on first use and then cached on disk."""
    source = jieba_dictionary()
    return Lexicon(cached_table("lexicon", FORMAT_VERSION, [source], lambda: _build(source)))
