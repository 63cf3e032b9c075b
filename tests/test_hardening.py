"""Bad input is refused before anything is stored, and a space stays readable whatever its rows hold.

Each story runs against a real SQLite file and a real PostgreSQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from remem import Memory
from remem.errors import Conflict, InvalidInput, NotFound
from remem.store.forgotten import FORGOTTEN_REASON
from remem.store.sqlite import SQLiteStore
from remem.timeutil import now
from remem.write.pipeline import version_record


@pytest.fixture(params=["sqlite", "postgres"])
def memory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Memory]:
    target = str(tmp_path / "hardening.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    with Memory.open(target, extractor="turns") as opened:
        yield opened


def _nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"a": value}
    return value


def _counts(memory: Memory) -> tuple[int, int, int]:
    stats = memory.stats()
    return stats["episodes"], stats["memories"], stats["versions"]


def _readable(memory: Memory, space: str) -> None:
    """Every read of the space answers, and what it answers can be sent as UTF-8 JSON."""
    json.dumps([m.to_dict() for m in memory.list(space=space)], ensure_ascii=False).encode()
    json.dumps([h.to_dict() for h in memory.search("lisbon", space=space)], ensure_ascii=False).encode()
    json.dumps([e.to_dict() for e in memory.episodes(space=space)], ensure_ascii=False).encode()
    json.dumps(list(memory.export(space)), ensure_ascii=False).encode()


def test_a_refused_write_stores_nothing_and_says_what_was_wrong(memory: Memory) -> None:
    memory_id = memory.add("I moved to Lisbon in March.", space="a", at="2024-03-02").decisions[0].memory_id
    assert memory_id is not None
    before = _counts(memory)
    refused: list[tuple[Any, str]] = [
        (lambda: memory.add([{"content": "x", "metadata": {"k": "\ud800"}}], space="a"), "lone surrogate"),
        (lambda: memory.add([{"content": "x", "metadata": {"\udfff": 1}}], space="a"), "lone surrogate"),
        (lambda: memory.add("caf\udce9", space="a"), "messages[0].content contains a lone surrogate"),
        (lambda: memory.add([{"content": "x", "name": "Ana\ud800"}], space="a"), "messages[0].name"),
        (lambda: memory.add([{"content": "x", "name": "A\x00na"}], space="a"), "messages[0].name contains a NUL"),
        (lambda: memory.add("x", space="a", session="s\x00"), "session contains a NUL"),
        (lambda: memory.add("x", space="a", session="s\ud800"), "session contains a lone surrogate"),
        (lambda: memory.add("x", space="a", at="0999-12-31"), "at must be between 1000-01-01 and 9999-12-31"),
        (lambda: memory.add("x", space="a", at="0001-01-01T00:00:00+01:00"), "at must be between"),
        (lambda: memory.add("x", space="a", at="9999-12-31T23:00:00-05:00"), "at must be between"),
        (lambda: memory.add([{"content": "x", "at": "0500-01-01"}], space="a"), "messages[0].at must be between"),
        (lambda: memory.add([{"content": "x", "metadata": _nested(400)}], space="a"), "nested more than 32 levels"),
        (lambda: memory.add("x", space="a", metadata=_nested(40)), "metadata is nested more than 32 levels"),
        (lambda: memory.add([{"content": "x", "metadata": {"n": float("nan")}}], space="a"), "must be finite"),
        (lambda: memory.add([{"content": "x", "metadata": {"t": {1, 2}}}], space="a"), "JSON values only"),
        (lambda: memory.add([{"content": "x", "metadata": {"k": "v" * 70_000}}], space="a"), "the limit is 64000"),
        (lambda: memory.add("x", space="a\n"), "not a valid name"),
        (lambda: memory.update(memory_id, space="a", valid_from="0999-01-01"), "valid_from must be between"),
        (lambda: memory.update(memory_id, space="a", valid_to="0001-01-01T00:00:00+01:00"), "valid_to must be"),
        (lambda: memory.update(memory_id, space="a", tags=["ok", "\ud800"]), "tags[1] contains a lone surrogate"),
        (lambda: memory.update(memory_id, space="a", text="new \udc80 text"), "text contains a lone surrogate"),
        (lambda: memory.update(memory_id, space="a", text="x", reason="why\ud800"), "reason contains"),
        (lambda: memory.update(memory_id, space="a", tags=[f"t{i}" for i in range(101)]), "the limit is 100"),
        (lambda: memory.delete(memory_id, space="a", reason="\x00"), "reason contains a NUL"),
        (lambda: memory.forget(space="a", session="s\ud800"), "session contains a lone surrogate"),
        (lambda: memory.forget(space="a", ids=["mem_\ud800"]), "ids[0] contains a lone surrogate"),
        (lambda: memory.forget(space="a", before="0001-01-01T00:00:00+01:00"), "before must be between"),
    ]
    for call, message in refused:
        with pytest.raises(InvalidInput, match=message.replace("[", r"\[").replace("]", r"\]")):
            call()
    assert _counts(memory) == before
    assert memory.get(memory_id, space="a").valid_from is not None
    assert [v.operation for v in memory.history(memory_id, space="a")] == ["ADD"]
    _readable(memory, "a")


def test_searches_with_bad_filters_are_refused_not_crashed(memory: Memory) -> None:
    memory.add("I moved to Lisbon in March.", space="a", at="2024-03-02")
    for field in ("since", "until", "as_of"):
        with pytest.raises(InvalidInput, match=f"{field} must be between"):
            memory.search("lisbon", space="a", **{field: "0001-01-01T00:00:00+01:00"})
    with pytest.raises(InvalidInput, match="session contains a lone surrogate"):
        memory.search("lisbon", space="a", session="\ud800")
    with pytest.raises(InvalidInput, match=r"tags\[0\] contains a lone surrogate"):
        memory.search("lisbon", space="a", tags=["\ud800"])
    with pytest.raises(InvalidInput, match="tags has 60000 entries; the limit is 100"):
        memory.search("lisbon", space="a", tags=[f"t{i}" for i in range(60_000)])
    with pytest.raises(InvalidInput, match="query contains a lone surrogate"):
        memory.search("lis\ud800bon", space="a")
    with pytest.raises(InvalidInput, match="memory id contains a lone surrogate"):
        memory.get("mem_\ud800", space="a")
    # The edges of the range are accepted, and a far-future valid_to stays searchable as of the past.
    memory_id = memory.search("lisbon", space="a")[0].memory.id
    memory.update(memory_id, space="a", valid_to="9999-12-31")
    assert memory.search("lisbon", space="a", as_of="1000-01-01T00:00:00Z") == []
    assert [h.memory.id for h in memory.search("lisbon", space="a", as_of="2024-06-01")] == [memory_id]


def test_a_date_said_in_text_past_the_storable_range_is_read_as_words(tmp_path: Path) -> None:
    """Found by the attack sweep: "yesterday" said on 1000-01-01 resolved to 999-12-31, which was stored
    as text no read could parse (the memory vanished from list and search), and "9999 years
    smoke-free" overflowed in extraction, failing the add's job on every retry."""
    said = [
        ("Yesterday I moved to Lisbon.", "1000-01-01"),
        ("I've been 3 years smoke-free.", "1000-06-01"),
        ("I've been 9999 years smoke-free.", None),
        ("I've been " + "9" * 5_000 + " years smoke-free.", None),
        ("Tomorrow I move to Porto.", "9999-12-31T12:00:00"),
    ]
    with Memory.open(tmp_path / "dates.db", extractor="rules") as memory:
        for text, at in said:
            result = memory.add(text, space="a", at=at)
            assert (result.status, result.error) == ("done", None), text[:40]
        stored = memory.stats("a")["memories"]
        listed = memory.list(space="a", include_expired=True)
        assert len(listed) == stored and stored >= len(said)
        assert all(m.valid_from is None or m.valid_from.year >= 1000 for m in listed)
        assert memory.import_records(list(memory.export("a")), space="copy")["memories"] == stored
        assert memory.status("a")["failed"] == 0


def test_reads_skip_a_row_they_cannot_render(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Rows an older version stored (a lone surrogate in JSON, a year SQLite's text form cannot parse back,
    metadata nested 900 deep) are logged and skipped; the rest of the space reads as before."""
    path = tmp_path / "old.db"
    with Memory.open(path, extractor="turns") as memory:
        ids = [memory.add(text, space="a").decisions[0].memory_id for text in ("Lisbon one.", "Lisbon two.")]
        good = memory.add("Lisbon is where I live.", space="a").decisions[0].memory_id
    deep = json.dumps(_nested(900))
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(r"""UPDATE episodes SET metadata = '{"k": "\ud800"}' WHERE content = 'Lisbon one.'""")
        conn.execute(r"""UPDATE memories SET metadata = '{"k": "\ud800"}' WHERE id = ?""", (ids[0],))
        conn.execute("UPDATE episodes SET event_time = '999-12-31T00:00:00.000000Z' WHERE content = 'Lisbon two.'")
        conn.execute(
            "UPDATE memories SET valid_from = '999-12-31T00:00:00.000000Z', metadata = ? WHERE id = ?", (deep, ids[1])
        )
        conn.execute("UPDATE memory_versions SET tags = '[\"\\udc80\"]' WHERE memory_id = ?", (ids[1],))
    with Memory.open(path, extractor="turns") as memory:
        assert [m.id for m in memory.list(space="a")] == [good]
        assert [h.memory.id for h in memory.search("lisbon", space="a")] == [good]
        assert [e.content for e in memory.episodes(space="a")] == ["Lisbon is where I live."]
        assert [r["id"] for r in memory.export("a") if r["type"] == "memory"] == [good]
        _readable(memory, "a")
        for broken in ids:
            with pytest.raises(NotFound, match="cannot be read"):
                memory.get(broken or "", space="a")
        assert memory.history(ids[1] or "", space="a") == []
        memory.forget(space="a", everything=True)  # a space with bad rows can still be emptied
        assert memory.stats("a")["memories"] == 0
    assert "which cannot be read back" in caplog.text


def test_import_checks_every_record_like_add_and_update(memory: Memory, tmp_path: Path) -> None:
    memory_id = memory.add("I play the cello.", space="j", at="2022-02-02").decisions[0].memory_id
    records = list(memory.export("j"))
    memory.forget(space="j", everything=True)
    episode = next(r for r in records if r["type"] == "episode")
    item = next(r for r in records if r["type"] == "memory")
    text_limit = memory.settings.max_text_chars
    memory_limit = text_limit + 258  # a turn's text carries its speaker's name, up to 256 characters, and ": "

    def with_changes(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
        return {**record, **changes}

    version = item["versions"][0]
    bad = [
        ([with_changes(episode, content="x" * (text_limit + 1))], f"the limit is {text_limit}"),
        ([with_changes(item, text="x" * (memory_limit + 1))], f"the limit is {memory_limit}"),
        ([with_changes(item, text="nul \x00 inside")], "text contains a NUL"),
        ([with_changes(item, text="caf\udce9")], "text contains a lone surrogate"),
        ([with_changes(item, kind="gossip")], "kind 'gossip' is not one of"),
        ([with_changes(item, strength="nan")], "strength must be a finite number"),
        ([with_changes(item, strength=float("inf"))], "strength must be a finite number"),
        ([with_changes(item, version=2**63)], "version must be an integer between 1 and 2147483647"),
        ([with_changes(item, metadata=_nested(100))], "nested more than 32 levels"),
        ([with_changes(item, valid_from="0001-01-01T00:00:00+01:00")], "valid_from must be between"),
        ([with_changes(item, versions=[{**version, "memory_id": "mem_other"}])], "must be " + repr(memory_id)),
        ([with_changes(item, versions=[{**version, "operation": "GOSSIP"}])], "operation 'GOSSIP' is not one of"),
        ([with_changes(item, versions=[{**version, "version": 2**63}])], r"versions\[0\]\.version must be"),
        ([with_changes(episode, role="wizard")], "role 'wizard' is not one of"),
        ([with_changes(episode, session="s\x00")], "session contains a NUL"),
        ([with_changes(episode, event_time="0999-12-31")], "event_time must be between"),
        ([with_changes(episode, metadata={"k": "\ud800"})], "lone surrogate"),
        ([episode, item, with_changes(episode, content="another")], "has the id .* of record 1"),
        ([episode, item, with_changes(item, text="another")], "has the id .* of record 2"),
        ([{k: v for k, v in item.items() if k != "created_at"}], "created_at is missing"),
    ]
    for batch, message in bad:
        with pytest.raises(InvalidInput, match=message):
            memory.import_records(batch, space="j")
        assert _counts(memory) == (0, 0, 0), message  # all or nothing
    assert memory.import_records(records, space="j") == {"episodes": 1, "memories": 1}
    with pytest.raises(Conflict):
        memory.import_records(records, space="j")


def test_a_turn_at_the_text_limit_by_a_named_speaker_exports_and_imports_back(memory: Memory) -> None:
    """Found by the server's add property: the turn's memory reads "name: content", past the text
    limit a caller may write, and import refused what export had written."""
    content, name = "x" * memory.settings.max_text_chars, "n" * 256
    memory.add([{"content": content, "name": name}], space="k")
    assert memory.import_records(list(memory.export("k")), space="copy") == {"episodes": 1, "memories": 1}
    assert [m.text for m in memory.list(space="copy")] == [f"{name}: {content}"]


def test_an_episode_with_shared_and_own_metadata_at_the_limit_exports_and_imports_back(memory: Memory) -> None:
    """Found by the server's add property: an episode keeps the add's metadata merged with its
    message's, each within 64,000 characters of JSON, and import refused the merge as too large."""
    own, shared = {"big": "m" * 63_989}, {"other": "o" * 63_987}  # 64,000 characters of JSON each
    memory.add([{"content": "hello there", "metadata": own}], space="m", metadata=shared)
    assert memory.import_records(list(memory.export("m")), space="copy") == {"episodes": 1, "memories": 1}
    assert [e.metadata for e in memory.episodes(space="copy")] == [{**shared, **own}]


def _renamed(records: list[dict[str, Any]], suffix: str) -> list[dict[str, Any]]:
    """The same records under ids nobody holds."""
    out = []
    for r in records:
        record = {**r, "id": r["id"] + suffix}
        if r["type"] == "memory":
            record["source_episode_ids"] = [e + suffix for e in r["source_episode_ids"]]
            record["versions"] = [{**v, "memory_id": record["id"], "episode_id": None} for v in r["versions"]]
        out.append(record)
    return out


def test_an_id_held_by_another_space_imports_like_an_unknown_one(memory: Memory) -> None:
    """No oracle: whether another space holds an id, the import into my space answers the same."""
    theirs = memory.add("Their secret plan.", space="them").decisions[0].memory_id or ""
    seen = list(memory.export("them"))  # their records, as if I had seen their ids somewhere
    assert memory.import_records(_renamed(seen, "0"), space="me") == {"episodes": 1, "memories": 1}
    assert memory.import_records(seen, space="me") == {"episodes": 1, "memories": 1}
    assert memory.get(theirs, space="them").text == "Their secret plan."  # theirs untouched
    assert [m.id for m in memory.list(space="them")] == [theirs]
    imported = memory.list(space="me")
    assert len(imported) == 2 and all(m.text == "Their secret plan." for m in imported)
    for item in imported:  # every imported memory still leads to its own turn and history
        assert [e.content for e in memory.store.get_episodes("me", item.source_episode_ids)] == ["Their secret plan."]
        assert [v.memory_id for v in memory.history(item.id, space="me")] == [item.id]
    memory.forget(space="me", everything=True)
    assert memory.get(theirs, space="them").text == "Their secret plan."


def test_forgetting_a_statement_scrubs_its_words_from_the_history_it_closed(memory: Memory) -> None:
    old = memory.add("Ana eats meat every day.", space="p", session="s1").decisions[0].memory_id or ""
    said = memory.add("Ana no longer eats meat, zucchini forever.", space="p", session="s2")
    new = said.decisions[0].memory_id or ""
    # What the reconciler writes when the new statement contradicts the old fact: the old one is closed,
    # and its history quotes the statement that closed it (see remem.write.pipeline, SUPERSEDE).
    current = memory.get(old, space="p")
    closed = replace(current, valid_to=now(), version=current.version + 1, updated_at=now())
    reason = f"contradicts {old} (Ana eats meat every day): Ana no longer eats meat, zucchini forever"
    memory.store.update_memory(
        closed, None, version_record(closed, "DELETE", reason, "reconciler", said.episodes[0].id)
    )
    memory.forget(space="p", ids=[new], with_sources=True)
    left = memory.history(old, space="p")
    assert [v.operation for v in left] == ["ADD", "DELETE"]
    assert left[1].reason == FORGOTTEN_REASON and left[1].episode_id is None
    assert "zucchini" not in json.dumps(list(memory.export("p")))


def test_forgetting_a_memory_scrubs_reasons_that_name_or_quote_it(memory: Memory) -> None:
    old = memory.add("Ana works at the bakery on Elm Street.", space="q").decisions[0].memory_id or ""
    new = memory.add("Ana works at the library now.", space="q").decisions[0].memory_id or ""
    memory.update(new, space="q", text="Ana works at the library.", reason=f"replaces {old}")
    memory.update(
        new, space="q", text="Ana works at the city library.", reason="was: Ana works at the bakery on Elm Street"
    )
    memory.forget(space="q", ids=[old])
    reasons = [v.reason for v in memory.history(new, space="q")]
    assert reasons[0] != FORGOTTEN_REASON and reasons[1:] == [FORGOTTEN_REASON, FORGOTTEN_REASON]


def test_bad_database_paths_and_files_are_one_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InvalidInput, match="is a folder"):
        Memory.open(tmp_path)
    with pytest.raises(InvalidInput, match="file is not a database"):
        Memory.open(garbage)
    with pytest.raises(InvalidInput, match="does not exist; create it first"):
        Memory.open(tmp_path / "no" / "such" / "folder.db")
    assert not (tmp_path / "no").exists()
    with pytest.raises(InvalidInput, match="does not exist; create it first"):
        SQLiteStore("/remem-test-nowhere/x.db")
    assert not Path("/remem-test-nowhere").exists()
    with pytest.raises(InvalidInput, match="unable to open database file"):
        Memory.open("/proc/remem.db")  # a place nothing can be written, even for root
    with Memory.open(tmp_path / "new" / "first.db", extractor="turns") as fresh:  # one missing folder is made
        assert fresh.stats()["memories"] == 0


class _InterruptedOnce:
    """An extraction the user stops with Ctrl-C the first time."""

    name = "interrupted"

    def __init__(self) -> None:
        self.interrupted = False

    def extract(self, episodes: Any, recent: Any) -> Any:
        from remem.write.extract import TurnExtractor

        if not self.interrupted:
            self.interrupted = True
            raise KeyboardInterrupt
        return TurnExtractor().extract(episodes, recent)


def test_ctrl_c_during_extraction_leaves_a_retryable_job_not_a_running_one(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "ctrl-c.db", extractor=_InterruptedOnce()) as memory:
        with pytest.raises(KeyboardInterrupt):
            memory.add("I moved to Lisbon in March.", space="a")
        status = memory.status("a")
        assert (status["running"], status["failed"]) == (0, 1)
        assert "interrupted (Ctrl-C)" in status["failed_jobs"][0]["error"]
        assert len(memory.episodes(space="a")) == 1 and memory.list(space="a") == []  # the turn is kept
        assert memory.retry(space="a") == 1
        assert memory.process_pending(space="a")["done"] == 1
        assert [m.text for m in memory.list(space="a")] == ["I moved to Lisbon in March."]
