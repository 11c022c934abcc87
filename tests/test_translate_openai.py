"""The OpenAI-compatible server engine against a small HTTP server in this process: the requests it
sends, concurrency, retries and backoff, the server-down path through the CLI, and what stays in
the translation memory. (The real llama-cpp-python server is in test_translate_server.py.)
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from toolkit.cli import main
from toolkit.translate.engines import EngineUnavailableError, load_engine
from toolkit.translate.engines import openai as server_engine
from toolkit.translate.engines.openai import OpenAITranslation
from toolkit.translate.engines.prompt import translation_messages


class FakeServer:
    """A chat-completions server that answers ``reply(body)`` (a status and a JSON body).

    Records every request body and header, and the most requests it ever had in flight.
    """

    def __init__(self, reply, delay: float = 0.0):
        self.reply = reply
        self.delay = delay
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, payload, extra=()):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in extra:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                fake.headers.append(dict(self.headers))
                self._send(200, {"object": "list", "data": [{"id": "fake-7b", "object": "model"}]})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake.lock:
                    fake.bodies.append(body)
                    fake.headers.append(dict(self.headers))
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                time.sleep(fake.delay)
                with fake.lock:
                    fake.in_flight -= 1
                status, payload, *extra = fake.reply(body)
                self._send(status, payload, *extra)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.httpd.shutdown()
        self.httpd.server_close()


def answer(text: str, status: int = 200, *extra):
    return (status, {"choices": [{"message": {"role": "assistant", "content": text}}]}, *extra)


def sentence_of(body: dict) -> str:
    return body["messages"][-1]["content"].rsplit("\n", 1)[-1]


def code(sentence: str) -> int:
    return sum(ord(c) for c in sentence if c != "。")


def english(body: dict):
    """A deterministic 'translation': the sum of the sentence's code points."""
    return answer(f"Sentence {code(sentence_of(body))}.")


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(server_engine, "BACKOFF", 0.01)


def test_each_sentence_is_one_greedy_chat_with_the_shared_messages(monkeypatch):
    monkeypatch.setenv("TEST_TOOLKIT_KEY", "s3cret")
    with FakeServer(english) as server:
        engine = load_engine(
            "openai", base_url=server.url, api_key_env="TEST_TOOLKIT_KEY", glossary={"支付寶": "Alipay"}
        )
        assert engine.translate_batch(["一。", "支付寶很方便。"]) == [
            "Sentence 19968.",
            f"Sentence {code('支付寶很方便')}.",
        ]
    assert engine.api_model == "fake-7b"  # from GET /v1/models
    assert engine.model_id.startswith(f"{server.url}/chat/completions|fake-7b:p5:g")
    bodies = sorted(server.bodies, key=sentence_of)
    assert bodies[0]["messages"] == translation_messages("一。")
    assert bodies[1]["messages"] == translation_messages(
        "支付寶很方便。", "Use these translations of names and terms: 支付寶 = Alipay."
    )
    assert all(b["temperature"] == 0 and b["model"] == "fake-7b" and not b["stream"] for b in bodies)
    assert all(h["Authorization"] == "Bearer s3cret" for h in server.headers)


def test_requests_in_flight_are_limited_by_concurrency():
    with FakeServer(english, delay=0.05) as server:
        engine = OpenAITranslation(server.url, "m", concurrency=3)
        sentences = [chr(0x4E00 + i) + "。" for i in range(12)]
        assert engine.translate_batch(sentences) == [f"Sentence {0x4E00 + i}." for i in range(12)]
    assert server.most_in_flight == 3


def test_429_and_5xx_are_retried_with_backoff_then_answered():
    script = iter([(429, {"error": {"message": "slow down"}}, [("Retry-After", "0")]), (503, {})])

    with FakeServer(lambda body: next(script, None) or english(body)) as server:
        engine = OpenAITranslation(server.url, "m", concurrency=1)
        assert engine.translate_batch(["一。"]) == ["Sentence 19968."]
    assert len(server.bodies) == 3


def test_a_refused_request_is_not_retried_and_names_the_server_message():
    with FakeServer(lambda body: (404, {"error": {"message": "model 'nope' not found"}})) as server:
        engine = OpenAITranslation(server.url, "nope", concurrency=1)
        with pytest.raises(EngineUnavailableError, match="HTTP 404 model 'nope' not found"):
            engine.translate_batch(["一。"])
    assert len(server.bodies) == 1


def test_an_answer_with_chinese_is_asked_again_more_firmly():
    def reply(body):
        firm = any(server_engine.ENGLISH_ONLY in m["content"] for m in body["messages"])
        return answer("Alipay is convenient." if firm else "支付寶 is convenient.")

    with FakeServer(reply) as server:
        engine = OpenAITranslation(server.url, "m")
        assert engine.translate_batch(["支付寶很方便。"]) == ["Alipay is convenient."]
    assert engine.retries == 1 and len(server.bodies) == 2


def _memory_rows(home) -> list[tuple[str, str, str]]:
    with sqlite3.connect(home / "translation-memory.sqlite3") as db:
        return db.execute("SELECT engine, model, source FROM translations").fetchall()


def test_server_going_down_exits_2_and_keeps_what_was_translated(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    source = tmp_path / "a.txt"
    source.write_text("一、背景\n第一句。第二句。第三句。第四句。第五句。\n", encoding="utf-8")
    served = iter(range(3))  # three answers, then 503 for good

    def failing(body):
        return english(body) if next(served, None) is not None else (503, {"error": "overloaded"})

    args = ["translate", str(source), "--engine", "openai", "--api-model", "m", "--concurrency", "1", "-q"]
    with FakeServer(failing) as server:
        result = runner.invoke(main, [*args, "--base-url", server.url])
    assert result.exit_code == 2, result.output
    assert (
        "toolkit: error:" in result.output
        and "HTTP 503 overloaded; gave up after 5 attempts" in result.output
    )
    assert "Traceback" not in result.output
    rows = _memory_rows(tmp_path / "home")
    assert len(rows) == 3 and {engine for engine, _, _ in rows} == {"openai"}
    assert len({model for _, model, _ in rows}) == 1
    assert rows[0][1].startswith(f"{server.url}/chat/completions|m:p5:g")  # endpoint, model, glossary

    with FakeServer(english) as again:  # the same address is not free again: same model name, new URL
        result = runner.invoke(main, [*args, "--base-url", again.url, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["memory_hits"] == 0  # another endpoint: nothing reused


def test_a_second_run_against_the_same_endpoint_is_served_by_the_memory(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    source = tmp_path / "a.txt"
    source.write_text("一、背景\n第一句。第二句。\n", encoding="utf-8")
    with FakeServer(english) as server:
        args = ["translate", str(source), "--engine", "openai", "--base-url", server.url, "-q"]
        first = runner.invoke(main, [*args, "--format", "json"])
        second = runner.invoke(main, [*args, "--format", "json"])
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert json.loads(second.stdout)["memory_hits"] == 3 and len(server.bodies) == 3
    translations = [json.loads(run.stdout)["sections"][0]["translation"] for run in (first, second)]
    assert (
        translations[0]
        == translations[1]
        == f"## 1. Sentence {code('背景')}\n\nSentence {code('第一句')}. Sentence {code('第二句')}."
    )


def test_unreachable_server_exits_2_with_a_message(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    with FakeServer(english) as server:
        closed = server.url  # closed once the block ends
    source = tmp_path / "a.txt"
    source.write_text("內容。\n", encoding="utf-8")
    for extra in ([], ["--api-model", "m"]):  # fails at GET /v1/models, or at the first sentence
        result = runner.invoke(
            main, ["translate", str(source), "--engine", "openai", "--base-url", closed, *extra]
        )
        assert result.exit_code == 2
        assert (
            "cannot reach http://127.0.0.1:" in result.output and "gave up after 5 attempts" in result.output
        )
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "http://127.0.0.1:9/v1"], "only for --engine openai"),
        (["--engine", "openai"], "needs --base-url"),
        (["--engine", "openai", "--base-url", "ftp://host/v1"], "http:// or https://"),
        (["--engine", "openai", "--base-url", "http://h/v1", "--model", "1.5b"], "--api-model"),
        (["--engine", "openai", "--base-url", "http://h/v1", "--candidates", "4"], "only with the llm"),
        (
            ["--engine", "openai", "--base-url", "http://h/v1", "--api-key-env", "TOOLKIT_UNSET_VAR"],
            "not set",
        ),
    ],
)
def test_server_options_are_checked(tmp_path, monkeypatch, runner, args, message):
    monkeypatch.setenv("TOOLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TOOLKIT_UNSET_VAR", raising=False)
    source = tmp_path / "a.txt"
    source.write_text("內容。\n", encoding="utf-8")
    result = runner.invoke(main, ["translate", str(source), *args])
    assert result.exit_code == 2
    assert message in result.output
