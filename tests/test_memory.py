"""A user's day with the Python API, against a real SQLite file and the real embedding model."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from remem import Conflict, InvalidInput, Memory, NotFound


def test_add_then_search_finds_the_memory_with_its_evidence(mem: Memory) -> None:
    mem.add(
        [{"role": "user", "content": "I moved to Lisbon in March."}],
        space="alice",
        session="s1",
        at="2024-03-02T10:00:00Z",
    )
    mem.add("My favourite food is grilled sardines.", space="alice", session="s1")
    mem.add("I adopted a cat called Miso.", space="alice", session="s2")

    # Words and meaning both point at the move: "where does alice live?" is a near tie with the cat on meaning
    # alone (0.154 against 0.151 where the int8 kernels use AVX-512 VNNI), decided by the CPU's rounding.
    hits = mem.search("which city did alice move to?", space="alice", k=3)

    assert hits[0].memory.text == "I moved to Lisbon in March."
    assert hits[0].episodes[0].content == "I moved to Lisbon in March."
    assert hits[0].episodes[0].session == "s1"
    assert hits[0].episodes[0].event_time == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert hits[0].memory.valid_from == datetime(2024, 3, 2, 10, tzinfo=UTC)
    assert all(0.0 <= h.score <= 1.0 for h in hits)  # relevance, comparable across queries; not the rank


def test_get_with_episodes_shows_where_a_memory_came_from(mem: Memory) -> None:
    added = mem.add("I adopted a cat called Miso.", space="alice", session="s2", at="2024-05-01T09:00:00Z")
    memory_id = added.decisions[0].memory_id

    item, episodes = mem.get(memory_id, space="alice", with_episodes=True)

    assert item == mem.get(memory_id, space="alice")
    assert [(e.id, e.content, e.session) for e in episodes] == [
        (added.episodes[0].id, "I adopted a cat called Miso.", "s2")
    ]
    with pytest.raises(NotFound):
        mem.get(memory_id, space="bob", with_episodes=True)


def test_hybrid_combines_an_exact_keyword_and_a_paraphrase(mem: Memory) -> None:
    texts = [
        "Order number ZX-4471 shipped on Monday.",
        "I feel anxious before job interviews.",
        "The weather was sunny all weekend.",
        "My sister lives in Oslo.",
    ]
    mem.add([{"role": "user", "content": t} for t in texts], space="a")

    lexical = mem.search("ZX-4471", space="a", k=1, mode="lexical")
    dense = mem.search("nervous about interviewing for work", space="a", k=1, mode="dense")
    hybrid_keyword = mem.search("ZX-4471", space="a", k=1)
    hybrid_paraphrase = mem.search("nervous about interviewing for work", space="a", k=1)

    assert lexical[0].memory.text == texts[0] and lexical[0].lexical_rank == 1
    assert dense[0].memory.text == texts[1] and dense[0].dense_rank == 1
    assert hybrid_keyword[0].memory.text == texts[0]
    assert hybrid_paraphrase[0].memory.text == texts[1]


def test_update_keeps_every_version_with_who_when_and_why(mem: Memory) -> None:
    first = mem.add("I work at Acme.", space="bob").decisions[0].memory_id
    mem.update(first, space="bob", text="I work at Globex.", reason="changed jobs", actor="bob")
    mem.update(first, space="bob", tags=["work"], reason="tagged")

    versions = mem.history(first, space="bob")

    assert [(v.version, v.operation, v.text) for v in versions] == [
        (1, "ADD", "I work at Acme."),
        (2, "UPDATE", "I work at Globex."),
        (3, "UPDATE", "I work at Globex."),
    ]
    assert versions[1].reason == "changed jobs" and versions[1].actor == "bob"
    assert versions[2].tags == ["work"]
    assert versions[0].recorded_at <= versions[1].recorded_at <= versions[2].recorded_at
    assert mem.get(first, space="bob").version == 3
    # The new text is what search sees now; the old text is only history.
    assert mem.search("Globex", space="bob", mode="lexical")[0].memory.id == first
    assert mem.search("Acme", space="bob", mode="lexical") == []


def test_as_of_shows_what_was_valid_then(mem: Memory) -> None:
    lisbon = mem.add("I live in Lisbon.", space="c", at="2020-01-01").decisions[0].memory_id
    mem.update(lisbon, space="c", valid_to="2022-06-01", reason="moved away")
    porto = mem.add("I live in Porto.", space="c", at="2022-06-01").decisions[0].memory_id

    def found(as_of: str | None) -> set[str]:
        return {h.memory.id for h in mem.search("where do I live", space="c", k=5, as_of=as_of)}

    assert found("2021-05-05") == {lisbon}
    assert found("2023-01-01") == {porto}
    assert found("2019-01-01") == set()
    assert found(None) == {porto}  # the expired fact is hidden from a plain search
    assert {h.memory.id for h in mem.search("live", space="c", include_expired=True)} == {lisbon, porto}


def test_an_update_with_a_later_valid_from_keeps_the_old_value_as_of_the_past(db_path: Path) -> None:
    # The README's example: the user's fact moves on; "as of" April still says Lisbon.
    with Memory.open(db_path) as mem:
        mem.add(
            [{"role": "user", "name": "Alice", "content": "I moved to Lisbon in March."}], space="a", at="2024-03-02"
        )
        fact = mem.search("where does alice live?", space="a")[0].memory  # lower case names Alice all the same
        assert (fact.kind, fact.metadata["claims"]) == ("event", {"residence": "Lisbon"})
        mem.update(fact.id, space="a", text="Alice moved to Porto in May.", valid_from="2024-05-01", reason="moved")

        def texts(as_of: str | None) -> list[str]:
            return [h.memory.text for h in mem.search("where does alice live?", space="a", as_of=as_of)]

        assert texts("2024-04-01") == ["Alice moved to Lisbon in March (March 2024)."]
        assert texts(None) == ["Alice moved to Porto in May."]
        # A correction (no later valid_from) rewrites in place: no closed copy is kept.
        mem.update(fact.id, space="a", text="Alice moved to Porto in June.", reason="typo")
        assert len(mem.list(space="a", include_expired=True)) == 3  # turn, Porto fact, Lisbon as it was
        assert [v.operation for v in mem.history(fact.id, space="a")] == ["ADD", "UPDATE", "UPDATE"]


def test_delete_retires_but_keeps_history(mem: Memory) -> None:
    memory_id = mem.add("I am allergic to peanuts.", space="d", at="2023-01-01").decisions[0].memory_id
    retired = mem.delete(memory_id, space="d", reason="outgrew it")

    assert retired.valid_to is not None
    assert mem.search("peanuts allergy", space="d") == []
    assert mem.search("peanuts allergy", space="d", as_of="2024-01-01")[0].memory.id == memory_id
    assert [v.operation for v in mem.history(memory_id, space="d")] == ["ADD", "DELETE"]
    assert mem.list(space="d") == [] and len(mem.list(space="d", include_expired=True)) == 1


def test_forget_purges_text_from_tables_indexes_and_the_file(mem: Memory, db_path: Path) -> None:
    secret = "My bank PIN is 90817 zanzibarite"
    keep = mem.add("I like tea.", space="e", at="2024-05-01").decisions[0].memory_id
    gone = mem.add(secret, space="e", at="2023-01-01").decisions[0].memory_id
    mem.update(gone, space="e", text=secret + " (really)")

    report = mem.forget(space="e", before="2024-01-01")

    assert (report.memories, report.episodes, report.versions) == (1, 1, 2)
    with pytest.raises(NotFound):
        mem.get(gone, space="e")
    assert mem.get(keep, space="e").text == "I like tea."
    raw = sqlite3.connect(db_path)
    for table, column in [("memories", "text"), ("memory_versions", "text"), ("episodes", "content")]:
        assert raw.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE '%zanzibarite%'").fetchone()[0] == 0
    raw.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, memories_fts, row)")
    terms = {r[0] for r in raw.execute("SELECT term FROM temp.vocab")}
    assert "zanzibarit" not in terms and "90817" not in terms and "tea" in terms
    assert raw.execute("SELECT count(*) FROM memory_vectors").fetchone()[0] == 1
    raw.close()
    mem.close()
    for file in db_path.parent.glob(db_path.name + "*"):
        assert b"zanzibarite" not in file.read_bytes(), file


def test_another_spaces_ids_look_unknown_and_change_nothing(mem: Memory) -> None:
    theirs = mem.add("Carol's passport number is X123.", space="carol").decisions[0].memory_id
    for call in (
        lambda: mem.get(theirs, space="dave"),
        lambda: mem.history(theirs, space="dave"),
        lambda: mem.update(theirs, space="dave", text="hijacked"),
        lambda: mem.delete(theirs, space="dave"),
        lambda: mem.forget(space="dave", ids=[theirs]),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        assert "dave" in str(caught.value) and "X123" not in str(caught.value)
    assert mem.search("passport", space="dave") == []
    assert mem.get(theirs, space="carol").text == "Carol's passport number is X123."
    assert [v.operation for v in mem.history(theirs, space="carol")] == ["ADD"]


def test_reopen_after_close_keeps_everything(db_path: Path) -> None:
    with Memory.open(db_path, extractor="turns") as first:
        memory_id = first.add("The wifi password is hunter2.", space="f").decisions[0].memory_id
        first.update(memory_id, space="f", text="The wifi password is hunter3.")
    with Memory.open(db_path, extractor="turns") as again:
        assert again.get(memory_id, space="f").version == 2
        assert again.search("wifi password", space="f")[0].memory.id == memory_id
        assert len(again.history(memory_id, space="f")) == 2
        assert again.stats("f")["episodes"] == 1


def test_bad_input_is_refused_precisely_and_stores_nothing(mem: Memory) -> None:
    mem.add("baseline", space="g")
    before = mem.stats("g")
    cases = [
        (lambda: mem.add("", space="g"), "empty"),
        (lambda: mem.add("x" * 40_000, space="g"), "limit"),
        (lambda: mem.add("hi", space="g", at="last tuesday"), "ISO-8601"),
        (lambda: mem.add([{"role": "robot", "content": "hi"}], space="g"), "role"),
        (lambda: mem.add([{"content": "hi", "colour": "red"}], space="g"), "unknown fields"),
        (lambda: mem.add([{"content": 42}], space="g"), "string"),
        (lambda: mem.add([], space="g"), "empty"),
        (lambda: mem.add("hi", space="bad space!"), "space"),
        (lambda: mem.search("hi", space="g", k=0), "k"),
        (lambda: mem.search("hi", space="g", k=10_000), "k"),
        (lambda: mem.search("hi", space="g", as_of="yesterday-ish"), "as_of"),
        (lambda: mem.search("hi", space="g", kinds=["gossip"]), "kind"),
        (lambda: mem.update("mem_x", space="g"), "not found"),
    ]
    for call, phrase in cases:
        with pytest.raises((InvalidInput, NotFound)) as caught:
            call()
        assert phrase in str(caught.value), (phrase, str(caught.value))
    assert mem.stats("g") == before


def test_query_syntax_is_inert(mem: Memory) -> None:
    mem.add('He said "foo" OR bar * NEAR(x) -- DROP TABLE memories;', space="h")
    for query in ['"foo" OR', "*", '"', "NEAR(", "'; DROP TABLE memories; --", "foo AND NOT"]:
        hits = mem.search(query, space="h")
        assert all(h.memory.space == "h" for h in hits)
    assert mem.search("foo bar", space="h", mode="lexical")[0].memory.text.startswith("He said")
    assert mem.stats("h")["memories"] == 1


def test_a_store_refuses_a_different_embedder(db_path: Path) -> None:
    with Memory.open(db_path, extractor="turns") as first:
        first.add("hello", space="i")

    class Other:
        name, dim = "other-model", 8

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

    with pytest.raises(Conflict, match="minilm"):
        Memory.open(db_path, embedder=Other())


def test_export_then_import_round_trips_a_space(mem: Memory, tmp_path: Path) -> None:
    memory_id = mem.add("I play the cello.", space="j", session="s", at="2022-02-02").decisions[0].memory_id
    mem.update(memory_id, space="j", text="I play the cello and the viola.")
    path = tmp_path / "j.jsonl"
    assert mem.export_to("j", path) == 2

    with Memory.open(tmp_path / "other.db", extractor="turns") as other:
        import json

        counts = other.import_records([json.loads(line) for line in path.read_text().splitlines()])
        assert counts == {"episodes": 1, "memories": 1}
        assert [v.text for v in other.history(memory_id, space="j")] == [
            "I play the cello.",
            "I play the cello and the viola.",
        ]
        assert other.search("viola", space="j")[0].memory.id == memory_id
        assert other.episodes(space="j")[0].content == "I play the cello."
        with pytest.raises(Conflict):
            other.import_records([json.loads(line) for line in path.read_text().splitlines()])
        assert other.stats("j")["memories"] == 1


def test_forget_with_sources_takes_the_turns_a_memory_came_from(mem: Memory) -> None:
    first = mem.add("My bank PIN is 9911.", space="p", session="s1").decisions[0].memory_id
    mem.add("I walk the dog at seven.", space="p", session="s1")
    with pytest.raises(InvalidInput, match="with_sources needs ids"):
        mem.forget(space="p", with_sources=True)
    with pytest.raises(InvalidInput, match="with_sources must be true or false"):
        mem.forget(space="p", ids=[first or ""], with_sources="yes")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="everything must be true or false"):
        mem.forget(space="p", everything="no")  # type: ignore[arg-type]
    assert len(mem.store.list_episodes("p")) == 2  # refused calls changed nothing
    report = mem.forget(space="p", ids=[first or ""], with_sources=True)
    assert (report.memories, report.episodes) == (1, 1)
    assert [e.content for e in mem.store.list_episodes("p")] == ["I walk the dog at seven."]
    assert [h.memory.text for h in mem.search("PIN 9911", space="p", include_expired=True)] == [
        "I walk the dog at seven."
    ]
