"""What does the portable llama.cpp build cost? Portable (AVX2) against native, on this CPU.

Builds llama-cpp-python twice from source (never from pip's wheel cache), with the Makefile's
portable flags and with ``-DGGML_NATIVE=ON``, each into its own folder under ``bench/out/``
(kept: later runs reuse them; ``--site NAME=DIR`` gives a folder made by
``pip install --target DIR`` instead), then runs ``bench_llama_ceiling.py --json`` with each
build first on ``PYTHONPATH``, alternating the builds for ``--rounds`` rounds so that both see
the same machine load, and prints the medians and the native / portable ratios.

A native build only runs where the CPU runs everything it advertises: on a VM that lists AMX but
faults on it, the native rounds die (reported as such) and only the portable figures remain.

Usage::

    python bench/bench_llama_builds.py --model-size 1.5b --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.translate.engines.llama_check import LLAMA_VERSION, PORTABLE_CMAKE_ARGS  # noqa: E402

BUILDS = {"portable": PORTABLE_CMAKE_ARGS, "native": "-DGGML_NATIVE=ON"}


def build(name: str, folder: Path) -> Path:
    """``pip install --target folder`` of llama-cpp-python compiled with the flags of ``name``."""
    if (folder / "llama_cpp").is_dir():
        return folder
    print(
        f"building llama-cpp-python {LLAMA_VERSION} ({name}: {BUILDS[name]}), a few minutes…", file=sys.stderr
    )
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-cache-dir"]
    command += [
        "--no-binary",
        "llama-cpp-python",
        "--target",
        str(folder),
        f"llama-cpp-python=={LLAMA_VERSION}",
    ]
    subprocess.run(command, check=True, env=dict(os.environ, CMAKE_ARGS=BUILDS[name]))
    return folder


def measure(site: Path, model: str) -> dict | None:
    """One run of bench_llama_ceiling.py with ``site`` first on the path; None if it died."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(ROOT)]))
    command = [
        sys.executable,
        str(ROOT / "bench" / "bench_llama_ceiling.py"),
        "--model-size",
        model,
        "--json",
    ]
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        print(f"  {site.name}: exit {run.returncode}: {run.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-size", default="1.5b", help="0.5b, 1.5b or a .gguf path")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--site", action="append", default=[], help="NAME=DIR of a prebuilt build")
    args = parser.parse_args()
    sites = dict(item.split("=", 1) for item in args.site)
    sites = {
        name: Path(sites[name]) if name in sites else build(name, ROOT / "bench" / "out" / f"llama-{name}")
        for name in BUILDS
    }
    runs: dict[str, list[dict]] = {name: [] for name in BUILDS}
    for round_ in range(args.rounds):
        for name, site in sites.items():
            figures = measure(site, args.model_size)
            if figures:
                runs[name].append(figures)
            print(f"round {round_ + 1} {name}: {'died' if figures is None else figures}", file=sys.stderr)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    print(f"CPU: {cpu}; model {args.model_size}; medians of {args.rounds} alternating rounds (tokens/s)")
    medians = {}
    for name, figures in runs.items():
        if not figures:
            print(f"{name:9} every run died")
            continue
        medians[name] = {
            "prompt": statistics.median(f["prompt"] for f in figures),
            "single": statistics.median(f["single"] for f in figures),
            **{f"decode {w}": statistics.median(f["decode"][w] for f in figures) for w in ("8", "32", "64")},
            "ceiling 32": statistics.median(f["ceiling"]["32"] for f in figures),
        }
        print(f"{name:9} " + "  ".join(f"{key} {value:.2f}" for key, value in medians[name].items()))
    if len(medians) == 2:
        ratios = {key: medians["native"][key] / medians["portable"][key] for key in medians["portable"]}
        print("native/portable " + "  ".join(f"{key} {value:.2f}x" for key, value in ratios.items()))
    print("  command: python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]))


if __name__ == "__main__":
    main()
