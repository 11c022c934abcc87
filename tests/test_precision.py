"""Text that is already right stays unchanged: one test per class of false alarm (issue 12).

The sentences are our own; the issue's cases are examples of the classes.
"""

from __future__ import annotations

import ftfy
import pytest

from toolkit.cli import main
from toolkit.engine import clean_text, lint_text
from toolkit.markup import protected_spans
from toolkit.repairs.encoding import find_encoding_mojibake, reads_as_words
from toolkit.repairs.punctuation import find_halfwidth_punctuation, fix_halfwidth_punctuation
from toolkit.repairs.script import _converter, find_mixed_script
from toolkit.rules.mojibake import find_residue

# ---------------------------------------------------------------------------
# ZH103: accented European text is not mojibake of Chinese


@pytest.mark.parametrize(
    "text",
    [
        "Ce garçon a déjà mangé à Genève.",  # ç à é: GBK/Big5 pairs of lone rare characters
        "A canção fala de paixão e de saudade.",
        "Der Bäcker öffnet um sechs Uhr; Grüße an Jürgen.",
        "¿Dónde está el niño? Mañana, señor.",
        "葡萄牙语 coração 的意思是心，法语 déjà vu 指似曾相识。",  # inside Chinese sentences
        "屏幕尺寸 2560×1440，刷新率 144 Hz…",  # × … are Windows-1252 bytes too
        "Ångström, Œuvre, naïve, Zürich — mit Akzenten.",
    ],
)
def test_european_text_is_not_repaired(text: str, config) -> None:
    assert find_encoding_mojibake(text) == []
    assert clean_text(text, config).text == text
    assert clean_text(text, config, unsafe=True).text == text


def test_european_mojibake_is_repaired_as_ftfy_would(config) -> None:
    damaged = "JoÃ£o comeu pÃ£o com manteiga em BrasÃ­lia."
    assert (
        clean_text(damaged, config).text
        == ftfy.fix_text(damaged)
        == "João comeu pão com manteiga em Brasília."
    )


@pytest.mark.parametrize(
    "original",
    ["我们明天上午开会讨论预算", "請把報告寄給我們的經理"],
)
def test_chinese_mojibake_is_still_repaired(original: str, config) -> None:
    codec = "gbk" if original.startswith("我") else "big5"
    as_latin = original.encode(codec).decode("cp1252", errors="strict")
    assert clean_text(f"通知：{as_latin}。", config).text == f"通知：{original}。"
    as_gbk = original.encode("utf-8").decode("gbk", errors="replace")
    if "\ufffd" not in as_gbk:
        assert clean_text(as_gbk, config).text == original


def test_reads_as_words() -> None:
    assert reads_as_words("我们的产品")
    assert not reads_as_words("玢")  # one character (from çã) is no word
    assert not reads_as_words("閘閏")  # two characters that form no word
    assert not reads_as_words("é")


# ---------------------------------------------------------------------------
# ZH201: markup, code and Latin names are not Chinese punctuation


@pytest.mark.parametrize(
    "text",
    [
        "版权&copy;所有&nbsp;翻印必究&#12290;下一句",  # entities
        "参见[用户手册](/docs/用户手册?章=3)与![示意图](img/示意图.png)。",  # link and image targets
        "调用 `open(路径)` 或 ``a;b`` 即可。",  # inline code
        '示例：\n```python\nprint("完成!")\nx = {"键": 1}\n```\n结束。',  # fenced code
        '<span title="提示:注意">内容</span>',  # HTML tags
        "---\ntitle: 数据分析\ntags: 统计, 图表\n---\n正文从这里开始。",  # YAML front matter
        "::: danger 危险操作\n删除后无法恢复。\n:::",  # directive fences
        "术语\n: 定义内容写在这里。\n- : 列表里的定义。",  # definition lists
        "我常用Yahoo!查资料，也看Jeopardy!节目。",  # Latin names with !
        "给按钮加上!important样式才生效。",  # CSS keyword
        "明天见;-)  好的:)  收到:thumbsup:",  # emoticons and emoji shortcodes
        "[2] 赵六. 机器学习[M]. 上海: 复旦大学出版社, 2020: 15-20.",  # a GB/T 7714 reference
        '在终端里运行print("你好")就能看到输出。',  # a call whose Chinese is a string
        "链接 https://example.cn/搜索?关键词=天气,北京 已失效。",  # URL
    ],
)
def test_markup_and_latin_marks_are_left_alone(text: str) -> None:
    assert find_halfwidth_punctuation(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('他回答:"系统繁忙."', '他回答："系统繁忙。"'),  # full stop before a closing quote
        ("她说：“明天再来.”", "她说：“明天再来。”"),
        ("太好了!我们出发吧", "太好了！我们出发吧"),  # ordinary marks are still converted
        ("见[说明](/a),再试一次", "见[说明](/a)，再试一次"),  # right after a link
        ("&nbsp;你好,世界", "&nbsp;你好，世界"),
    ],
)
def test_real_halfwidth_marks_next_to_markup_are_fixed(text: str, expected: str) -> None:
    assert fix_halfwidth_punctuation(text).text == expected


def test_protected_spans() -> None:
    text = "---\na: 1\n---\n见[文](/x)和`y`&amp;<b>z</b> www.a.cn\n"
    assert [text[a:b] for a, b in protected_spans(text)] == [
        "---\na: 1\n---\n",
        "](/x)",
        "`y`",
        "&amp;",
        "<b>",
        "</b>",
        "www.a.cn",
    ]


# ---------------------------------------------------------------------------
# ZH401: regional standards, classical forms, names, Japanese, URLs


@pytest.mark.parametrize(
    "simplified",
    [
        "周末我们一家人在台北的夜市里吃小吃，人群熙熙攘攘，回到家倒在床上就睡着了。",
        "室内温度太高，用户纷纷投诉，物业只好派人检修空调，并向大家道歉。",
    ],
)
@pytest.mark.parametrize("standard", ["s2t", "s2tw", "s2twp", "s2hk"])
def test_regional_standard_forms_are_accepted(simplified: str, standard: str) -> None:
    text = _converter(standard).convert(simplified)
    assert find_mixed_script(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "老師在課堂上講解「之子于歸」的意思，同學們聽得很認真。",  # classical 于 kept by OpenCC
        "為了避免干擾，請把手機調成靜音模式。",  # 干 in 干擾
        "乾陵是唐代帝王陵墓，位于陕西，游客很多。",  # a traditional-looking name in simplified text
        "作家於梨华的小说描写了留学生的生活和思乡之情。",  # one traditional-looking surname
        "この駅の近くに図書館があります。毎日たくさんの人が来ます。",  # Japanese
        "詳見 https://example.com/关于/说明 的頁面，這裡有更多資訊與圖片。",  # URL
        "這个",  # too few characters to decide a script
    ],
)
def test_correct_single_script_text_is_not_mixed(text: str) -> None:
    assert find_mixed_script(text) == []


def test_leftovers_of_a_naive_converter_are_still_found() -> None:
    text = "這家公司成立于十年前，以后的發展也很順利，員工們都很滿意。"
    assert [(text[f.start], f.fix.replacement) for f in find_mixed_script(text)] == [
        ("于", "於"),
        ("后", "後"),
    ]
    simplified = "我们的發展离不开國家的支持，这是大家的共识，也是我们继续努力的动力。"  # two leftovers
    assert {simplified[f.start] for f in find_mixed_script(simplified)} == {"發", "國"}


# ---------------------------------------------------------------------------
# ZH104: the middle dot of a transliterated name


def test_middle_dot_in_a_name_is_not_residue() -> None:
    assert find_residue("画家瓦西里・康定斯基生于莫斯科。", []) == []
    assert find_residue("这件衣服售价 59 €，很划算。", []) == []


def test_residue_next_to_a_name_dot_is_still_found() -> None:
    assert [(f.start, f.end) for f in find_residue("发展ヂ的问题", [])] == [(2, 3)]
    assert [(f.start, f.end) for f in find_residue("结尾・", [])] == [(2, 3)]


# ---------------------------------------------------------------------------
# End to end through the CLI


PAGE = """---
title: 旅行笔记
---

# 里斯本三日

抵达当天，我们在 Café A Brasileira 喝了一杯 bica，又去 São Bento 车站看了瓷砖画。
详见[行程表](/trips/里斯本?day=1)与 `schedule(2024)`；作者：安娜・卡列尼娜。

::: tip 提示
电车 28 路很挤！
:::

<p>门票&nbsp;10&nbsp;欧元&middot;学生半价</p>
"""


def test_cli_leaves_a_right_page_unchanged(runner, tmp_path, config) -> None:
    path = tmp_path / "page.md"
    path.write_text(PAGE, encoding="utf-8")
    for args in (
        ["clean", "--isolated", "--check", str(path)],
        ["clean", "--isolated", "--unsafe", "--check", str(path)],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["clean", "--isolated", "--unsafe", str(path)]).stdout == PAGE
    lint = runner.invoke(main, ["lint", "--isolated", str(path)])
    assert lint.exit_code == 0, lint.output
    assert lint_text(PAGE, config) == []


# ---------------------------------------------------------------------------
# Structure: a Markdown step list is one list


def test_step_list_is_not_split_into_headings(config) -> None:
    text = "## 安装\n\n1. 下载安装包，并校验文件的 SHA-256 值，确认与官网公布的一致。\n2. 解压\n3. 运行\n"
    assert [f.rule for f in lint_text(text, config) if f.rule.startswith("ZH5")] == []
