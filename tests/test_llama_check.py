"""The llama.cpp start-up check: a build that dies of a signal gives exit 2 and the fix, never a
silent crash; the verdict is remembered per build. The failing build is a stand-in
``llama_cpp`` package put first on the child's path, whose model load kills its own process
with SIGILL exactly as a native AMX build does on an Intel VM; the real build is checked too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("argostranslate")

from toolkit.translate.engines import llama_check

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"

DYING_BUILD = """
import os, signal

class Llama:
    def __init__(self, *args, **kwargs):
        os.kill(os.getpid(), signal.{signal})
"""


def _fake_build(folder: Path, body: str) -> Path:
    package = folder / "llama_cpp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body, encoding="utf-8")
    return folder


def _translate(tmp_path: Path, fake: Path) -> subprocess.CompletedProcess:
    model = tmp_path / "any.gguf"
    model.write_bytes(b"GGUF")
    env = dict(os.environ, PYTHONPATH=str(fake), TOOLKIT_CACHE=str(tmp_path / "cache"))
    env["TOOLKIT_HOME"] = str(tmp_path / "home")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "translate",
            "--model",
            str(model),
            str(SEED),
            "-o",
            str(tmp_path / "x.md"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_a_build_that_dies_of_sigill_gives_exit_2_with_cause_and_fix(tmp_path):
    fake = _fake_build(tmp_path / "site", DYING_BUILD.format(signal="SIGILL"))
    first = _translate(tmp_path, fake)
    assert first.returncode == 2, first.stderr
    assert "SIGILL" in first.stderr and "illegal instruction" in first.stderr
    assert "-DGGML_NATIVE=OFF" in first.stderr and "--no-cache-dir" in first.stderr
    assert "Traceback" not in first.stderr and not (tmp_path / "x.md").exists()

    verdicts = json.loads((tmp_path / "cache" / "llama-check.json").read_text(encoding="utf-8"))
    assert [verdict["signal"] for verdict in verdicts.values()] == ["SIGILL"]

    # The verdict is remembered: the same build is not run again, even once it would load.
    (fake / "llama_cpp" / "__init__.py").write_text("class Llama:\n    pass\n", encoding="utf-8")
    started = time.monotonic()
    second = _translate(tmp_path, fake)
    assert second.returncode == 2 and "SIGILL" in second.stderr
    assert time.monotonic() - started < 60


def test_a_child_that_fails_with_a_python_error_is_reported_and_not_remembered(tmp_path):
    fake = _fake_build(
        tmp_path / "site",
        "class Llama:\n    def __init__(self, *a, **k):\n        raise ValueError('not a GGUF file')\n",
    )
    result = _translate(tmp_path, fake)
    assert result.returncode == 2
    assert "start-up check failed" in result.stderr and "not a GGUF file" in result.stderr
    assert not (tmp_path / "cache" / "llama-check.json").exists()


def test_the_fingerprint_follows_the_build_and_the_cpu(tmp_path, monkeypatch):
    fingerprint = llama_check.build_fingerprint()
    assert fingerprint == llama_check.build_fingerprint()
    monkeypatch.setattr(llama_check, "_cpu_identity", lambda: "another CPU")
    assert llama_check.build_fingerprint() != fingerprint


@pytest.mark.model
def test_the_installed_build_passes_its_check_and_is_remembered(tmp_path, monkeypatch):
    pytest.importorskip("llama_cpp")
    from toolkit.models import find_llm

    monkeypatch.setenv("TOOLKIT_CACHE", str(tmp_path))
    llama_check.ensure_llama_runs(find_llm("0.5b"))
    verdicts = json.loads((tmp_path / "llama-check.json").read_text(encoding="utf-8"))
    assert verdicts == {llama_check.build_fingerprint(): {"ok": True, "llama_cpp": "0.3.36"}}
