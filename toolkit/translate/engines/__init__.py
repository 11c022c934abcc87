"""Translation engines: what the document translator needs from a model, and how to load one.

An engine translates a batch of Chinese sentences into English, one output per input, and names
itself for the translation memory (``name`` plus ``model_id``, which changes whenever the model
file or the prompt/decoding settings change). The engines (:data:`ENGINES`):

* ``llm``: :class:`~toolkit.translate.engines.llm.LLMTranslation`, any GGUF instruction model run
  in process by llama-cpp-python behind an argostranslate ``ILanguageModel``, prompted through
  the model's own chat template;
* ``openai``: :class:`~toolkit.translate.engines.openai.OpenAITranslation`, any OpenAI-compatible
  chat-completions server (llama.cpp, vLLM, Ollama), many requests in flight;
* ``argos``: :class:`~toolkit.translate.engines.argos.ArgosTranslation`, an installed Argos
  package's CTranslate2 model and SentencePiece tokenizer, driven in batches.

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

from toolkit.errors import ConfigError, ToolkitError

ENGINES = {
    "llm": "a GGUF instruction model in this process (--model 0.5b/1.5b or FILE.gguf)",
    "openai": "an OpenAI-compatible chat-completions server (--base-url URL)",
    "argos": "an installed Argos zh→en package",
}


class EngineUnavailableError(ToolkitError):
    """An engine that stopped working part-way (a server down or refusing requests).

    ``done`` maps the sentences translated before the failure to their translations, so the
    caller can keep them (the document translator stores them in the translation memory).
    """

    def __init__(self, message: str, done: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.done = dict(done or {})


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
    base_url: str | None = None,
    api_model: str | None = None,
    api_key_env: str | None = None,
    concurrency: int | None = None,
) -> Engine:
    """Load an engine of :data:`ENGINES`, refusing options it does not take.

    ``model`` is a GGUF path or size key (llm) or an Argos package folder (argos); ``base_url``,
    ``api_model``, ``api_key_env`` (the environment variable holding the API key) and
    ``concurrency`` configure the server (openai). ``glossary`` (llm, openai) maps Chinese names
    and terms to the English wanted; ``candidates`` (llm only) > 1 picks each sentence's
    consensus among that many candidates. Raises :class:`~toolkit.errors.ModelMissingError`
    when no model is installed; never downloads.
    """
    server = {"--base-url": base_url, "--api-model": api_model, "--api-key-env": api_key_env}
    server["--concurrency"] = concurrency
    if kind not in ENGINES:
        raise ValueError(f"unknown engine {kind!r}; choose one of {', '.join(ENGINES)}")
    if kind != "openai" and any(value is not None for value in server.values()):
        given = ", ".join(option for option, value in server.items() if value is not None)
        raise ConfigError(f"{given}: only for --engine openai")
    if candidates > 1 and kind != "llm":
        raise ConfigError("--candidates works only with the llm engine")
    if kind == "openai":
        if base_url is None:
            raise ConfigError("--engine openai needs --base-url URL (e.g. http://127.0.0.1:8080/v1)")
        if model is not None or batch_size is not None:
            raise ConfigError(
                "--engine openai: name the server's model with --api-model, and use --concurrency"
            )
        from toolkit.translate.engines.openai import load_openai

        return load_openai(base_url, api_model, api_key_env, concurrency, glossary)

    from toolkit import models

    if kind == "llm":
        from toolkit.translate.engines.llm import LLMTranslation

        return LLMTranslation.from_file(models.find_llm(model), batch_size, glossary, candidates)
    if glossary:
        raise ConfigError("a glossary works only with the llm and openai engines")
    from toolkit.translate.engines.argos import ArgosTranslation

    package = models.find_argos_package() if model is None else models.load_argos_package(Path(model))
    return ArgosTranslation(package, batch_size=batch_size)
