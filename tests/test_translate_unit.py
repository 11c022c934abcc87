"""Unit tests of the translation pipeline with fake engines: splitting, memory, QA, Markdown, JSON."""

from __future__ import annotations

import pytest

from toolkit.translate.document import render_markdown, translate_text
from toolkit.translate.memory import TranslationMemory
from toolkit.translate.qa import check_pair, looks_looped
from toolkit.translate.split import split_sentences


class FakeEngine:
    """Implements the engine interface; records every batch it is asked to translate."""

    name = "fake"
    model_id = "fake-1"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def translate_batch(self, sentences):
        self.batches.append(list(sentences))
        return [f"EN({len(s)})." for s in sentences]


# --- splitter -----------------------------------------------------------------


def test_split_keeps_closing_quotes_with_their_sentence():
    assert split_sentences("他說：“走吧！”然後離開了。") == ["他說：“走吧！”", "然後離開了。"]


def test_split_long_sentence_at_semicolons_only_when_long():
    text = "甲" * 70 + "；" + "乙" * 70 + "。"
    assert split_sentences(text) == ["甲" * 70 + "；", "乙" * 70 + "。"]
    assert split_sentences("短句；也短。") == ["短句；也短。"]


def test_split_ellipsis_question_marks_and_unterminated_tail():
    assert split_sentences("真的嗎？？好吧……再說") == ["真的嗎？？", "好吧……", "再說"]


def test_split_round_trip_keeps_every_character(seed_text):
    for line in seed_text.splitlines():
        assert "".join(split_sentences(line)) == line.strip()


# --- translation memory -----------------------------------------------------------------


def test_memory_persists_and_is_keyed_by_engine_and_model(tmp_path):
    path = tmp_path / "tm.sqlite3"
    with TranslationMemory(path) as memory:
        memory.store("llm", "m1", [("一。", "One."), ("空。", "")])
    with TranslationMemory(path) as memory:
        assert memory.lookup("llm", "m1", ["一。", "空。", "二。"]) == {"一。": "One."}
        assert memory.lookup("argos", "m1", ["一。"]) == {}
        assert memory.lookup("llm", "m2", ["一。"]) == {}


def test_memory_default_location_follows_toolkit_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path))
    with TranslationMemory() as memory:
        assert memory.path == tmp_path / "translation-memory.sqlite3"


def test_second_run_comes_from_memory_without_calling_the_engine(seed_text, config):
    memory = TranslationMemory(":memory:")
    first, second = FakeEngine(), FakeEngine()
    one = translate_text(seed_text, first, config=config, memory=memory)
    two = translate_text(seed_text, second, config=config, memory=memory)
    assert one.translated > 30 and one.memory_hits == 0
    assert second.batches == [] and two.memory_hits == two.sentence_count
    assert render_markdown(one) == render_markdown(two)


# --- QA ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "translation", "codes"),
    [
        ("支付寶提供了便捷的支付服務。", "Alipay provides convenient payment services.", []),
        ("支付寶提供了便捷的支付服務。", "Alipay provides 便捷 payment services.", ["TQ1"]),
        ("支付寶提供了便捷的支付服務。", "", ["TQ3"]),
        ("支付寶提供了便捷的支付服務。", "Alipay provides convenient", ["TQ4"]),
        ("支付寶提供了便捷的支付服務，還與多家金融機構合作。", "Alipay.", ["TQ5"]),
        ("用戶希望平臺提供更透明的信息。", "Users hope. Users hope. Users hope. Users hope.", ["TQ2"]),
    ],
)
def test_qa_checks(source, translation, codes):
    assert [f.code for f in check_pair(source, translation)] == codes


def test_looped_output_detected_but_normal_repetition_is_not():
    assert looks_looped("the risk, the risk, the risk, the risk")
    assert not looks_looped("Users hope that Alipay will inform users promptly about their loans.")


# --- Markdown and JSON ---------------------------------------------------------


def test_seed_markdown_structure_with_fake_engine(seed_text, config):
    engine = FakeEngine()
    result = translate_text(seed_text, engine, config=config)
    markdown = render_markdown(result)
    lines = markdown.splitlines()
    assert lines[0].startswith("# EN(")
    chapters = [line for line in lines if line.startswith("## ")]
    subsections = [line for line in lines if line.startswith("### ")]
    assert [c.split()[1] for c in chapters] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert [s.split()[1] for s in subsections][:3] == ["1.1", "1.2", "2.1"]
    assert len(subsections) == 14
    # a section's sentences go to the engine together
    assert max(len(batch) for batch in engine.batches) > 1


def test_bilingual_puts_the_source_before_each_translation(config):
    result = translate_text("標題\n一、背景\n內容。\n", FakeEngine(), config=config)
    assert render_markdown(result, bilingual=True).splitlines() == [
        "# EN(2)",
        "",
        "> 標題",
        "",
        "## 1. EN(2)",
        "",
        "> 一、背景",
        "",
        "> 內容。",
        "",
        "EN(3).",
    ]


def test_numbering_styles_and_items(config):
    text = "標題\n一、總則\n（一）範圍\n1. 第一，我們要做好準備工作。\n（1）細則\n"
    markdown = render_markdown(translate_text(text, FakeEngine(), raw=True))
    assert "## 1. EN(2)\n" in markdown  # no full stop after a heading
    assert "### (1) EN(2)\n" in markdown
    assert "\n1. EN(" in markdown  # a numbered item stays a numbered paragraph
    assert "#### (1) EN(2)\n" in markdown


def test_json_sections_carry_source_cleaned_translation_and_stats(seed_text, config):
    payload = translate_text(seed_text, FakeEngine(), config=config).to_dict()
    assert payload["version"] == 1 and len(payload["sections"]) == 21
    lead = payload["sections"][0]
    assert "(dǎo)" in lead["source"] and "(dǎo)" not in lead["cleaned"]
    assert lead["translation"].startswith("# EN(")
    assert lead["sentence_count"] == 5
    assert set(lead["readability"]) == {"flesch_reading_ease", "flesch_kincaid_grade"}
    assert all(section["seconds"] >= 0 for section in payload["sections"])


def test_raw_keeps_the_damage(seed_text):
    payload = translate_text(seed_text, FakeEngine(), raw=True).to_dict()
    assert payload["cleaned"] is False
    assert "(dǎo)" in payload["sections"][0]["cleaned"]


def test_progress_reports_every_sentence(seed_text, config):
    calls = []
    result = translate_text(
        seed_text, FakeEngine(), config=config, progress=lambda n, t: calls.append((n, t))
    )
    assert sum(n for n, _ in calls) == result.sentence_count == calls[0][1]


def test_sentences_are_batched_across_sections_in_chunks_of_two_batches(seed_text, config):
    engine = FakeEngine()
    engine.batch_size = 4
    result = translate_text(seed_text, engine, config=config)
    sizes = [len(batch) for batch in engine.batches]
    assert len(result.sections) > len(sizes) > 1  # fewer calls than sections
    assert set(sizes[:-1]) == {8} and sum(sizes) == result.translated
    assert 0 < sum(section.seconds for section in result.sections) <= result.seconds


def test_partly_remembered_document_reports_hits_first_then_translates_the_rest(seed_text, config):
    memory = TranslationMemory(":memory:")
    head = "\n".join(seed_text.splitlines()[:8])
    known = translate_text(head, FakeEngine(), config=config, memory=memory)
    calls = []
    engine = FakeEngine()
    result = translate_text(
        seed_text, engine, config=config, memory=memory, progress=lambda n, t: calls.append((n, t))
    )
    assert calls[0] == (result.memory_hits, result.sentence_count) and result.memory_hits >= known.translated
    assert sum(n for n, _ in calls) == result.sentence_count
    assert not set(known.sections[0].paragraphs[0].sentences) & {s for b in engine.batches for s in b}
