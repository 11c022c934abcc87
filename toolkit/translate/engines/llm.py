"""Local-LLM engine: a GGUF instruction model (Qwen2.5-Coder-Instruct) run by llama-cpp-python.

:class:`LlamaLanguageModel` is an ``argostranslate.models.ILanguageModel`` (``infer(prompt)``
on a ChatML prompt, greedy decoding); :class:`LLMTranslation` is an
``argostranslate.translate.ITranslation`` built on it. Prompting, measured on the WMT22 subset
(see ``bench/bench_translate.py``):

* a system prompt for news, e-commerce, chat and social-media text, and a few example pairs
  written for this project (never taken from a test set) as earlier chat turns;
* ``translate_batch`` sends up to ``batch_size`` sentences as one numbered list per prompt and
  parses the numbered answer; when the count or numbering does not match it falls back to one
  sentence per prompt;
* an output that still holds Chinese, or loops, is translated again alone with every token that
  can spell a CJK character blocked and a repetition penalty.

llama.cpp keeps the evaluated prompt prefix (system prompt and examples) between calls, so only
the new sentences are evaluated.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from argostranslate.models import ILanguageModel
from argostranslate.translate import Hypothesis, ITranslation, Language

from toolkit.models import model_fingerprint
from toolkit.translate.engines import translate_lines
from toolkit.translate.qa import looks_looped
from toolkit.translate.split import has_cjk

PROMPT_VERSION = "p3"
SYSTEM_PROMPT = (
    "You are a professional Chinese-to-English translator. Translate the user's Chinese text into"
    " fluent, natural English, keeping its meaning, tone, names and numbers. The text may come from"
    " news, online shopping, chats or social media. Output only the English translation."
)
BATCH_INSTRUCTION = (
    " The user sends numbered lines; answer with the same numbered lines, one English line per"
    " Chinese line, in the same order."
)
# Example pairs written for this project (not from any test set).
EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "亲，这款外套还有L码吗？今天下单什么时候能发货？",
        "Hi, do you still have this coat in size L? If I order today, when will it ship?",
    ),
    (
        "受降雨影响，当地多条高速公路于周二上午临时封闭。",
        "Several local highways were temporarily closed on Tuesday morning because of the rain.",
    ),
    (
        "我已经申请退款三天了，客服一直没回复，麻烦尽快处理一下。",
        "I applied for a refund three days ago and customer service still hasn't replied."
        " Please deal with it as soon as possible.",
    ),
    (
        "周末和朋友去爬山，风景太美了，累但是值得！",
        "Went hiking with friends over the weekend. The scenery was gorgeous, tiring but worth it!",
    ),
)
_NUMBERED = re.compile(r"^\s*(\d{1,3})\s*[.)．、:：]\s*(.*)$")
_PREFIX = re.compile(r"^(?:english|translation|译文|翻译)\s*[:：]\s*", re.IGNORECASE)


def chatml(system: str, turns: Sequence[tuple[str, str]], user: str, note: str = "") -> str:
    """A ChatML prompt (Qwen's chat format) that ends where the assistant answers.

    ``note`` (a glossary) goes in a second system message just before the question, so the
    prompt prefix that llama.cpp keeps between calls stays the same.

    >>> chatml("S", [("u", "a")], "q").splitlines()[-1]
    '<|im_start|>assistant'
    """
    parts = [f"<|im_start|>system\n{system}<|im_end|>"]
    for question, answer in turns:
        parts.append(f"<|im_start|>user\n{question}<|im_end|>")
        parts.append(f"<|im_start|>assistant\n{answer}<|im_end|>")
    if note:
        parts.append(f"<|im_start|>system\n{note}<|im_end|>")
    parts.append(f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")
    return "\n".join(parts)


def numbered(lines: Sequence[str]) -> str:
    """``1. first\\n2. second``.

    >>> numbered(["甲", "乙"])
    '1. 甲\\n2. 乙'
    """
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))


def parse_numbered(answer: str, count: int) -> list[str] | None:
    """The ``count`` translations of a numbered answer, or ``None`` when it does not match.

    Unnumbered lines continue the previous item.

    >>> parse_numbered("1. One.\\n2. Two\\nlines.", 2)
    ['One.', 'Two lines.']
    >>> parse_numbered("1. One.", 2) is None
    True
    """
    items: dict[int, str] = {}
    current = None
    for line in answer.strip().splitlines():
        match = _NUMBERED.match(line)
        if match and int(match.group(1)) == len(items) + 1:
            current = int(match.group(1))
            items[current] = match.group(2).strip()
        elif current is not None and line.strip():
            items[current] = f"{items[current]} {line.strip()}"
    if sorted(items) != list(range(1, count + 1)) or not all(items.values()):
        return None
    return [tidy(items[i]) for i in range(1, count + 1)]


def tidy(answer: str) -> str:
    """Strip a model's wrapping: surrounding quotes, a ``Translation:`` prefix, notes after a blank line.

    >>> tidy('Translation: "It rains."\\n\\nNote: literal.')
    'It rains.'
    """
    text = answer.strip().split("\n\n", 1)[0].strip()
    text = _PREFIX.sub("", text)
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return " ".join(text.split())


class LlamaLanguageModel(ILanguageModel):
    """A GGUF model behind argostranslate's ``ILanguageModel``: ``infer(prompt) -> completion``.

    The model is loaded at the first ``infer``, so a run served by the translation memory never
    loads it.
    """

    def __init__(self, path: Path, n_ctx: int = 4096, n_threads: int | None = None) -> None:
        self.path = Path(path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self._llama = None
        self._cjk_mask = None

    @property
    def llama(self):  # -> llama_cpp.Llama
        """The llama.cpp model, loaded on first use."""
        if self._llama is None:
            from llama_cpp import Llama

            threads = self.n_threads
            self._llama = Llama(
                model_path=str(self.path),
                n_ctx=self.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
        return self._llama

    def cjk_mask(self):  # -> numpy bool array over the vocabulary
        """Tokens whose bytes can start a character in U+3000..U+9FFF (UTF-8 lead bytes E3..E9)."""
        if self._cjk_mask is None:
            import numpy as np

            vocabulary = self.llama.n_vocab()
            mask = np.zeros(vocabulary, dtype=bool)
            for token in range(vocabulary):
                piece = self.llama.detokenize([token], special=False)
                if any(0xE3 <= byte <= 0xE9 for byte in piece):
                    mask[token] = True
            self._cjk_mask = mask
        return self._cjk_mask

    def infer(
        self,
        x: str,
        max_tokens: int = 512,
        block_cjk: bool = False,
        repeat_penalty: float = 1.0,
        stop: Sequence[str] = (),
    ) -> str | None:
        """Greedy completion of the prompt ``x`` up to the end of the assistant's turn (or ``stop``)."""
        processors = None
        if block_cjk:
            from llama_cpp import LogitsProcessorList

            mask = self.cjk_mask()

            def block(_input_ids, scores):
                scores[: len(mask)][mask] = -float("inf")
                return scores

            processors = LogitsProcessorList([block])
        result = self.llama.create_completion(
            x,
            max_tokens=max_tokens,
            temperature=0.0,
            top_k=1,
            repeat_penalty=repeat_penalty,
            stop=["<|im_end|>", "<|endoftext|>", *stop],
            logits_processor=processors,
        )
        return result["choices"][0]["text"]


class LLMTranslation(ITranslation):
    """zh→en translation with an instruction LLM, as an argostranslate ``ITranslation``.

    ``translate_batch`` is what the document translator calls; ``hypotheses`` (and so
    ``translate``) serve argostranslate's own API, one hypothesis per call.
    """

    name = "llm"

    def __init__(
        self,
        model: ILanguageModel,
        model_id: str,
        batch_size: int | None = None,
        glossary: Mapping[str, str] | None = None,
    ) -> None:
        self.from_lang = Language("zh", "Chinese")
        self.to_lang = Language("en", "English")
        self.model = model
        self.batch_size = 6 if batch_size is None else batch_size
        self.glossary = dict(glossary or {})
        self.model_id = f"{model_id}:{PROMPT_VERSION}:b{min(self.batch_size, 2)}"
        if self.glossary:
            terms = json.dumps(sorted(self.glossary.items()), ensure_ascii=False)
            self.model_id += ":g" + hashlib.sha256(terms.encode()).hexdigest()[:8]
        self.fallbacks = 0
        self.retries = 0

    @classmethod
    def from_file(
        cls, path: Path, batch_size: int | None = None, glossary: Mapping[str, str] | None = None
    ) -> LLMTranslation:
        """Load a GGUF file; the memory key uses its (cached) content hash."""
        return cls(LlamaLanguageModel(path), model_fingerprint(path), batch_size, glossary)

    def hypotheses(self, input_text: str, num_hypotheses: int = 1) -> list[Hypothesis]:
        """argostranslate API: translate every line of ``input_text``; one hypothesis."""
        return [Hypothesis(translate_lines(self, input_text), 0.0)]

    def translate_batch(self, sentences: Sequence[str]) -> list[str]:
        """Translate ``sentences`` in numbered groups of ``batch_size``; one-by-one on mismatch."""
        results: list[str] = []
        size = max(1, self.batch_size)
        for start in range(0, len(sentences), size):
            group = list(sentences[start : start + size])
            translated = self._group(group) if len(group) > 1 else None
            if translated is None:
                if len(group) > 1:
                    self.fallbacks += 1
                translated = [self.translate_one(sentence) for sentence in group]
            results.extend(
                self._repair(source, target) for source, target in zip(group, translated, strict=True)
            )
        return results

    def translate_one(self, sentence: str, block_cjk: bool = False) -> str:
        """One sentence per prompt, with the example pairs as earlier turns."""
        prompt = chatml(SYSTEM_PROMPT, EXAMPLES, sentence, self._terms([sentence]))
        penalty = 1.15 if block_cjk else 1.0
        answer = self.model.infer(
            prompt, max_tokens=_budget(sentence), block_cjk=block_cjk, repeat_penalty=penalty
        )
        return tidy(answer or "")

    def _group(self, group: list[str]) -> list[str] | None:
        examples = [(numbered([zh for zh, _ in EXAMPLES]), numbered([en for _, en in EXAMPLES]))]
        prompt = chatml(SYSTEM_PROMPT + BATCH_INSTRUCTION, examples, numbered(group), self._terms(group))
        budget = sum(_budget(s) for s in group)
        answer = self.model.infer(prompt, max_tokens=budget, stop=[f"\n{len(group) + 1}."])
        return parse_numbered(answer or "", len(group))

    def _terms(self, texts: Sequence[str]) -> str:
        """The glossary entries that occur in ``texts``, as an instruction ("" when none)."""
        found = [f"{zh} = {en}" for zh, en in self.glossary.items() if any(zh in text for text in texts)]
        return "Use these translations of names and terms: " + "; ".join(found) + "." if found else ""

    def _repair(self, source: str, target: str) -> str:
        if has_cjk(source) and (not target or has_cjk(target) or looks_looped(target)):
            self.retries += 1
            return self.translate_one(source, block_cjk=True)
        return target


def _budget(sentence: str) -> int:
    """Token budget for one sentence's translation: generous, but stops a loop early."""
    return min(1024, 3 * len(sentence) + 48)
