"""Offline zh→en translation of cleaned documents: sentence splitting (:mod:`.split`), engines
(:mod:`.engines`: a local GGUF LLM or an Argos package), translation memory (:mod:`.memory`),
section-by-section document translation (:mod:`.document`) and output checks (:mod:`.qa`).

Heavy libraries (llama-cpp-python, argostranslate, ctranslate2) load only when an engine does.
"""

from toolkit.translate.document import DocumentTranslation, render_markdown, translate_text

__all__ = ["DocumentTranslation", "render_markdown", "translate_text"]
