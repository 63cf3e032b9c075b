"""A full disk refuses a write with a clear error and leaves nothing half-done; an idempotency key
makes a client's retry safe (issue 11, item 11). The full disk is SQLite's `max_page_count`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from remem import Memory
from remem.errors import Conflict, StorageFull
from remem.server.errors import status_of
from remem.store.sqlite import SQLiteStore
from remem.write.extract import TurnExtractor


def _fill(memory: Memory) -> None:
    """The disk is full from now on, for this thread's connection: no page more."""
    assert isinstance(memory.store, SQLiteStore)
    conn = memory.store._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def _free(memory: Memory) -> None:
    assert isinstance(memory.store, SQLiteStore)
    memory.store._conn().execute("PRAGMA max_page_count = 1073741823")


class _FillsTheDisk(TurnExtractor):
    """Extraction that finds the disk full when it comes to write (once)."""

    def __init__(self) -> None:
        self.memory: Memory | None = None

    def extract(self, episodes: Sequence[Any], recent: Sequence[Any]) -> Any:
        if self.memory is not None:
            _fill(self.memory)
            self.memory = None
        return super().extract(episodes, recent)


def test_a_full_disk_stores_nothing_and_says_so(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "full.db", extractor="turns") as memory:
        memory.add("I keep bees on the roof.", space="a")
        before = memory.stats()
        _fill(memory)
        with pytest.raises(StorageFull, match="disk is full") as refused:
            memory.add(
                [{"content": "x" * 30_000 + f" and my neighbour keeps pigeons {i}"} for i in range(20)],
                space="a",
                idempotency_key="k1",
            )
        assert status_of(refused.value) == 507
        _free(memory)
        after = memory.stats()
        assert (after["episodes"], after["memories"], after["jobs"]) == (before["episodes"], 1, {"done": 1})
        # Nothing was kept under the key either: the retry stores the turn once.
        retried = memory.add(
            [{"content": "x" * 30_000 + f" and my neighbour keeps pigeons {i}"} for i in range(20)],
            space="a",
            idempotency_key="k1",
        )
        assert retried.status == "done" and memory.stats()["episodes"] == before["episodes"] + 20


PIGEONS = "My neighbour keeps pigeons. " + "They coo at dawn on the ledge. " * 900


def test_a_full_disk_during_extraction_leaves_a_retryable_record_and_a_retry_completes_it(tmp_path: Path) -> None:
    extractor = _FillsTheDisk()
    with Memory.open(tmp_path / "full.db", extractor=extractor) as memory:
        memory.add("I keep bees on the roof.", space="a")
        extractor.memory = memory
        with pytest.raises(StorageFull, match="stored"):
            memory.add(PIGEONS, space="a", idempotency_key="turn-2")
        _free(memory)
        status = memory.status("a")
        assert (status["running"], status["failed"]) == (0, 1)  # retryable, not stuck
        assert "disk is full" in status["failed_jobs"][0]["error"]
        assert len(memory.episodes(space="a")) == 2  # the turn is kept, once
        # The client's retry with the same key finishes the first call's work instead of storing it again.
        retried = memory.add(PIGEONS, space="a", idempotency_key="turn-2")
        assert retried.status == "done" and len(memory.episodes(space="a")) == 2 and retried.decisions
        assert sorted(m.text for m in memory.list(space="a")) == sorted(["I keep bees on the roof.", PIGEONS])
        # Once more: the first result again, still one episode.
        again = memory.add(PIGEONS, space="a", idempotency_key="turn-2")
        assert [e.id for e in again.episodes] == [e.id for e in retried.episodes] and again.job_id == retried.job_id
        assert again.decisions == retried.decisions  # the retry that finished the job made these
        with pytest.raises(Conflict, match="turn-2"):
            memory.add("Something else entirely.", space="a", idempotency_key="turn-2")
        assert len(memory.episodes(space="a")) == 2
        # A key belongs to its space.
        memory.add(PIGEONS, space="b", idempotency_key="turn-2")
        assert len(memory.episodes(space="b")) == 1


@pytest.fixture(params=["sqlite", "postgres"])
def memory(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    target = str(tmp_path / "keys.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with Memory.open(target, extractor="turns") as opened:
        yield opened


def test_the_same_key_and_body_return_the_first_result(memory: Memory) -> None:
    first = memory.add([{"role": "user", "content": "I moved to Porto."}], space="keys", idempotency_key="abc")
    second = memory.add([{"role": "user", "content": "I moved to Porto."}], space="keys", idempotency_key="abc")
    assert second.job_id == first.job_id and [e.id for e in second.episodes] == [e.id for e in first.episodes]
    assert second.status == "done" and len(memory.episodes(space="keys")) == 1
    # The same decisions, naming the same memories: a client that lost the first answer learns the ids.
    assert first.decisions and [d.to_dict() for d in second.decisions] == [d.to_dict() for d in first.decisions]
    assert memory.get(second.decisions[0].memory_id or "", space="keys").text == "I moved to Porto."
    with pytest.raises(Conflict):
        memory.add("I moved to Braga.", space="keys", idempotency_key="abc")
    with pytest.raises(Exception, match="idempotency_key"):
        memory.add("I moved to Braga.", space="keys", idempotency_key="")


def test_the_idempotency_key_header(server: Any) -> None:
    key = server.key({"h": "write"})
    body = {"messages": [{"role": "user", "content": "I moved to Porto."}]}
    headers = {**key, "Idempotency-Key": "retry-1"}
    first = server.call("POST", "/v1/spaces/h/add", headers, json=body)
    second = server.call("POST", "/v1/spaces/h/add", headers, json=body)
    assert first.status_code == second.status_code == 200
    assert second.json()["job_id"] == first.json()["job_id"]
    assert second.json()["decisions"] == first.json()["decisions"] and first.json()["decisions"]
    other = server.call("POST", "/v1/spaces/h/add", headers, json={"messages": [{"content": "I moved to Braga."}]})
    assert other.status_code == 409 and "retry-1" in other.json()["error"]["message"]
    listed = server.call("GET", "/v1/spaces/h/memories", key)
    assert len(listed.json()["items"]) == 1
