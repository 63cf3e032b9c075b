"""One contract, two stores: every test here runs against SQLite and against a real PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from remem.errors import Conflict, InvalidInput, NotFound
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


def reopen(store: Store) -> Store:
    """A second store object on the same database, as another process would open it."""
    from remem.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path)
    from remem.store.postgres import PostgresStore

    return PostgresStore(store.url)


def raw(store: Store, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Query the database behind the store directly, past every method of the Protocol."""
    from remem.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        with closing(sqlite3.connect(store.path)) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(store.url) as pg:
        return pg.execute(sql, params).fetchall()


def rows_in_space(store: Store, space: str) -> dict[str, int]:
    """Rows per table for a space, over every table that holds a space's data in that backend."""
    from remem.store.sqlite import SQLiteStore

    tables = ["episodes", "memories", "memory_versions", "memory_episodes", "jobs"]
    if isinstance(store, SQLiteStore):
        tables.append("memory_vectors")  # PostgreSQL keeps the vector (and tokens) in the memories row
    return {t: int(raw(store, f"SELECT count(*) FROM {t} WHERE space = %s", (space,))[0][0]) for t in tables}


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


def test_memories_from_episodes_pass_the_filters_newest_first(store: Store) -> None:
    add(store, item("a", 1, "Ana: I moved to Porto", kind="turn", source_episode_ids=["ep1"]), unit(0))
    add(store, item("a", 2, "Ana lives in Porto", source_episode_ids=["ep1", "ep2"]), unit(1))
    add(store, item("a", 3, "Ana: I adopted a cat", kind="turn", source_episode_ids=["ep2"]), unit(2))
    add(store, item("a", 4, "Ana: hi", kind="turn", source_episode_ids=["ep3"]), unit(3))
    add(store, item("a", 5, "Ana: Porto again", kind="turn", session="s2", source_episode_ids=["ep1"]), unit(4))
    add(store, item("b", 1, "Bo: I moved to Porto", kind="turn", source_episode_ids=["ep1"]), unit(0))
    turns = store.memories_from("a", ["ep1", "ep2", "nope"], Filters(session="s1", kinds=("turn",)))
    assert [m.id for m in turns] == ["mem_a_3", "mem_a_1"]
    assert [m.id for m in store.memories_from("a", ["ep1"], Filters())] == ["mem_a_5", "mem_a_2", "mem_a_1"]
    assert store.memories_from("a", [], Filters()) == []


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


def test_common_words_are_those_in_a_third_of_the_space_counted_in_that_space_alone(store: Store) -> None:
    # 120 memories: "ana" in 40 (a third, at the line), "leo" in 39, "tea" in 10. Another space
    # holds "leo" everywhere: its memories never count for this one.
    for n in range(120):
        words = ["ana" if n % 3 == 0 else "", "leo" if n % 3 == 1 and n != 1 else "", "tea" if n % 12 == 0 else ""]
        add(store, item("a", n, " ".join(["note", str(n), *words])), unit(n % 8))
    for n in range(200):
        add(store, item("b", n, f"leo said {n}"), unit(n % 8))
    assert store.common_words("a", ["ana", "leo", "tea"]) == {"ana"}
    assert store.common_words("a", ["Ana's", "tea"]) == {"ana"}
    assert store.common_words("a", ["ana", "note"]) == set()  # every word common: nothing to weigh against
    assert store.common_words("a", ["ana"]) == set()
    assert store.common_words("b", ["leo", "ana"]) == {"leo"}
    add(store, item("a", 120, "ana again"), unit(0))  # 41 of 121: still a third; counts follow the write
    add(store, item("a", 121, "note"), unit(0))
    add(store, item("a", 122, "note"), unit(0))
    assert store.common_words("a", ["ana", "tea"]) == {"ana"}
    add(store, item("a", 123, "note"), unit(0))  # 41 of 124: under a third now
    assert store.common_words("a", ["ana", "tea"]) == set()


def test_a_small_space_has_no_common_words(store: Store) -> None:
    for n in range(99):
        add(store, item("a", n, f"ana note {n}"), unit(n % 8))
    assert store.common_words("a", ["ana", "tea"]) == set()  # 99 memories: too few for a share to mean much
    add(store, item("a", 99, "tea"), unit(0))
    assert store.common_words("a", ["ana", "tea"]) == {"ana"}


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


def episode(space: str, n: int, session: str = "s1", **kw: Any) -> Episode:
    return Episode(f"ep_{space}_{n}", space, "user", f"turn {n}", session, T0 + timedelta(days=n), T0, **kw)


def test_episodes_come_back_in_time_order_by_session_and_space(store: Store) -> None:
    store.insert_episodes([episode("a", 3), episode("a", 1, "s2", metadata={"lang": "pt", "n": 1.5}), episode("a", 2)])
    store.insert_episodes([episode("b", 1)])
    assert [e.id for e in store.list_episodes("a")] == ["ep_a_1", "ep_a_2", "ep_a_3"]
    assert [e.id for e in store.list_episodes("a", session="s1")] == ["ep_a_2", "ep_a_3"]
    assert [e.id for e in store.list_episodes("a", limit=1, offset=2)] == ["ep_a_3"]
    got = store.get_episodes("a", ["ep_a_3", "ep_b_1", "nope", "ep_a_1"])
    assert [e.id for e in got] == ["ep_a_3", "ep_a_1"]  # order given; another space's id is unknown
    assert got[1] == episode("a", 1, "s2", metadata={"lang": "pt", "n": 1.5})  # lossless, times included
    assert got[1].event_time.utcoffset() == timedelta(0)


def test_the_last_episodes_of_a_session_are_its_latest_oldest_first(store: Store) -> None:
    # Three turns told in one add share a moment: they keep the order they arrived in, not their ids'.
    at_once = [Episode(f"ep_a_{n}", "a", "user", f"turn {n}", "s1", T0 + timedelta(days=9), T0) for n in (7, 5, 6)]
    store.insert_episodes([episode("a", 3), episode("a", 1), episode("a", 2, "s2")])
    store.insert_episodes(at_once)
    store.insert_episodes([episode("b", 10)])
    assert [e.id for e in store.last_episodes("a", "s1", 4)] == ["ep_a_3", "ep_a_7", "ep_a_5", "ep_a_6"]
    everything = [e.id for e in store.list_episodes("a", session="s1")]
    assert (
        [e.id for e in store.last_episodes("a", "s1", 100)]
        == everything
        == ["ep_a_1", "ep_a_3", "ep_a_7", "ep_a_5", "ep_a_6"]
    )
    assert store.last_episodes("a", "s1", 1)[0] == at_once[-1]
    assert store.last_episodes("a", "s3", 5) == []


def test_purge_really_removes_from_every_table(store: Store) -> None:
    store.insert_episodes([episode("a", 1, "private"), episode("a", 2, "public")])
    add(store, item("a", 1, "zanzibarite secret", session="private", source_episode_ids=["ep_a_1"]), unit(0))
    add(store, item("a", 2, "public note", session="public", source_episode_ids=["ep_a_2"], links=["mem_a_1"]), unit(1))
    add(store, item("b", 1, "zanzibarite in b", session="private"), unit(0))
    store.append_version(
        "a", Version("mem_a_1", 1, "NOOP", "zanzibarite secret", "fact", [], None, None, "", "t", None, T0)
    )
    store.enqueue(Job("job_1", "a", ["ep_a_1"], "pending", 0, None, T0, T0))
    store.enqueue(Job("job_2", "a", ["ep_a_1", "ep_a_2"], "failed", 1, "x", T0, T0))
    before = rows_in_space(store, "a")
    report = store.purge("a", session="private")
    assert (report.memories, report.episodes, report.versions) == (1, 1, 2)
    after = rows_in_space(store, "a")
    assert after["episodes"] == before["episodes"] - 1 == 1
    assert after["memories"] == 1 and after["memory_versions"] == 1 and after["memory_episodes"] == 1
    assert after.get("memory_vectors", 1) == 1
    assert after["jobs"] == 1  # the job of only purged episodes is gone; the other keeps its live episode
    assert [j.episode_ids for j in store.list_jobs("a")] == [["ep_a_2"]]
    assert raw(store, "SELECT count(*) FROM memories WHERE text LIKE %s", ("%zanzibarite secret%",))[0][0] == 0
    assert store.get_memory("a", "mem_a_2").links == []  # no link points at what is gone
    assert store.lexical_search("a", ["zanzibarite"], Filters(), 5) == []
    assert [i for i, _ in store.lexical_search("b", ["zanzibarite"], Filters(), 5)] == ["mem_b_1"]  # b untouched
    assert rows_in_space(store, "b")["memories"] == 1


def test_purge_by_ids_keeps_episodes_and_everything_empties_the_space(store: Store) -> None:
    store.insert_episodes([episode("a", 1)])
    add(store, item("a", 1, "one", source_episode_ids=["ep_a_1"]), unit(0))
    add(store, item("a", 2, "two"), unit(1))
    add(store, item("b", 1, "other space"), unit(2))
    assert store.purge("a", memory_ids=["mem_b_1"]).memories == 0  # another space's id is unknown here
    report = store.purge("a", memory_ids=["mem_a_1", "nope"])
    assert (report.memories, report.episodes, report.versions) == (1, 0, 1)
    assert [e.id for e in store.list_episodes("a")] == ["ep_a_1"]
    assert store.purge("a", everything=True).memories == 1
    assert set(rows_in_space(store, "a").values()) == {0}
    assert store.get_memory("b", "mem_b_1").text == "other space"
    with pytest.raises(InvalidInput):
        store.purge("a")


def test_purge_by_episode_takes_what_was_derived_from_it(store: Store) -> None:
    store.insert_episodes([episode("a", 1), episode("a", 2), episode("b", 1)])
    add(store, item("a", 1, "from the first turn", source_episode_ids=["ep_a_1"]), unit(0))
    add(store, item("a", 2, "from both turns", source_episode_ids=["ep_a_1", "ep_a_2"]), unit(1))
    add(store, item("a", 3, "from the second turn", source_episode_ids=["ep_a_2"]), unit(2))
    report = store.purge("a", episode_ids=["ep_a_1", "ep_b_1"])  # another space's episode is not touched
    assert (report.episodes, report.memories) == (1, 2)
    assert [m.id for m in store.list_memories("a", Filters(include_expired=True))] == ["mem_a_3"]
    assert [e.id for e in store.list_episodes("a")] == ["ep_a_2"]
    assert [e.id for e in store.list_episodes("b")] == ["ep_b_1"]
    assert store.lexical_search("a", ["first"], Filters(), 5) == []


def test_writes_to_another_spaces_id_are_not_found(store: Store) -> None:
    add(store, item("a", 1, "mine", strength=1.0), unit(0))
    stolen = replace(item("a", 1, "overwritten"), space="b")
    with pytest.raises(NotFound):
        store.update_memory(
            stolen, unit(1), Version("mem_a_1", 2, "UPDATE", "x", "fact", [], None, None, "", "", None, T0)
        )
    with pytest.raises(NotFound):
        store.append_version("b", Version("mem_a_1", 2, "NOOP", "x", "fact", [], None, None, "", "", None, T0))
    with pytest.raises(NotFound):
        store.set_links("b", "mem_a_1", ["mem_x"])
    store.touch("b", ["mem_a_1"], 5.0, T0)
    assert store.get_vectors("b", ["mem_a_1"]) == {}
    kept = store.get_memory("a", "mem_a_1")
    assert (kept.text, kept.strength, kept.links) == ("mine", 1.0, [])
    assert len(store.history("a", "mem_a_1")) == 1


def test_touch_strengthens_up_to_a_cap_and_links_persist(store: Store) -> None:
    add(store, item("a", 1, "used often", strength=0.7), unit(0))
    add(store, item("a", 2, "related"), unit(1))
    store.touch("a", ["mem_a_1"], 0.2, T0)
    assert store.get_memory("a", "mem_a_1").strength == pytest.approx(0.9, abs=1e-9)
    store.touch("a", ["mem_a_1"], 50.0, T0)
    assert store.get_memory("a", "mem_a_1").strength == 10.0
    store.set_links("a", "mem_a_1", ["mem_a_2"])
    assert reopen_and(store, lambda s: s.get_memory("a", "mem_a_1").links) == ["mem_a_2"]


def reopen_and(store: Store, read: Any) -> Any:
    other = reopen(store)
    try:
        return read(other)
    finally:
        other.close()


def test_a_transaction_is_all_or_nothing_and_nested_ones_join_it(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        add(store, item("a", 1, "first"), unit(0))
        with store.transaction():
            add(store, item("a", 2, "second"), unit(1))
        raise RuntimeError("crash before commit")
    assert store.count_memories("a", Filters()) == 0
    assert reopen_and(store, lambda s: s.count_memories("a", Filters())) == 0
    with store.transaction():
        add(store, item("a", 1, "first"), unit(0))
        with store.transaction():
            add(store, item("a", 2, "second"), unit(1))
    assert reopen_and(store, lambda s: s.count_memories("a", Filters())) == 2


def test_updates_replace_the_vector_only_when_given(store: Store) -> None:
    memory = item("a", 1, "Ana lives in Lisbon", keywords=["lisbon"])
    add(store, memory, unit(0))
    moved = replace(memory, text="Ana lives in Porto", keywords=["porto"], version=2)
    store.update_memory(
        moved, unit(3), Version(memory.id, 2, "UPDATE", moved.text, "fact", [], None, None, "", "", None, T0)
    )
    assert np.allclose(store.get_vectors("a", [memory.id])[memory.id], unit(3))
    assert [i for i, _ in store.lexical_search("a", ["porto"], Filters(), 5)] == [memory.id]
    assert store.lexical_search("a", ["lisbon"], Filters(), 5) == []  # the index follows the current text
    store.update_memory(
        replace(moved, tags=["home"], version=3),
        None,
        Version(memory.id, 3, "UPDATE", moved.text, "fact", ["home"], None, None, "", "", None, T0),
    )
    assert np.allclose(store.get_vectors("a", [memory.id])[memory.id], unit(3))
    assert store.get_memory("a", memory.id).tags == ["home"]
    assert [v.version for v in store.history("a", memory.id)] == [1, 2, 3]


def test_search_applies_filters_and_survives_odd_terms(store: Store) -> None:
    add(store, item("a", 1, "Mr O'Brien called about the boat", kind="event"), unit(0))
    add(store, item("a", 2, "The boat needs paint", kind="fact", valid_to=T0 + timedelta(days=10)), unit(0, 1))
    assert [i for i, _ in store.lexical_search("a", ["o'brien"], Filters(), 5)] == ["mem_a_1"]
    for odd in (["a|b"], ["!"], ["(x"], ["NEAR"], ["*"], ["'); DROP TABLE memories; --"]):
        assert store.lexical_search("a", odd, Filters(), 5) == []
    assert [i for i, _ in store.lexical_search("a", ["boat"], Filters(kinds=("fact",), include_expired=True), 5)] == [
        "mem_a_2"
    ]
    assert [i for i, _ in store.lexical_search("a", ["boat"], Filters(), 5)] == ["mem_a_1"]  # mem_a_2 expired

    def dense_as_of(days: float) -> list[str]:
        return [i for i, _ in store.dense_search("a", unit(0, 1), Filters(as_of=T0 + timedelta(days=days)), 5)]

    assert dense_as_of(1.5) == ["mem_a_1"]  # mem_a_2 not yet true
    assert dense_as_of(5) == ["mem_a_2", "mem_a_1"]  # both true; the nearer first
    assert dense_as_of(10) == ["mem_a_1"]  # mem_a_2 ended at day 10 (valid_to is exclusive)
    scores = store.dense_search("a", unit(0), Filters(include_expired=True), 5)
    assert [i for i, _ in scores] == ["mem_a_1", "mem_a_2"]
    assert scores[0][1] == pytest.approx(1.0, abs=1e-5) and scores[1][1] == pytest.approx(
        float(unit(0, 1)[0]), abs=1e-5
    )


def test_the_queue_hands_each_job_to_one_worker(store: Store) -> None:
    for n in range(30):
        store.enqueue(Job(f"job_{n:02}", "a", [f"ep_{n}"], "pending", 0, None, T0 + timedelta(seconds=n), T0))
    claimed: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while batch := store.claim_jobs("a", 2, worker=name):
            with lock:
                claimed.extend(j.id for j in batch)
            for job in batch:
                store.finish_job(job.id)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [f"job_{n:02}" for n in range(30)]  # every job once, none twice
    assert {j.state for j in store.list_jobs("a")} == {"done"}


def test_a_failed_job_keeps_its_error_and_counts_attempts(store: Store) -> None:
    store.enqueue(Job("job_1", "a", ["ep_1"], "pending", 0, None, T0, T0, options={"mode": "llm"}))
    store.claim_jobs("a", 1, worker="host:1")
    store.fail_job("job_1", "LLM timed out")
    [failed] = store.list_jobs("a", ["failed"])
    assert (failed.attempts, failed.error, failed.worker, failed.options) == (
        1,
        "LLM timed out",
        "host:1",
        {"mode": "llm"},
    )
    assert store.requeue_jobs("b", ["failed"]) == 0  # another space's jobs are not touched
    assert store.requeue_jobs(None, ["failed"]) == 1
    [again] = store.claim_jobs("a", 1, worker="host:2")
    assert (again.attempts, again.state, again.worker) == (2, "running", "host:2")
    assert store.list_jobs("b") == []


def test_a_store_reopens_with_its_data_and_binding(store: Store) -> None:
    add(store, item("a", 1, "durable"), unit(4))
    store.insert_episodes([episode("a", 1)])

    def read(other: Store) -> tuple[Any, ...]:
        return (
            other.embedder_binding(),
            other.get_memory("a", "mem_a_1").text,
            [i for i, _ in other.dense_search("a", unit(4), Filters(), 1)],
            other.spaces(),
            other.stats("a")["episodes"],
        )

    assert reopen_and(store, read) == (("test", 8), "durable", ["mem_a_1"], ["a"], 1)


# -- copying between the two backends (remem migrate) ----------------------------------------------


def test_a_job_keeps_the_worker_it_was_enqueued_with(store: Store) -> None:
    # A copied store's running jobs name their worker on both engines, as the checksum of a copy expects.
    store.enqueue(Job("job_1", "a", ["ep_1"], "running", 1, None, T0, T0, worker="host:7"))
    assert [(j.state, j.worker) for j in store.list_jobs("a")] == [("running", "host:7")]


def fill(store: Store) -> None:
    """Two spaces with what a real day leaves behind: history, links, odd strengths, queued work."""
    store.bind_embedder("test", 8)
    for space in ("a", "b"):
        store.insert_episodes([episode(space, n, metadata={"n": n, "note": "ünïcode ✓"}) for n in range(1, 4)])
        for n in range(1, 4):
            add(
                store,
                item(space, n, f"{space} fact {n}", source_episode_ids=[f"ep_{space}_{n}"], strength=0.123456789),
                unit(n),
            )
        first = store.get_memory(space, f"mem_{space}_1")
        changed = replace(first, text=f"{space} fact 1, corrected", version=2, tags=["fixed"], links=[f"mem_{space}_2"])
        store.update_memory(
            changed,
            unit(5, 1),
            Version(first.id, 2, "UPDATE", changed.text, "fact", ["fixed"], None, None, "r", "user", None, T0),
        )
        store.append_version(
            space, Version(first.id, 2, "NOOP", changed.text, "fact", [], None, None, "dup", "x", None, T0)
        )
        store.enqueue(Job(f"job_{space}_1", space, [f"ep_{space}_3"], "pending", 0, None, T0, T0, options={"k": 1}))
        store.enqueue(Job(f"job_{space}_2", space, [f"ep_{space}_2"], "failed", 2, "LLM down", T0, T0, worker="host:7"))


def test_copy_sqlite_to_postgres_and_back_is_lossless(tmp_path: Path, pg_url: str) -> None:
    from remem.migrate import checksum, copy_store
    from remem.store.postgres import PostgresStore
    from remem.store.sqlite import SQLiteStore

    source, middle, back = SQLiteStore(tmp_path / "a.db"), PostgresStore(pg_url), SQLiteStore(tmp_path / "b.db")
    try:
        fill(source)
        report = copy_store(source, middle)
        assert (report.spaces, report.episodes, report.memories, report.versions, report.vectors, report.jobs) == (
            ["a", "b"],
            6,
            6,
            10,
            6,
            4,
        )
        copy_store(middle, back, "a")
        assert back.spaces() == ["a"]
        for space in ("a", "b"):
            assert checksum(source, space) == checksum(middle, space)
        assert checksum(back, "a") == checksum(source, "a")
        assert checksum(source, "a") != checksum(source, "b")
        assert [v.operation for v in middle.history("a", "mem_a_1")] == ["ADD", "UPDATE", "NOOP"]
        assert middle.get_memory("a", "mem_a_1").strength == 0.123456789  # every digit SQLite had
        assert [i for i, _ in middle.dense_search("a", unit(5), Filters(), 1)] == ["mem_a_1"]
        with pytest.raises(Conflict, match="already has spaces"):
            copy_store(source, middle, "a")
    finally:
        for store in (source, middle, back):
            store.close()


def test_a_copy_that_does_not_verify_leaves_nothing_behind(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from remem.migrate import copy_store
    from remem.store.postgres import PostgresStore
    from remem.store.sqlite import SQLiteStore

    source, target = SQLiteStore(tmp_path / "a.db"), PostgresStore(pg_url)
    try:
        fill(source)
        monkeypatch.setattr(target, "append_version", lambda space, version: None)  # a lossy target
        with pytest.raises(Conflict, match="did not verify"):
            copy_store(source, target, "a")
        assert target.spaces() == []
        assert set(rows_in_space(target, "a").values()) == {0}
        other = SQLiteStore(tmp_path / "c.db")
        other.bind_embedder("another-model", 8)
        with pytest.raises(Conflict, match="another-model"):
            copy_store(source, other)
        other.close()
    finally:
        source.close()
        target.close()


def database_at_schema(pg_url: str, version: int, *statements: str) -> None:
    """A database as an older remem left it: the first `version` migrations, then `statements`."""
    import psycopg

    from remem.store.postgres_schema import MIGRATIONS

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE TABLE remem_meta (key text PRIMARY KEY, value text NOT NULL)")
        for migration in MIGRATIONS[:version]:
            migration(conn)
        conn.execute("INSERT INTO remem_meta VALUES ('schema_version', %s)", (str(version),))
        for statement in statements:
            conn.execute(statement)


def test_postgres_upgrades_an_older_schema_in_place(pg_url: str) -> None:
    import psycopg

    from remem.store.postgres import PostgresStore
    from remem.store.postgres_schema import MIGRATIONS

    database_at_schema(pg_url, 1)
    store = PostgresStore(pg_url)
    try:
        store.bind_embedder("test", 8)
        add(store, item("a", 1, "kept across the upgrade", strength=0.123456789), unit(0))
        assert store.schema_version() == len(MIGRATIONS) >= 2
        assert store.get_memory("a", "mem_a_1").strength == 0.123456789
        assert raw(store, "SELECT count(*) FROM pg_indexes WHERE indexname = 'jobs_space_state'")[0][0] == 1
    finally:
        store.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE remem_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(Conflict, match="upgrade remem"):
        PostgresStore(pg_url)


def test_sqlite_upgrades_an_older_file_in_place_and_refuses_a_newer_one(tmp_path: Path) -> None:
    from remem.store.sqlite import SQLiteStore
    from remem.store.sqlite_schema import MIGRATIONS

    db = tmp_path / "old.db"
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:  # as the first release left it
        MIGRATIONS[0](conn)
        conn.execute("PRAGMA user_version = 1")
    store = SQLiteStore(db)
    try:
        store.enqueue(Job("job_1", "a", ["ep_1"], "running", 1, None, T0, T0, worker="host:1"))
        assert [j.worker for j in store.list_jobs("a")] == ["host:1"]  # migration 2's column
    finally:
        store.close()
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 2
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(Conflict, match="upgrade remem"):
        SQLiteStore(db)


LEXICAL_CORPUS = [
    ("Caroline moved to Lisbon in March; she loves Lisbon's trams", ["lisbon", "move"]),
    ("Melanie is moving house again, the third move this year", ["move", "house"]),
    ("The café on Rua Augusta serves a naïve but well-known pastel de nata", ["café", "pastry"]),
    ("Marathon training: four runs a week at marathon pace", ["marathon"]),
    ("Bo adopted a cat called Miso yesterday", ["cat", "miso"]),
    ("I went to the LGBTQ support group and it was so powerful", []),
    ("Mr O'Brien called about the boat", ["boat"]),
    ("She says moving to Porto was the best decision, Porto porto PORTO", ["porto"]),
]


def test_both_backends_rank_lexical_search_alike(tmp_path: Path, pg_url: str) -> None:
    """Same memories, same queries: the same ids in the same order with the same BM25 scores.

    FTS5 keeps its statistics per file and PostgreSQL per space, so the file holds one space.
    """
    from remem.store.postgres import PostgresStore
    from remem.store.sqlite import SQLiteStore

    stores: list[Store] = [SQLiteStore(tmp_path / "lex.db"), PostgresStore(pg_url)]
    queries = [
        ["lisbon"],
        ["moved", "move", "moving"],
        ["cafe", "well-known"],
        ["marathon", "pace", "week"],
        ["o'brien", "boat"],
        ["porto", "lisbon", "decision"],
        ["support", "group", "powerful", "the"],
        ["nothing", "matches", "zzz"],
    ]

    def results(store: Store, filters: Filters) -> list[list[tuple[str, float]]]:
        return [store.lexical_search("a", q, filters, 10) for q in queries]

    def same_everywhere(filters: Filters) -> None:
        sqlite_side, pg_side = results(stores[0], filters), results(stores[1], filters)
        for query, lite, pg in zip(queries, sqlite_side, pg_side, strict=True):
            assert [i for i, _ in lite] == [i for i, _ in pg], query
            assert [s for _, s in lite] == pytest.approx([s for _, s in pg], rel=1e-9), query

    try:
        for store in stores:
            store.bind_embedder("test", 8)
            for n, (text, keywords) in enumerate(LEXICAL_CORPUS, start=1):
                add(store, item("a", n, text, keywords=keywords, kind="event" if n % 2 else "fact"), unit(n % 8))
        same_everywhere(Filters())
        assert results(stores[0], Filters())[0][0][0] == "mem_a_1"
        same_everywhere(Filters(kinds=("fact",)))
        for store in stores:  # statistics follow writes: an update and a purge change N, df and lengths
            moved = replace(store.get_memory("a", "mem_a_5"), text="Bo moved to Lisbon with Miso", version=2)
            store.update_memory(
                moved, None, Version(moved.id, 2, "UPDATE", moved.text, "fact", [], None, None, "", "", None, T0)
            )
            store.purge("a", memory_ids=["mem_a_8"])
        same_everywhere(Filters())
    finally:
        for store in stores:
            store.close()


def test_postgres_tokenizes_memories_written_before_fts5_tokens(pg_url: str) -> None:
    from remem.store.postgres import PostgresStore
    from remem.store.postgres_schema import MIGRATIONS

    database_at_schema(
        pg_url,
        2,
        "INSERT INTO memories (space, id, text, kind, source_episode_ids, keywords, tags, links, strength, "
        "version, created_at, updated_at, embedding) VALUES ('a', 'old', 'The trams of Lisbon', 'fact', '[]', "
        "'[\"travel\"]', '[]', '[]', 1, 1, now(), now(), '[1,0,0,0,0,0,0,0]')",
    )
    store = PostgresStore(pg_url)
    try:
        assert store.schema_version() == len(MIGRATIONS) >= 3
        assert [i for i, _ in store.lexical_search("a", ["tram"], Filters(include_expired=True), 5)] == ["old"]
        assert [i for i, _ in store.lexical_search("a", ["travelling"], Filters(include_expired=True), 5)] == ["old"]
        assert raw(store, "SELECT lex_tf, lex_length FROM memories WHERE id = 'old'")[0] == (
            {"the": 1, "tram": 1, "of": 1, "lisbon": 1, "travel": 0.5},
            5,
        )
        assert raw(store, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tsv'")[0][0] == 0
    finally:
        store.close()


def test_a_word_common_in_one_space_still_counts_in_another(store: Store) -> None:
    """Which query words are too common to search for is each space's own affair (issue 11, item 12)."""
    with store.transaction():
        for n in range(2_001):  # past BM25.common_df in this space only
            add(store, item("crowd", n, f"apple crate number {n}"), unit(n % 8))
    add(store, item("quiet", 1, "apple pie with cinnamon"), unit(1))
    add(store, item("quiet", 2, "banana bread for the school fair"), unit(2))
    found = [i for i, _ in store.lexical_search("quiet", ["apple", "banana"], Filters(), 10)]
    assert sorted(found) == ["mem_quiet_1", "mem_quiet_2"]
    # In the crowded space "apple" is still left out while a rarer word remains.
    add(store, item("crowd", 5_000, "a banana among the crates"), unit(3))
    assert [i for i, _ in store.lexical_search("crowd", ["apple", "banana"], Filters(), 10)] == ["mem_crowd_5000"]


def test_lexical_search_ranks_alike_whether_or_not_a_filter_narrows(store: Store) -> None:
    """A date filter that keeps every memory changes no result: SQLite ranks the matches first when
    only the space and validity narrow (and reads the filters of the best alone), and every other
    filter is applied before ranking; closed memories and another space's rows are among the best."""
    with store.transaction():
        for n in range(300):
            closed = T0 + timedelta(days=1) if n % 3 == 0 else None
            text = f"harbour ferry {'ferry ' * (n % 7)}ticket {n}"
            add(store, item("a", n, text, valid_to=closed), unit(n % 8))
            add(store, item("b", n, f"ferry harbour {n}"), unit(n % 8))
    everything = Filters(since=T0 - timedelta(days=365))
    for k in (1, 5, 40, 150, 250):
        for words in (["ferry"], ["harbour", "ticket"], ["ticket", "17"]):
            fast = store.lexical_search("a", words, Filters(), k)
            assert fast == store.lexical_search("a", words, everything, k), (k, words)
            assert len(fast) == min(k, 200) if words != ["ticket", "17"] else fast[0][0] == "mem_a_17"
            assert all(i.startswith("mem_a_") and int(i.split("_")[-1]) % 3 for i, _ in fast)


def test_adjacent_turns_are_the_turns_said_just_before_and_after_in_the_session(store: Store) -> None:
    # One session where every turn has the same time (a chat added in one call): arrival orders them.
    same = [Episode(f"ep_c_{n}", "a", "user", f"turn {n}", "chat", T0, T0) for n in range(4)]
    store.insert_episodes([*same, episode("a", 9, "other"), episode("b", 1, "chat")])
    store.insert_episodes([Episode("ep_late", "a", "user", "said later, dated earlier", "chat", T0 - timedelta(1), T0)])
    for n in range(4):
        add(store, item("a", n, f"turn {n}", kind="turn", session="chat", source_episode_ids=[f"ep_c_{n}"]), unit(n))
    add(store, item("a", 9, "turn 9", kind="turn", session="other", source_episode_ids=["ep_a_9"]), unit(5))
    add(store, item("a", 10, "a fact from turn 1", source_episode_ids=["ep_c_1"]), unit(6))
    add(store, item("a", 11, "said later", kind="turn", session="chat", source_episode_ids=["ep_late"]), unit(7))
    add(store, item("b", 1, "turn in b", kind="turn", session="chat", source_episode_ids=["ep_b_1"]), unit(0))
    # Turns added without a session: separate notes as likely as a conversation, so nothing is beside them.
    store.insert_episodes([Episode(f"ep_n_{n}", "a", "user", f"note {n}", None, T0, T0) for n in range(3)])
    for n in range(3):
        add(store, item("a", 20 + n, f"note {n}", kind="turn", session=None, source_episode_ids=[f"ep_n_{n}"]), unit(n))
    assert store.adjacent_turns("a", ["mem_a_21"], Filters()) == {}
    beside = store.adjacent_turns("a", ["mem_a_0", "mem_a_2", "mem_a_3", "mem_a_9", "mem_a_10", "mem_b_1"], Filters())
    assert beside["mem_a_2"] == ("mem_a_1", "mem_a_3")  # (before, after)
    assert beside["mem_a_3"] == ("mem_a_2", None)  # the last turn has nothing after it
    assert beside["mem_a_0"] == ("mem_a_11", "mem_a_1")  # by event time: the turn dated earlier comes first
    assert "mem_a_9" not in beside  # alone in its session
    assert "mem_a_10" not in beside and "mem_b_1" not in beside  # a fact has no turns beside; b's id is not a's
    # A neighbour the filters exclude is not offered: here it expired.
    store.update_memory(
        replace(
            item("a", 1, "turn 1", kind="turn", session="chat", source_episode_ids=["ep_c_1"]),
            version=2,
            valid_to=T0 + timedelta(days=2),
        ),
        None,
        Version("mem_a_1", 2, "DELETE", "turn 1", "turn", [], None, T0 + timedelta(days=2), "test", "test", None, T0),
    )
    assert store.adjacent_turns("a", ["mem_a_2"], Filters())["mem_a_2"] == (None, "mem_a_3")
    # As of day 1.5, turn 1 was still current and turn 3 (valid from day 3) not yet.
    assert store.adjacent_turns("a", ["mem_a_2"], Filters(as_of=T0 + timedelta(days=1.5)))["mem_a_2"] == (
        "mem_a_1",
        None,
    )
