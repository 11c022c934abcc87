"""Configuration: defaults from ``config/``, then the project's file, then the command line.

Order (later wins): ``config/default.toml`` shipped with the package; the
nearest ``toolkit.toml`` or ``pyproject.toml`` with a ``[tool.toolkit]`` table,
searched upwards from the working directory; a file given with ``--config``;
``--select``/``--ignore`` on the command line.

Keys: ``select`` and ``ignore`` (lists of rule ids, names, prefixes or
``ALL``), ``extend-select``/``extend-ignore``, ``severity`` (a table rule →
``error``/``warning``/``info``) and ``[rules.ID]`` tables of per-rule options.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError
from toolkit.paths import data_file
from toolkit.rules.registry import REGISTRY, SEVERITIES, Rule, resolve


@dataclass
class Config:
    """Resolved settings: which rules run, their severities and options."""

    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def merge(self, table: Mapping[str, Any], source: str) -> None:
        """Overlay one configuration table (already unwrapped from ``[tool.toolkit]``)."""
        known = {"select", "ignore", "extend-select", "extend-ignore", "severity", "rules"}
        unknown = set(table) - known
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
        if "select" in table:
            self.select = _string_list(table["select"], source, "select")
        if "ignore" in table:
            self.ignore = _string_list(table["ignore"], source, "ignore")
        self.select += _string_list(table.get("extend-select", []), source, "extend-select")
        self.ignore += _string_list(table.get("extend-ignore", []), source, "extend-ignore")
        for selector, level in dict(table.get("severity", {})).items():
            if level not in SEVERITIES:
                raise ConfigError(f"{source}: severity of {selector} must be one of {', '.join(SEVERITIES)}")
            for rule in _resolve_or_fail(selector, source):
                self.severity[rule.id] = level
        for selector, options in dict(table.get("rules", {})).items():
            if not isinstance(options, Mapping):
                raise ConfigError(f"{source}: [rules.{selector}] must be a table")
            for rule in _resolve_or_fail(selector, source):
                self.rule_options.setdefault(rule.id, {}).update(options)
        self.sources.append(source)

    def enabled_rules(self) -> list[Rule]:
        """The selected rules minus the ignored ones, in id order."""
        chosen: dict[str, Rule] = {}
        for selector in self.select:
            for rule in _resolve_or_fail(selector, "select"):
                chosen[rule.id] = rule
        for selector in self.ignore:
            for rule in _resolve_or_fail(selector, "ignore"):
                chosen.pop(rule.id, None)
        return [chosen[key] for key in sorted(chosen)]

    def options_for(self, rule: Rule) -> dict[str, Any]:
        """The rule's default options overlaid with configured ones."""
        options = dict(rule.options)
        options.update(self.rule_options.get(rule.id, {}))
        return options

    def severity_of(self, rule_id: str) -> str:
        return self.severity.get(rule_id, REGISTRY[rule_id].severity)


def _string_list(value: Any, source: str, key: str) -> list[str]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{source}: {key} must be a list of rule ids or names")
    return [item.strip() for item in value]


def _resolve_or_fail(selector: str, source: str) -> list[Rule]:
    rules = resolve(selector)
    if not rules:
        raise ConfigError(f"{source}: unknown rule {selector!r} (see `toolkit rules`)")
    return rules


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None


def find_project_config(start: Path) -> Path | None:
    """The nearest ``toolkit.toml``, or ``pyproject.toml`` with ``[tool.toolkit]``."""
    for folder in (start, *start.parents):
        candidate = folder / "toolkit.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "toolkit" in _read_toml(candidate).get("tool", {}):
            return candidate
    return None


def _table_of(path: Path) -> dict[str, Any]:
    data = _read_toml(path)
    if path.name == "pyproject.toml" or "tool" in data:
        return data.get("tool", {}).get("toolkit", {})
    return data


def load_config(
    config_file: str | Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    start: Path | None = None,
    isolated: bool = False,
) -> Config:
    """Build the configuration in the documented order.

    ``isolated`` skips the project file search (used by tests and ``--isolated``).
    """
    import toolkit.rules  # noqa: F401  (fills the registry)

    config = Config()
    config.merge(_read_toml(data_file("default.toml")), "config/default.toml")
    if not isolated:
        project = find_project_config(start or Path.cwd())
        if project is not None:
            config.merge(_table_of(project), str(project))
    if config_file is not None:
        path = Path(config_file)
        if not path.is_file():
            raise ConfigError(f"{path}: configuration file not found")
        config.merge(_table_of(path), str(path))
    if select:
        config.select = list(select)
    if ignore:
        config.ignore = config.ignore + list(ignore)
    config.enabled_rules()  # validate every selector now, not mid-run
    return config
