"""Local-LLM engine: a GGUF instruction model (Qwen2.5-Coder-Instruct) run by llama-cpp-python.

:class:`LlamaLanguageModel` is an ``argostranslate.models.ILanguageModel`` (``infer(prompt)``
on a ChatML prompt, greedy decoding); :class:`LLMTranslation` is an
``argostranslate.translate.ITranslation`` built on it. Prompting, measured on the WMT22 subset
(see ``bench/bench_translate.py``):

* a system prompt for news, e-commerce, chat and social-media text, and a few example pairs
  written for this project (never taken from a test set) as earlier chat turns;
* ``translate_batch`` decodes up to ``batch_size`` sentences at once as parallel llama.cpp
  sequences (:meth:`LlamaLanguageModel.infer_many`): the shared prompt prefix is evaluated once
  and copied, then every step decodes one token of each sentence in a single batch. Each
  sentence has the same prompt as one-per-call, so greedy outputs are identical, only faster;
* an output that still holds Chinese, or loops, is translated again alone with every token that
  can spell a CJK character blocked and a repetition penalty.

llama.cpp keeps the evaluated prompt prefix (system prompt and examples) between calls, so only
the new sentences are evaluated. (An earlier numbered-list batching, one prompt for several
sentences, was slower than one per call: 0.78x.)
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
        self._parallel = None  # llama_cpp._internals.LlamaContext of infer_many
        self._prefix: list[int] = []  # the tokens kept in its sequence 0

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

    def infer_many(self, prompts: Sequence[str], max_tokens: int | Sequence[int] = 512) -> list[str]:
        """Greedy completions of several prompts, decoded together as parallel llama.cpp sequences.

        The prompts' common token prefix is evaluated once (and kept between calls) in sequence 0
        and copied to sequences 1..n; each sequence then gets its own prompt tail, and every step
        decodes one token of each unfinished sequence in a single batch. The answers are those of
        ``infer`` on each prompt (greedy, up to the end of the assistant's turn).
        """
        import llama_cpp

        if not prompts:
            return []
        limits = [max_tokens] * len(prompts) if isinstance(max_tokens, int) else list(max_tokens)
        llama = self.llama
        tokens = [llama.tokenize(p.encode("utf-8"), add_bos=False, special=True) for p in prompts]
        shared = _common_prefix(tokens)
        shared = min(shared, min(len(t) for t in tokens) - 1)  # each sequence evaluates >= 1 token
        needed = shared + sum(len(t) - shared + limit for t, limit in zip(tokens, limits, strict=True))
        ctx = self._parallel_context(len(prompts) + 1, needed)
        memory = llama_cpp.llama_get_memory(ctx.ctx)
        for seq in range(1, len(prompts) + 1):
            llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
        keep = min(_common_prefix([self._prefix, tokens[0][:shared]]), shared)
        llama_cpp.llama_memory_seq_rm(memory, 0, keep, -1)
        self._prefix = tokens[0][:shared]
        if shared > keep:
            self._decode(ctx, [(token, keep + i, 0, False) for i, token in enumerate(tokens[0][keep:shared])])
        entries = []
        for seq, prompt in enumerate(tokens, start=1):
            llama_cpp.llama_memory_seq_cp(memory, 0, seq, -1, -1)
            tail = prompt[shared:]
            entries += [(token, shared + i, seq, i == len(tail) - 1) for i, token in enumerate(tail)]
        nexts = self._decode(ctx, entries)
        vocab = llama._model.vocab
        outputs: list[list[int]] = [[] for _ in prompts]
        positions = [len(t) for t in tokens]
        active = list(range(len(prompts)))
        while active:
            step = []
            for index in active:
                token = nexts[index + 1]
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    continue
                outputs[index].append(token)
                if len(outputs[index]) >= limits[index]:
                    continue
                step.append((token, positions[index], index + 1, True))
                positions[index] += 1
            active = [seq - 1 for _, _, seq, _ in step]
            if step:
                nexts = self._decode(ctx, step)
        for seq in range(1, len(prompts) + 1):
            llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
        texts = []
        for prompt, output in zip(tokens, outputs, strict=True):
            text = llama.detokenize(output, prev_tokens=prompt).decode("utf-8", errors="ignore")
            for stop in ("<|im_end|>", "<|endoftext|>"):
                text = text.split(stop, 1)[0]
            texts.append(text)
        return texts

    def _parallel_context(self, n_seq: int, n_cells: int):  # -> llama_cpp._internals.LlamaContext
        """A second llama.cpp context on the same weights, with a KV cache shared by ``n_seq`` sequences."""
        ctx = self._parallel
        if ctx is None or ctx.params.n_seq_max < n_seq or ctx.n_ctx() < n_cells:
            import llama_cpp
            from llama_cpp._internals import LlamaContext

            params = llama_cpp.llama_context_default_params()
            params.n_ctx = max(self.n_ctx, 1 << (n_cells - 1).bit_length())
            params.n_batch = params.n_ubatch = 512
            params.n_seq_max = max(8, n_seq)
            params.kv_unified = True
            params.n_threads = params.n_threads_batch = self.n_threads
            params.no_perf = True
            self._parallel = None
            if ctx is not None:
                ctx.close()
            ctx = self._parallel = LlamaContext(model=self.llama._model, params=params, verbose=False)
            self._prefix = []
        return ctx

    @staticmethod
    def _decode(ctx, entries: Sequence[tuple[int, int, int, bool]]) -> dict[int, int]:
        """Decode ``(token, position, sequence, wants logits)`` entries in batches of ``n_batch``; the
        greedy next token of each sequence whose entry wanted logits."""
        import llama_cpp
        import numpy as np

        size = ctx.params.n_batch
        batch = llama_cpp.llama_batch_init(size, 0, 1)
        n_vocab = ctx.model.n_vocab()
        chosen: dict[int, int] = {}
        try:
            for start in range(0, len(entries), size):
                chunk = entries[start : start + size]
                batch.n_tokens = len(chunk)
                for i, (token, pos, seq, logits) in enumerate(chunk):
                    batch.token[i] = token
                    batch.pos[i] = pos
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = seq
                    batch.logits[i] = logits
                if llama_cpp.llama_decode(ctx.ctx, batch) != 0:
                    raise RuntimeError("llama_decode failed (KV cache full?)")
                for i, (_, _, seq, logits) in enumerate(chunk):
                    if logits:
                        row = np.ctypeslib.as_array(
                            llama_cpp.llama_get_logits_ith(ctx.ctx, i), shape=(n_vocab,)
                        )
                        chosen[seq] = int(row.argmax())
        finally:
            llama_cpp.llama_batch_free(batch)
        return chosen


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
        self.model_id = f"{model_id}:{PROMPT_VERSION}"
        if self.glossary:
            terms = json.dumps(sorted(self.glossary.items()), ensure_ascii=False)
            self.model_id += ":g" + hashlib.sha256(terms.encode()).hexdigest()[:8]
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
        """Translate ``sentences``, ``batch_size`` at a time decoded as parallel sequences.

        Each sentence gets the same prompt as :meth:`translate_one`, so the (greedy) answers do
        not depend on the batch size; models without ``infer_many`` go one by one.
        """
        results: list[str] = []
        size = max(1, self.batch_size)
        parallel = size > 1 and hasattr(self.model, "infer_many")
        for start in range(0, len(sentences), size):
            group = list(sentences[start : start + size])
            if parallel and len(group) > 1:
                prompts = [chatml(SYSTEM_PROMPT, EXAMPLES, s, self._terms([s])) for s in group]
                answers = self.model.infer_many(prompts, [_budget(s) for s in group])
                translated = [tidy(answer or "") for answer in answers]
            else:
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

    def _terms(self, texts: Sequence[str]) -> str:
        """The glossary entries that occur in ``texts``, as an instruction ("" when none)."""
        found = [f"{zh} = {en}" for zh, en in self.glossary.items() if any(zh in text for text in texts)]
        return "Use these translations of names and terms: " + "; ".join(found) + "." if found else ""

    def _repair(self, source: str, target: str) -> str:
        if has_cjk(source) and (not target or has_cjk(target) or looks_looped(target)):
            self.retries += 1
            return self.translate_one(source, block_cjk=True)
        return target


def _common_prefix(sequences: Sequence[Sequence[int]]) -> int:
    """Length of the longest common prefix.

    >>> _common_prefix([[1, 2, 3], [1, 2, 4], [1, 2]])
    2
    """
    if not sequences:
        return 0
    length = min(len(s) for s in sequences)
    for i in range(length):
        if any(s[i] != sequences[0][i] for s in sequences):
            return i
    return length


def _budget(sentence: str) -> int:
    """Token budget for one sentence's translation: generous, but stops a loop early."""
    return min(1024, 3 * len(sentence) + 48)
