"""Server engine: any OpenAI-compatible ``/v1/chat/completions`` endpoint (llama.cpp's server,
llama-cpp-python's, vLLM, Ollama), with many requests in flight.

Each sentence is one chat request with the same messages the in-process engine renders
(:func:`~toolkit.translate.engines.prompt.sentence_messages`), greedy (``temperature`` 0), and
its answer is tidied and checked the same way. ``concurrency`` requests run at once on worker
threads, each with its own keep-alive connection; a request that gets 429 or a 5xx answer, times
out or cannot connect is retried with exponential backoff (``Retry-After`` is honoured). Only the
given URL's host and port are ever contacted: no proxy settings are read and redirects are not
followed. When the server stays unreachable or refuses a request, :class:`EngineUnavailableError`
carries the sentences translated before, so the caller can keep them.

Standard library only (``http.client``, ``concurrent.futures``): this engine works on the light
install, without llama-cpp-python or torch.

>>> chat_url("http://127.0.0.1:8080"), chat_url("http://gpu:8000/v1/"), chat_url("https://h/api/v1")
('http://127.0.0.1:8080/v1/chat/completions', 'http://gpu:8000/v1/chat/completions', 'https://h/api/v1/chat/completions')
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

from toolkit.errors import ConfigError
from toolkit.translate.engines import EngineUnavailableError
from toolkit.translate.engines.prompt import sentence_messages, settings_id, tidy, token_budget, usable

DEFAULT_CONCURRENCY = 4  # what one local server (llama.cpp's --parallel 4, Ollama's default) serves at once
DEFAULT_TIMEOUT = 300.0  # seconds per answer: a CPU server works through a queue of requests
CONNECT_TIMEOUT = 10.0  # seconds to open a connection: an unreachable host fails fast
RETRIES = 4  # after the first attempt: waits 1, 2, 4, 8 s
BACKOFF = 1.0
MAX_WAIT = 30.0
# A retry after an unusable answer (Chinese left, empty, looping) asks more firmly for English.
ENGLISH_ONLY = "Write the translation in English only, with no Chinese characters; give names in pinyin."


def chat_url(base_url: str) -> str:
    """The chat-completions URL for a base URL given with or without ``/v1`` (or as the full URL)."""
    url = base_url.rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return url + ("/chat/completions" if url.endswith("/v1") else "/v1/chat/completions")


class _Client:
    """JSON over HTTP(S) to one server, one keep-alive connection per thread, with retries."""

    def __init__(self, url: str, api_key: str | None, timeout: float, retries: int) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"--base-url {url!r}: give an http:// or https:// URL with a host")
        self.url = url
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.origin = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
        self.root = parts.path.rsplit("/chat/completions", 1)[0]  # …/v1
        self.headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"
        self.timeout = timeout
        self.retries = retries
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            connection = kind(self.host, self.port, timeout=CONNECT_TIMEOUT)
            connection.connect()
            connection.sock.settimeout(self.timeout)
            self._local.connection = connection
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    def request(self, method: str, path: str, body: Mapping[str, object] | None = None) -> dict:
        """The decoded JSON answer; retries 429, 5xx, timeouts and connection failures, raises
        :class:`EngineUnavailableError` once they are used up or for any other failure."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        wait_for, attempt = BACKOFF, 0
        while True:
            attempt += 1
            retry_after = None
            try:
                connection = self._connection()
                connection.request(method, path, body=data, headers=self.headers)
                response = connection.getresponse()
                status, payload = response.status, response.read()
                retry_after = response.getheader("Retry-After")
            except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
                self._drop_connection()
                reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                problem = f"cannot reach {self.origin} ({reason})"
            else:
                if status == 200:
                    try:
                        return json.loads(payload)
                    except ValueError:
                        raise EngineUnavailableError(f"{self.url}: the answer is not JSON") from None
                problem = f"{method} {self.origin}{path}: HTTP {status} {_server_message(payload)}".rstrip()
                if status != 429 and status < 500:
                    raise EngineUnavailableError(problem)
            if attempt > self.retries:
                raise EngineUnavailableError(f"{problem}; gave up after {attempt} attempts")
            time.sleep(min(MAX_WAIT, _seconds(retry_after) or wait_for))
            wait_for *= 2


def _seconds(header: str | None) -> float | None:
    """A ``Retry-After`` value in seconds (the HTTP-date form is ignored).

    >>> _seconds("3"), _seconds(None), _seconds("Wed, 21 Oct 2026 07:28:00 GMT")
    (3.0, None, None)
    """
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None


def _server_message(payload: bytes) -> str:
    """The error message in a server's answer (OpenAI's ``{"error": {"message": …}}`` or text).

    >>> _server_message(b'{"error": {"message": "model not found"}}'), _server_message(b"Bad gateway")
    ('model not found', 'Bad gateway')
    """
    text = payload.decode("utf-8", errors="replace").strip()
    try:
        error = json.loads(text).get("error", text)
    except (ValueError, AttributeError):
        error = text
    message = error.get("message", error) if isinstance(error, dict) else error
    return " ".join(str(message).split())[:300]


class OpenAITranslation:
    """zh→en translation through an OpenAI-compatible chat-completions server.

    ``api_model`` is the model name the server knows (default: the first of ``GET /v1/models``);
    the translation memory key is the endpoint, that name and the prompt settings, so another
    server or model never reuses these translations. ``extra`` adds fields to every request body
    (for example ``{"repeat_penalty": 1.0}`` for llama-cpp-python's server, whose default is 1.1).
    """

    name = "openai"

    def __init__(
        self,
        base_url: str,
        api_model: str | None = None,
        api_key: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        glossary: Mapping[str, str] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = RETRIES,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        self.endpoint = chat_url(base_url)
        self.client = _Client(self.endpoint, api_key, timeout, retries)
        self.concurrency = max(1, concurrency)
        self.batch_size = 8 * self.concurrency  # sentences handed over at a time by the document translator
        self.glossary = dict(glossary or {})
        self.extra = dict(extra or {})
        self.api_model = api_model or self._first_model()
        self.model_id = f"{self.endpoint}|{self.api_model}:{settings_id(self.glossary)}"
        if self.extra:
            options = json.dumps(self.extra, sort_keys=True)
            self.model_id += ":x" + hashlib.sha256(options.encode()).hexdigest()[:8]
        self.retries = 0
        self._retries_lock = threading.Lock()

    def _first_model(self) -> str:
        listing = self.client.request("GET", f"{self.client.root}/models")
        names = [str(item.get("id")) for item in listing.get("data", []) if isinstance(item, dict)]
        if not names or not names[0]:
            raise EngineUnavailableError(f"{self.endpoint}: the server lists no model; give --api-model")
        return names[0]

    def complete(self, messages: Sequence[Mapping[str, str]], max_tokens: int) -> str:
        """The server's greedy answer to one chat."""
        body = {
            "model": self.api_model,
            "messages": list(messages),
            "temperature": 0.0,
            "max_tokens": max_tokens,
            "stream": False,
            **self.extra,
        }
        answer = self.client.request("POST", urlsplit(self.endpoint).path, body)
        try:
            return answer["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise EngineUnavailableError(f"{self.endpoint}: unexpected answer {str(answer)[:200]}") from None

    def translate_one(self, sentence: str) -> str:
        """One sentence; an unusable answer is asked again once, more firmly, and the better one kept."""
        budget = token_budget(sentence)
        target = tidy(self.complete(sentence_messages(sentence, self.glossary), budget))
        if usable(sentence, target):
            return target
        with self._retries_lock:
            self.retries += 1
        again = tidy(self.complete(sentence_messages(sentence, self.glossary, ENGLISH_ONLY), budget))
        return again if usable(sentence, again) or not target else target

    def translate_batch(self, sentences: Sequence[str]) -> list[str]:
        """Translate ``sentences`` with ``concurrency`` requests in flight.

        When a request fails for good, the requests not started are dropped, those running are
        finished, and :class:`EngineUnavailableError` carries the translations done so far.
        """
        sentences = list(sentences)
        done: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="toolkit-openai") as pool:
            futures = {pool.submit(self.translate_one, s): s for s in sentences}
            _, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            failure = None
            for future in futures:
                if future.cancelled():
                    continue
                error = future.exception()
                if error is None:
                    done[futures[future]] = future.result()
                elif failure is None:
                    failure = error
        if failure is not None:
            if isinstance(failure, EngineUnavailableError):
                raise EngineUnavailableError(str(failure), done) from None
            raise failure
        return [done[s] for s in sentences]


def load_openai(
    base_url: str,
    api_model: str | None = None,
    api_key_env: str | None = None,
    concurrency: int | None = None,
    glossary: Mapping[str, str] | None = None,
) -> OpenAITranslation:
    """The server engine as the command line configures it; the API key is read from the
    environment variable ``api_key_env`` (never from an option, so it stays out of shell history)."""
    api_key = None
    if api_key_env:
        api_key = os.environ.get(api_key_env)
        if not api_key:
            raise ConfigError(f"--api-key-env {api_key_env}: that environment variable is not set")
    return OpenAITranslation(base_url, api_model, api_key, concurrency or DEFAULT_CONCURRENCY, glossary)
