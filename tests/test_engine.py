"""The rule engine: selection, configuration, suppression, fix passes, idempotence, explain."""

from __future__ import annotations

import pytest

from toolkit.config import load_config
from toolkit.engine import clean_text, lint_text
from toolkit.errors import ConfigError
from toolkit.rules import REGISTRY


def test_registry_entries_are_complete() -> None:
    for rule in REGISTRY.values():
        assert rule.id.startswith("ZH") and len(rule.id) == 5
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.rationale and rule.example and rule.summary


def test_select_and_ignore_by_id_name_prefix() -> None:
    only_pinyin = load_config(select=["pinyin-annotation"], isolated=True)
    assert [r.id for r in only_pinyin.enabled_rules()] == ["ZH101"]
    no_structure = load_config(ignore=["ZH5"], isolated=True)
    assert not any(r.id.startswith("ZH5") for r in no_structure.enabled_rules())
    with pytest.raises(ConfigError, match="unknown rule"):
        load_config(select=["ZH999"], isolated=True)


def test_project_config_file(tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.toolkit]\nignore = ["mixed-script"]\n[tool.toolkit.severity]\nZH201 = "error"\n',
        encoding="utf-8",
    )
    config = load_config(start=tmp_path)
    assert "ZH401" not in {r.id for r in config.enabled_rules()}
    assert config.severity_of("ZH201") == "error"
    (tmp_path / "bad.toml").write_text("select = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path / "bad.toml", isolated=True)
    (tmp_path / "unknown.toml").write_text("selekt = []", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting"):
        load_config(tmp_path / "unknown.toml", isolated=True)


def test_per_rule_options(tmp_path) -> None:
    (tmp_path / "toolkit.toml").write_text("[rules.malformed-year]\nyear_min = 1950\n", encoding="utf-8")
    config = load_config(start=tmp_path)
    assert [f.rule for f in lint_text("公司成立於1900年，至今仍在。", config)] == ["ZH302"]


def test_suppression_comments(config) -> None:
    text = (
        "甲,乙\n"
        "<!-- toolkit: disable-next-line=ZH201 -->\n"
        "丙,丁\n"
        "<!-- toolkit: disable=halfwidth-punctuation -->\n"
        "戊,己\n"
        "<!-- toolkit: enable=ZH201 -->\n"
        "庚,辛 <!-- toolkit: disable-line -->\n"
        "壬,癸\n"
    )
    lines = [text[: f.start].count("\n") + 1 for f in lint_text(text, config) if f.rule == "ZH201"]
    assert lines == [1, 8]


def test_clean_seed_is_idempotent_and_leaves_no_safe_findings(seed_text: str, config) -> None:
    once = clean_text(seed_text, config)
    assert clean_text(once.text, config).text == once.text
    safe = {r.id for r in config.enabled_rules() if r.fix == "safe"}
    assert [f for f in lint_text(once.text, config) if f.rule in safe and f.fix] == []


def test_explained_edits_replay_to_the_result(config) -> None:
    text = "導(dǎo)語(yǔ)\n支付寶成立于24年,是最大的平臺(tái)之一,用戶(hù)眾多。\n"
    result = clean_text(text, config, unsafe=True)
    assert result.passes == 1
    assert [(e.rule, e.before, e.after) for e in result.edits] == [
        ("ZH101", "(dǎo)", ""),
        ("ZH101", "(yǔ)", ""),
        ("ZH401", "于", "於"),
        ("ZH302", "24", "2004"),
        ("ZH201", ",", "，"),
        ("ZH101", "(tái)", ""),
        ("ZH201", ",", "，"),
        ("ZH101", "(hù)", ""),
    ]
    rebuilt, position = [], 0
    for edit in result.edits:
        assert text[edit.start : edit.end] == edit.before
        rebuilt.append(text[position : edit.start] + edit.after)
        position = edit.end
    rebuilt.append(text[position:])
    assert "".join(rebuilt) == result.text


def test_unsafe_fixes_need_the_flag(config) -> None:
    text = "支付寶成立于24年，總部設在杭州，員工眾多。"
    assert clean_text(text, config).text == text
    assert clean_text(text, config, unsafe=True).text == "支付寶成立於2004年，總部設在杭州，員工眾多。"
