"""Minimum-Bayes-risk choice among candidate translations, with chrF as the utility.

Several candidates of one sentence (sampled, or from different prompts) are compared with each
other; the one most similar to all the others (the consensus) is kept. Outliers, such as a
candidate that drops half the sentence or loops, lose.

>>> pick_consensus(["The cat sat.", "The cat sat down.", "A dog ran away quickly."])
1
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def chrf(hypothesis: str, reference: str, order: int = 6, beta: float = 2.0) -> float:
    """Sentence chrF (character n-grams 1..``order``, whitespace ignored, recall weighted ``beta``).

    >>> chrf("the cat", "the cat")
    100.0
    >>> round(chrf("the cat", "the hat"), 1)
    28.1
    """
    hyp, ref = "".join(hypothesis.split()), "".join(reference.split())
    precisions, recalls = [], []
    for n in range(1, order + 1):
        hyp_grams = Counter(hyp[i : i + n] for i in range(len(hyp) - n + 1))
        ref_grams = Counter(ref[i : i + n] for i in range(len(ref) - n + 1))
        if not hyp_grams or not ref_grams:
            break
        matches = sum((hyp_grams & ref_grams).values())
        precisions.append(matches / sum(hyp_grams.values()))
        recalls.append(matches / sum(ref_grams.values()))
    if not precisions:
        return 100.0 if hyp == ref else 0.0
    precision, recall = sum(precisions) / len(precisions), sum(recalls) / len(recalls)
    if precision + recall == 0:
        return 0.0
    return 100 * (1 + beta**2) * precision * recall / (beta**2 * precision + recall)


def pick_consensus(candidates: Sequence[str]) -> int:
    """Index of the candidate with the highest total chrF against all the other candidates.

    Ties go to the earliest candidate, so put the preferred one (the greedy answer) first.
    """
    if len(candidates) < 2:
        return 0
    totals = [
        sum(chrf(candidate, other) for j, other in enumerate(candidates) if j != i)
        for i, candidate in enumerate(candidates)
    ]
    return max(range(len(candidates)), key=lambda i: (totals[i], -i))
