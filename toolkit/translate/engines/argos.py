"""Argos engine: an installed Argos package's CTranslate2 model and tokenizer, driven in batches.

argostranslate's own ``translate`` splits sentences with MiniSBD or Stanza, which download models
at first use; this engine takes sentences already split by :mod:`toolkit.translate.split`,
tokenizes them with the package's tokenizer (``sentencepiece.model`` or ``bpe.model``) and calls
``ctranslate2.Translator.translate_batch`` directly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from argostranslate.translate import Hypothesis, ITranslation, Language

from toolkit.models import model_fingerprint
from toolkit.translate.engines import translate_lines

BEAM_SIZE = 4


class ArgosTranslation(ITranslation):
    """An argostranslate ``ITranslation`` over one installed package (``argostranslate.package.Package``)."""

    name = "argos"

    def __init__(self, package, batch_size: int | None = None, beam_size: int = BEAM_SIZE) -> None:
        import ctranslate2

        self.package = package
        self.from_lang = Language(package.from_code, package.from_name)
        self.to_lang = Language(package.to_code, package.to_name)
        self.batch_size = batch_size or 16
        self.beam_size = beam_size
        path = Path(package.package_path)
        self.translator = ctranslate2.Translator(
            str(path / "model"), device="cpu", compute_type="auto", intra_threads=os.cpu_count() or 1
        )
        self.model_id = f"{model_fingerprint(path)}:beam{beam_size}"

    def translate_batch(self, sentences: Sequence[str]) -> list[str]:
        """Translate sentences in CTranslate2 batches of ``batch_size``; beam search."""
        if not sentences:
            return []
        tokenizer = self.package.tokenizer
        tokens = [tokenizer.encode(sentence) for sentence in sentences]
        results = self.translator.translate_batch(
            tokens,
            beam_size=self.beam_size,
            max_batch_size=self.batch_size,
            max_decoding_length=256,
            replace_unknowns=True,
        )
        return [" ".join(tokenizer.decode(result.hypotheses[0]).split()) for result in results]

    def hypotheses(self, input_text: str, num_hypotheses: int = 1) -> list[Hypothesis]:
        """argostranslate API: translate every line of ``input_text`` (one hypothesis)."""
        return [Hypothesis(translate_lines(self, input_text), 0.0)]
