"""One contract, two stores: every test here runs against SQLite and against a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from remem.errors import Conflict, NotFound
from remem.store.base import Job, Store
from remem.types import Episode, Filters, MemoryItem, Version

T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        from remem.store.sqlite import SQLiteStore

        opened: Store = SQLiteStore(tmp_path / "contract.db")
    else:
        from remem.store.postgres import PostgresStore

        opened = PostgresStore(request.getfixturevalue("pg_url"))
    opened.bind_embedder("test", 8)
    try:
        yield opened
    finally:
        opened.close()


def unit(i: int, j: int | None = None, w: float = 0.3) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[i] = 1.0
    if j is not None:
        v[j] = w
    return v / np.linalg.norm(v)


def item(space: str, n: int, text: str, **kw: Any) -> MemoryItem:
    values: dict[str, Any] = dict(
        id=f"mem_{space}_{n}",
        space=space,
        text=text,
        kind="fact",
        session="s1",
        source_episode_ids=[],
        keywords=[],
        tags=[],
        links=[],
        valid_from=T0 + timedelta(days=n),
        valid_to=None,
        strength=1.0,
        version=1,
        created_at=T0 + timedelta(days=n),
        updated_at=T0 + timedelta(days=n),
    )
    values.update(kw)
    return MemoryItem(**values)


def add(store: Store, memory: MemoryItem, vector: np.ndarray) -> None:
    store.insert_memory(
        memory,
        vector,
        Version(
            memory.id,
            1,
            "ADD",
            memory.text,
            memory.kind,
            memory.tags,
            memory.valid_from,
            memory.valid_to,
            "test",
            "test",
            None,
            T0,
        ),
    )


def test_insert_get_list_count_and_filters(store: Store) -> None:
    add(store, item("a", 1, "Alice likes green tea", tags=["drink"], kind="preference"), unit(0))
    add(store, item("a", 2, "Alice moved to Porto", session="s2"), unit(1))
    add(store, item("a", 3, "Alice adopted a cat", tags=["pet", "cat"]), unit(2))
    assert store.get_memory("a", "mem_a_2").text == "Alice moved to Porto"
    assert [m.id for m in store.list_memories("a", Filters())] == ["mem_a_3", "mem_a_2", "mem_a_1"]
    assert [m.id for m in store.list_memories("a", Filters(), limit=1, offset=1)] == ["mem_a_2"]
    assert store.count_memories("a", Filters(session="s2")) == 1
    assert [m.id for m in store.list_memories("a", Filters(kinds=("preference",)))] == ["mem_a_1"]
    assert [m.id for m in store.list_memories("a", Filters(tags=("pet", "cat")))] == ["mem_a_3"]
    assert store.count_memories("a", Filters(tags=("pet", "drink"))) == 0
    assert [m.id for m in store.list_memories("a", Filters(since=T0 + timedelta(days=2)))] == ["mem_a_3", "mem_a_2"]
    assert [m.id for m in store.list_memories("a", Filters(until=T0 + timedelta(days=2)))] == ["mem_a_1"]
    assert store.get_memories("a", ["mem_a_3", "nope", "mem_a_1"])[1].id == "mem_a_1"
    assert np.allclose(store.get_vectors("a", ["mem_a_2"])["mem_a_2"], unit(1))


def test_versions_history_and_validity(store: Store) -> None:
    first = item("a", 1, "Ana lives in Lisbon")
    add(store, first, unit(0))
    second = MemoryItem(
        **{**first.__dict__, "text": "Ana lives in Porto", "version": 2, "valid_from": T0 + timedelta(days=30)}
    )
    store.update_memory(
        second,
        unit(1),
        Version(
            first.id,
            2,
            "UPDATE",
            second.text,
            "fact",
            [],
            second.valid_from,
            None,
            "moved",
            "test",
            None,
            T0 + timedelta(days=30),
        ),
    )
    assert [(v.version, v.operation, v.text) for v in store.history("a", first.id)] == [
        (1, "ADD", "Ana lives in Lisbon"),
        (2, "UPDATE", "Ana lives in Porto"),
    ]
    closed = MemoryItem(**{**second.__dict__, "valid_to": T0 + timedelta(days=60), "version": 3})
    store.update_memory(
        closed,
        None,
        Version(
            first.id, 3, "DELETE", closed.text, "fact", [], closed.valid_from, closed.valid_to, "gone", "test", None, T0
        ),
    )
    assert store.count_memories("a", Filters(as_of=T0 + timedelta(days=45))) == 1
    assert store.count_memories("a", Filters(as_of=T0 + timedelta(days=61))) == 0
    assert store.count_memories("a", Filters()) == 0  # expired by now
    assert store.count_memories("a", Filters(include_expired=True)) == 1
    with pytest.raises(NotFound):
        store.history("b", first.id)


def test_lexical_and_dense_rank_the_right_memory_first(store: Store) -> None:
    add(store, item("a", 1, "The marathon in Lisbon was exhausting"), unit(0))
    add(store, item("a", 2, "I baked sourdough bread with rye flour"), unit(1, 0))
    add(store, item("a", 3, "Marathon training plan: four runs a week, marathon pace"), unit(2))
    lexical = store.lexical_search("a", ["marathon", "pace"], Filters(), 10)
    assert lexical[0][0] == "mem_a_3" and {i for i, _ in lexical} == {"mem_a_1", "mem_a_3"}
    assert lexical[0][1] > lexical[1][1]
    dense = store.dense_search("a", unit(1), Filters(), 2)
    assert [i for i, _ in dense] == ["mem_a_2", "mem_a_1"] and dense[0][1] > dense[1][1]
    assert store.dense_search("a", unit(1), Filters(session="nope"), 2) == []


def test_purge_removes_rows_versions_vectors_and_episodes(store: Store) -> None:
    episode = Episode("ep_1", "a", "user", "secret zanzibarite", "s1", T0, T0)
    store.insert_episodes([episode])
    add(store, item("a", 1, "secret zanzibarite", source_episode_ids=["ep_1"]), unit(0))
    add(store, item("a", 2, "keep me", valid_from=T0 + timedelta(days=400)), unit(1))
    report = store.purge("a", before=T0 + timedelta(days=100))
    assert (report.memories, report.episodes, report.versions) == (1, 1, 1)
    assert [m.id for m in store.list_memories("a", Filters(include_expired=True))] == ["mem_a_2"]
    assert store.get_episodes("a", ["ep_1"]) == []
    assert store.lexical_search("a", ["zanzibarite"], Filters(), 5) == []
    assert [i for i, _ in store.dense_search("a", unit(0), Filters(), 5)] == ["mem_a_2"]
    with pytest.raises(NotFound):
        store.history("a", "mem_a_1")
    assert store.stats("a")["versions"] == 1


def test_spaces_are_isolated(store: Store) -> None:
    add(store, item("a", 1, "alpha secret"), unit(0))
    add(store, item("b", 1, "beta secret"), unit(0))
    assert [i for i, _ in store.lexical_search("b", ["secret"], Filters(), 5)] == ["mem_b_1"]
    assert [i for i, _ in store.dense_search("b", unit(0), Filters(), 5)] == ["mem_b_1"]
    with pytest.raises(NotFound):
        store.get_memory("b", "mem_a_1")
    assert store.get_memories("b", ["mem_a_1"]) == []
    store.purge("b", everything=True)
    assert store.get_memory("a", "mem_a_1").text == "alpha secret"
    assert store.spaces() == ["a"]


def test_the_queue_claims_once_fails_and_requeues(store: Store) -> None:
    for n in range(3):
        store.enqueue(
            Job(f"job_{n}", "a", [f"ep_{n}"], "pending", 0, None, T0 + timedelta(seconds=n), T0 + timedelta(seconds=n))
        )
    first = store.claim_jobs("a", 2, worker="w1")
    assert [j.id for j in first] == ["job_0", "job_1"] and all(j.worker == "w1" and j.attempts == 1 for j in first)
    assert [j.id for j in store.claim_jobs("a", 5, job_ids=["job_0", "job_2"])] == ["job_2"]
    store.finish_job("job_0")
    store.fail_job("job_1", "llm down")
    assert [(j.id, j.error) for j in store.list_jobs("a", ["failed"])] == [("job_1", "llm down")]
    assert store.requeue_jobs("a", ["failed"]) == 1
    assert [j.id for j in store.claim_jobs(None, 5)] == ["job_1"]
    with pytest.raises(NotFound):
        store.finish_job("job_nope")


def test_a_different_embedder_is_refused(store: Store) -> None:
    with pytest.raises(Conflict, match="test"):
        store.bind_embedder("other", 16)
    store.bind_embedder("test", 8)  # the same one is fine
    stats = store.stats()
    assert {"episodes", "memories", "versions", "kinds", "jobs", "embedder", "dim"} <= set(stats)
    assert (stats["embedder"], stats["dim"]) == ("test", 8)
