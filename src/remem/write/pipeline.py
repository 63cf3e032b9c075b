"""Run one extraction job: its episodes become candidates, decisions, and versioned memories.

The job's episodes were committed before this runs; everything here happens in
one transaction that also marks the job done, so a crash leaves either all of
the job's memories or none of them, and the job still pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from remem.embed.base import Embedder
from remem.ids import new_id
from remem.store.base import Job, Store
from remem.timeutil import now
from remem.types import Decision, Episode, Filters, MemoryItem, Version
from remem.write.candidates import Candidate
from remem.write.extract import Extractor
from remem.write.reconcile import Neighbour, Reconciler, Verdict

NEIGHBOURS = 5


def run_job(
    store: Store, embedder: Embedder, extractor: Extractor, reconciler: Reconciler, job: Job
) -> list[Decision]:
    episodes = store.get_episodes(job.space, job.episode_ids)
    sessions = {e.session for e in episodes if e.session is not None}
    recent: list[Episode] = []
    for session in sessions:
        recent.extend(store.list_episodes(job.space, session=session, limit=10_000)[-20:])
    candidates = extractor.extract(episodes, recent)
    vectors = embedder.embed([c.text for c in candidates]) if candidates else np.zeros((0, 0))
    decisions: list[Decision] = []
    with store.transaction():
        for candidate, vector in zip(candidates, vectors, strict=True):
            neighbours = _neighbours(store, job.space, candidate, vector)
            verdict = reconciler.reconcile(candidate, neighbours)
            decisions.append(apply(store, job.space, candidate, vector, verdict, actor=extractor.name))
        store.finish_job(job.id)
    return decisions


def _neighbours(store: Store, space: str, candidate: Candidate, vector: np.ndarray) -> list[Neighbour]:
    if candidate.kind == "turn":
        return []  # turns are never merged; skipping the lookup keeps bulk ingest fast
    found = store.dense_search(space, vector, Filters(), NEIGHBOURS)
    items = {m.id: m for m in store.get_memories(space, [i for i, _ in found])}
    return [Neighbour(items[i], s) for i, s in found if i in items]


def apply(
    store: Store, space: str, candidate: Candidate, vector: np.ndarray, verdict: Verdict, actor: str
) -> Decision:
    """Carry out one verdict as a versioned write; every outcome lands in some memory's history."""
    stamp = now()
    episode_id = candidate.source_episode_ids[0] if candidate.source_episode_ids else None
    if verdict.operation == "ADD" or verdict.target is None:
        item = MemoryItem(
            id=new_id("mem"), space=space, text=verdict.text, kind=candidate.kind,
            session=candidate.session, source_episode_ids=list(candidate.source_episode_ids),
            keywords=list(candidate.keywords), tags=list(candidate.tags), links=[],
            valid_from=candidate.valid_from, valid_to=None, strength=1.0, version=1,
            created_at=stamp, updated_at=stamp, metadata=dict(candidate.metadata),
        )
        store.insert_memory(item, vector, version_record(item, "ADD", verdict.reason, actor, episode_id))
        return Decision("ADD", item.id, item.text, verdict.reason)
    current = store.get_memory(space, verdict.target)
    sources = list(dict.fromkeys([*current.source_episode_ids, *candidate.source_episode_ids]))
    if verdict.operation == "NOOP":
        # The state keeps its version number; the new source episode is remembered as evidence.
        noop = version_record(current, "NOOP", verdict.reason, actor, episode_id)
        store.update_memory(replace(current, source_episode_ids=sources), None, noop)
        return Decision("NOOP", current.id, current.text, verdict.reason)
    if verdict.operation == "UPDATE":
        item = replace(
            current, text=verdict.text, source_episode_ids=sources, version=current.version + 1,
            keywords=_merge(current.keywords, candidate.keywords), tags=_merge(current.tags, candidate.tags),
            valid_from=candidate.valid_from or current.valid_from, updated_at=stamp,
        )
        new_vector = vector if verdict.text != current.text else None
        store.update_memory(item, new_vector, version_record(item, "UPDATE", verdict.reason, actor, episode_id))
        return Decision("UPDATE", item.id, item.text, verdict.reason)
    if verdict.operation == "DELETE":
        # A contradicted fact is closed, not erased: it stays true "as of" the past.
        closed_at = candidate.valid_from or stamp
        item = replace(current, valid_to=closed_at, version=current.version + 1, updated_at=stamp)
        store.update_memory(item, None, version_record(item, "DELETE", verdict.reason, actor, episode_id))
        return Decision("DELETE", item.id, item.text, verdict.reason)
    raise ValueError(f"unknown operation {verdict.operation!r}")


def _merge(a: Sequence[str], b: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def version_record(
    item: MemoryItem, operation: str, reason: str, actor: str, episode_id: str | None = None
) -> Version:
    """The history entry for `item` as it stands after `operation`."""
    return Version(
        memory_id=item.id, version=item.version, operation=operation, text=item.text, kind=item.kind,
        tags=list(item.tags), valid_from=item.valid_from, valid_to=item.valid_to, reason=reason,
        actor=actor, episode_id=episode_id, recorded_at=now(),
    )
