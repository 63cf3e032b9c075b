"""A word held by most of a space's memories (a participant's name) counts less in the query's vector."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from remem import Memory
from remem.embed.base import embed_query
from remem.search.hybrid import QUIET_WEIGHT
from remem.search.lexical import EVERYWHERE_MAX_ROWS, EVERYWHERE_MIN_ROWS, everywhere
from remem.types import Filters

THINGS = ["tea", "bicycle", "fence", "tomatoes", "whales", "curry", "radio", "kite", "violin", "sourdough"]


def chat(mem: Memory, turns: int) -> None:
    """Ana and Ben talk, Ana's name opening half the turns; one turn is about what the query asks."""
    for n in range(turns):
        speaker, other = ("Ana", "Ben") if n % 2 == 0 else ("Ben", "Ana")
        text = f"I talked about the {THINGS[n % len(THINGS)]} again, {n} times now"
        mem.add([{"role": "user", "name": speaker, "content": text}], space="s", session=f"d{n // 20}")
    mem.add(
        [{"role": "user", "name": "Ben", "content": "Ana showed me her painting of the harbour at dawn"}], space="s"
    )


def dense_scores(mem: Memory, query: str) -> dict[str, float]:
    return {h.memory.text: h.dense_score for h in mem.search(query, space="s", k=20) if h.dense_score is not None}


def test_a_participants_name_is_weighed_down_in_a_conversation_and_not_in_a_small_space(tmp_path: Path) -> None:
    query = "What did Ana paint?"
    with Memory.open(tmp_path / "big.db", extractor="turns") as mem:
        chat(mem, 130)
        vectors = _vectors(mem)
        start = query.index("Ana")
        quiet = embed_query(mem.embedder, query, [(start, start + 3)], QUIET_WEIGHT)
        plain = mem.embedder.embed([query])[0]
        scores = dense_scores(mem, query)
        painting = "Ben: Ana showed me her painting of the harbour at dawn"
        assert abs(scores[painting] - float(quiet @ vectors[painting])) < 1e-5
        assert abs(scores[painting] - float(plain @ vectors[painting])) > 1e-3
        assert next(iter(scores)) == painting
    with Memory.open(tmp_path / "small.db", extractor="turns") as mem:
        chat(mem, 40)  # 41 memories: too few for a share to say anything; the plain vector
        vectors = _vectors(mem)
        plain = mem.embedder.embed([query])[0]
        scores = dense_scores(mem, query)
        assert all(abs(score - float(plain @ vectors[text])) < 1e-5 for text, score in scores.items())


def _vectors(mem: Memory) -> dict[str, np.ndarray]:
    """Each memory's stored vector, by its text."""
    items = mem.store.list_memories("s", Filters(), 1000)
    found = mem.store.get_vectors("s", [m.id for m in items])
    return {m.text: found[m.id] for m in items}


def test_everywhere_is_counted_only_where_a_share_means_something_and_decides() -> None:
    def held(word: str, need: int) -> bool:
        return {"ana": 400, "tea": 50}[word] >= need

    assert everywhere(["ana", "tea"], held, 1_000) == {"ana"}
    assert everywhere(["ana", "tea"], held, 1_200) == {"ana"}  # exactly a third
    assert everywhere(["ana", "tea"], held, 1_201) == set()
    assert everywhere(["ana", "tea"], held, EVERYWHERE_MIN_ROWS - 1) == set()
    assert everywhere(["ana", "tea"], held, EVERYWHERE_MAX_ROWS + 1) == set()
    assert everywhere(["ana"], held, 1_000) == set()


def test_a_name_with_diacritics_is_found_where_the_query_says_it() -> None:
    from remem.search.hybrid import _spans

    query = "What did José and Zoë paint?"
    assert _spans(query, {"jose", "zoe"}) == [(9, 13), (18, 21)]
    assert _spans(query, {"paint"}) == [(22, 27)]
    assert _spans(query, set()) == []
