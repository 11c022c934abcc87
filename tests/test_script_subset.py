"""The s2t converter built from only the phrases a text holds converts it as the full one does."""

from __future__ import annotations

from functools import cache

import opencc
import pytest

from toolkit.repairs import script
from toolkit.repairs.script import _converter, _phrases_in, _s2t_converter, _subset_s2t, convert_with

# Phrases that overlap (以后/后天, 头发/发干, 一干二净), a phrase split by a line end (头|发),
# phrases at the start and the end of lines and of the text, characters whose conversion
# depends on the phrase (干, 后, 发, 里, 面), and a traditional line taken back to simplified.
MIXED = [
    "以后天天都来",
    "头发干了以后，他一干二净地走了。",
    "皇后在宫里吃面\n面条在锅里",
    "他剪了头\n发廊在街角",
    "发展\n",
    "\n这里的干部干活很干脆",
    "乾隆年间的于谦关于历史的看法",
    "一只鸟飞过了只有三个人的小岛，后来他们回到了台湾。",
    "臺灣的軟件于2004年成立，後来发展迅速，云计算与云彩",
    "",
    "发",
    "百分之百的几乎不可能",
]


@pytest.mark.parametrize("text", MIXED)
def test_subset_converts_as_the_full_converter(text):
    subset = _subset_s2t(text)
    assert subset is not None
    assert subset.convert(text) == opencc.OpenCC("s2t.json").convert(text)


@pytest.mark.parametrize("text", MIXED)
def test_subset_serves_every_part_of_its_text(text):
    subset = _subset_s2t(text)
    full = opencc.OpenCC("s2t.json")
    for start in range(len(text)):
        part = text[start : start + 4]
        assert subset.convert(part) == full.convert(part)


def test_phrases_are_the_ones_the_text_holds():
    table = script._phrase_table()
    assert table is not None
    lines = _phrases_in("头发干了以后", table[2])
    keys = [line.split("\t")[0] for line in lines]
    assert "头发" in keys and "以后" in keys
    assert all(key in "头发干了以后" for key in keys)
    assert "头发廊" not in keys


def test_compatibility_ideographs_use_the_full_converter():
    assert _subset_s2t("\uf900以后") is None  # OpenCC normalizes 豈 before it matches phrases
    assert convert_with("\uf900以后", "s2t") == opencc.OpenCC("s2t.json").convert("\uf900以后")


def test_a_cache_that_cannot_be_written_falls_back_to_the_full_converter(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TOOLKIT_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(script, "_S2T", script._S2TState())
    monkeypatch.setattr(script, "_phrase_table", cache(script._phrase_table.__wrapped__))
    assert script._phrase_table() is None
    assert _subset_s2t("以后") is None
    assert _s2t_converter("以后") is _converter("s2t")
    assert convert_with("头发干了以后", "s2tw") == opencc.OpenCC("s2tw.json").convert("头发干了以后")


def test_a_process_keeps_the_full_converter_after_a_few_texts(monkeypatch):
    monkeypatch.setattr(script, "_S2T", script._S2TState())
    first = _s2t_converter("以后的头发")
    assert first is not _converter("s2t")
    assert _s2t_converter("头发") is first  # a part of the last text: the same subset converter
    for number in range(script.SUBSET_MAX_TEXTS - 1):
        assert _s2t_converter(f"第{number}个以后") is not _converter("s2t")
    assert _s2t_converter("以后再说") is _converter("s2t")
    assert _s2t_converter("短") is _converter("s2t")  # from now on, always the full one


def test_a_long_text_uses_the_full_converter(monkeypatch):
    monkeypatch.setattr(script, "_S2T", script._S2TState())
    long_text = "以后" * (script.SUBSET_MAX_CHARS // 2 + 1)
    assert _s2t_converter(long_text) is _converter("s2t")
    assert _s2t_converter("以后") is _converter("s2t")
