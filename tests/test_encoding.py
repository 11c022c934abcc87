"""Run-level encoding mojibake (ZH103)."""

from __future__ import annotations

import subprocess
import sys

from toolkit.repairs import encoding
from toolkit.rules.mojibake import check_encoding
from toolkit.rules.registry import CheckContext


def test_utf8_read_as_gbk() -> None:
    damaged = "你好世界".encode().decode("gbk")
    (repair,) = encoding.find_utf8_as_gbk("他說" + damaged + "。")
    assert (repair.start, repair.replacement, repair.plan) == (2, "你好世界", "encode gbk, decode utf-8")


def test_gbk_and_big5_read_as_latin1() -> None:
    gbk_damaged = "你好，世界".encode("gbk").decode("cp1252")
    assert [r.replacement for r in encoding.find_legacy_as_latin1(gbk_damaged)] == ["你好，世界"]
    big5_damaged = "資料庫".encode("big5").decode("latin-1")
    assert [r.replacement for r in encoding.find_legacy_as_latin1(big5_damaged)] == ["資料庫"]


def test_ftfy_keeps_chinese_punctuation() -> None:
    damaged = "你好世界".encode().decode("cp1252")
    (repair,) = encoding.find_ftfy(damaged + "，“好”！")
    assert repair.replacement == "你好世界"
    assert repair.plan.startswith("ftfy:")


def test_ftfy_is_loaded_only_for_what_it_could_change() -> None:
    """Pinyin tone marks are Latin-1 letters but no mojibake: ftfy is not imported for them."""
    probe = (
        "import sys\nfrom toolkit.repairs.encoding import find_ftfy\n"
        "print(find_ftfy('數(shù)據(jù) nǐ hǎo, café'), 'ftfy' in sys.modules)\n"
        "print([r.replacement for r in find_ftfy('NicolÃ¡s\\ncafé \\x93引號\\x94')], 'ftfy' in sys.modules)"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert completed.stdout.splitlines() == ["[] False", "['á', '“引號”'] True"]


def test_no_change_on_clean_text(seed_text: str) -> None:
    assert encoding.find_encoding_mojibake(seed_text) == []
    assert encoding.find_encoding_mojibake("café crème，“引號”（括號）") == []


def test_rule_offers_fix() -> None:
    damaged = "你好世界".encode().decode("gbk")
    (finding,) = check_encoding(CheckContext("他說" + damaged))
    assert finding.rule == "ZH103" and finding.fix.replacement == "你好世界"
