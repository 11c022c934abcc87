"""Heading structure rules on texts with known damage."""

from __future__ import annotations

from toolkit.engine import lint_text


def rules_and_lines(text: str, config) -> list[tuple[str, str]]:
    return [(f.rule, text[f.start : f.end]) for f in lint_text(text, config) if f.rule.startswith("ZH5")]


def test_seed_structure_is_clean(seed_text: str, config) -> None:
    assert rules_and_lines(seed_text, config) == []


def test_skipped_repeated_and_out_of_order_chapters(config) -> None:
    text = "一、甲\n內容。\n三、乙\n內容。\n三、丙\n內容。\n二、丁\n內容。\n"
    found = lint_text(text, config)
    messages = [f.message for f in found if f.rule == "ZH501"]
    assert messages == [
        "chapter 三、 follows 一、: 二 is missing",
        "chapter 三、 repeats the number of 三、",
        "chapter 二、 is out of order after 三、",
    ]


def test_subsection_under_wrong_chapter_and_gap(config) -> None:
    text = "一、甲\n1.1 子\n內容。\n1.3 子\n內容。\n二、乙\n1.1 子\n內容。\n"
    assert rules_and_lines(text, config) == [
        ("ZH501", "1.3 子"),
        ("ZH502", "1.1 子"),
    ]


def test_first_number_must_be_one(config) -> None:
    text = "一、甲\n（二）乙\n內容。\n"
    assert rules_and_lines(text, config) == [("ZH501", "（二）乙")]


def test_level_order_skip(config) -> None:
    text = "一、甲\n（一）乙\n1. 丙\n內容。\n二、丁\n（1）戊\n內容。\n"
    assert rules_and_lines(text, config) == [("ZH503", "（1）戊")]


def test_empty_section(config) -> None:
    text = "一、甲\n1.1 子\n1.2 子\n內容。\n"
    assert rules_and_lines(text, config) == [("ZH504", "1.1 子")]


def test_numbered_list_items(config) -> None:
    text = "一、甲\n1. 第一項內容很長，需要說明。\n2. 第二項內容很長，需要說明。\n4. 第四項內容很長，需要說明。\n"
    assert [m for r, m in rules_and_lines(text, config)] == ["4. 第四項內容很長，需要說明。"]


def test_markdown_headings_with_numbers(config) -> None:
    text = "# 標題\n## 一、甲\n### 1.1 子\n內容。\n## 二、乙\n### 2.1 子\n內容。\n"
    assert rules_and_lines(text, config) == []
