"""The offline reconciler's decisions, candidate against hand-built neighbours."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from remem.types import MemoryItem
from remem.write.candidates import Candidate
from remem.write.reconcile import Neighbour
from remem.write.rules_reconcile import RuleReconciler

JAN = datetime(2023, 1, 1, tzinfo=UTC)


def memory(id: str, text: str, kind: str = "fact", speaker: str = "Bob", **metadata: Any) -> MemoryItem:
    return MemoryItem(
        id=id,
        space="s",
        text=text,
        kind=kind,
        session="s1",
        source_episode_ids=["ep0"],
        keywords=[],
        tags=[],
        links=[],
        valid_from=JAN,
        valid_to=None,
        strength=1.0,
        version=1,
        created_at=JAN,
        updated_at=JAN,
        metadata={"speaker": speaker, **metadata},
    )


def candidate(text: str, kind: str = "fact", speaker: str = "Bob", **fields: Any) -> Candidate:
    metadata = {"speaker": speaker, **fields.pop("metadata", {})}
    return Candidate(text=text, kind=kind, source_episode_ids=["ep1"], session="s1", metadata=metadata, **fields)


decide = RuleReconciler().reconcile


def test_a_turn_is_always_added_even_beside_its_twin() -> None:
    twin = memory("mem_t", "Bob: I love steak.", kind="turn")
    verdict = decide(candidate("Bob: I love steak.", kind="turn"), [Neighbour(twin, 1.0)])
    assert (verdict.operation, verdict.target) == ("ADD", None)


def test_a_restatement_is_a_noop_that_names_what_it_restates() -> None:
    old = memory("mem_x", "Bob's favourite food is ramen.", kind="preference")
    same_text = decide(candidate("Bob's favourite food is ramen!", kind="preference"), [Neighbour(old, 0.80)])
    assert (same_text.operation, same_text.target) == ("NOOP", "mem_x")
    close = decide(candidate("Bob's favorite food is ramen.", kind="preference"), [Neighbour(old, 0.97)])
    assert close.operation == "NOOP" and close.reason == "restates mem_x (similarity 0.970)"
    # As similar, but a different kind of memory: not the same statement.
    other_kind = decide(candidate("Bob's favorite food is ramen.", kind="event"), [Neighbour(old, 0.97)])
    assert other_kind.operation == "ADD"


def test_a_new_value_of_a_property_closes_every_fact_that_gave_it_another() -> None:
    lisbon = memory("mem_l", "Alice lives in Lisbon.", speaker="Alice", claims={"residence": "Lisbon"})
    flat = memory("mem_f", "Alice's flat in Lisbon has a view.", speaker="Alice", claims={"residence": "Lisbon"})
    porto = candidate(
        "Alice moved to Porto.", kind="event", speaker="Alice", metadata={"claims": {"residence": "Porto"}}
    )
    verdict = decide(porto, [Neighbour(lisbon, 0.71), Neighbour(flat, 0.5)])
    assert (verdict.operation, verdict.target, verdict.closes) == ("SUPERSEDE", "mem_l", ("mem_f",))
    assert verdict.temporal is True and verdict.reason == "changed: residence Lisbon -> Porto"
    # The same value said again is a restatement, however it is worded.
    again = candidate("Porto is home now.", speaker="Alice", metadata={"claims": {"residence": "porto"}})
    moved = memory("mem_p", "Alice moved to Porto.", speaker="Alice", claims={"residence": "Porto"})
    assert (decide(again, [Neighbour(moved, 0.6)]).operation, decide(again, [Neighbour(moved, 0.6)]).target) == (
        "NOOP",
        "mem_p",
    )
    # Someone else's residence is not Alice's.
    carol = memory("mem_c", "Carol lives in Lisbon.", speaker="Carol", claims={"residence": "Lisbon"})
    assert decide(porto, [Neighbour(carol, 0.7)]).operation == "ADD"


def test_a_correction_rewrites_what_it_corrects() -> None:
    since = memory("mem_a", "Hyejin has been at Accenture since 2017.", speaker="Hyejin")
    typo = candidate("Hyejin: I meant 2019", speaker="Hyejin", metadata={"correction": [None, "2019"]})
    verdict = decide(typo, [Neighbour(since, 0.4)])
    assert (verdict.operation, verdict.target, verdict.text) == (
        "UPDATE",
        "mem_a",
        "Hyejin has been at Accenture since 2019.",
    )
    dentist = memory("mem_d", "Olu has the dentist on Monday the 12th at 9am.", speaker="Olu")
    fix = candidate(
        "it's Tuesday the 13th, not Monday", speaker="Olu", metadata={"correction": ["Monday", "Tuesday the 13th"]}
    )
    assert decide(fix, [Neighbour(dentist, 0.5)]).text == "Olu has the dentist on Tuesday the 13th at 9am."


def test_a_negation_closes_the_fact_it_contradicts_and_is_kept() -> None:
    steak = memory("mem_y", "Bob loves steak.", kind="preference")
    verdict = decide(candidate("Bob no longer eats meat.", negates="eat meat"), [Neighbour(steak, 0.55)])
    assert (verdict.operation, verdict.target, verdict.text) == ("SUPERSEDE", "mem_y", "Bob no longer eats meat.")
    assert verdict.reason == "contradicts mem_y: eat meat no longer holds"
    vegetarian = decide(candidate("Bob is vegetarian now.", negates="eat meat"), [Neighbour(steak, 0.5)])
    assert (vegetarian.operation, vegetarian.target) == ("SUPERSEDE", "mem_y")


def test_a_negation_leaves_alone_what_it_does_not_touch() -> None:
    running = memory("mem_r", "Bob loves running.", kind="preference")
    assert (
        decide(candidate("Bob no longer eats meat.", negates="eat meat"), [Neighbour(running, 0.6)]).operation == "ADD"
    )
    # Too far apart to be what was meant, though a word is shared.
    meat_pie = memory("mem_p", "Bob's aunt sells meat pies.")
    assert (
        decide(candidate("Bob no longer eats meat.", negates="eat meat"), [Neighbour(meat_pie, 0.3)]).operation == "ADD"
    )
    # The same change said again is not a contradiction of itself.
    stopped = memory("mem_s", "Bob stopped eating meat.")
    again = decide(candidate("Bob doesn't eat meat anymore.", negates="eat meat"), [Neighbour(stopped, 0.85)])
    assert (again.operation, again.target) == ("NOOP", "mem_s")
    # A memory already closed is history, not something to contradict.
    closed = MemoryItem(**{**memory("mem_z", "Bob loves steak.").__dict__, "valid_to": JAN})
    assert (
        decide(candidate("Bob no longer eats meat.", negates="eat meat"), [Neighbour(closed, 0.6)]).operation == "ADD"
    )


def test_forget_purges_the_memory_it_names_or_does_nothing() -> None:
    meat = memory("mem_m", "Bob eats meat every day.")
    verdict = decide(candidate("I eat meat", forget=True), [Neighbour(meat, 0.7)])
    assert (verdict.operation, verdict.target) == ("PURGE", "mem_m")
    nothing = decide(candidate("my old address", forget=True), [Neighbour(meat, 0.2)])
    assert (nothing.operation, nothing.target) == ("NOOP", None)


def test_more_detail_about_the_same_thing_updates_it() -> None:
    old = memory("mem_d", "Bob adopted a dog.", kind="event")
    verdict = decide(candidate("Bob adopted a dog named Rex.", kind="event"), [Neighbour(old, 0.88)])
    assert (verdict.operation, verdict.target, verdict.temporal) == ("UPDATE", "mem_d", False)
    assert verdict.reason == "adds detail to mem_d"
    assert decide(candidate("Bob adopted a cat.", kind="event"), [Neighbour(old, 0.85)]).operation == "ADD"
    assert decide(candidate("Bob adopted a dog named Rex.", kind="event"), []).operation == "ADD"


def test_a_verdict_speaks_the_write_paths_operations_only() -> None:
    from remem.write.candidates import Operation, Verdict

    assert Verdict("SUPERSEDE", "m1", "t", "r").operation is Operation.SUPERSEDE
    assert Verdict(Operation.PURGE, "m1", "t", "r").operation == "PURGE"  # the plain name still reads
    with pytest.raises(ValueError, match="MERGE"):
        Verdict("MERGE", "m1", "t", "r")


def test_where_someone_is_from_is_not_changed_by_a_home_elsewhere_and_is_said_again_by_the_same_one() -> None:
    origin = memory("mem_o", "Bob: From Vigo.", claims={"hometown": "Vigo"})
    leeds = candidate("Bob lives in Leeds.", metadata={"claims": {"residence": "Leeds"}})
    assert decide(leeds, [Neighbour(origin, 0.7)]).operation == "ADD"
    vigo = candidate("Bob lives in Vigo.", metadata={"claims": {"residence": "Vigo"}})
    verdict = decide(vigo, [Neighbour(origin, 0.7)])
    assert (verdict.operation, verdict.target) == ("NOOP", "mem_o")


def test_a_change_that_names_what_it_leaves_is_no_change_of_a_fact_that_only_reads_close() -> None:
    """ "Switched flour supplier to Molinos del Sur" (it dropped Harinera Azteca) is close in meaning to
    "runs a bakery in Coyoacán", but it says what it replaced: nothing else is its change."""
    bakery = memory("mem_b", "Lucía runs a little bakery called Pan de Lucía in Coyoacán.", speaker="Lucía")
    said = candidate("Lucía: Switched flour supplier to Molinos del Sur", speaker="Lucía")
    assert decide(said, [Neighbour(bakery, 0.65)]).operation == "SUPERSEDE"  # by meaning alone
    named = candidate(
        "Lucía: Switched flour supplier to Molinos del Sur",
        speaker="Lucía",
        negates="Harinera Azteca",
        metadata={"replaces": "Harinera Azteca"},
    )
    verdict = decide(named, [Neighbour(bakery, 0.65)])
    assert (verdict.operation, verdict.target) == ("ADD", None)
