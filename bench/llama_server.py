"""Run llama-cpp-python's own OpenAI-compatible server on a free loopback port (for the tests and
``bench_server.py``): ``python -m llama_cpp.server --model FILE --host 127.0.0.1 --port N``.

Needs the ``server`` extra (``pip install -e ".[server]"``).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LlamaServer:
    """``with LlamaServer(model) as server:`` a running server at ``server.base_url`` (``…/v1``).

    ``api_key`` makes the server require ``Authorization: Bearer KEY``. The server is stopped
    (SIGTERM, then SIGKILL) when the block ends; :meth:`stop` stops it earlier.
    """

    def __init__(
        self, model: Path, threads: int | None = None, n_ctx: int = 4096, api_key: str | None = None
    ):
        self.model = Path(model)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        threads = threads or os.cpu_count() or 1
        self.command = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(self.model),
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(n_ctx),
            "--n_threads", str(threads), "--n_threads_batch", str(threads), "--verbose", "False",
        ]  # fmt: skip
        if api_key:
            self.command += ["--api_key", api_key]
        self.api_key = api_key
        self.process: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()

    def __enter__(self) -> LlamaServer:
        self.process = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_ready(timeout=300)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        self._log.close()

    def log(self) -> str:
        """What the server printed so far (the last 2,000 characters)."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", errors="replace")[-2000:]

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.process.returncode}:\n{self.log()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/v1/models", headers=headers)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not answer within {timeout:.0f} s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
