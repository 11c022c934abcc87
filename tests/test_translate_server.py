"""--engine openai against a real OpenAI-compatible server: llama-cpp-python's own
(``python -m llama_cpp.server``, the ``server`` extra) with the 0.5B model on a free loopback port.

Skipped when the model or the server extra is missing, unless TOOLKIT_REQUIRE_MODEL=1 (CI).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED, assert_translated_seed

sys.path.insert(0, str(ROOT / "bench"))

from llama_server import LlamaServer

from toolkit.cli import main

pytestmark = pytest.mark.model
API_MODEL = "qwen-0.5b"  # llama-cpp-python's server answers to any name with its one model


def _small_model() -> Path:
    from toolkit.errors import ModelMissingError
    from toolkit.models import find_llm

    try:
        import llama_cpp.server.app  # noqa: F401  (the server extra: fastapi, uvicorn, …)

        return find_llm("0.5b")
    except (ModelMissingError, ImportError):
        if os.environ.get("TOOLKIT_REQUIRE_MODEL") == "1":
            raise
        pytest.skip("needs the 0.5B model and llama-cpp-python[server]")


def test_seed_through_a_real_server_then_the_server_down_path(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEST_TOOLKIT_SERVER_KEY", "local-secret")
    from toolkit.translate.engines import openai as server_engine

    monkeypatch.setattr(server_engine, "BACKOFF", 0.05)
    model = _small_model()
    out = tmp_path / "seed.en.md"
    with LlamaServer(model, api_key="local-secret") as server:
        args = ["translate", str(SEED), "--engine", "openai", "--base-url", server.base_url]
        args += ["--api-model", API_MODEL, "--api-key-env", "TEST_TOOLKIT_SERVER_KEY", "-q"]
        result = runner.invoke(main, [*args, "-o", str(out)])
        assert result.exit_code in (0, 1), result.output + server.log()  # 1: QA findings on stderr
        without_key = runner.invoke(main, [*args[:-3], "--no-memory", "-o", str(tmp_path / "x.md")])
    markdown = out.read_text(encoding="utf-8")
    assert_translated_seed(markdown)
    assert without_key.exit_code == 2 and "HTTP 401" in without_key.output  # the server wants the key

    with sqlite3.connect(tmp_path / "home" / "translation-memory.sqlite3") as db:
        keys = db.execute("SELECT DISTINCT engine, model FROM translations").fetchall()
        count = db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    assert len(keys) == 1 and keys[0][0] == "openai"
    assert keys[0][1].startswith(f"{server.base_url}/chat/completions|{API_MODEL}:p5")

    # The server is stopped: everything comes from the memory, so the run still succeeds …
    again = runner.invoke(main, [*args, "--format", "json"])
    assert again.exit_code in (0, 1), again.output
    payload = json.loads(again.stdout)
    assert payload["translated_sentences"] == 0 and payload["memory_hits"] == payload["sentence_count"]
    sections = payload["sections"]
    segments = [seg for section in sections for seg in [section["heading"], *section["paragraphs"]] if seg]
    assert count == len({sentence["source"] for seg in segments for sentence in seg["sentences"]})
    # … and without the memory it must reach the server: exit 2 and a message, no traceback.
    down = runner.invoke(main, [*args, "--no-memory"])
    assert down.exit_code == 2
    assert f"cannot reach http://127.0.0.1:{server.port}" in down.output and "gave up after" in down.output
    assert "Traceback" not in down.output


def test_the_server_renders_the_same_prompt_from_the_gguf_template():
    """The server applies the GGUF's chat template itself; its prompt token count matches ours."""
    from toolkit.translate.engines.llm import LlamaLanguageModel
    from toolkit.translate.engines.openai import OpenAITranslation
    from toolkit.translate.engines.prompt import translation_messages

    model = _small_model()
    messages = translation_messages(
        "支付寶成立於2004年。", "Use these translations of names and terms: 支付寶 = Alipay."
    )
    local = LlamaLanguageModel(model)
    prompt = local.chat_template.render(messages)
    ours = len(local.llama.tokenize(prompt.encode(), add_bos=False, special=True))
    with LlamaServer(model) as server:
        engine = OpenAITranslation(server.base_url, API_MODEL)
        answer = engine.client.request(
            "POST", "/v1/chat/completions", {"model": API_MODEL, "messages": messages, "max_tokens": 40}
        )
    assert answer["usage"]["prompt_tokens"] == ours
    assert "Alipay" in answer["choices"][0]["message"]["content"]
