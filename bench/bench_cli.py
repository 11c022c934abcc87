"""How fast `toolkit lint` and `toolkit clean` start and finish on the sample seed.

Run: python bench/bench_cli.py [--runs N]

Each command runs N times as a fresh process (as pre-commit runs it); the median
wall time and the median CPU time (user + system, of the process and its children)
are printed next to a bare `python -c pass` measured in the same run, so the figures
can be compared on a noisy machine. The second table lists the heavy
modules the lint path imports (it must import none).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"
TOOLKIT = [sys.executable, "-m", "toolkit"]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(command: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` fresh processes running ``command``."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), _cpu_seconds()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu_seconds() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    subprocess.run(
        [*TOOLKIT, "lint", "--isolated", "--exit-zero", str(SEED)], capture_output=True
    )  # warm caches
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("toolkit rules", [*TOOLKIT, "rules"]),
        ("toolkit lint seed", [*TOOLKIT, "lint", "--isolated", str(SEED)]),
        ("toolkit clean seed", [*TOOLKIT, "clean", "--isolated", str(SEED)]),
        ("toolkit clean --unsafe seed", [*TOOLKIT, "clean", "--isolated", "--unsafe", str(SEED)]),
    ]
    baseline = None
    print(f"command: python bench/bench_cli.py --runs {args.runs}   (medians over fresh processes)")
    print(f"{'command':32} {'wall s':>8} {'x python':>9} {'cpu s':>8} {'x python':>9}")
    for name, command in rows:
        wall, cpu = median_seconds(command, args.runs)
        baseline = baseline or (wall, max(cpu, 1e-3))
        print(f"{name:32} {wall:8.3f} {wall / baseline[0]:9.1f} {cpu:8.3f} {cpu / baseline[1]:9.1f}")
    probe = (
        "import sys\nfrom toolkit.cli import main\n"  # main, not the program: that ends with os._exit
        f"try:\n    main(['lint', '--isolated', '--exit-zero', {str(SEED)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('torch', 'argostranslate', 'llama_cpp', 'ctranslate2', 'jieba', 'stanza')"
        " if m in sys.modules))"
    )
    heavy = (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        .stdout.strip()
        .splitlines()
    )
    print(f"heavy modules imported by lint: {heavy[-1] if heavy else '?'}")


if __name__ == "__main__":
    main()
