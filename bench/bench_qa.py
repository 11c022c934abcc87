"""Number QA (TQ6) on human translations: false alarms on correct pairs, detection of wrong numbers.

WMT22 zh→en general test (``--data``, default ``../shared/data/wmt22-zh-en``; never copied into the
repository), lines i with i % 9 == OFFSET (0: held-out, the translation benchmark's subset; 4: the
dev subset the checks were written on). For each source line and its reference A translation:

* false alarms: pairs where ``check_numbers`` reports a finding (references are correct, so each
  finding is a false alarm or a reference that really dropped a number);
* detection: every pair whose source has a quantity the reference renders with digits gets one
  number of the reference changed (the way a model errs: a year loses its century, ``2021`` →
  ``221``, other numbers change a digit); the share of damaged pairs the check flags.

    python bench/bench_qa.py --offset 0          # held-out (or --offset 0 1 2 3 5 6 7 8)
    python bench/bench_qa.py --offset 4 --show 20  # dev subset, print the findings
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from toolkit.translate.numbers import chinese_quantities  # noqa: E402
from toolkit.translate.qa import check_numbers  # noqa: E402

_DIGITS = re.compile(r"(?<![\w.,])\d+(?:\.\d+)?(?![\w])")


def pairs(data: Path, offsets: list[int]) -> list[tuple[str, str]]:
    sources = (data / "src.zh").read_text(encoding="utf-8").split("\n")
    references = (data / "ref.A.en").read_text(encoding="utf-8").split("\n")
    return [
        (s, r)
        for i, (s, r) in enumerate(zip(sources, references, strict=True))
        if i % 9 in offsets and s.strip()
    ]


def damage(reference: str) -> str | None:
    """The reference with its first digit number changed, or None when it has none."""
    match = _DIGITS.search(reference)
    if not match:
        return None
    number = match.group(0)
    if re.fullmatch(r"(19|20)\d\d", number):
        wrong = number[0] + number[2:]  # 2021 -> 221: the century lost
    else:
        wrong = str(int(number.split(".")[0]) + 1) + (("." + number.split(".")[1]) if "." in number else "")
    return reference[: match.start()] + wrong + reference[match.end() :]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "wmt22-zh-en")
    parser.add_argument("--offset", type=int, nargs="+", default=[0], help="one or more of 0-8")
    parser.add_argument("--show", type=int, default=0, help="print this many false alarms")
    args = parser.parse_args()
    corpus = pairs(args.data, args.offset)
    with_numbers = [(s, r) for s, r in corpus if chinese_quantities(s)]
    alarms = [(s, r, f) for s, r in corpus for f in check_numbers(s, r)]
    damaged = [(s, d) for s, r in with_numbers if not check_numbers(s, r) and (d := damage(r)) and d != r]
    caught = sum(1 for s, d in damaged if check_numbers(s, d))
    print(
        f"WMT22 zh-en lines i % 9 in {args.offset}: {len(corpus)} pairs, {len(with_numbers)} with quantities"
    )
    print(
        f"false alarms on reference A: {len(alarms)} findings on {len({s for s, _, _ in alarms})} pairs"
        f" ({100 * len({s for s, _, _ in alarms}) / len(corpus):.1f}% of pairs,"
        f" {100 * len({s for s, _, _ in alarms}) / max(1, len(with_numbers)):.1f}% of pairs with quantities)"
    )
    print(
        f"detection of one changed number: {caught}/{len(damaged)} ({100 * caught / max(1, len(damaged)):.1f}%)"
    )
    for source, reference, finding in alarms[: args.show]:
        print(f"- {finding.message}\n    {source}\n    {reference}")


if __name__ == "__main__":
    main()
