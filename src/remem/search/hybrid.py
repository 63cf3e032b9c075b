"""Hybrid retrieval: BM25 and dense candidates, fused by a convex combination of scores, with provenance."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from remem.embed.base import Embedder
from remem.search.fuse import convex_combination, reciprocal_rank_fusion
from remem.search.intent import Intent, answers, intent
from remem.search.terms import query_terms
from remem.search.timeparse import TimeWindow, time_windows
from remem.store.base import Store
from remem.timeutil import now
from remem.types import Filters, Hit, MemoryItem

Mode = Literal["hybrid", "lexical", "dense"]
_LEXICAL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="remem-lexical")
MODES = ("hybrid", "lexical", "dense")


@dataclass(frozen=True)
class SearchPlan:
    candidates: int = 100  # per retriever
    lexical_weight: float = 0.5  # equal weights: the split is not tuned to any data set
    dense_weight: float = 0.5
    time_bonus: float = 0.1  # added to the fused score (0..1) of memories dated when the query says
    fusion: Literal["convex", "rrf"] = "convex"


def search(
    store: Store,
    embedder: Embedder,
    query: str,
    space: str,
    filters: Filters,
    k: int,
    *,
    mode: Mode = "hybrid",
    plan: SearchPlan = SearchPlan(),
    expand_links: bool = False,
) -> list[Hit]:
    pool = max(plan.candidates, k)
    lexical: list[tuple[str, float]] = []
    dense: list[tuple[str, float]] = []
    pending: Future[list[tuple[str, float]]] | None = None
    if mode in ("hybrid", "lexical"):
        # BM25 runs in SQLite, which releases the GIL: overlap it with embedding the query.
        pending = _LEXICAL.submit(store.lexical_search, space, query_terms(query), filters, pool)
    if mode in ("hybrid", "dense"):
        dense = store.dense_search(space, embedder.embed([query])[0], filters, pool)
    if pending is not None:
        lexical = pending.result()
    lexical_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(lexical, start=1)}
    dense_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(dense, start=1)}
    lexical_score, dense_score = dict(lexical), dict(dense)
    if mode == "lexical":
        ranked = lexical
    elif mode == "dense":
        ranked = dense
    elif plan.fusion == "rrf":
        fused = reciprocal_rank_fusion(
            [[i for i, _ in lexical], [i for i, _ in dense]], weights=[plan.lexical_weight, plan.dense_weight]
        )
        top_score = fused[0][1] if fused else 1.0
        ranked = [(i, score / top_score) for i, score in fused]  # 0..1, the scale the time bonus is on
    else:
        ranked = convex_combination([lexical, dense], weights=[plan.lexical_weight, plan.dense_weight])
    windows = time_windows(query)
    if windows and mode == "hybrid":
        ranked = _prefer_dated(store, space, ranked, windows, plan.time_bonus)
    considered = ranked[: max(k * 3, 30)]
    pool_items = {m.id: m for m in store.get_memories(space, [i for i, _ in considered])}
    if mode == "hybrid":
        considered = _present_first(considered, pool_items, filters.as_of or now())
        considered = _answers_first(considered, pool_items, intent(query))
    top = _collapse(considered, pool_items, k)
    items = {i: pool_items[i] for i, _ in top}
    hits = [(items[i], score, lexical_rank.get(i), dense_rank.get(i), None) for i, score in top if i in items]
    if expand_links:
        hits.extend(_linked(store, space, [h[0] for h in hits], filters))
    episode_ids = [e for h in hits for e in h[0].source_episode_ids]
    episodes = {e.id: e for e in store.get_episodes(space, episode_ids)}
    return [
        Hit(
            memory=item,
            score=score,
            lexical_rank=lr,
            dense_rank=dr,
            episodes=[episodes[e] for e in item.source_episode_ids if e in episodes],
            via_link=via,
            lexical_score=lexical_score.get(item.id) if lr is not None else None,
            dense_score=dense_score.get(item.id) if dr is not None else None,
        )
        for item, score, lr, dr, via in hits
    ]


SUPERSEDED_WEIGHT = 0.3  # a turn whose stated value was replaced, asked about a later moment
ASSISTANT_WEIGHT = 0.6  # the assistant's words are what it said, weaker evidence of the user's facts


def _present_first(
    ranked: list[tuple[str, float]], items: dict[str, MemoryItem], moment: datetime
) -> list[tuple[str, float]]:
    """The current value ranks above turns that state a superseded one, and the user's words above
    the assistant's: both kinds of turn stay findable, lower down."""
    out = []
    for memory_id, score in ranked:
        item = items.get(memory_id)
        if item is not None and item.kind == "turn":
            superseded = item.metadata.get("superseded_at")
            if isinstance(superseded, str) and superseded <= moment.isoformat():
                score *= SUPERSEDED_WEIGHT
            if item.metadata.get("role") == "assistant":
                score *= ASSISTANT_WEIGHT
        out.append((memory_id, score))
    return sorted(out, key=lambda pair: (-pair[1], pair[0]))


ANSWER_BONUS = 1.0  # added to the fused score (0..1) of a fact that sets the property the question asks for


def _answers_first(
    ranked: list[tuple[str, float]], items: dict[str, MemoryItem], wanted: Intent
) -> list[tuple[str, float]]:
    """Facts whose claim answers the question's property ("where does Tomasz live" -> Tomasz's
    residence) rank above facts and turns that only share its words."""
    if not wanted:
        return ranked
    out = []
    for memory_id, score in ranked:
        item = items.get(memory_id)
        weight = answers(item.text, item.metadata, wanted) if item is not None and item.kind != "turn" else 0.0
        out.append((memory_id, score + ANSWER_BONUS * weight, weight))
    # On a tie (min-max scaling puts the weakest candidate at 0), the answering fact goes first.
    out.sort(key=lambda row: (-row[1], -row[2], row[0]))
    return [(memory_id, score) for memory_id, score, _ in out]


def _collapse(ranked: list[tuple[str, float]], items: dict[str, MemoryItem], k: int) -> list[tuple[str, float]]:
    """Drop a hit whose source turns are all behind better hits already (a fact and the turn it
    came from say the same thing); the reader gets k different pieces of evidence instead."""
    covered: set[str] = set()
    kept: list[tuple[str, float]] = []
    for memory_id, score in ranked:
        item = items.get(memory_id)
        if item is None:
            continue
        sources = set(item.source_episode_ids)
        if item.kind != "summary" and sources and sources <= covered:
            continue
        kept.append((memory_id, score))
        if item.kind != "summary":
            covered |= sources
        if len(kept) == k:
            break
    return kept


def _prefer_dated(
    store: Store, space: str, ranked: list[tuple[str, float]], windows: list[TimeWindow], bonus: float
) -> list[tuple[str, float]]:
    dated = {m.id: m.valid_from or m.created_at for m in store.get_memories(space, [i for i, _ in ranked])}
    rescored = [
        (i, score + bonus if i in dated and any(w.near(dated[i]) for w in windows) else score) for i, score in ranked
    ]
    return sorted(rescored, key=lambda pair: (-pair[1], pair[0]))


def _linked(store: Store, space: str, seeds: list, filters: Filters) -> list:  # type: ignore[type-arg]
    """Memories linked from the hits, not already present, scored just below their seed."""
    seen = {m.id for m in seeds}
    wanted: dict[str, str] = {}
    for seed in seeds:
        for link in seed.links:
            if link not in seen and link not in wanted:
                wanted[link] = seed.id
    linked = store.get_memories(space, list(wanted))
    out = []
    for item in linked:
        if filters.as_of is None and not filters.include_expired and item.valid_to is not None:
            continue
        out.append((item, 0.0, None, None, wanted[item.id]))
    return out
