"""Translation engines: what the document translator needs from a model, and how to load one.

An engine translates a batch of Chinese sentences into English, one output per input, and names
itself for the translation memory (``name`` plus ``model_id``, which changes whenever the model
file or the prompt/decoding settings change). Both real engines are argostranslate
``ITranslation`` objects: :class:`~toolkit.translate.engines.llm.LLMTranslation` (a GGUF
instruction model run by llama-cpp-python behind an ``ILanguageModel``) and
:class:`~toolkit.translate.engines.argos.ArgosTranslation` (an installed Argos package's
CTranslate2 model and SentencePiece tokenizer, driven in batches).

>>> class Upper:
...     name, model_id = "upper", "v1"
...     def translate_batch(self, sentences):
...         return [s.upper() for s in sentences]
>>> isinstance(Upper(), Engine)
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from toolkit.errors import ConfigError

ENGINES = ("llm", "argos")


@runtime_checkable
class Engine(Protocol):
    """The interface the document translator uses."""

    name: str
    model_id: str

    def translate_batch(self, sentences: Sequence[str]) -> list[str]:
        """Translate each sentence; return exactly one translation per sentence, in order."""
        ...


def translate_lines(engine: Engine, text: str) -> str:
    """Translate each non-empty line of ``text`` as one unit (for argostranslate's ``hypotheses``).

    >>> class Upper:
    ...     name, model_id = "upper", "v1"
    ...     def translate_batch(self, sentences):
    ...         return [s.upper() for s in sentences]
    >>> translate_lines(Upper(), "a\\n\\nb")
    'A\\n\\nB'
    """
    lines = text.split("\n")
    outputs = iter(engine.translate_batch([line for line in lines if line.strip()]))
    return "\n".join(next(outputs) if line.strip() else "" for line in lines)


def load_glossary(path: str | Path) -> dict[str, str]:
    """Read a glossary: one ``中文<TAB>English`` or ``中文 = English`` pair a line; ``#`` comments.

    >>> import tempfile; file = Path(tempfile.mkdtemp()) / "g.tsv"
    >>> _ = file.write_text("# names\\n支付寶\\tAlipay\\n玖富 = Jiufu\\n", encoding="utf-8")
    >>> load_glossary(file)
    {'支付寶': 'Alipay', '玖富': 'Jiufu'}
    """
    terms: dict[str, str] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the glossary ({error})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        source, separator, target = line.partition("\t") if "\t" in line else line.partition("=")
        if not separator or not source.strip() or not target.strip():
            raise ConfigError(f"{path}:{number}: expected 中文<TAB>English or 中文 = English")
        terms[source.strip()] = target.strip()
    return terms


def load_engine(
    kind: str = "llm",
    model: str | None = None,
    batch_size: int | None = None,
    glossary: Mapping[str, str] | None = None,
    candidates: int = 1,
) -> Engine:
    """Load an engine. ``model`` is a GGUF path or size key (llm) or an Argos package folder (argos).

    ``glossary`` (LLM only) maps Chinese names and terms to the English wanted; ``candidates``
    (LLM only) > 1 picks each sentence's consensus among that many candidates. Raises
    :class:`~toolkit.errors.ModelMissingError` when no model is installed; never downloads.
    """
    from toolkit import models

    if kind == "llm":
        from toolkit.translate.engines.llm import LLMTranslation

        return LLMTranslation.from_file(models.find_llm(model), batch_size, glossary, candidates)
    if glossary:
        raise ConfigError("a glossary works only with the llm engine")
    if candidates > 1:
        raise ConfigError("--candidates works only with the llm engine")
    if kind == "argos":
        from toolkit.translate.engines.argos import ArgosTranslation

        package = models.find_argos_package() if model is None else models.load_argos_package(Path(model))
        return ArgosTranslation(package, batch_size=batch_size)
    raise ValueError(f"unknown engine {kind!r}; choose one of {', '.join(ENGINES)}")
