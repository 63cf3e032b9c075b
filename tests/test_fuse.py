"""Fusion of the lexical and dense rankings, on cases worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from remem import Memory
from remem.search.fuse import convex_combination, reciprocal_rank_fusion


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a"]], k=60)
    # a: 1/61 + 1/62, c: 1/63 + 1/61, b: 1/62
    assert [i for i, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2][1] == pytest.approx(1 / 62)


def test_convex_combination_keeps_how_far_apart_scores_are() -> None:
    lexical = [("a", 10.0), ("b", 9.9), ("c", 1.0)]  # a and b nearly tied, c far behind
    dense = [("c", 0.9), ("b", 0.5), ("a", 0.1)]
    fused = dict(convex_combination([lexical, dense], weights=[0.5, 0.5]))
    # normalised: lexical a 1, b 0.9889, c 0; dense c 1, b 0.5, a 0
    assert fused["b"] == pytest.approx(0.5 * (8.9 / 9.0) + 0.5 * 0.5)
    assert fused["a"] == pytest.approx(0.5)
    assert fused["c"] == pytest.approx(0.5)
    assert max(fused, key=fused.__getitem__) == "b"
    # RRF on the same lists sees only order: a, b and c all come out level on rank sums
    assert {round(s, 9) for _, s in reciprocal_rank_fusion([["a", "b", "c"], ["c", "b", "a"]])} == {
        round(1 / 61 + 1 / 63, 9),
        round(2 / 62, 9),
    }


def test_the_fusion_setting_reaches_search(tmp_path: Path) -> None:
    turns = [
        "The boat needs paint before May.",
        "I painted the fence green.",
        "Sailing lessons start in June.",
        "Paint, paint, paint: the shed, the door, the gate.",
        "My yacht's hull is scratched and needs a new coat.",
    ]
    rankings = {}
    for fusion in ("convex", "rrf"):
        with Memory.open(tmp_path / f"{fusion}.db", extractor="turns", fusion=fusion) as mem:
            for text in turns:
                mem.add(text, space="a")
            hits = mem.search("paint the boat", space="a", k=5)
            assert hits[0].memory.text == turns[0]
            assert all(0.0 <= h.score <= 1.0 for h in hits)  # scores are relevance, whatever the fusion
            rankings[fusion] = [h.memory.text for h in hits]
    # Two different functions, not one under two names: RRF sees only ranks, the convex combination how
    # far apart the scores are (the yacht is a close second by meaning, and nowhere by words).
    assert rankings["convex"][1] == turns[4] and rankings["rrf"][1] == turns[3]
