"""The one registry of rules: id, name, severity, fix safety, rationale, example.

Rule modules call :func:`register` at import time; :mod:`toolkit.rules` imports
them all, so ``REGISTRY`` is complete once ``toolkit.rules`` is imported.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from toolkit.document import Document, parse_document
from toolkit.findings import Finding

SEVERITIES = ("error", "warning", "info")
FIX_SAFETIES = ("safe", "unsafe", "none")


@dataclass
class CheckContext:
    """What a rule's check sees: the text, its parsed document, the rule's options.

    Contexts made with :meth:`for_rule` share one parsed document.
    """

    text: str
    options: Mapping[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def document(self) -> Document:
        if "document" not in self._cache:
            self._cache["document"] = parse_document(self.text)
        return self._cache["document"]

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per text and key, shared by the rules that need the same analysis."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def for_rule(self, options: Mapping[str, Any]) -> CheckContext:
        """A context on the same text and cache with other options."""
        return CheckContext(self.text, options, self._cache)


CheckFunction = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered rule. ``fix`` is the safety of the fixes it offers."""

    id: str
    name: str
    severity: str
    fix: str
    summary: str
    rationale: str
    example: str
    check: CheckFunction
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: unknown severity {self.severity!r}")
        if self.fix not in FIX_SAFETIES:
            raise ValueError(f"{self.id}: unknown fix safety {self.fix!r}")


REGISTRY: dict[str, Rule] = {}


def register(
    id: str,
    name: str,
    *,
    severity: str,
    fix: str,
    options: Mapping[str, Any] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: register ``check`` as rule ``id``.

    The summary, rationale and example are read from the check's docstring (see
    :func:`describe`). ``options`` are the rule's defaults;
    ``config/default.toml`` and user configuration override them.
    """

    def decorate(check: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        REGISTRY[id] = Rule(id, name, severity, fix, *describe(check), check, options or {})
        return check

    return decorate


def describe(check: Callable) -> tuple[str, str, str]:
    """A rule's summary, rationale and example, from its check's docstring.

    The first line is the summary (its full stop dropped), the last paragraph starts with
    ``Example:``, the paragraphs between are the rationale; line breaks become spaces.

    >>> def check_empty(context):
    ...     '''Heading with no content.
    ...
    ...     A heading followed by a heading of the same level
    ...     has no text.
    ...
    ...     Example: 2.2 directly followed by 2.3
    ...     '''
    >>> describe(check_empty)
    ('Heading with no content', 'A heading followed by a heading of the same level has no text.', '2.2 directly followed by 2.3')
    """
    paragraphs = [" ".join(p.splitlines()) for p in inspect.cleandoc(check.__doc__ or "").split("\n\n")]
    if len(paragraphs) < 3 or not paragraphs[-1].startswith("Example: "):
        raise ValueError(f"{check.__name__}: the docstring needs a summary, a rationale and 'Example: …'")
    return (
        paragraphs[0].removesuffix("."),
        " ".join(paragraphs[1:-1]),
        paragraphs[-1].removeprefix("Example: "),
    )


def resolve(selector: str) -> list[Rule]:
    """Rules matching an id (``ZH101``), a name (``pinyin-annotation``), a prefix (``ZH1``) or ``ALL``.

    Returns an empty list when nothing matches.
    """
    key = selector.strip()
    if key.upper() == "ALL":
        return list(REGISTRY.values())
    by_name = [rule for rule in REGISTRY.values() if rule.name == key.lower()]
    if by_name:
        return by_name
    return [rule for rule in REGISTRY.values() if rule.id.startswith(key.upper())]
