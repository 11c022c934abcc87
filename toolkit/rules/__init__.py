"""Rules: the registry and the modules that register into it.

Importing this package fills :data:`toolkit.rules.registry.REGISTRY`.
"""

from toolkit.rules import content, dropped, mojibake, structure, text  # noqa: F401  (register rules)
from toolkit.rules.registry import REGISTRY, Rule, resolve

__all__ = ["REGISTRY", "Rule", "resolve"]
