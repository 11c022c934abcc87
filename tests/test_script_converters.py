"""ZH401's OpenCC converters, built on a background thread while the other checks run."""

from __future__ import annotations

import threading

import pytest

from toolkit.engine import lint_text
from toolkit.repairs import script

MIXED = "關於這個問題，我們成立于2004年，以后再說。"  # traditional text, simplified 于 and 后


@pytest.fixture
def no_converters(monkeypatch):
    """Start with no converter built and none building."""
    monkeypatch.setattr(script, "_CONVERTERS", {})
    monkeypatch.setattr(script, "_BUILDING", {})
    script._mixture.cache_clear()


def test_prepare_builds_exactly_the_converters_the_check_uses(no_converters, monkeypatch):
    built: list[tuple[str, str]] = []
    build = script._build_converter

    def recording(name):
        built.append((name, threading.current_thread().name))
        return build(name)

    monkeypatch.setattr(script, "_build_converter", recording)
    script.prepare_mixed_script(MIXED)
    findings = script.find_mixed_script(MIXED)
    assert [f.fix.replacement for f in findings] == ["於", "後"]
    assert sorted(built) == sorted((name, "toolkit-opencc") for name in ("t2s", "s2t", "t2tw", "t2hk"))
    assert not script._BUILDING  # the check waited for the thread: nothing outlives the run


def test_nothing_is_built_for_a_text_of_one_script(no_converters):
    script.prepare_mixed_script("这是一个简体中文的句子，没有繁体字。")
    assert not script._BUILDING and not script._CONVERTERS


def test_findings_are_the_same_with_or_without_preparing(no_converters, config):
    alone = script.find_mixed_script(MIXED)
    script._mixture.cache_clear()
    script.prepare_mixed_script(MIXED)
    assert script.find_mixed_script(MIXED) == alone
    assert [f for f in lint_text(MIXED, config) if f.rule == script.RULE] == alone


def test_a_failed_background_build_raises_in_the_check(no_converters, monkeypatch):
    def broken(name):
        raise ValueError(f"cannot build {name}")

    monkeypatch.setattr(script, "_build_converter", broken)
    script.prepare_mixed_script(MIXED)
    with pytest.raises(ValueError, match="cannot build t2s"):
        script.find_mixed_script(MIXED)
