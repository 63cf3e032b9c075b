"""Retrieval metrics over hits that each stand for one or more evidence units (turns, sessions).

A hit is the list of unit ids behind one retrieved item (a turn memory has one turn;
an extracted fact may have several). Pure functions, checked by hand in tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Hits = Sequence[Sequence[str]]


def recall_at_k(hits: Hits, evidence: Sequence[str], k: int) -> float:
    """Share of the evidence units found among the units behind the top k hits."""
    wanted = set(evidence)
    if not wanted:
        raise ValueError("recall needs at least one evidence unit")
    found = {unit for hit in hits[:k] for unit in hit}
    return len(wanted & found) / len(wanted)


def ndcg_at_k(hits: Hits, evidence: Sequence[str], k: int) -> float:
    """Binary-gain NDCG: a hit gains 1 when it brings evidence not already found above it."""
    wanted = set(evidence)
    seen: set[str] = set()
    dcg = 0.0
    for rank, hit in enumerate(hits[:k], start=1):
        new = (set(hit) & wanted) - seen
        if new:
            dcg += 1.0 / math.log2(rank + 1)
            seen |= new
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal if ideal else 0.0


def reciprocal_rank(hits: Hits, evidence: Sequence[str]) -> float:
    """1 / rank of the first hit that carries any evidence; 0 when none does."""
    wanted = set(evidence)
    for rank, hit in enumerate(hits, start=1):
        if wanted & set(hit):
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 between an answer and the gold answer (lowercased, punctuation dropped)."""
    import re
    from collections import Counter

    def tokens(text: str) -> list[str]:
        text = re.sub(r"\b(a|an|the|and)\b", " ", re.sub(r"[^\w\s]", " ", text.lower()))
        return text.split()

    p, g = tokens(prediction), tokens(gold)
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or not common:
        return float(p == g)
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)
