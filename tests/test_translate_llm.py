"""The LLM engine: parallel batches, CJK retries (with a scripted model), and the real
0.5B model on the sample seed (installed by `toolkit models fetch --size 0.5b`).

The real-model test is skipped when no model is installed, unless TOOLKIT_REQUIRE_MODEL=1 (CI),
where a missing model is a failure.
"""

from __future__ import annotations

import os
import re

import pytest

pytest.importorskip("argostranslate")

from conftest import assert_translated_seed, installed_small_model

from toolkit.translate.engines.llm import LLMTranslation


class ScriptedModel:
    """An ``ILanguageModel`` answering from a function of the prompt; records the calls."""

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[str, bool]] = []

    def infer(self, x, max_tokens=512, block_cjk=False, repeat_penalty=1.0):
        self.calls.append((x, block_cjk))
        return self.answer(x, block_cjk)


def _user_turn(prompt: str) -> str:
    return prompt.rsplit("<|im_start|>user\n", 1)[1].split("<|im_end|>", 1)[0].rsplit("\n", 1)[-1]


class ParallelModel(ScriptedModel):
    """A scripted model that also offers ``complete_many`` (parallel sequences, candidates)."""

    def __init__(self, answer):
        super().__init__(answer)
        self.batches: list[tuple[int, int, int]] = []  # (prompts, width, candidates)

    def complete_many(
        self, prompts, max_tokens=512, width=None, block_cjk=False, repeat_penalty=1.0, candidates=1
    ):
        self.batches.append((len(prompts), width, candidates))
        return [[self.answer(prompt, block_cjk, n) for n in range(candidates)] for prompt in prompts]


def test_batches_use_parallel_sequences_with_one_sentence_prompts():
    model = ParallelModel(lambda prompt, _block, _n=0: f"EN {ord(_user_turn(prompt)[0])}")
    engine = LLMTranslation(model, "m", batch_size=2)
    assert engine.translate_batch(["一。", "二。", "三。"]) == ["EN 19968", "EN 20108", "EN 19977"]
    assert model.batches == [(3, 2, 1)] and not model.calls


def test_models_without_parallel_decoding_go_one_by_one():
    model = ScriptedModel(lambda prompt, _block: f"EN {ord(_user_turn(prompt)[0])}")
    engine = LLMTranslation(model, "m", batch_size=4)
    assert engine.translate_batch(["一。", "二。"]) == ["EN 19968", "EN 20108"]
    assert len(model.calls) == 2


def test_output_with_chinese_is_retried_with_cjk_blocked():
    def answer(_prompt, block):
        return "Alipay is convenient." if block else "支付寶 is convenient."

    model = ScriptedModel(answer)
    engine = LLMTranslation(model, "m", batch_size=1)
    assert engine.translate_batch(["支付寶很方便。"]) == ["Alipay is convenient."]
    assert [blocked for _, blocked in model.calls] == [False, True] and engine.retries == 1


def test_candidates_pick_the_consensus_and_skip_unusable_ones():
    answers = {
        0: "The weather is nice today.",  # greedy
        1: "天氣 is nice.",  # still Chinese: set aside
        2: "Today the weather is nice.",
        3: "The weather is nice today!",
        4: "It rains cats and dogs in Paris.",  # outlier
    }
    model = ParallelModel(lambda _prompt, _block, n=0: answers[n])
    engine = LLMTranslation(model, "m", candidates=5)
    assert engine.translate_batch(["今天天氣很好。"]) == ["The weather is nice today."]
    assert model.batches == [(1, engine.batch_size, 5)] and engine.retries == 0
    assert engine.model_id.endswith(":mbr5")


def test_sentence_without_usable_candidate_is_retried_once():
    model = ParallelModel(lambda _prompt, block, n=0: "Hello." if block else "你好")
    engine = LLMTranslation(model, "m", candidates=3)
    assert engine.translate_batch(["你好。", "再見。"]) == ["Hello.", "Hello."]
    assert model.batches == [(2, engine.batch_size, 3), (2, engine.batch_size, 1)] and engine.retries == 2


def test_glossary_terms_found_in_the_text_go_into_the_prompt():
    model = ScriptedModel(lambda p, b: "Alipay works with Jiufu.")
    engine = LLMTranslation(
        model, "m", batch_size=1, glossary={"支付寶": "Alipay", "玖富": "Jiufu", "花唄": "Huabei"}
    )
    engine.translate_batch(["支付寶與玖富合作。"])
    prompt = model.calls[0][0]
    assert "支付寶 = Alipay; 玖富 = Jiufu." in prompt and "Huabei" not in prompt
    assert engine.model_id != LLMTranslation(model, "m", batch_size=1).model_id


def test_prompts_are_rendered_with_the_models_own_chat_template():
    from toolkit.translate.engines.llm import ChatTemplate

    class TemplatedModel(ScriptedModel):
        chat_template = ChatTemplate(
            "{{ bos_token }}{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}</s>{% endfor %}"
            "{% if add_generation_prompt %}<assistant>{% endif %}",
            bos_token="<s>",
        )

    model = TemplatedModel(lambda prompt, _block: "Hello.")
    LLMTranslation(model, "m", batch_size=1, glossary={"你好": "Hi"}).translate_batch(["你好。"])
    assert model.calls[0][0] == (
        "<s><system>You are Qwen, created by Alibaba Cloud. You are a helpful assistant.</s>"
        "<system>Use these translations of names and terms: 你好 = Hi.</s>"
        "<user>Translate the following Chinese text into English. Output only the translation.\n\n你好。</s>"
        "<assistant>"
    )


def test_hypotheses_serves_argostranslate_api():
    engine = LLMTranslation(ScriptedModel(lambda p, b: "Hello."), "m", batch_size=1)
    assert engine.translate("你好") == "Hello."
    assert str(engine) == "Chinese → English"


@pytest.mark.model
def test_real_model_given_as_a_gguf_path_translates_the_cleaned_seed(tmp_path, runner):
    pytest.importorskip("llama_cpp")
    from toolkit.cli import main

    path = installed_small_model()  # any GGUF instruction model file; here the 0.5B one, by path
    seed = os.path.join(os.path.dirname(__file__), "..", "seeds", "000_0fbac94c356f0e3a.txt")
    out = tmp_path / "seed.en.md"
    args = ["translate", seed, "--model", str(path), "--no-memory", "-q", "-o", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code in (0, 1), result.output  # 1: QA findings, reported on stderr
    assert_translated_seed(out.read_text(encoding="utf-8"))


@pytest.mark.model
def test_real_qwen_template_from_the_gguf_gives_the_chatml_prompt():
    from toolkit.translate.engines.llm import LlamaLanguageModel
    from toolkit.translate.engines.prompt import translation_messages

    model = LlamaLanguageModel(installed_small_model())
    assert model.chat_template.source == model.llama.metadata["tokenizer.chat_template"]
    assert "<|im_start|>" in model.chat_template.source and "You are Qwen" in model.chat_template.source
    prompt = model.chat_template.render(translation_messages("你好。", "Use these: 你好 = Hi."))
    assert prompt == (
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
        "<|im_start|>system\nUse these: 你好 = Hi.<|im_end|>\n"
        "<|im_start|>user\nTranslate the following Chinese text into English. Output only the translation."
        "\n\n你好。<|im_end|>\n<|im_start|>assistant\n"
    )


@pytest.mark.model
def test_parallel_decoding_gives_the_one_by_one_answers():
    from toolkit.translate.engines.llm import LlamaLanguageModel

    model = LlamaLanguageModel(installed_small_model())
    sentences = ["今天天氣很好。", "支付寶成立於2004年。", "我們明天去北京開會。"]
    one_by_one = LLMTranslation(model, "m", batch_size=1).translate_batch(sentences)
    parallel = LLMTranslation(model, "m", batch_size=3).translate_batch(sentences)
    assert parallel == one_by_one
    assert all(answer and not re.search(r"[\u4e00-\u9fff]", answer) for answer in parallel)


@pytest.mark.model
def test_real_candidates_start_from_their_own_prompt_and_samples_are_reproducible():
    from toolkit.translate.engines.llm import LlamaLanguageModel
    from toolkit.translate.engines.prompt import translation_messages

    model = LlamaLanguageModel(installed_small_model())
    prompts = [
        model.chat_template.render(translation_messages(s))
        for s in ("今天天氣很好。", "我們明天去北京開會。")
    ]
    # Near-zero temperature: every copy must say what the greedy first candidate says, so copies
    # start from their own prompt's state and do not see each other's tokens.
    frozen = model.complete_many(prompts, 40, width=8, candidates=4, temperature=1e-4)
    assert all(len(set(group)) == 1 and group[0] for group in frozen)
    assert "weather" in frozen[0][0].lower() and "beijing" in frozen[1][0].lower()
    groups = model.complete_many(prompts, 40, width=8, candidates=4, seed=7)
    assert groups == model.complete_many(prompts, 40, width=8, candidates=4, seed=7)  # reproducible
    assert len({text for group in groups for text in group}) > 2  # samples vary


@pytest.mark.model
def test_real_model_cli_with_candidates_writes_json_with_every_sentence(tmp_path, runner):
    pytest.importorskip("llama_cpp")
    import json

    from toolkit.cli import main

    installed_small_model()
    source = tmp_path / "a.txt"
    source.write_text("一、背景\n今天天氣很好。我們明天去北京開會。\n", encoding="utf-8")
    args = ["translate", str(source), "--model", "0.5b", "--candidates", "3", "--no-memory", "-q"]
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    payload = json.loads(result.stdout)
    assert ":mbr3" in payload["model"]
    segments = [
        segment
        for section in payload["sections"]
        for segment in [section["heading"], *section["paragraphs"]]
        if segment
    ]
    sentences = [sentence for segment in segments for sentence in segment["sentences"]]
    assert len(sentences) == 3 and all(s["translation"] for s in sentences)
