"""The llama.cpp runtime behind the local-LLM engine: a GGUF model as argostranslate's ``ILanguageModel``.

:class:`LlamaLanguageModel` loads the model (after :mod:`~toolkit.translate.engines.llama_check`
has seen this build run), renders prompts with the model's own chat template
(:class:`ChatTemplate`) and decodes many prompts at once as parallel llama.cpp sequences.
It imports only argostranslate's small ``models`` module, so the start-up check's child process
stays light; the translation logic (prompts, retries, consensus) is in
:mod:`toolkit.translate.engines.llm`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import jinja2
from argostranslate.models import ILanguageModel

from toolkit.errors import InputError

EPSILON = 0.02  # sampling keeps tokens at least this probable
# ChatML as a Jinja chat template (llama-cpp-python's), for language models that bring no template.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)


class ChatTemplate:
    """A chat template (Jinja, as in a GGUF's ``tokenizer.chat_template``) that renders messages into
    the prompt text the model continues, with the generation prompt at the end.

    Rendered by llama-cpp-python's ``Jinja2ChatFormatter`` (the formatter its OpenAI-compatible
    server uses). A template that refuses system messages (``raise_exception`` in Gemma's or
    Mistral's) gets them merged into one, then folded into the user's turn.

    >>> from toolkit.translate.engines.prompt import translation_messages
    >>> ChatTemplate(CHATML_TEMPLATE).render(translation_messages("你好。")).splitlines()[-1]
    '<|im_start|>assistant'
    >>> strict = "{% for m in messages %}{% if m['role'] == 'system' %}{{ raise_exception('no') }}"
    >>> strict += "{% endif %}[{{ m['content'] }}]{% endfor %}"
    >>> ChatTemplate(strict).render([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}])
    '[S\\n\\nQ]'
    """

    def __init__(self, source: str, bos_token: str = "", eos_token: str = "") -> None:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.source = source
        try:
            self._formatter = Jinja2ChatFormatter(source, eos_token=eos_token, bos_token=bos_token)
        except jinja2.TemplateError as error:
            raise InputError(f"the model's chat template does not parse: {error}") from None

    def render(self, messages: Sequence[Mapping[str, str]]) -> str:
        """The prompt for ``messages``."""
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        others = [dict(m) for m in messages if m["role"] != "system"]
        merged = [{"role": "system", "content": system}, *others] if system else others
        folded = [dict(m) for m in others]
        if system and folded and folded[0]["role"] == "user":
            folded[0]["content"] = f"{system}\n\n{folded[0]['content']}"
        failure = None
        for attempt in (list(messages), merged, folded):
            try:
                return self._formatter(messages=attempt).prompt
            except (ValueError, TypeError, KeyError, jinja2.TemplateError) as error:  # raise_exception
                failure = error
        raise InputError(f"the model's chat template cannot render a translation prompt: {failure}")


class LlamaLanguageModel(ILanguageModel):
    """A GGUF model behind argostranslate's ``ILanguageModel``: ``infer(prompt) -> completion``.

    The model is loaded at the first ``infer`` (or use of :attr:`chat_template`), so a run served
    by the translation memory never loads it. Before the first load of a llama.cpp build,
    ``check`` runs a batched decode in a child process
    (:mod:`toolkit.translate.engines.llama_check`), so a build that this CPU cannot run fails
    with a message instead of killing the process.
    """

    def __init__(
        self, path: Path, n_ctx: int = 4096, n_threads: int | None = None, check: bool = True
    ) -> None:
        self.path = Path(path)
        self.check = check
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self._llama = None
        self._template: ChatTemplate | None = None
        self._cjk_mask = None
        self._parallel = None  # llama_cpp._internals.LlamaContext of complete_many
        self._prefix: list[int] = []  # the tokens kept in its sequence 0

    @property
    def llama(self):  # -> llama_cpp.Llama
        """The llama.cpp model, loaded on first use."""
        if self._llama is None:
            if self.check:
                from toolkit.translate.engines.llama_check import ensure_llama_runs

                ensure_llama_runs(self.path)
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

    @property
    def chat_template(self) -> ChatTemplate:
        """The model's own chat template (``Llama.metadata["tokenizer.chat_template"]``), with its
        BOS and EOS token texts, as llama-cpp-python's server builds it."""
        if self._template is None:
            llama = self.llama
            source = llama.metadata.get("tokenizer.chat_template", "")
            if not source.strip():
                raise InputError(f"{self.path}: the model has no chat template (tokenizer.chat_template)")
            bos, eos = llama.token_bos(), llama.token_eos()
            self._template = ChatTemplate(
                source,
                bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
                eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
            )
        return self._template

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
        self, x: str, max_tokens: int = 512, block_cjk: bool = False, repeat_penalty: float = 1.0
    ) -> str | None:
        """Greedy completion of the prompt ``x`` (rendered by :attr:`chat_template`) up to the end of
        the assistant's turn."""
        return self.complete_many([x], max_tokens, block_cjk=block_cjk, repeat_penalty=repeat_penalty)[0][0]

    def complete_many(
        self,
        prompts: Sequence[str],
        max_tokens: int | Sequence[int] = 512,
        width: int | None = None,
        block_cjk: bool = False,
        repeat_penalty: float = 1.0,
        candidates: int = 1,
        temperature: float = 0.7,
        seed: int = 0,
    ) -> list[list[str]]:
        """``candidates`` completions of each prompt: the greedy one first, then samples.

        Continuous batching over parallel llama.cpp sequences: the prompts' common token prefix is
        evaluated once (and kept between calls) in sequence 0. A prompt starts in its own
        sequence, a copy of the prefix, where its tail is evaluated once; its other candidates
        are copies of that sequence. Every step decodes one token of each running sequence in a
        single batch, and finished sequences' slots take the next waiting prompt at once (its
        tail rides in the same batch), so up to ``width`` sequences (default: all) stay busy.
        Samples use ``temperature`` and epsilon sampling with a generator seeded by ``seed``, the
        prompt, the candidate number and the step, so a run can be repeated. ``block_cjk``
        forbids every token that can spell a CJK character; ``repeat_penalty`` (llama.cpp's rule,
        over the last 64 tokens) discourages loops.
        """
        import llama_cpp
        import numpy as np

        if not prompts:
            return []
        limits = [max_tokens] * len(prompts) if isinstance(max_tokens, int) else list(max_tokens)
        width = max(candidates, min(width or len(prompts) * candidates, len(prompts) * candidates))
        llama = self.llama
        tokens = [llama.tokenize(p.encode("utf-8"), add_bos=False, special=True) for p in prompts]
        shared = _common_prefix(tokens)
        shared = min(shared, min(len(t) for t in tokens) - 1)  # each sequence evaluates >= 1 token
        spans = sorted((len(t) - shared + n for t, n in zip(tokens, limits, strict=True)), reverse=True)
        ctx = self._parallel_context(width + 1, shared + candidates * sum(spans[: width // candidates]))
        memory = llama_cpp.llama_get_memory(ctx.ctx)
        for seq in range(1, ctx.params.n_seq_max):
            llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
        keep = min(_common_prefix([self._prefix, tokens[0][:shared]]), shared)
        llama_cpp.llama_memory_seq_rm(memory, 0, keep, -1)
        self._prefix = tokens[0][:shared]
        if shared > keep:
            self._decode(ctx, [(token, keep + i, 0, False) for i, token in enumerate(tokens[0][keep:shared])])

        blocked = self.cjk_mask() if block_cjk else None
        waiting = iter(range(len(prompts)))
        free = list(range(width, 0, -1))  # sequence ids not in use
        running: dict[int, tuple[int, int]] = {}  # sequence id -> (prompt index, candidate number)
        starting: dict[int, list[int]] = {}  # sequence id holding a new tail -> its candidates' ids
        outputs = [[[] for _ in range(candidates)] for _ in prompts]
        entries: list[tuple[int, int, int, bool]] = []

        def start_waiting() -> None:
            while len(free) >= candidates:
                index = next(waiting, None)
                if index is None:
                    return
                group = [free.pop() for _ in range(candidates)]
                for number, seq in enumerate(group):
                    running[seq] = (index, number)
                llama_cpp.llama_memory_seq_cp(memory, 0, group[0], -1, -1)
                starting[group[0]] = group
                tail = tokens[index][shared:]
                entries.extend(
                    (token, shared + i, group[0], i == len(tail) - 1) for i, token in enumerate(tail)
                )

        def choose(index: int, number: int, logits) -> int:
            if blocked is not None:
                logits[: len(blocked)][blocked] = -np.inf
            if repeat_penalty != 1.0:
                recent = np.unique((tokens[index] + outputs[index][number])[-64:])
                picked = logits[recent]
                logits[recent] = np.where(picked > 0, picked / repeat_penalty, picked * repeat_penalty)
            if number == 0:
                return int(logits.argmax())
            weights = np.exp((logits - logits.max()) / temperature)
            weights[weights < EPSILON * weights.sum()] = 0.0  # epsilon sampling
            generator = np.random.default_rng([seed, index, number, len(outputs[index][number])])
            allowed = np.flatnonzero(weights)
            return int(generator.choice(allowed, p=weights[allowed] / weights[allowed].sum()))

        start_waiting()
        vocab = llama._model.vocab
        while running:
            rows = self._decode(ctx, entries)
            entries = []
            for first, group in starting.items():  # candidates start from the evaluated tail
                for seq in group[1:]:
                    llama_cpp.llama_memory_seq_cp(memory, first, seq, -1, -1)
                    rows[seq] = rows[first].copy()
            starting.clear()
            for seq, (index, number) in list(running.items()):
                output = outputs[index][number]
                token = choose(index, number, rows[seq])
                done = llama_cpp.llama_vocab_is_eog(vocab, token)
                if not done:
                    output.append(token)
                    done = len(output) >= limits[index]
                if done:
                    del running[seq]
                    llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
                    free.append(seq)
                else:
                    entries.append((token, len(tokens[index]) + len(output) - 1, seq, True))
            start_waiting()
        return [
            [
                llama.detokenize(output, prev_tokens=prompt).decode("utf-8", errors="ignore")
                for output in group
            ]
            for prompt, group in zip(tokens, outputs, strict=True)
        ]

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
    def _decode(ctx, entries: Sequence[tuple[int, int, int, bool]]) -> dict:
        """Decode ``(token, position, sequence, wants logits)`` entries in batches of ``n_batch``; the
        next-token logits (a numpy copy) of each sequence whose entry wanted them."""
        import llama_cpp
        import numpy as np

        size = ctx.params.n_batch
        batch = llama_cpp.llama_batch_init(size, 0, 1)
        n_vocab = ctx.model.n_vocab()
        rows = {}
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
                        pointer = llama_cpp.llama_get_logits_ith(ctx.ctx, i)
                        rows[seq] = np.ctypeslib.as_array(pointer, shape=(n_vocab,)).copy()
        finally:
            llama_cpp.llama_batch_free(batch)
        return rows


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
