"""Check, once per llama.cpp build and CPU, that the build runs here, before the first real use.

A llama-cpp-python wheel built with ``-march=native`` on one machine, or on a virtual machine
that advertises CPU features it does not run (an Intel VM listing AMX tiles or AVX-512), dies
of SIGILL at its first batched decode: no Python error, no message, the process is gone. So
before a build is used, a child process loads the model and runs one small batched decode on
the same code path as translation. The verdict is stored in the cache folder under a
fingerprint of the build's libraries and the CPU; a new build or another machine is checked
again. A dead child becomes :class:`~toolkit.errors.RuntimeBrokenError` (exit 2) with the cause
and the command that fixes it.

>>> signal_name(-4)
'SIGILL'
>>> signal_name(1) is None
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path

from toolkit.errors import RuntimeBrokenError
from toolkit.paths import cache_dir

LLAMA_VERSION = "0.3.36"
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
)
FIX_COMMAND = (
    f'CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install --force-reinstall --no-deps --no-cache-dir'
    f" --no-binary llama-cpp-python llama-cpp-python=={LLAMA_VERSION}"
    " (or `make setup-translate` in a toolkit checkout)"
)
CHECK_TIMEOUT = 600  # seconds: loading a 1.5B model on a busy 2-core machine takes a while
CAUSES = {
    "SIGILL": "an illegal instruction: the llama.cpp build uses CPU instructions this machine cannot"
    " run (a native build from another CPU, or AMX/AVX-512 kernels that this virtual machine"
    " advertises but does not execute)",
    "SIGSEGV": "a segmentation fault inside llama.cpp",
    "SIGBUS": "a bus error inside llama.cpp",
    "SIGABRT": "an abort inside llama.cpp",
}


def signal_name(returncode: int) -> str | None:
    """The name of the signal that ended a child (``returncode`` < 0), else None."""
    if returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def build_fingerprint() -> str:
    """A short hash of the installed llama_cpp package's native libraries and of this CPU.

    Found without importing llama_cpp (importing loads the libraries, which is harmless, but
    this stays cheap). Changes when the wheel is rebuilt or the machine's CPU differs.
    """
    digest = hashlib.sha256()
    spec = importlib.util.find_spec("llama_cpp")
    origin = Path(spec.origin).parent if spec and spec.origin else None
    digest.update(str(origin).encode())
    if origin is not None:
        for library in sorted(origin.rglob("*.so*")) + sorted(origin.rglob("*.dylib")):
            stat = library.stat()
            digest.update(f"{library.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(_cpu_identity().encode())
    return digest.hexdigest()[:20]


def _cpu_identity() -> str:
    """The CPU model and feature flags (Linux), else the platform's processor string."""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return platform.machine() + platform.processor()
    fields = {}
    for line in info.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in {"model name", "flags", "Features"} and key.strip() not in fields:
            fields[key.strip()] = value.strip()
    return platform.machine() + json.dumps(fields, sort_keys=True)


def _verdicts_path() -> Path:
    return cache_dir() / "llama-check.json"


def _load_verdicts() -> dict[str, dict]:
    try:
        return json.loads(_verdicts_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _store_verdict(fingerprint: str, verdict: dict) -> None:
    verdicts = _load_verdicts()
    verdicts[fingerprint] = verdict
    path = _verdicts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(verdicts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)  # concurrent checkers each leave a whole file


def ensure_llama_runs(model_path: Path) -> None:
    """Raise :class:`RuntimeBrokenError` unless this llama.cpp build survives a batched decode.

    The first call for a build runs :func:`_child_check` in a child process (a few seconds);
    later calls read the stored verdict. Only deaths by signal are stored as failures: a child
    that fails with a Python error (a bad model file, say) is reported but checked again next time.
    """
    fingerprint = build_fingerprint()
    verdict = _load_verdicts().get(fingerprint)
    if verdict is None:
        verdict = _run_child(Path(model_path))
        if verdict["ok"] or verdict.get("signal"):
            _store_verdict(fingerprint, verdict)
    if not verdict["ok"]:
        raise RuntimeBrokenError(_failure_message(verdict))


def _run_child(model_path: Path) -> dict:
    command = [sys.executable, "-m", "toolkit.translate.engines.llama_check", str(model_path)]
    try:
        child = subprocess.run(
            command, capture_output=True, text=True, timeout=CHECK_TIMEOUT, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return {"ok": False, "reason": f"the llama.cpp start-up check took over {CHECK_TIMEOUT} s"}
    if child.returncode == 0:
        return {"ok": True, "llama_cpp": LLAMA_VERSION}
    name = signal_name(child.returncode)
    if name:
        return {"ok": False, "signal": name}
    last = (child.stderr.strip().splitlines() or ["no output"])[-1]
    return {"ok": False, "reason": f"the llama.cpp start-up check failed: {last}"}


def _failure_message(verdict: dict) -> str:
    if "signal" not in verdict:
        return verdict["reason"]
    name = verdict["signal"]
    cause = CAUSES.get(name, f"the signal {name}")
    return (
        f"llama.cpp died of {name} in its start-up check (one small batched decode in a child"
        f" process): {cause}. Rebuild llama-cpp-python portably: {FIX_COMMAND}"
    )


def _child_check(model_path: Path) -> None:
    """Load the model and decode four prompts with a shared prefix as parallel sequences, as translation does."""
    from toolkit.translate.engines.llm import LlamaLanguageModel

    model = LlamaLanguageModel(model_path, n_ctx=512, n_threads=min(2, os.cpu_count() or 1), check=False)
    shared = "请把下面的中文句子翻译成英文。移动支付在过去十年里改变了人们的消费习惯，也带来了新的风险。\n"
    prompts = [shared + tail for tail in ("你好，世界。", "今天天气很好。", "谢谢。", "再见。")]
    model.complete_many(prompts, max_tokens=4, width=4)


if __name__ == "__main__":
    _child_check(Path(sys.argv[1]))
