"""Translation benchmark: WMT22 zh→en quality, the sample seed, speed and memory.

Prints every number with the command that produced it and writes the results as JSON to
``bench/out/translate-<size>-b<batch size>.json`` (parts run later with ``--skip-*`` are merged in).

* WMT22 general test, the 209-line subset (0-based line i with i % 9 == 0), reference A, read
  from ``--data`` (default ``../shared/data/wmt22-zh-en``; never copied into the repository):
  sacrebleu BLEU and chrF, sentences per second, retries.
* The sample seed translated as a document, chrF per section and overall against
  ``bench/reference/seed_000.en.md``, in five versions: the undamaged original (the reviewed twin
  ``seeds/clean/…``), the raw page repaired by ``translate`` (safe fixes; and ``--unsafe``), the raw
  page translated as it is (``--raw``), and the undamaged original corrupted again by
  ``bench/simulate.py`` then repaired (``--unsafe``). Damaged pages must score at least as well as
  the undamaged original.
* Speed of ``--batch-size`` parallel sequences (continuous batching) against one sentence at a
  time, on the first ``--speed-lines`` subset lines, CJK retries included.
* Peak resident memory (``resource.getrusage``).

Usage::

    python bench/bench_translate.py --model-size 1.5b
    python bench/bench_translate.py --model-size 1.5b --candidates 8 --skip-seed --skip-speed
    python bench/bench_translate.py --model-size 0.5b --limit 30 --skip-speed
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.paths import data_file  # noqa: E402
from toolkit.translate.document import render_section, translate_text  # noqa: E402
from toolkit.translate.engines import load_glossary  # noqa: E402
from toolkit.translate.engines.llm import LlamaLanguageModel, LLMTranslation  # noqa: E402

SEED = ROOT / "seeds" / "000_0fbac94c356f0e3a.txt"
UNDAMAGED = ROOT / "seeds" / "clean" / SEED.name
REFERENCE = ROOT / "bench" / "reference" / "seed_000.en.md"


def wmt_subset(data: Path, limit: int | None, offset: int = 0) -> tuple[list[str], list[str]]:
    """Source and reference-A lines i with i % 9 == ``offset`` (the first ``limit`` of them).

    Offset 0 is the benchmark subset; other offsets are disjoint dev subsets for tuning.
    """
    sources = (data / "src.zh").read_text(encoding="utf-8").split("\n")
    references = (data / "ref.A.en").read_text(encoding="utf-8").split("\n")
    pairs = [
        (s, r)
        for i, (s, r) in enumerate(zip(sources, references, strict=True))
        if i % 9 == offset and s.strip()
    ]
    pairs = pairs[:limit] if limit else pairs
    return [s for s, _ in pairs], [r for _, r in pairs]


def reference_sections(text: str) -> list[str]:
    """Sections of a Markdown reference: each heading line with the paragraphs under it."""
    sections: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("#") or not sections:
            sections.append([])
        if line.strip():
            sections[-1].append(line.lstrip("#").strip())
    return ["\n".join(lines) for lines in sections]


def plain(markdown: str) -> str:
    return "\n".join(line.lstrip("#").strip() for line in markdown.splitlines() if line.strip())


def bench_wmt(
    engine: LLMTranslation, data: Path, limit: int | None, command: str, offset: int = 0
) -> dict[str, object]:
    import sacrebleu

    sources, references = wmt_subset(data, limit, offset)
    started = time.perf_counter()
    hypotheses = engine.translate_batch(sources)
    seconds = time.perf_counter() - started
    bleu = sacrebleu.corpus_bleu(hypotheses, [references])
    chrf = sacrebleu.corpus_chrf(hypotheses, [references])
    result = {
        "lines": len(sources),
        "bleu": round(bleu.score, 2),
        "chrf": round(chrf.score, 2),
        "seconds": round(seconds, 1),
        "sentences_per_second": round(len(sources) / seconds, 3),
        "retries": engine.retries,
        "hypotheses": hypotheses,
    }
    print(
        f"WMT22 zh-en subset ({len(sources)} lines, ref A): BLEU {result['bleu']} chrF {result['chrf']};"
        f" {result['sentences_per_second']} sentences/s; {engine.retries} CJK/loop retries"
        f"\n  command: {command}"
    )
    return result


def seed_versions() -> dict[str, tuple[str, bool, bool]]:
    """Name → (text, raw, unsafe) of the seed versions to translate."""
    sys.path.insert(0, str(ROOT / "bench"))
    from simulate import simulate

    damaged = SEED.read_text(encoding="utf-8")
    undamaged = UNDAMAGED.read_text(encoding="utf-8")
    return {
        "undamaged": (undamaged, True, False),
        "damaged_cleaned": (damaged, False, False),
        "damaged_cleaned_unsafe": (damaged, False, True),
        "damaged_raw": (damaged, True, False),
        "simulated_cleaned_unsafe": (simulate(undamaged, seed=1).text, False, True),
    }


def bench_seed(engine: LLMTranslation, label: str, text: str, raw: bool, unsafe: bool, command: str):
    import sacrebleu

    references = reference_sections(REFERENCE.read_text(encoding="utf-8"))
    result = translate_text(text, engine, raw=raw, unsafe=unsafe)
    outputs = [plain(render_section(section)) for section in result.sections]
    per_section = []
    if len(outputs) == len(references):
        per_section = [
            round(sacrebleu.sentence_chrf(o, [r]).score, 1) for o, r in zip(outputs, references, strict=True)
        ]
    overall = sacrebleu.corpus_chrf(["\n".join(outputs).replace("\n", " ")], [[" ".join(references)]])
    print(
        f"seed 000 {label}: chrF {overall.score:.1f} over {len(outputs)} sections"
        f" (reference has {len(references)}), {result.sentence_count} sentences in {result.seconds:.1f} s,"
        f" {len(result.findings)} QA findings\n  per-section chrF: {per_section}\n  command: {command}"
    )
    return {
        "chrf": round(overall.score, 2),
        "sections": len(outputs),
        "per_section_chrf": per_section,
        "seconds": round(result.seconds, 1),
        "qa_findings": [f.to_dict() for f in result.findings],
        "markdown": "\n\n".join(render_section(s) for s in result.sections),
    }


def bench_speed(model: LlamaLanguageModel, model_id: str, data: Path, lines: int, batch: int, command: str):
    sources, _ = wmt_subset(data, lines)
    timings = {}
    for size in (1, batch):
        engine = LLMTranslation(model, model_id, batch_size=size)
        engine.translate_batch(sources[:1])  # warm the prompt cache
        started = time.perf_counter()
        engine.translate_batch(sources)
        timings[size] = time.perf_counter() - started
    speedup = timings[1] / timings[batch]
    print(
        f"speed on {len(sources)} lines: one at a time {len(sources) / timings[1]:.2f} sentences/s,"
        f" {batch} in parallel {len(sources) / timings[batch]:.2f} sentences/s, speed-up {speedup:.2f}x"
        f"\n  command: {command}"
    )
    return {
        "lines": len(sources),
        "one_at_a_time_sps": round(len(sources) / timings[1], 3),
        f"batch_{batch}_sps": round(len(sources) / timings[batch], 3),
        "speedup": round(speedup, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--model-size", default="1.5b", help="0.5b or 1.5b (an installed model), or a .gguf path"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N subset lines")
    parser.add_argument("--batch-size", type=int, default=None, help="parallel sequences (default: engine's)")
    parser.add_argument(
        "--candidates", type=int, default=1, help="MBR candidates per sentence (default 1: greedy)"
    )
    parser.add_argument("--speed-lines", type=int, default=64)
    parser.add_argument(
        "--offset", type=int, default=0, help="WMT lines i %% 9 == OFFSET (0: benchmark; 4: the dev subset)"
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "wmt22-zh-en")
    parser.add_argument("--skip-wmt", action="store_true")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--no-glossary", action="store_true", help="without config/glossary.tsv")
    args = parser.parse_args()
    command = "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])

    from toolkit.models import find_llm, model_fingerprint

    path = find_llm(args.model_size)
    model = LlamaLanguageModel(path)
    model_id = model_fingerprint(path)
    glossary = {} if args.no_glossary else load_glossary(data_file("glossary.tsv"))
    engine = LLMTranslation(
        model, model_id, batch_size=args.batch_size, glossary=glossary, candidates=args.candidates
    )
    results: dict[str, object] = {
        "model": str(path),
        "batch_size": engine.batch_size,
        "candidates": engine.candidates,
        "command": command,
    }
    if not args.skip_wmt:
        results["wmt22_subset"] = bench_wmt(engine, args.data, args.limit, command, args.offset)
    if not args.skip_seed:
        for label, (text, raw, unsafe) in seed_versions().items():
            results[f"seed_{label}"] = bench_seed(engine, label, text, raw, unsafe, command)
    if not args.skip_speed:
        batch = args.batch_size or engine.batch_size
        results["speed"] = bench_speed(model, model_id, args.data, args.speed_lines, max(2, batch), command)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_rss_mb"] = round(peak_mb, 1)
    print(f"peak memory (max RSS): {peak_mb:.0f} MB\n  command: {command}")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(str(args.model_size)).name.removesuffix(".gguf")
    suffix = f"-c{args.candidates}" if args.candidates > 1 else ""
    suffix += f"-limit{args.limit}" if args.limit else ""
    suffix += f"-offset{args.offset}" if args.offset else ""
    target = out / f"translate-{stem}-b{engine.batch_size}{suffix}.json"
    if target.is_file():  # runs with --skip-* add their parts to the earlier results
        results = {**json.loads(target.read_text(encoding="utf-8")), **results}
    target.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"results written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
