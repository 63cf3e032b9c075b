"""Stories of memory staying true, with the offline extractor and reconciler (no LLM)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from remem import Memory


@pytest.fixture
def rules(db_path: Path) -> Iterator[Memory]:
    with Memory.open(db_path, extractor="rules") as memory:
        yield memory


def facts(mem: Memory, space: str, **kw: object) -> list[str]:
    return sorted(m.text for m in mem.list(space=space, kinds=["fact", "preference", "event"], **kw))  # type: ignore[arg-type]


def test_a_user_moves_city_twice(rules: Memory) -> None:
    rules.add([{"role": "user", "name": "Ana", "content": "I live in Lisbon."}], space="ana", at="2020-01-10")
    rules.add([{"role": "user", "name": "Ana", "content": "I moved to Porto."}], space="ana", at="2022-03-01")
    result = rules.add([{"role": "user", "name": "Ana", "content": "I moved to Berlin."}], space="ana", at="2024-05-01")

    facts = rules.list(space="ana", kinds=["fact", "event"], include_expired=True)
    assert sorted((m.text, str(m.valid_to)[:10]) for m in facts) == [
        ("Ana lives in Lisbon.", "2022-03-01"),
        ("Ana moved to Berlin.", "None"),
        ("Ana moved to Porto.", "2024-05-01"),
    ]
    [porto] = [m for m in facts if "Porto" in m.text]
    assert [v.operation for v in rules.history(porto.id, space="ana")] == ["ADD", "DELETE"]
    assert rules.history(porto.id, space="ana")[1].reason == "changed: residence Porto -> Berlin"
    assert [d.operation for d in result.decisions if d.operation != "ADD"] == ["DELETE"]

    def where(as_of: str) -> list[str]:
        hits = rules.search("where does Ana live", space="ana", as_of=as_of, kinds=["fact", "event"])
        return [h.memory.text for h in hits]

    assert where("2021-06-01") == ["Ana lives in Lisbon."]
    assert where("2023-06-01") == ["Ana moved to Porto."]
    assert where("2025-01-01") == ["Ana moved to Berlin."]
    assert [h.memory.text for h in rules.search("where does Ana live", space="ana", kinds=["fact", "event"])] == [
        "Ana moved to Berlin."
    ]


def test_the_same_fact_said_three_times_is_one_memory(rules: Memory) -> None:
    for day in ("2024-01-01", "2024-02-01", "2024-03-01"):
        rules.add([{"role": "user", "name": "Bo", "content": "My favourite food is ramen."}], space="bo", at=day)

    assert facts(rules, "bo") == ["Bo's favourite food is ramen."]
    [memory] = rules.list(space="bo", kinds=["preference"])
    assert [v.operation for v in rules.history(memory.id, space="bo")] == ["ADD", "NOOP", "NOOP"]
    assert len(memory.source_episode_ids) == 3  # every saying is kept as evidence
    assert len(rules.list(space="bo", kinds=["turn"])) == 3  # and every turn is still there


def test_no_longer_eating_meat_closes_the_fact_it_contradicts(rules: Memory) -> None:
    rules.add(
        [{"role": "user", "name": "Cy", "content": "I love eating steak on Fridays."}], space="cy", at="2023-01-01"
    )
    result = rules.add(
        [{"role": "user", "name": "Cy", "content": "I no longer eat meat."}], space="cy", at="2024-01-01"
    )

    decisions = [(d.operation, d.text) for d in result.decisions]
    assert ("ADD", "Cy no longer eats meat.") in decisions
    assert [op for op, text in decisions if "steak" in text] == ["DELETE"]
    assert facts(rules, "cy") == ["Cy no longer eats meat."]
    steak = [m for m in rules.list(space="cy", include_expired=True) if "steak" in m.text and m.kind != "turn"][0]
    assert steak.valid_to is not None and steak.valid_to.year == 2024
    assert "contradicts" in rules.history(steak.id, space="cy")[-1].reason
    # Still true as of the past.
    past = rules.search("what does Cy eat", space="cy", as_of="2023-06-01", kinds=["preference", "fact", "event"])
    assert [h.memory.id for h in past] == [steak.id]


def test_relative_dates_are_resolved_against_when_they_were_said(rules: Memory) -> None:
    rules.add(
        [{"role": "user", "name": "Di", "content": "I went to a pottery class yesterday."}],
        space="di",
        at="2023-05-08T13:56:00Z",
    )
    [event] = rules.list(space="di", kinds=["event"])
    assert event.text == "Di went to a pottery class yesterday (7 May 2023)."
    assert event.valid_from is not None and event.valid_from.date().isoformat() == "2023-05-07"
    assert "pottery" in event.keywords


def test_forget_request_purges_what_it_names(rules: Memory) -> None:
    rules.add([{"role": "user", "name": "Ed", "content": "My locker code is 4471 at the gym."}], space="ed")
    assert any("4471" in m.text for m in rules.list(space="ed", kinds=["fact"]))
    result = rules.add(
        [{"role": "user", "name": "Ed", "content": "Please forget my locker code at the gym."}], space="ed"
    )
    assert "PURGE" in [d.operation for d in result.decisions]
    assert not any("4471" in m.text for m in rules.list(space="ed", kinds=["fact"], include_expired=True))


def test_forgetting_a_fact_forgets_the_turns_that_said_it(rules: Memory, db_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    said = [
        ("Ed", "I joined a climbing gym downtown."),
        ("Ed", "My locker code is 4471 at the gym."),
        ("Ed", "I love hiking in the Alps with my brother."),
        ("Ed", "My brother lives in Zurich and climbs every weekend."),
        ("Ed", "We are planning a climbing trip to the Dolomites in June."),
    ]
    rules.add([{"role": "user", "name": n, "content": c} for n, c in said], space="ed", session="s1", at="2024-01-05")
    [before] = rules.list(space="ed", kinds=["summary"])
    assert len(before.source_episode_ids) == 5
    result = rules.add(
        [{"role": "user", "name": "Ed", "content": "Please forget my locker code at the gym."}],
        space="ed",
        session="s2",
        at="2024-02-01",
    )
    # the code's turn is redacted in place, the request's turn too; the other turns and facts stay
    assert {d.operation for d in result.decisions} <= {"PURGE", "ADD", "UPDATE"}
    everything = rules.list(space="ed", include_expired=True, limit=100)
    assert not [m.text for m in everything if "4471" in m.text or "locker" in m.text.lower()]
    assert "Ed loves hiking in the Alps with Ed's brother." in [m.text for m in everything]  # the rest stays
    assert any("climbing gym downtown" in m.text for m in everything)  # another fact about the gym stays
    hits = rules.search("locker code 4471", space="ed", include_expired=True)
    assert hits and not [h for h in hits if "4471" in h.memory.text or any("4471" in e.content for e in h.episodes)]
    contents = [e.content for e in rules.store.list_episodes("ed")]
    assert contents == [c if "4471" not in c else "[forgotten]" for n, c in said] + ["[forgotten]"]
    rules.close()
    with closing(sqlite3.connect(db_path)) as conn:  # nothing left in the raw tables or the FTS index
        for table, column in (("episodes", "content"), ("memories", "text"), ("memory_versions", "text")):
            assert conn.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE '%4471%'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM memory_versions WHERE reason LIKE '%locker%'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM memories_fts WHERE memories_fts MATCH '4471'").fetchone()[0] == 0
    with Memory.open(db_path, extractor="rules") as reopened:
        assert reopened.status()["failed"] == 0


def test_session_summary_is_searchable_and_points_at_its_turns(rules: Memory) -> None:
    turns = [
        ("Fay", "I started training for the Lisbon marathon last week."),
        ("Gus", "That's awesome! How is the training going?"),
        ("Fay", "My marathon training plan has four runs a week."),
        ("Gus", "I ran a half marathon in Porto in March."),
        ("Fay", "The marathon is in October, I'm nervous about the hills."),
    ]
    result = rules.add(
        [{"role": "user", "name": n, "content": c} for n, c in turns], space="fg", session="s1", at="2023-05-08"
    )
    [summary] = rules.list(space="fg", kinds=["summary"])
    assert summary.text.startswith("Session of 8 May 2023:") and "marathon" in summary.text
    assert set(summary.source_episode_ids) == {e.id for e in result.episodes}
    assert rules.search("marathon training", space="fg", kinds=["summary"])[0].memory.id == summary.id
