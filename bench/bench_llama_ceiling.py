"""How much can batching gain at all? Raw llama.cpp throughput on this machine.

Times the model's forward pass, with no translation logic around it:

* prompt processing: one sequence evaluating a ``--tail``-token prompt tail in one batch;
* decoding one token per step in 1, 8, 16, 32 and 64 parallel sequences (tokens per second).

From these it estimates the best possible speed-up of batched over one-at-a-time translation
for a sentence of ``--tail`` prompt tokens and ``--output`` answer tokens (the defaults are the
averages on WMT subset lines: 28 prompt-tail tokens after the shared prefix, 28 answer tokens
plus the end token). One sentence at a time costs
``tail / prompt speed + output / single decode speed``; batched, every token costs one slot of
a parallel step: ``(tail + output) / parallel decode speed``.

Usage::

    python bench/bench_llama_ceiling.py --model-size 1.5b
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.translate.engines.llama import LlamaLanguageModel  # noqa: E402

PREFIX = 40  # tokens of a shared prompt prefix every sequence starts from
STEPS = 24  # decode steps timed per width


def decode_speed(model: LlamaLanguageModel, width: int, token: int) -> float:
    """Tokens per second when ``width`` sequences each decode one token per step."""
    import llama_cpp

    ctx = model._parallel_context(width + 1, PREFIX + width * (STEPS + 1) + 64)
    memory = llama_cpp.llama_get_memory(ctx.ctx)
    llama_cpp.llama_memory_clear(memory, True)
    model._prefix = []
    model._decode(ctx, [(token, i, 0, False) for i in range(PREFIX)])
    for seq in range(1, width + 1):
        llama_cpp.llama_memory_seq_cp(memory, 0, seq, -1, -1)
    model._decode(ctx, [(token, PREFIX, seq, True) for seq in range(1, width + 1)])  # warm-up step
    started = time.perf_counter()
    for step in range(1, STEPS + 1):
        model._decode(ctx, [(token, PREFIX + step, seq, True) for seq in range(1, width + 1)])
    return width * STEPS / (time.perf_counter() - started)


def prompt_speed(model: LlamaLanguageModel, tail: int, token: int) -> float:
    """Tokens per second when one sequence evaluates a ``tail``-token prompt tail in one batch."""
    import llama_cpp

    ctx = model._parallel_context(2, PREFIX + tail + 64)
    memory = llama_cpp.llama_get_memory(ctx.ctx)
    rounds = 8
    started = time.perf_counter()
    for _ in range(rounds):
        llama_cpp.llama_memory_clear(memory, True)
        model._decode(ctx, [(token, i, 1, i == tail - 1) for i in range(tail)])
    return tail * rounds / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model-size", default="1.5b", help="0.5b or 1.5b (an installed model), or a .gguf path"
    )
    parser.add_argument(
        "--tail", type=int, default=28, help="prompt tokens per sentence after the shared prefix"
    )
    parser.add_argument(
        "--output", type=int, default=29, help="answer tokens per sentence, end token included"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args()
    command = "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])

    from toolkit.models import find_llm

    model = LlamaLanguageModel(find_llm(args.model_size))
    token = model.llama.tokenize("翻译".encode(), add_bos=False)[0]
    prompt = prompt_speed(model, args.tail, token)
    single = decode_speed(model, 1, token)
    one_at_a_time = args.tail / prompt + args.output / single
    widths = {width: decode_speed(model, width, token) for width in (8, 16, 32, 64)}
    if args.json:
        ceilings = {w: one_at_a_time / ((args.tail + args.output) / s) for w, s in widths.items()}
        figures = {"prompt": prompt, "single": single, "decode": widths, "ceiling": ceilings}
        print(json.dumps(figures))
        return
    print(f"prompt processing, {args.tail}-token tail in one batch: {prompt:.1f} tokens/s")
    print(f"decoding, 1 sequence: {single:.1f} tokens/s")
    for width, speed in widths.items():
        ceiling = one_at_a_time / ((args.tail + args.output) / speed)
        print(
            f"decoding, {width} sequences: {speed:.1f} tokens/s ({speed / single:.2f}x one sequence);"
            f" best possible batched speed-up for {args.tail}+{args.output}-token sentences {ceiling:.2f}x"
        )
    print(f"  command: {command}")


if __name__ == "__main__":
    main()
