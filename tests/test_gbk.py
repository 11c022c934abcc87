"""GBK byte-straddle mojibake: the codec model, the inverse, the rule, round trips."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from toolkit.findings import apply_edits
from toolkit.repairs import gbk
from toolkit.rules.mojibake import check_gbk, check_residue, find_residue
from toolkit.rules.registry import CheckContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from simulate import simulate  # noqa: E402

CORPUS = sorted((ROOT / "bench" / "corpus").glob("*.txt"))


def test_pair_table_matches_gbk() -> None:
    table, reverse = gbk.pair_table()
    assert table[0x94B5] == "數"
    assert table[0xA5C2] == "ヂ"
    assert table[0xB528] is None  # a lead byte with "(" is invalid
    assert reverse["聯"] == 0xC293


def test_nfkc_units_cover_fullwidth_marks_and_expansions() -> None:
    units = gbk.nfkc_units()
    assert (";", 0xA3BB) in units[";"]
    assert (",", 0xA3AC) in units[","]
    assert ("(十)", 0xA2EE) in units["("]


def test_legacy_decode_swallows_invalid_pairs_and_keeps_euro() -> None:
    assert gbk.legacy_decode(b"\xb5(shu)\xc4\x91B") == "?shu)膽B"
    assert gbk.legacy_decode(b"\x80A") == "€A"
    assert gbk.legacy_decode(b"\xb5") == "?"


def test_annotate_bytes_annotates_straddles() -> None:
    data = gbk.annotate_bytes("嚴謹的態度".encode("gbk"), [("數", "shù"), ("謹", "jǐn"), ("態", "tài")])
    assert gbk.legacy_decode(data) == "嚴謹(jǐn)?shù)膽B(tài)度"


def test_unit_bytes() -> None:
    assert gbk.unit_bytes("的") == 0xB5C4
    assert gbk.unit_bytes("a") is None


def test_seed_first_span() -> None:
    text = "不夠嚴(yán)謹(jǐn)?shù)膽B(tài)度,可能"
    (repair,) = gbk.find_straddles(text)
    assert text[repair.start : repair.end] == "?shù)膽B"
    assert repair.replacement == "的態"


def test_seed_second_span() -> None:
    text = "事件的發(fā)生?;ヂ?lián)網(wǎng)金融的未來"
    (repair,) = gbk.find_straddles(text)
    assert text[repair.start : repair.end] == "?;ヂ?lián)"
    assert repair.replacement == "。互聯"


def test_seed_file(seed_text: str) -> None:
    findings = list(check_gbk(CheckContext(seed_text)))
    assert [f.fix.replacement for f in findings] == ["的態", "。互聯"]
    repaired = apply_edits(seed_text, [f.fix for f in findings])
    assert "謹(jǐn)的態(tài)度" in repaired
    assert "發(fā)生。互聯網(wǎng)" in repaired


def test_real_question_mark_is_kept() -> None:
    assert gbk.find_straddles("你好嗎?我很好,謝謝。") == ()
    assert gbk.repair_at("網址 https://a.cn/?q=1 好", 17) is None


def test_repair_at_needs_a_reading() -> None:
    assert gbk.repair_at("abc?xyz)", 3) is None


def test_undecided_run_glued_to_pinyin_gets_the_likeliest_reading_and_candidates() -> None:
    # a stray byte inside 。 (A1 3F A3), then 據 annotated: `??jù)` is certainly damage,
    # so even undecided it is repaired, and the finding lists the other readings
    data = bytearray("遷移到雲端。據統計，今年的市場".encode("gbk"))
    data.insert(data.index("。".encode("gbk")) + 1, ord("?"))
    text = gbk.legacy_decode(gbk.annotate_bytes(bytes(data), [("據", "jù")]))
    assert "雲端??jù)統計" in text
    (repair,) = gbk.find_straddles(text, margin=1000.0)
    assert repair.replacement is not None and not repair.decided and len(repair.candidates) > 1
    (finding,) = check_gbk(CheckContext(text).for_rule({"margin": 1000.0}))
    assert finding.fix is not None and "it may also be" in finding.message
    assert finding.suggestions == repair.candidates


def test_real_question_mark_before_a_run_does_not_swallow_it() -> None:
    # 分數 straddles twice (謹 = D6 94, then 數 itself): `分?jǐn)?shù)` after a real ？
    text = "芝麻信用分低了怎麼辦(bàn)?提高分?jǐn)?shù)的幾個方法"
    (repair,) = gbk.find_straddles(text)
    assert text[repair.start : repair.end] == "?jǐn)?shù)" and repair.replacement == "數"


def test_undecided_run_without_pinyin_has_suggestions_and_no_fix() -> None:
    # a stray byte inside 。 (A1 ? A3): no `py)` says it is damage, so an undecided run stays
    text = "大火加開水煮?M瑫r，喜歡吃辣的"
    (repair,) = gbk.find_straddles(text, margin=1000.0)
    assert repair.replacement is None and repair.candidates[0] == "。同時"
    assert gbk.find_straddles(text)[0].replacement == "。同時"


def test_residue_reports_private_use_but_not_japanese() -> None:
    assert [(f.start, f.end) for f in find_residue("中文\ue000文字", [])] == [(2, 3)]
    assert find_residue("名單：「さくら」「ひなた」", []) == []
    assert find_residue("價格 100€ 左右", []) == []


def test_residue_skips_what_gbk_reports(seed_text: str) -> None:
    assert list(check_residue(CheckContext(seed_text))) == []


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_no_findings_on_clean_corpus(path: Path) -> None:
    simplified = path.read_text(encoding="utf-8")
    traditional = simulate(simplified, 0, annotate_share=0.0, lost_pinyin=0.0).truth
    for text in (simplified, traditional):
        assert list(check_gbk(CheckContext(text))) == []
        assert list(check_residue(CheckContext(text))) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_round_trip_simulated_pages(seed: int, config) -> None:
    from rapidfuzz.distance import Levenshtein

    from toolkit.engine import clean_text

    for path in CORPUS[:3]:
        page = simulate(path.read_text(encoding="utf-8"), seed, extra_annotated=150)
        cleaned = clean_text(page.text, config).text
        assert Levenshtein.distance(cleaned, page.truth) / len(page.truth) < 0.03
        assert clean_text(cleaned, config).text == cleaned
        fixed = [label for label in page.labels if label[0] == "mojibake"]
        assert fixed, "the simulation should produce mojibake"


# ---------------------------------------------------------------------------
# Whole runs, as the real pipeline makes them (sentences of our own)


def damage(text: str, table: list[tuple[str, str]], nfkc: bool = True) -> str:
    """The real pipeline on ``text``: GBK bytes, the byte-level annotator, the legacy decoder, NFKC."""
    import unicodedata

    damaged = gbk.legacy_decode(gbk.annotate_bytes(text.encode("gbk"), table))
    return unicodedata.normalize("NFKC", damaged) if nfkc else damaged


def test_legacy_decoder_drops_unassigned_pairs() -> None:
    # "，都": the trail of ， (AC) and the lead of 都 (B6) read together are a user-defined pair
    assert gbk.legacy_decode(b"\xa3\xac\xb6\xbc") == "，都"
    # read one byte out of step, the pair vanishes and the next one decodes
    assert gbk.legacy_decode(b"\xac\xb6\xbcA") == gbk.legacy_decode(b"\xbcA") != ""
    assert gbk.legacy_decode(b"\xac\xb6") == ""


@pytest.mark.parametrize("nfkc", [True, False])
def test_long_run_through_a_comma_and_flattened_letters_is_decoded_whole(nfkc: bool, config) -> None:
    from toolkit.engine import clean_text

    original = "這份報告的數據非常詳細，結論也很可靠。"
    damaged = damage(original, [("浅", "qiǎn")], nfkc)
    assert damaged.startswith("這份報告的數據非?qiǎn)") and ("T" in damaged) == nfkc
    (repair,) = gbk.find_straddles(damaged)
    assert repair.replacement == "常詳細，結"
    assert clean_text(damaged, config).text == original


def test_swallowed_digit_is_kept_as_an_unknown_character(config) -> None:
    from toolkit.engine import clean_text, lint_text

    damaged = damage("會議定於下午3點開始，請準時參加。", [("断", "duàn")])
    assert "?點" in damaged  # the 3 went into the ? with the last byte of 午
    (repair,) = gbk.find_straddles(damaged)
    assert repair.replacement == "下午\ufffd"
    cleaned = clean_text(damaged, config).text
    assert cleaned == "會議定於下午\ufffd點開始，請準時參加。"
    (residue,) = [f for f in lint_text(cleaned, config) if f.rule == "ZH104"]
    assert "unknown character" in residue.message and "no other fix" in residue.message


def test_second_straddle_inside_a_run_is_skipped() -> None:
    text = "這是一個?jǐn)抵皇堑谝徊剑绾伟逊謹(jǐn)涤煤茫瑯?yàng)的例子"
    # shifted pairs read 謹 and were annotated again; the shift goes on after it
    reader = gbk._Reader(text, 4, gbk.get_lexicon())
    readings = {r.decoded for r in reader.read(10, [0x94])}
    assert any("如何把分數用好" in r for r in readings)


def test_same_damaged_bytes_are_decided_together() -> None:
    run_a = gbk._Run(0, ((-10.0, "甲", 3), (-11.0, "乙", 3)), "r", "k")
    run_b = gbk._Run(20, ((-12.0, "乙", 23), (-11.5, "甲", 23)), "r", "k")
    joint = gbk._joint_scores([run_a, run_b])
    assert joint == {("甲", 3): -21.5, ("乙", 3): -23.0}
    assert gbk._decide(run_b, 1.0, joint).replacement == "甲"
    assert gbk._decide(run_b, 1.0).replacement is None  # alone, it cannot decide


def test_reading_respects_the_script_of_the_page() -> None:
    assert gbk.is_traditional("這份報告的數據") and not gbk.is_traditional("这份报告的数据")
    assert gbk._script_cost("诉", True) > gbk._script_cost("訴", True)
    # t2s takes 衕, 隻, 纔, 羣 to these, but traditional text writes them too: no cost there
    assert [gbk._script_cost(ch, True) for ch in "同只才群"] == [0.0] * 4


def test_line_break_swallowed_before_a_heading_that_holds_the_next_run(config) -> None:
    from toolkit.engine import clean_text

    # corrupt.py (a1.md, seed 4): the ? after 肌 swallowed the line break before 一、; the `jǐn)` of the
    # next run on the heading is no bracketed text whose `(` was swallowed
    damaged = "以及提高分?jǐn)档姆椒ǎ┐蠹覅15.肌?一、信用分?jǐn)档挠蓙?lái)"
    assert clean_text(damaged, config).text.endswith("參考。\n一、信用分數的由來")


def test_censor_stars_inside_a_run_are_kept(config) -> None:
    from toolkit.engine import clean_text

    # the last byte of 身 swallowed one of three stars; the run is decoded and the star restored
    damaged = "這是因?yàn)樽陨?**困難的緣故，請大家諒解。"
    assert clean_text(damaged, config).text == "這是因為自身***困難的緣故，請大家諒解。"


def test_flattened_question_mark_inside_a_run_is_read_as_a_unit() -> None:
    # stray byte inside 。, then ？ (A3BF, flattened by NFKC) read one byte out of step
    (repair,) = gbk.find_straddles("我們的房屋??蔀橄M者提供長期服務。")
    assert repair.replacement is not None and repair.replacement.startswith("。可為")


@pytest.mark.parametrize(
    ("original", "table", "fragments"),
    [
        pytest.param(
            "他的成績提高了，老師和家長都很高興。",
            [("耍", "shuǎ")],
            ["?shuǎ)"],
            id="dropped-pair-after-comma",
        ),
        # the ? swallowed one of the two stars
        pytest.param(
            "他們因為自身**困難而放棄了。", [("驗", "yàn")], ["因?yàn)", "?*困"], id="censor-star-after-run"
        ),
        # 會 is 95 FE: read out of step, FE and the lead of 設 make an unassigned pair that vanishes
        pytest.param(
            "比賽中每隔五公里左右會設置補給站。",
            [("視", "shì")],
            ["?shì)O置"],
            id="dropped-pair-after-lost-byte",
        ),
    ],
)
def test_damaged_run_is_cleaned_back_to_the_original(original, table, fragments, config) -> None:
    from toolkit.engine import clean_text

    damaged = damage(original, table)
    assert all(fragment in damaged for fragment in fragments)
    assert clean_text(damaged, config).text == original


def test_stray_byte_run_after_an_annotation_through_a_second_straddle(config) -> None:
    from toolkit.engine import clean_text

    # a stray ? inside 。 (A1 3F A3): the decoder reads one byte out of step from there, through
    # a pair that was annotated again (謹), to the lost byte before `shù)`
    original = "這樣的服務。想要提高分數，並沒有捷徑。"
    data = bytearray(original.encode("gbk"))
    data.insert(data.index("。".encode("gbk")) + 1, ord("?"))
    table = [("務", "wù"), ("謹", "jǐn"), ("數", "shù")]
    damaged = gbk.legacy_decode(gbk.annotate_bytes(bytes(data), table))
    assert damaged.startswith("這樣的服務(wù)?Ｏ胍") and "謹(jǐn)" in damaged
    assert clean_text(damaged, config).text == original


def test_lexicon_extend_is_the_segmentation_score_step_by_step() -> None:
    lexicon = gbk.get_lexicon()
    text = "会趋于平均水平"
    values, tail = (0.0,), ""
    for ch in text:
        tail += ch
        value = lexicon.extend(tail, values)
        tail = tail[-3:]
        values = (*values[-len(tail) :], value)
    assert values[-1] == pytest.approx(lexicon.score(text))
