"""Pinyin annotations, half-width punctuation, years and mixed scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.paths import data_file
from toolkit.repairs.pinyin import find_pinyin_annotations, strip_pinyin_annotations
from toolkit.repairs.punctuation import find_halfwidth_punctuation, fix_halfwidth_punctuation
from toolkit.repairs.script import convert_script, convert_with, find_mixed_script
from toolkit.repairs.years import find_malformed_years, load_facts


def test_every_seed_annotation_found(seed_text: str) -> None:
    findings = find_pinyin_annotations(seed_text)
    # Every "(pinyin)" directly after a Han character; the one after the ASCII "B" of the
    # damaged span belongs to the mojibake repair.
    expected = re.findall(r"[\u4e00-\u9fff]\([^)]+\)", seed_text)
    assert len(findings) == len(expected) == 261
    assert all(seed_text[f.start] == "(" and seed_text[f.end - 1] == ")" for f in findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("導(dǎo)語(yǔ)", "導語"),
        ("長(zhǎng)大與長(cháng)度", "長大與長度"),  # every reading counts
        ("數(shǔ)一數(shù)", "數一數"),
        ("用戶(hù)", "用戶"),
        ("女(NǙ)", "女"),  # case-insensitive
        ("綠（lǜ）色", "綠色"),  # full-width brackets
        ("加微信小羽毛(ngbjxym)咨詢", "加微信小羽毛(ngbjxym)咨詢"),
        ("國內生產總值(GDP)增長", "國內生產總值(GDP)增長"),
        ("成立於(2021)年", "成立於(2021)年"),
        ("安(an)全", "安(an)全"),  # toneless: not a flattened annotation
        ("導(yǔ)語", "導(yǔ)語"),  # not a reading of 導
    ],
)
def test_strip_only_real_readings(text: str, expected: str) -> None:
    assert strip_pinyin_annotations(text).text == expected


def test_strip_is_idempotent(seed_text: str) -> None:
    once = strip_pinyin_annotations(seed_text).text
    assert strip_pinyin_annotations(once).text == once


def test_every_seed_comma_found(seed_text: str) -> None:
    findings = find_halfwidth_punctuation(seed_text)
    assert [seed_text[f.start] for f in findings] == [","] * seed_text.count(",")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("你好,世界", "你好，世界"),
        ("真的嗎?我不信!", "真的嗎？我不信！"),
        ("注意:明天開會;別遲到", "注意：明天開會；別遲到"),
        ("共1,000元,增長3.5%", "共1,000元，增長3.5%"),
        ("會議在10:30開始", "會議在10:30開始"),
        ("1.1 支付寶與玖富", "1.1 支付寶與玖富"),
        ("一.事件背景", "一.事件背景"),
        ("1. 首先,做好準備。", "1. 首先，做好準備。"),
        ("訪問 https://example.com/a?b=1,2 了解", "訪問 https://example.com/a?b=1,2 了解"),
        ("郵箱 a.b@example.com,歡迎", "郵箱 a.b@example.com，歡迎"),
        ("He said: hello, world!", "He said: hello, world!"),
        ("使用 `a,b;c` 命令", "使用 `a,b;c` 命令"),
        ("阿里巴巴(中國)有限公司", "阿里巴巴（中國）有限公司"),
        ("生產總值(GDP)", "生產總值(GDP)"),
        ("(1) 檢查門窗;\n(2)查看水電", "（1）檢查門窗；\n（2）查看水電"),  # list labels before Chinese
        ("（一）背景\n(二)措施", "（一）背景\n（二）措施"),
        ("如式(2)所示", "如式（2）所示"),
        ("見iPhone(2)與第3章(1)", "見iPhone(2)與第3章(1)"),  # not after Latin, not at a line end
        ("他走了.", "他走了。"),
        ("謹(jǐn)?shù)膽B", "謹(jǐn)?shù)膽B"),  # damaged text belongs to the mojibake repair
        ("居?窠】狄庾R(shí)的", "居?窠】狄庾R(shí)的"),
        ("<!-- toolkit: disable=ZH201 -->", "<!-- toolkit: disable=ZH201 -->"),
    ],
)
def test_punctuation_in_chinese_context_only(text: str, expected: str) -> None:
    assert fix_halfwidth_punctuation(text).text == expected


def test_seed_years(seed_text: str) -> None:
    facts = load_facts(str(data_file("facts.tsv")))
    findings = find_malformed_years(seed_text, facts)
    assert [(seed_text[f.start : f.end], f.fix.replacement) for f in findings] == [
        ("24年", "2004"),
        ("20年", "2006"),
    ]


def test_mixed_script(seed_text: str) -> None:
    findings = find_mixed_script(seed_text)
    assert {seed_text[f.start] for f in findings} == {"于", "后", "并", "采"}
    assert find_mixed_script("这是简体中文，没有问题。") == []
    assert find_mixed_script("這是繁體中文，沒有問題。") == []


def test_convert_script_explains_lines() -> None:
    result = convert_script("第一行\n後來發展\n", "t2s")
    assert result.text == "第一行\n后来发展\n"
    assert [(e.start, e.before, e.after) for e in result.edits] == [(4, "後來發展", "后来发展")]


@pytest.mark.parametrize("name", ["s2tw", "s2hk"])
def test_regional_conversion_chain_matches_opencc(name: str) -> None:
    """s2t then the regional variants gives what OpenCC's own s2tw/s2hk give, on every article."""
    import opencc

    articles = sorted(Path(__file__).parent.parent.glob("bench/articles/*/*.md"))
    text = "\n".join(path.read_text(encoding="utf-8") for path in articles)
    assert len(text) > 20_000
    assert convert_with(text, name) == opencc.OpenCC(f"{name}.json").convert(text)
