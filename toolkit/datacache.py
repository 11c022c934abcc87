"""A compact on-disk cache of derived tables, so a fresh process starts in hundredths of a second.

Tables that take a while to build (word frequencies parsed from jieba's ``dict.txt``, the GBK
pair table, per-character script classes from OpenCC, pypinyin's reading table) are built once
and stored with :mod:`marshal` in the cache folder (``$TOOLKIT_CACHE``, see
:func:`toolkit.paths.cache_dir`). The file name carries the table's name, its format version and
a fingerprint of its sources (path, size, modification time), so a changed source or format
builds a new file. A cache that cannot be written (a read-only home) only costs speed.
Compiled regular expressions are kept the same way (:func:`cached_pattern`).

>>> import tempfile, os
>>> os.environ["TOOLKIT_CACHE"] = tempfile.mkdtemp()
>>> cached_table("squares", 1, [], lambda: {n: n * n for n in range(4)})
{0: 0, 1: 1, 2: 4, 3: 9}
>>> cached_table("squares", 1, [], lambda: "not built again")
{0: 0, 1: 1, 2: 4, 3: 9}
>>> del os.environ["TOOLKIT_CACHE"]
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.paths import cache_dir


def cache_file(name: str, version: int, sources: list[Path]) -> Path:
    """Where the table ``name`` built from ``sources`` is cached."""
    fingerprint = hashlib.sha256(sys.version.encode())  # codec tables and marshal follow Python
    for source in sources:
        stat = source.stat()
        fingerprint.update(f"{source.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return cache_dir() / f"{name}-v{version}-{fingerprint.hexdigest()[:16]}.marshal"


def cached_table(name: str, version: int, sources: list[Path], build: Callable[[], Any]) -> Any:
    """The table ``name``: loaded from the cache, else built with ``build()`` and stored.

    ``build`` must return plain data (dicts, lists, tuples, strings, numbers) that
    :mod:`marshal` can store.
    """
    path = cache_file(name, version, sources)
    collecting = gc.isenabled()
    gc.disable()  # the collector would rescan the growing tables many times while they load
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        pass
    finally:
        if collecting:
            gc.enable()
    table = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(table))
        temporary.replace(path)
    except OSError:
        pass
    return table


PATTERN_FORMAT = 1


def cached_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with the program :mod:`re` compiles it to kept in the cache.

    :mod:`re` compiles a class such as ``[一-鿿]`` character by character, a few milliseconds
    each, and a fresh ``toolkit lint`` needs dozens of such patterns. The program (the code
    list, flags and groups that ``re._compiler.compile`` hands to ``_sre.compile``) is stored
    per pattern and Python version, and loaded in microseconds; ``_sre.compile`` validates it.
    A program that differs from ``re.compile``'s, or a Python whose internals differ, falls
    back to ``re.compile``; a bad pattern raises :class:`re.error` as ``re.compile`` does.

    >>> cached_pattern(r"[一-鿿]+").findall("中文 text 漢字") == re.findall(r"[一-鿿]+", "中文 text 漢字")
    True
    >>> cached_pattern("(?P<year>[0-9]{4})年", re.M) == re.compile("(?P<year>[0-9]{4})年", re.M)
    True
    """
    flags = int(flags)
    key = hashlib.sha256(f"{flags}\0{pattern}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    program = cached_table(f"patterns/{key}", PATTERN_FORMAT, [], lambda: _program(pattern, flags))
    if program is not None:
        try:
            import _sre

            return _sre.compile(pattern, *program)
        except (ImportError, TypeError, ValueError, RuntimeError):  # another Python, a damaged file
            pass
    return re.compile(pattern, flags)


def _program(pattern: str, flags: int) -> tuple | None:
    """The arguments ``re._compiler.compile`` passes to ``_sre.compile`` for ``pattern``, or
    ``None`` when this Python's :mod:`re` does not work that way (checked against ``re.compile``)."""
    compiled = re.compile(pattern, flags)  # raises re.error for a bad pattern
    try:
        import _sre
        from re import _compiler, _parser

        parsed = _parser.parse(pattern, flags)
        groups = dict(parsed.state.groupdict)
        names: list[str | None] = [None] * parsed.state.groups
        for name, index in groups.items():
            names[index] = name
        program = (
            flags | parsed.state.flags,
            [int(word) for word in _compiler._code(parsed, flags)],  # plain ints: marshal takes no subclass
            parsed.state.groups - 1,
            groups,
            tuple(names),
        )
        if _sre.compile(pattern, *program) == compiled:
            return program
    except (ImportError, AttributeError, TypeError, ValueError, RuntimeError):
        pass
    return None


def required_chars(pattern: str, flags: int = 0) -> tuple[str, ...]:
    """Sets of characters of which every match of ``pattern`` holds at least one each (lookarounds
    included); empty when none is evident. A text that lacks every character of one set cannot
    match, so the search can be skipped.

    >>> required_chars(r"(?<=[個些])問(?![題答])"), required_chars(r"(?:的忽視|的忽略)")
    (('些個', '問'), ('的', '忽', '略視'))
    >>> required_chars(r"[^，]+"), required_chars(r"(?<=撥打|接到)x?")
    ((), ('接撥',))
    """
    from re import _constants as sre
    from re import _parser

    def sequence(items) -> list[frozenset[str]]:
        return [found for item in items for found in element(*item)]

    def element(op, argument) -> list[frozenset[str]]:
        if op is sre.LITERAL:
            return [frozenset(chr(argument))]
        if op is sre.IN:
            if all(kind is sre.LITERAL for kind, _ in argument) and len(argument) <= MAX_REQUIRED:
                return [frozenset(chr(value) for _, value in argument)]
            return []
        if op is sre.SUBPATTERN:
            return [] if argument[1] & re.IGNORECASE else sequence(argument[-1])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            return sequence(argument[2]) if argument[0] >= 1 else []
        if op is sre.ATOMIC_GROUP:
            return sequence(argument)
        if op is sre.ASSERT:
            return sequence(argument[1])
        if op is sre.BRANCH:
            union: set[str] = set()
            for alternative in argument[1]:
                found = sequence(alternative)
                if not found:
                    return []
                union |= min(found, key=len)
            return [frozenset(union)] if len(union) <= MAX_REQUIRED else []
        return []

    if flags & re.IGNORECASE:
        return ()
    try:
        parsed = _parser.parse(pattern, flags)
        found = [] if parsed.state.flags & re.IGNORECASE else sequence(parsed)
    except (ImportError, AttributeError, TypeError, ValueError, re.error):  # another Python's re
        return ()
    return tuple(dict.fromkeys("".join(sorted(chars)) for chars in found))


MAX_REQUIRED = 64  # a character class larger than this is no useful filter


def led_pattern(lead: str, source: str, flags: int = 0) -> re.Pattern[str]:
    """:func:`cached_pattern` of ``source`` led by the lookahead ``(?=lead)``, where ``lead`` names what
    every match starts with (a character class, or ``^``): re then skips the other positions at once
    instead of trying each alternative there. The matches are the same as ``source``'s.

    >>> led_pattern("[0-9!]", r"[0-9]+|!{2,}").findall("ab12!!c")
    ['12', '!!']
    """
    return cached_pattern(f"(?={lead})(?:{source})", flags)


def match_reach(pattern: str, flags: int = 0) -> int | None:
    """How far from where a match of ``pattern`` starts it may look, either way, lookarounds and
    anchors included; ``None`` when that is unbounded or a match may be empty (then only a full
    scan finds every match, see :func:`finditer_near`).

    >>> match_reach(r"(?<=[個些])問(?![題答])"), match_reach(r"問+"), match_reach(r"(?=x)")
    (3, None, None)
    >>> match_reach(r"多(?!(.)\1)"), match_reach(r"(.+)\1")
    (3, None)
    """
    from re import _constants as sre
    from re import _parser

    def width(items) -> int | None:
        total = 0
        for op, argument in items:
            if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY, sre.CATEGORY, sre.AT):
                part = 1  # an anchor (^, $, \b) looks at one character
            elif op is sre.SUBPATTERN:
                part = width(argument[-1])
            elif op is sre.ATOMIC_GROUP:
                part = width(argument)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                part = width(argument[1])
            elif op is sre.BRANCH:
                parts = [width(alternative) for alternative in argument[1]]
                part = None if None in parts else max(parts)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                inner = width(argument[2])
                part = None if inner is None or argument[1] is sre.MAXREPEAT else inner * argument[1]
            elif op is sre.GROUPREF:
                group = groups[argument] if argument < len(groups) else None  # what the group matched again
                part = None if group is None or group[1] >= sre.MAXREPEAT else group[1]
            else:
                return None  # a conditional: no bound worth computing
            if part is None:
                return None
            total += part
        return total

    if flags & re.IGNORECASE:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
        if parsed.getwidth()[0] == 0:
            return None
        groups = parsed.state.groupwidths
        return width(parsed)
    except (ImportError, AttributeError, TypeError, ValueError, re.error):  # another Python's re
        return None


def finditer_near(
    compiled: re.Pattern[str], text: str, anchors: list[int], reach: int
) -> Iterator[re.Match[str]]:
    """``compiled.finditer(text)``, searching only within ``reach`` of the sorted positions
    ``anchors``: every match must look at a character at one of them (:func:`required_chars`),
    and no match looks further than ``reach`` from its start (:func:`match_reach`).

    >>> pattern = re.compile(r"(?<=[個些])問(?![題答])")
    >>> text = "這些問很多，那些問題，一個問"
    >>> [m.span() for m in finditer_near(pattern, text, [2, 8, 13], 4)] == [m.span() for m in pattern.finditer(text)]
    True
    """
    size = len(text)
    position = 0
    index = 0
    while index < len(anchors):
        low, high = anchors[index] - reach, anchors[index] + reach
        index += 1
        while index < len(anchors) and anchors[index] - reach <= high + 1:
            high = anchors[index] + reach
            index += 1
        start = max(low, position, 0)
        limit = min(size, high + reach + 2)  # past everything a match starting by ``high`` looks at
        while start <= high:
            match = compiled.search(text, start, limit)
            if match is None or match.start() > high:
                break
            yield match
            position = start = match.end()  # matches are never empty (match_reach)


def char_positions(text: str, ch: str, where: dict[str, list[int]]) -> list[int]:
    """Where ``ch`` occurs in ``text``, found once per text and kept in ``where``.

    >>> char_positions("年年有餘", "年", {})
    [0, 1]
    """
    found = where.get(ch)
    if found is None:
        found = []
        position = text.find(ch)
        while position >= 0:
            found.append(position)
            position = text.find(ch, position + 1)
        where[ch] = found
    return found


def finditer_needing(
    compiled: re.Pattern[str],
    text: str,
    needs: tuple[str | frozenset[str], ...],
    reach: int | None,
    where: dict[str, list[int]] | None = None,
    present: set[str] | None = None,
) -> Iterator[re.Match[str]]:
    """``compiled.finditer(text)``, searched only near the characters of ``needs[0]`` (a set of
    :func:`required_chars`, the one the caller expects to be rarest) when they are rare in ``text``;
    ``reach`` is :func:`match_reach` (``None``: a full scan). ``where`` caches character positions;
    ``present``, the set of ``text``'s characters when the caller has it, spares looking for the others.

    >>> pattern, text = re.compile(r"(?<![0-9])[0-9]{2}年"), "公司成立于24年，" + "業務穩步發展。" * 9 + "2024年"
    >>> [m.span() for m in finditer_needing(pattern, text, ("年",), 4)], [m.span() for m in pattern.finditer(text)]
    ([(5, 8)], [(5, 8)])
    """
    if reach is None or not needs:
        return compiled.finditer(text)
    where = {} if where is None else where
    chars = needs[0] if present is None else present.intersection(needs[0])
    anchors = sorted(i for ch in chars for i in char_positions(text, ch, where))
    if 2 * reach * len(anchors) > len(text):
        return compiled.finditer(text)  # the characters are common here: one scan is cheaper
    return finditer_near(compiled, text, anchors, reach)


@dataclass(frozen=True)
class NearPattern:
    """A compiled pattern whose :meth:`finditer` looks only near the characters every match needs."""

    pattern: re.Pattern[str]
    needs: tuple[str, ...]
    reach: int | None

    def finditer(self, text: str, where: dict[str, list[int]] | None = None) -> Iterator[re.Match[str]]:
        """Every match, as ``self.pattern.finditer(text)`` gives them (see :func:`finditer_needing`)."""
        return finditer_needing(self.pattern, text, self.needs, self.reach, where)


def near_pattern(pattern: str, flags: int = 0) -> NearPattern:
    """:func:`cached_pattern` with what a windowed search needs, kept in the cache as well.

    >>> [m.span() for m in near_pattern(r"(?<=成立于)[0-9]{2}年").finditer("他成立于24年")]
    [(4, 7)]
    """
    flags = int(flags)
    key = hashlib.sha256(f"{flags}\0{pattern}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    needs, reach = cached_table(
        f"patterns/near-{key}", 2, [], lambda: (required_chars(pattern, flags), match_reach(pattern, flags))
    )
    return NearPattern(cached_pattern(pattern, flags), tuple(sorted(needs, key=len)), reach)
