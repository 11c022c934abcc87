"""Local-LLM engine: any GGUF instruction model (default Qwen2.5-Coder-Instruct) run by llama-cpp-python.

:class:`LlamaLanguageModel` is an ``argostranslate.models.ILanguageModel`` (``infer(prompt)``,
greedy decoding) whose prompts are built with the model's own chat template (the GGUF key
``tokenizer.chat_template``, rendered by llama-cpp-python's ``Jinja2ChatFormatter``, as its
server does); :class:`LLMTranslation` is an ``argostranslate.translate.ITranslation`` built on
it. Measured on the WMT22 subset (see ``bench/bench_translate.py``; choices made on a disjoint
dev subset):

* one sentence per prompt (:func:`~toolkit.translate.engines.prompt.sentence_messages`):
  Qwen's default system prompt, the task and the sentence in the user's turn (better than a
  translator persona with example pairs: 49.0 against 46.3 chrF on the dev lines), and the
  glossary's matching terms as a second system message;
* :meth:`LlamaLanguageModel.complete_many` decodes many prompts as parallel llama.cpp sequences
  with continuous batching: the shared prompt prefix is evaluated once and kept between calls,
  every step decodes one token of each running sequence in one batch, and a finished sequence's
  slot takes the next sentence at once;
* ``candidates`` > 1: minimum-Bayes-risk decoding, the greedy answer plus sampled ones (copies of
  the evaluated prompt), of which the chrF consensus wins (:mod:`toolkit.translate.consensus`);
* a sentence whose answers all still hold Chinese, are empty or loop is translated again, all
  such sentences together, with every token that can spell a CJK character blocked and a
  repetition penalty.

(An earlier batching design, several sentences as one numbered prompt, was slower than one
sentence per call: 0.78x.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from argostranslate.models import ILanguageModel
from argostranslate.translate import Hypothesis, ITranslation, Language

from toolkit.models import model_fingerprint
from toolkit.translate.consensus import pick_consensus
from toolkit.translate.engines import translate_lines
from toolkit.translate.engines.llama import CHATML_TEMPLATE, ChatTemplate, LlamaLanguageModel
from toolkit.translate.engines.prompt import sentence_messages, settings_id, tidy, token_budget, usable

DEFAULT_BATCH_SIZE = 32  # parallel sequences; see bench/bench_translate.py


class LLMTranslation(ITranslation):
    """zh→en translation with an instruction LLM, as an argostranslate ``ITranslation``.

    ``translate_batch`` is what the document translator calls; ``hypotheses`` (and so
    ``translate``) serve argostranslate's own API, one hypothesis per call. ``batch_size`` is
    the number of sequences decoded in parallel; ``candidates`` > 1 turns on minimum-Bayes-risk
    decoding: the greedy answer and ``candidates - 1`` samples, of which the chrF consensus wins.
    Prompts are rendered with the model's ``chat_template`` (ChatML for a model without one).
    """

    name = "llm"

    def __init__(
        self,
        model: ILanguageModel,
        model_id: str,
        batch_size: int | None = None,
        glossary: Mapping[str, str] | None = None,
        candidates: int = 1,
    ) -> None:
        self.from_lang = Language("zh", "Chinese")
        self.to_lang = Language("en", "English")
        self.model = model
        self.batch_size = DEFAULT_BATCH_SIZE if batch_size is None else batch_size
        self.candidates = max(1, candidates)
        self.glossary = dict(glossary or {})
        self.model_id = f"{model_id}:{settings_id(self.glossary, self.candidates)}"
        self.retries = 0

    @classmethod
    def from_file(
        cls,
        path: Path,
        batch_size: int | None = None,
        glossary: Mapping[str, str] | None = None,
        candidates: int = 1,
    ) -> LLMTranslation:
        """Load a GGUF file (loaded at first use); the memory key uses its (cached) content hash,
        which covers its chat template."""
        return cls(LlamaLanguageModel(path), model_fingerprint(path), batch_size, glossary, candidates)

    def hypotheses(self, input_text: str, num_hypotheses: int = 1) -> list[Hypothesis]:
        """argostranslate API: translate every line of ``input_text``; one hypothesis."""
        return [Hypothesis(translate_lines(self, input_text), 0.0)]

    def translate_batch(self, sentences: Sequence[str]) -> list[str]:
        """Translate ``sentences``, decoded ``batch_size`` sequences at a time.

        With several candidates, those that still hold Chinese, are empty or loop are set aside
        and the consensus of the rest wins. A sentence left without a usable answer is
        translated again (all such sentences together) with every CJK token blocked and a
        repetition penalty. Each sentence has its own prompt, the same at any batch size;
        batching can change an answer only through floating-point rounding in llama.cpp's
        batched kernels.
        """
        sentences = list(sentences)
        if not sentences:
            return []
        template = getattr(self.model, "chat_template", None) or ChatTemplate(CHATML_TEMPLATE)
        prompts = [template.render(sentence_messages(s, self.glossary)) for s in sentences]
        budgets = [token_budget(s) for s in sentences]
        results = []
        for source, group in zip(sentences, self._complete(prompts, budgets, self.candidates), strict=True):
            good = [target for target in group if usable(source, target)]
            results.append(good[pick_consensus(good)] if good else "")
        again = [
            i
            for i, (source, target) in enumerate(zip(sentences, results, strict=True))
            if not usable(source, target)
        ]
        self.retries += len(again)
        retried = self._complete([prompts[i] for i in again], [budgets[i] for i in again], 1, retry=True)
        for i, (target,) in zip(again, retried, strict=True):
            results[i] = target
        return results

    def _complete(
        self, prompts: Sequence[str], budgets: Sequence[int], candidates: int, retry: bool = False
    ) -> list[list[str]]:
        """The model's tidied candidates per prompt; a retry blocks CJK tokens and penalises repeats."""
        options = {"block_cjk": True, "repeat_penalty": 1.15} if retry else {}
        if hasattr(self.model, "complete_many") and (
            candidates > 1 or (len(prompts) > 1 and self.batch_size > 1)
        ):
            groups = self.model.complete_many(
                prompts, budgets, width=self.batch_size, candidates=candidates, **options
            )
        else:
            groups = [
                [self.model.infer(p, max_tokens=b, **options)] for p, b in zip(prompts, budgets, strict=True)
            ]
        return [[tidy(answer or "") for answer in group] for group in groups]
