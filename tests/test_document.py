"""The document model: decoding, positions, line endings, the section tree."""

from __future__ import annotations

import pytest

from toolkit.document import LineIndex, SourceText, decode_bytes, parse_document
from toolkit.errors import InputError

TEXT = "小編導語\n在數字金融快速發展的今天，越來越多的人選擇借貸。\n一、事件背景\n1.1 歷史\n支付寶成立於2004年。\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
        ("big5", "big5"),
        ("utf-16", "utf-16-le"),
    ],
)
def test_decodes_common_encodings(encoding: str, expected: str) -> None:
    source = decode_bytes(TEXT.encode(encoding))
    assert source.text == TEXT
    assert source.encoding == expected


def test_decodes_simplified_gbk_not_as_big5() -> None:
    text = "随着互联网金融的普及，越来越多的用户开始依赖在线借贷服务。"
    assert decode_bytes(text.encode("gbk")).text == text


def test_utf8_bom_and_utf16_without_bom() -> None:
    assert decode_bytes(b"\xef\xbb\xbf" + TEXT.encode()).bom
    assert decode_bytes("abc 中文 def\n".encode("utf-16-le")).text == "abc 中文 def\n"


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(0, 40)) * 10])
def test_rejects_binary_with_reason(data: bytes) -> None:
    with pytest.raises(InputError, match="not a text file"):
        decode_bytes(data, "image.png")


def test_rejects_undecodable_bytes() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        decode_bytes(b"abc \xff\xfe\xfd\xfc\xff def \x81", "bad.txt")


JAPANESE = "日本語のテキストです。これは問題です。東京都に住んでいます。今日は天気がいいですね。" * 2
KOREAN = "안녕하세요. 저는 학생입니다. 오늘 날씨가 좋네요. 대한민국의 수도는 서울입니다." * 2


@pytest.mark.parametrize(
    ("text", "codec", "found"),
    [
        (JAPANESE, "shift_jis", "Japanese in Shift-JIS"),
        (JAPANESE, "euc_jp", "Japanese in EUC-JP"),
        (KOREAN, "euc_kr", "Korean in EUC-KR"),
    ],
)
def test_rejects_other_legacy_encodings_that_decode_as_chinese(text: str, codec: str, found: str) -> None:
    """Their bytes are valid GB18030 or Big5, but the characters they give form no words."""
    with pytest.raises(InputError, match=f"probably {found}: convert it to UTF-8 first"):
        decode_bytes(text.encode(codec), "page.txt")


def test_damaged_legacy_page_is_still_read(seed_text: str) -> None:
    """Mojibake and pinyin do not make a GB18030 page look like another encoding."""
    assert decode_bytes(seed_text.encode("gb18030")).text == seed_text


def test_line_endings_round_trip() -> None:
    raw = "第一行\r\n第二行\r\n".encode()
    source = decode_bytes(raw)
    assert source.text == "第一行\n第二行\n"
    assert source.newline == "\r\n"
    assert source.encode(source.text) == raw


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_byte_order_marks_round_trip(encoding: str) -> None:
    raw = ("\ufeff" if encoding == "utf-16-be" else "") + "甲\r\n乙"
    data = raw.encode(encoding)
    source = decode_bytes(data)
    assert source.text == "甲\n乙"
    assert source.encode(source.text) == data


def test_legacy_encoding_falls_back_to_utf8_when_needed() -> None:
    source = SourceText("", encoding="big5")
    assert source.encode("emoji 😀") == "emoji 😀".encode()


def test_line_index_round_trip() -> None:
    text = "ab\n中文字\n\nx"
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        line, column = index.position(offset)
        assert index.offset(line, column) == offset
    assert index.position(text.index("字")) == (2, 3)


def test_seed_section_tree(seed_text: str) -> None:
    document = parse_document(seed_text)
    top = document.tree.children
    assert top[0].heading.kind == "title"
    chapters = [section for section in top if section.heading.style == "cn-chapter"]
    assert [c.heading.number for c in chapters] == [(n,) for n in range(1, 7)]
    subsections = [s.heading for c in chapters for s in c.children]
    assert len(subsections) == 14
    assert all(s.number[0] == c.heading.number[0] for c in chapters for s in (x.heading for x in c.children))
    assert all(section.content for c in chapters for section in c.children)


def test_levels_and_items() -> None:
    document = parse_document(
        "一、總則\n（一）範圍\n1. 本辦法適用於所有用戶，包括新用戶和老用戶。\n（1）細則\n## 附錄\n正文"
    )
    kinds = [(b.kind, b.style, b.level) for b in document.blocks]
    assert kinds == [
        ("heading", "cn-chapter", 1),
        ("heading", "cn-paren", 2),
        ("item", "arabic-dot", 3),
        ("heading", "arabic-paren", 4),
        ("heading", "markdown", 2),
        ("paragraph", "", 9),
    ]
