"""The rule engine: selection, configuration, suppression, fix passes, idempotence, explain."""

from __future__ import annotations

from dataclasses import replace

import pytest

from toolkit.config import load_config
from toolkit.engine import YIELDING_RULES, clean_text, lint_text
from toolkit.errors import ConfigError
from toolkit.findings import Edit, Finding
from toolkit.rules import REGISTRY
from toolkit.rules.registry import describe


def test_registry_entries_are_complete() -> None:
    for rule in REGISTRY.values():
        assert rule.id.startswith("ZH") and len(rule.id) == 5
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.rationale and rule.example and rule.summary


def test_rule_texts_come_from_the_check_docstring() -> None:
    rule = REGISTRY["ZH504"]
    assert (rule.summary, rule.example) == (
        "Heading with no content",
        "2.2 用戶信用意識薄弱 directly followed by 2.3 …",
    )
    assert rule.rationale.startswith("A heading followed directly by a heading of the same or a higher level")
    assert "\n" not in rule.rationale

    def check_without_example(context):
        """Something odd.

        Why it is odd.
        """

    with pytest.raises(ValueError, match="check_without_example: the docstring needs"):
        describe(check_without_example)


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


# ---------------------------------------------------------------------------
# Damage claimed by the mojibake rules is left to them


def _damage(text: str, table: list[tuple[str, str]], stray: bytes = b"") -> str:
    """The real pipeline (GBK bytes, byte-level annotator, legacy decoder, NFKC), optionally one
    stray byte inside the first 。."""
    import unicodedata

    from toolkit.repairs import gbk

    data = text.encode("gbk")
    if stray:
        cut = data.index("。".encode("gbk")) + 1
        data = data[:cut] + stray + data[cut:]
    return unicodedata.normalize("NFKC", gbk.legacy_decode(gbk.annotate_bytes(data, table)))


def _everywhere(context) -> list[Finding]:
    """A stand-in check that flags (and would rewrite) every Han character of the text."""
    return [
        Finding("ZH000", i, i + 1, "flagged", Edit(i, i + 1, "＊"))
        for i, ch in enumerate(context.text)
        if "\u4e00" <= ch <= "\u9fff"
    ]


@pytest.mark.parametrize("rule_id", YIELDING_RULES)
def test_rules_yield_inside_an_undecided_run(rule_id: str, monkeypatch) -> None:
    """Whatever a yielding rule finds, the engine holds it back inside a claimed run (each rule
    is replaced by a check that fires on every character, so the test cannot pass vacuously)."""
    rule = REGISTRY[rule_id]

    def check(context):
        # the character before a `?` stays: it tells where a run without `py)` starts
        text = context.text
        return [replace(f, rule=rule_id) for f in _everywhere(context) if text[f.end : f.end + 1] != "?"]

    monkeypatch.setitem(REGISTRY, rule_id, replace(rule, check=check, fix="safe"))
    config = load_config(select=[rule_id, "ZH102"], isolated=True)
    config.rule_options.setdefault("ZH102", {})["margin"] = 1000.0  # no reading can win: undecided
    # a stray byte inside 。 and no `py)`: the run may be undecided (a run glued to `py)` is always repaired)
    damaged = _damage("我們已經完成了。申請手續很簡單", [], b" ")
    findings = lint_text(damaged, config)
    (claim,) = [f for f in findings if f.rule == "ZH102"]
    assert claim.fix is None and "no other fix is applied inside it" in claim.message
    own = [f for f in findings if f.rule == rule_id]
    assert own and all(f.end <= claim.start or f.start >= claim.end for f in own)
    cleaned = clean_text(damaged, config).text
    assert damaged[claim.start : claim.end] in cleaned  # the damage is left whole
    assert cleaned.startswith("＊＊＊") and cleaned.endswith("＊＊＊")  # and the rule works outside it


def test_residue_tells_why_it_was_left() -> None:
    config = load_config(isolated=True)
    text = "他的看法\ue000\ue001很有道理,值得參考。"
    (residue,) = [f for f in lint_text(text, config) if f.rule == "ZH104"]
    assert "private-use character" in residue.message and "left for a human" in residue.message
    assert clean_text(text, config).text == "他的看法\ue000\ue001很有道理，值得參考。"


def test_claims_hold_when_the_mojibake_rules_are_not_selected() -> None:
    config = load_config(select=["ZH201"], isolated=True)
    damaged = _damage("我們已經完成了。申請手續很簡單,謝謝", [("請", "qǐng")], b" ")
    cleaned = clean_text(damaged, config).text
    assert cleaned.startswith("我們已經完成了?") and cleaned.endswith("很簡單，謝謝")


def test_remaining_findings_reuse_the_last_pass_and_survive_pickling(seed_text: str, config) -> None:
    """What remains after a clean is what a fresh lint of the result reports, whether the last
    pass's analyses are at hand (one process) or were dropped on the way back from a worker."""
    import pickle

    from toolkit.engine import remaining_findings

    result = clean_text(seed_text, config)
    expected = lint_text(result.text, config)
    assert result.context is not None and result.context.text == result.text
    assert remaining_findings(result, config) == expected
    returned = pickle.loads(pickle.dumps(result))
    assert returned.context is None and returned == result
    assert remaining_findings(returned, config) == expected
