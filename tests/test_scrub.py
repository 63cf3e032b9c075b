"""A forgetting leaves no copy of its words in the SQLite file, even when the scrub after it cannot run at once.

The scrub (merging FTS5's segments, moving the WAL into the main file and truncating it) runs
after the purge commits. Its pending record is written in the purge's own transaction, so a
process killed in between, or a reader that keeps the WAL busy, only delays it: the next open or
the next write finishes it, and `status` says it is pending meanwhile.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from remem import Memory
from remem.store import sqlite

SECRET = "Quixotrellian"  # a word nothing else in the file holds

KILLED_BEFORE_SCRUB = textwrap.dedent(
    """
    import os, signal, sys
    from remem import Memory
    from remem.store.sqlite import SQLiteStore

    with Memory.open(sys.argv[1], extractor="turns") as mem:
        for i in range(30):
            mem.add(f"note {i}: the {sys.argv[2]} code is under the mat number {i}", space="a")
        mem.add("the weather was mild", space="a")
        # Dead between the purge's commit and its scrub.
        SQLiteStore._scrub = lambda self, conn: os.kill(os.getpid(), signal.SIGKILL)
        print("forgetting", flush=True)
        mem.forget(space="a", ids=[m.id for m in mem.list(space="a", limit=100) if sys.argv[2] in m.text],
                   with_sources=True)
    """
)


def _file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")) if p.is_file())


def test_a_purge_killed_before_its_scrub_is_scrubbed_on_the_next_open(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    child = subprocess.run(
        [sys.executable, "-c", KILLED_BEFORE_SCRUB, str(db), SECRET], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert SECRET.encode() in _file_bytes(db) or SECRET.lower().encode() in _file_bytes(db)  # the scrub did not run
    with Memory.open(db, extractor="turns") as mem:
        assert [m.text for m in mem.list(space="a")] == ["the weather was mild"]  # the purge itself committed
        assert mem.status()["pending_scrubs"] == 0  # finished on open
        retried = mem.forget(space="a", session="nothing-there")  # a client's retry purges nothing...
        assert (retried.memories, retried.episodes) == (0, 0)
    data = _file_bytes(db)
    assert SECRET.lower().encode() not in data.lower()  # ...and nothing was left for it to scrub
    assert b"under the mat" not in data
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM pending_scrubs").fetchone() == (0,)


def test_a_forget_beside_a_reader_answers_at_once_and_scrubs_once_the_reader_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "reader.db"
    with Memory.open(db, extractor="turns") as mem, Memory.open(db, extractor="turns") as other:
        for i in range(20):
            mem.add(f"note {i}: the {SECRET} code is under the mat number {i}", space="a")
        mem.add("the weather was mild", space="a")
        reader = sqlite3.connect(db, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM memories").fetchone() == (21,)  # holds its snapshot
        started = time.monotonic()
        report = mem.forget(
            space="a", ids=[m.id for m in mem.list(space="a", limit=100) if SECRET in m.text], with_sources=True
        )
        assert (report.memories, report.episodes) == (20, 20)
        assert time.monotonic() - started < 5  # not the 30 s busy timeout
        started = time.monotonic()
        other.add("another tenant's turn", space="b")  # other writers are not held up either
        assert time.monotonic() - started < 5
        status = mem.status()
        assert status["pending_scrubs"] == 1 and status["scrubs"][0]["space"] == "a"
        assert mem.status("b")["pending_scrubs"] == 0
        reader.execute("COMMIT")
        reader.close()
        monkeypatch.setattr(sqlite, "SCRUB_RETRY_SECONDS", 0.0)  # look on the very next write
        other.add("a later turn", space="b")  # the next write finishes the scrub
        assert mem.status()["pending_scrubs"] == 0
        assert SECRET.lower().encode() not in _file_bytes(db).lower()
        assert [m.text for m in mem.list(space="a")] == ["the weather was mild"]


def test_the_server_scrubs_a_delayed_forget_once_the_reader_leaves_without_another_write(tmp_path: Path) -> None:
    from tests.server_fixture import Server, free_port

    server = Server(tmp_path / "served.db", free_port(), env={"REMEM_SCRUB_RETRY_SECONDS": "0.5"}).start()
    try:
        key = server.key({"a": "write"})
        for i in range(5):
            server.call("POST", "/v1/spaces/a/add", key, json={"messages": [{"content": f"the {SECRET} code is {i}"}]})
        reader = sqlite3.connect(server.db, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM memories").fetchone() == (5,)  # holds its snapshot
        forgot = server.call("POST", "/v1/spaces/a/forget", key, json={"everything": True})
        assert forgot.status_code == 200 and forgot.json()["memories"] == 5
        time.sleep(1.5)  # the retry loop has looked, and the reader still holds the WAL
        assert server.call("GET", "/v1/spaces/a/status", key).json()["pending_scrubs"] == 1
        reader.execute("COMMIT")
        reader.close()
        deadline = time.monotonic() + 30
        while server.call("GET", "/v1/spaces/a/status", key).json()["pending_scrubs"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.call("GET", "/v1/spaces/a/status", key).json()["pending_scrubs"] == 0  # no write came after
        assert SECRET.lower().encode() not in _file_bytes(server.db).lower()
    finally:
        server.kill()


def test_no_id_or_time_holds_a_forgotten_number_by_chance(tmp_path: Path) -> None:
    """A forgotten PIN must not turn up in the file by chance inside the ids or times of what stays: the
    ids are letters only (and still sort by creation time, after the hex ids of older files), and times
    are stored to the millisecond."""
    from remem.ids import new_id

    made = [new_id("mem") for _ in range(50)]
    assert all(i[len("mem_") :].isalpha() and len(i) == 36 for i in made)
    assert sorted(made) == made  # in the order made, within a millisecond too
    assert made[0] > "mem_01a237eb92f554e933cbff1f5134e25c"  # after an id made before the change
    db = tmp_path / "pins.db"
    with Memory.open(db, extractor="turns") as mem:
        for i in range(200):
            mem.add(f"note {i}: buy oat milk", space="a")
        pin = mem.add("my card PIN is 4471", space="a").decisions[0].memory_id
        assert pin is not None
        mem.forget(space="a", ids=[pin], with_sources=True)
        data = _file_bytes(db)
        assert len(mem.list(space="a", limit=500)) == 200
    ids = re.findall(rb"(?:mem|ep|job)_[0-9a-z]{32}", data)
    assert len(set(ids)) >= 400  # each note's turn and memory, named in several tables
    assert not [i for i in ids if re.search(rb"[0-9]", i)]
    # Nor a time: stored to the millisecond, its only run of four digits is the year.
    assert not re.search(rb"\d\d:\d\d\.\d{4}", data)
    assert b"4471" not in data
