"""Truncated years (ZH302): every truncation corrupt.py makes, candidates, fixes only with evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.repairs.years import find_malformed_years


def _only(text: str, facts: dict[str, int] | None = None):
    (finding,) = find_malformed_years(text, facts or {})
    return finding


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        ("截至221年末，全國共有發卡機構", "2021"),  # zeros dropped, three digits left
        ("到24年，全國信用卡發卡量突破", "2004"),  # zeros dropped, two digits left
        ("從26年開始，監管部門", "2016"),  # middle digits dropped
        ("我國第一張信用卡誕生于15年，由一家銀行發行", "1985"),  # middle digits of a 19xx year
        ("在2年底，平台開始整頓", "2000"),  # one digit left
        ("數據顯示，21年我國移動支付", "2021"),  # a clause that opens with the year
        ("221年以後，行業進入整頓期", "2021"),  # three digits, no zero
        ("自25年以來，移動支付普及", "2015"),  # since a year, middle digits dropped
        ("从21年起，新规开始实施", "2021"),
        ("2018年至22年間，一些長租公寓爆雷", "2022"),  # the end of a range that starts with a year
        ("國家衛生部門21年發布的數據顯示", "2021"),  # what a body did in a year
        ("遺址於1961年被發現，17年被列入世界文化遺產", "2017"),  # an event at a clause start
        ("甲醛散乾淨沒有?24年,世界衛生組織下屬的機構", "2004"),  # after a question mark made half-width
        ("結婚登記比22年有所回升", "2022"),  # compared with a year
        ("發布《成人糖尿病食養指南（23年版）》", "2023"),  # an edition
        ("《戶外運動產業發展規劃（2022—25年）》", "2025"),  # a range whose first year has no 年
        ("國際糖尿病聯盟21年發布的數據", "2021"),  # what a body did in a year
        ("條例於2003年出臺，此后在2007年、2016年和28年經過修訂", "2018"),  # listed with full years
    ],
)
def test_every_truncation_is_found_and_its_year_suggested(text: str, truth: str) -> None:
    finding = _only(text)
    assert finding.rule == "ZH302"
    assert text[finding.start : finding.end].endswith("年")
    assert truth in finding.suggestions


def test_candidates_list_every_restoration() -> None:
    finding = _only("芝麻信用于25年正式推出")
    assert finding.fix is None  # 2005 (zeros) or 2015/2025 (middle): no evidence, no guess
    assert {"2005", "2015", "2025"} <= set(finding.suggestions)
    assert "maybe 2005" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "他於20年前離開",
        "公司成立10年來",
        "1980年代",
        "近20年，行業變化很大",
        "2004年成立",
        "于5年內完成",
        "诞生12年，比特币在2021年迎来高光时刻",
        "出美式民主，20年穷兵黩武",  # a clause-start duration on a page without damaged years
        "注册有效期为3年。",
        "这是浙江大学120年办学的灵魂",
        "这是他在公司的第18年。",
        "贷款期限为1至5年。",  # a range of durations
        "一般需要3到5年时间",
        "在24年里，他一直在工作",
        "他读到3年级就辍学了。",
        "20年过去了，一切都变了。",
        "公司成立15年以来，从20年前开始，自2015年以来",  # durations, and a full year after 自
        "狗的平均寿命在12年到15年之间，贷款期限为1至5年。",  # spans of years
        "最低缴费年限将从15年逐步提高到20年，每年提高6个月。",  # a length of time changes
        "从距今约5000年的古城，到长达1000年之久的王朝",  # spans of years, not years out of range
        "该政策实施10年被证明有效，他服刑20年被释放，这家公司10年推出了5款产品",  # after a verb or a firm
        "期限分为1年、3年和5年，比10年前长，2019年和5年前相比",  # a list of durations, 比 a duration
        "80年代出生的人，1990年代，第18年出生的小牛",  # a two-digit decade; 第18年 counts years
        "他工作了28年的時候退休，進入第20年，進入10年之內",  # a duration before 的時候; 第20年
        "過去20年至25年間，近20年至25年間，在3年至5年間完成",  # spans of years
    ],
)
def test_durations_and_valid_years_are_not_reported(text: str) -> None:
    assert find_malformed_years(text, {}) == []


def test_clause_start_year_is_reported_on_a_page_with_damaged_years() -> None:
    text = "到24年，全國發卡量突破1億張。\n21年，行業進入快速發展期。"
    assert [text[f.start : f.end] for f in find_malformed_years(text, {})] == ["24年", "21年"]


def test_fix_from_the_fact_table() -> None:
    finding = _only("支付寶成立于24年。", {"支付寶": 2004})
    assert finding.fix.replacement == "2004" and "founding year of 支付寶" in finding.message


def test_fix_from_another_year_in_the_text() -> None:
    finding = _only("平台於2018年上線。該平台于18年推出新產品")
    assert finding.fix.replacement == "2018" and finding.suggestions[0] == "2018"


def test_a_list_and_a_clause_after_a_conjunction_are_found_from_one_year() -> None:
    text = "此后在27年、26年和28年經過多次修訂。2023年有768萬對，比22年有所回升，而24年又回落"
    found = [text[f.start : f.end] for f in find_malformed_years(text, {})]
    assert found == ["27年", "26年", "28年", "22年", "24年"]


def test_a_year_elsewhere_is_evidence_only_when_a_truncation_could_have_made_the_digits() -> None:
    """No truncation of 2023 keeps 2 and 2: its 22年 is left with its candidates, 2022 among them."""
    finding = _only("2023年全國結婚登記768萬對，比22年有所回升")
    assert finding.fix is None and "2022" in finding.suggestions


def test_fix_from_the_page_truncation_mode() -> None:
    # 221 can only lose zeros, so the page drops zeros and 25 is 2005, not 2015
    text = "到221年底，全國共有平台。芝麻信用于25年正式推出"
    assert [f.fix.replacement for f in find_malformed_years(text, {})] == ["2021", "2005"]


def test_middle_mode_uses_the_order_of_years() -> None:
    # 15 cannot lose zeros (1985 lost its middle), so 24 is 2004, 2014 or 2024: the years around decide
    text = "信用卡誕生於15年。2012年行業起步，到24年，規模擴大。2020年以後進入整頓"
    fixes = [
        (text[f.start : f.end], f.fix.replacement if f.fix else None) for f in find_malformed_years(text, {})
    ]
    assert fixes == [("15年", None), ("24年", "2014")]


def test_annotations_do_not_hide_the_context() -> None:
    finding = _only("從(cóng)26年開始")
    assert "2016" in finding.suggestions


def test_cli_lists_candidates_and_fixes_only_with_evidence(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("支付寶成立于24年。芝麻信用于25年正式推出。\n", encoding="utf-8")
    runner = CliRunner()
    lint = runner.invoke(main, ["lint", "--isolated", "--format", "json", "--select", "ZH302", str(page)])
    findings = json.loads(lint.output)["findings"]
    assert [f["suggestions"][0] for f in findings] == ["2004", "2005"]
    assert [f["fix"] is not None for f in findings] == [True, False]
    clean = runner.invoke(main, ["clean", "--isolated", "--unsafe", "--select", "ZH302", str(page)])
    assert clean.exit_code == 0
    assert clean.output == "支付寶成立于2004年。芝麻信用于25年正式推出。\n"


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        ("網上業務則在25年前後逐漸普及", "2015"),  # 年前後 is "around", a date
        ("根據(jù)28年施行的《勞動合同法》", "2008"),
        ("是熱門的旅游目的地之一。23年雲南接待游客超過8億人次", "2023"),
        ("到了199年代，經費緊張", "1990"),  # a decade has two or four digits
        ("2年代初，互聯網進入家庭", "2000"),
        ("。2年出生的她在大學期間", "2000"),  # a year of birth
        ("她說：“28年的時候，我們一晚上要擺到凌晨", "2008"),  # when, at the start of a clause
        ("進入21年以後，低年級學生的近視率上升", "2021"),
        ("網絡借貸在2010年至25年間快速興起", "2025"),
    ],
)
def test_more_date_contexts(text: str, truth: str) -> None:
    assert truth in _only(text).suggestions


def test_a_decade_is_restored_to_a_year_that_ends_in_zero() -> None:
    assert _only("上世紀80年代和199年代").suggestions == ("1990",)
    assert find_malformed_years("在205年代，", {}) == []  # no decade up to now has these digits


def test_both_ends_of_a_range_of_years_are_found() -> None:
    text = "20年至25年間，電子儀表逐漸普及"
    assert [text[f.start : f.end] for f in find_malformed_years(text, {})] == ["20年", "25年"]


def test_a_range_that_opens_a_clause_is_read_as_years_on_a_damaged_page() -> None:
    text = "到24年，全國發卡量突破1億張。20年至25年，湖區共拆除圍網"
    assert [text[f.start : f.end] for f in find_malformed_years(text, {})] == ["24年", "20年", "25年"]
    assert find_malformed_years("他工作了20年至25年，才退休", {}) == []  # durations after a verb


def test_colloquial_two_digit_year_suggests_its_century() -> None:
    finding = _only("自15年起，公司就開始轉型")
    assert finding.suggestions[0] == "2015" and "1985" in finding.suggestions  # 2015 or 1985 lost its middle


def test_bad_fact_table_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "facts.tsv").write_text("支付寶\tlate\n", encoding="utf-8")
    (tmp_path / "toolkit.toml").write_text(
        f'[rules.malformed-year]\nfacts = "{tmp_path / "facts.tsv"}"\n', encoding="utf-8"
    )
    (tmp_path / "a.txt").write_text("支付寶成立于24年。\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["lint", "--config", str(tmp_path / "toolkit.toml"), str(tmp_path / "a.txt")]
    )
    assert result.exit_code == 2
    assert (
        "facts.tsv:1: expected name|name…<TAB>year" in result.output and "internal error" not in result.output
    )
