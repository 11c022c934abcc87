"""Server path against in-process path: the same GGUF, the same WMT22 lines, quality and speed side by side.

One run starts llama-cpp-python's OpenAI-compatible server (``python -m llama_cpp.server``, the
``server`` extra) with the model on a free loopback port, translates the WMT22 zh→en benchmark
subset (lines i % 9 == 0, reference A, see ``bench_translate.py``) through ``--engine openai``
(``OpenAITranslation``, ``--concurrency`` requests in flight), stops the server, then translates
the same lines in process (``LLMTranslation``, ``--batch-size`` parallel sequences). Both are
greedy with the glossary on; the server requests carry ``repeat_penalty: 1.0`` because
llama-cpp-python's server would otherwise apply its default of 1.1, which the in-process engine
does not. Prints sacrebleu BLEU / chrF and sentences per second for each, and writes them to
``bench/out/server-<model>.json``.

llama-cpp-python's server decodes one request at a time, so on this machine it shows what the
HTTP path costs, not what a GPU server with batching (vLLM, llama.cpp's ``llama-server
--parallel N``) gains; point ``--base-url`` at such a server to measure it instead.

Usage::

    python bench/bench_server.py --model-size 1.5b
    python bench/bench_server.py --model-size 0.5b --limit 40 --concurrency 1,4
    python bench/bench_server.py --model-size 1.5b --base-url http://gpu-box:8000/v1 --api-model qwen2.5-7b
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_translate import wmt_subset  # noqa: E402
from llama_server import LlamaServer  # noqa: E402

from toolkit.paths import data_file  # noqa: E402
from toolkit.translate.engines import load_glossary  # noqa: E402
from toolkit.translate.engines.openai import OpenAITranslation  # noqa: E402

# llama-cpp-python's server applies a repeat penalty of 1.1 unless told otherwise; in-process decoding has none.
SAME_DECODING = {"repeat_penalty": 1.0}


def score(label: str, engine, sources: list[str], references: list[str]) -> dict[str, object]:
    """Translate ``sources`` with ``engine``; BLEU, chrF, sentences per second, retries."""
    import sacrebleu

    started = time.perf_counter()
    hypotheses = engine.translate_batch(sources)
    seconds = time.perf_counter() - started
    result = {
        "path": label,
        "lines": len(sources),
        "bleu": round(sacrebleu.corpus_bleu(hypotheses, [references]).score, 2),
        "chrf": round(sacrebleu.corpus_chrf(hypotheses, [references]).score, 2),
        "seconds": round(seconds, 1),
        "sentences_per_second": round(len(sources) / seconds, 3),
        "retries": engine.retries,
        "hypotheses": hypotheses,
    }
    print(
        f"{label}: BLEU {result['bleu']} chrF {result['chrf']}, {result['sentences_per_second']} sentences/s"
        f" ({result['seconds']} s, {engine.retries} retries)",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model-size", default="1.5b", help="0.5b or 1.5b (an installed model), or a .gguf path"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N subset lines")
    parser.add_argument("--concurrency", default="4", help="server requests in flight; a list runs each: 1,4")
    parser.add_argument(
        "--batch-size", default="32", help="in-process parallel sequences; a list runs each: 1,32"
    )
    parser.add_argument("--base-url", help="an already running server instead of starting llama_cpp.server")
    parser.add_argument("--api-model", help="its model name (default: the first it lists)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="threads of both paths")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "wmt22-zh-en")
    parser.add_argument("--skip-in-process", action="store_true")
    args = parser.parse_args()
    command = "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])

    from toolkit.models import find_llm, model_fingerprint

    path = find_llm(args.model_size)
    glossary = load_glossary(data_file("glossary.tsv"))
    sources, references = wmt_subset(args.data, args.limit)
    print(f"{len(sources)} WMT22 lines, model {path.name}\n  command: {command}", flush=True)
    runs = []

    def server_runs(base_url: str, extra: dict[str, object]) -> None:
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            engine = OpenAITranslation(base_url, args.api_model, None, concurrency, glossary, extra=extra)
            engine.translate_batch(sources[:1])  # warm up: the first request loads caches
            engine.retries = 0
            runs.append(score(f"server, {concurrency} in flight", engine, sources, references))

    if args.base_url:
        server_runs(args.base_url, {})
    else:
        with LlamaServer(path, threads=args.threads) as server:
            server_runs(server.base_url, SAME_DECODING)
    if not args.skip_in_process:
        from toolkit.translate.engines.llm import LlamaLanguageModel, LLMTranslation

        model = LlamaLanguageModel(path, n_threads=args.threads)
        for batch in (int(b) for b in args.batch_size.split(",")):
            engine = LLMTranslation(model, model_fingerprint(path), batch_size=batch, glossary=glossary)
            engine.translate_batch(sources[:1])  # warm up: load the model, evaluate the shared prefix
            engine.retries = 0
            runs.append(score(f"in process, {batch} parallel sequences", engine, sources, references))

    print(f"\n| path ({len(sources)} WMT22 lines, {path.name}) | BLEU | chrF | sentences/s |")
    print("|---|---|---|---|")
    for run in runs:
        print(f"| {run['path']} | {run['bleu']} | {run['chrf']} | {run['sentences_per_second']} |")
    if len(runs) > 1:
        first = runs[0]["hypotheses"]
        for run in runs[1:]:
            same = sum(a == b for a, b in zip(first, run["hypotheses"], strict=True))
            print(f"identical answers, {runs[0]['path']} vs {run['path']}: {same} of {len(first)}")
    print(f"  command: {command}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    suffix = f"-limit{args.limit}" if args.limit else ""
    target = out / f"server-{Path(str(args.model_size)).name.removesuffix('.gguf')}{suffix}.json"
    payload = {"command": command, "model": str(path), "runs": runs}
    target.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"results written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
