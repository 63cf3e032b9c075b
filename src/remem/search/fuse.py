"""Fusing ranked lists from several retrievers into one ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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


@dataclass(frozen=True)
class Calibration:
    """Where the dense cosine says "unrelated" and "as related as it gets", for a relevance that
    means the same in every query and every space (unlike min-max, which gives the best candidate
    of any query 1, however poor).

    Cosine of the bundled MiniLM model: unrelated sentences sit below ~0.25 ("what is my bank PIN?"
    against a conversation about painting: 0.13-0.22 on the LoCoMo dev split), evidence turns
    around 0.64 (median), paraphrases above 0.75. The words' evidence is the share of the query's
    searched words (stems, stop words left out) the memory holds: unlike a BM25 score it does not
    grow with the size of the space.
    """

    cosine_unrelated: float = 0.25
    cosine_same: float = 0.75
    lexical_share: float = 0.5  # words alone make a memory at most half relevant; meaning alone, fully


CALIBRATION = Calibration()
#: A lenient min_score for "relevant", MCP's default: an unrelated memory scores near 0 (a cosine
#: under 0.25, no word of the query); one sharing one word of two with it and a little meaning passes.
RELEVANT = 0.2


def relevance(words: float | None, cosine: float | None, *, calibration: Calibration = CALIBRATION) -> float:
    """A memory's relevance to a query in [0, 1], from the share of the query's words it holds and
    its cosine (None: not read): 1 - (1 - meaning)(1 - share * words), so either kind of evidence
    can make a memory relevant and both together more so; 0 when neither says anything."""
    meaning = 0.0
    if cosine is not None:
        span = calibration.cosine_same - calibration.cosine_unrelated
        meaning = min(1.0, max(0.0, (cosine - calibration.cosine_unrelated) / span))
    return 1.0 - (1.0 - meaning) * (1.0 - calibration.lexical_share * (words or 0.0))
