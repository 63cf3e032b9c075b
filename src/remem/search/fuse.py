"""Fusing ranked lists from several retrievers into one ranking."""

from __future__ import annotations

from collections.abc import Sequence


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """RRF (Cormack et al., 2009): score(id) = sum_i w_i / (k + rank_i(id)), rank from 1; best first."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def convex_combination(
    scored: Sequence[Sequence[tuple[str, float]]], *, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Weighted sum of min-max normalised scores; an id a retriever did not return scores 0 there.

    Bruch, Gai and Ingber (2023, "An Analysis of Fusion Functions for Hybrid Retrieval")
    found this beats RRF when one retriever is much stronger than the other, because it
    keeps how far apart the scores are rather than only their order. It does here: on the
    LoCoMo dev split, turn recall@10 0.704 against RRF's 0.630 over the same turns (the
    remem-turns and remem-rrf systems of `make bench`).
    """
    weights = weights or [1.0 / len(scored)] * len(scored)
    fused: dict[str, float] = {}
    for results, weight in zip(scored, weights, strict=True):
        if not results:
            continue
        values = [score for _, score in results]
        low, high = min(values), max(values)
        span = high - low
        for item, score in results:
            normalised = (score - low) / span if span > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + weight * normalised
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
