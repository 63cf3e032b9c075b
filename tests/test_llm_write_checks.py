"""The LLM write path checks what the model says: a weak or careless model must not corrupt memory.

Each test scripts the answers of a real HTTP server speaking the OpenAI protocol (tests/openai_stub.py)
with the mistakes small models were seen to make, and asserts what remem keeps.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from remem import Memory
from remem.llm import OpenAICompatLLM
from remem.types import Episode, MemoryItem
from remem.write.candidates import Candidate
from remem.write.llm_checks import same_owner, stem, strip_date_prefix, unsupported_words
from remem.write.llm_extract import LLMExtractor, LLMReconciler
from remem.write.reconcile import Neighbour
from tests.openai_stub import OpenAIStub, reply

FEB = datetime(2022, 2, 10, 9, 0, tzinfo=UTC)


def llm(stub: OpenAIStub) -> OpenAICompatLLM:
    return OpenAICompatLLM(stub.url, "stub-model", retries=0)


def said(text: str, number: int, name: str | None = "Marco", role: str = "user") -> Episode:
    at = FEB + timedelta(minutes=number)
    return Episode(
        id=f"ep{number}", space="s", role=role, content=text, session="s1", event_time=at, ingest_time=at, name=name
    )


def item(turn: int, text: str, **fields: Any) -> dict[str, Any]:
    return {
        "turn": turn, "text": text, "subject": fields.pop("subject", "Marco"), "attribute": None, "value": None,
        "kind": "fact", "date": None, "negates": None, "keywords": [], "forget": False, **fields,
    }  # fmt: skip


def answer(*items: dict[str, Any]) -> str:
    return json.dumps({"memories": list(items)})


def memory(id: str, text: str, **metadata: str) -> MemoryItem:
    jan = datetime(2021, 1, 1, tzinfo=UTC)
    return MemoryItem(
        id=id, space="s", text=text, kind="fact", session="s1", source_episode_ids=["ep0"], keywords=[], tags=[],
        links=[], valid_from=jan, valid_to=None, strength=1.0, version=1, created_at=jan, updated_at=jan,
        metadata=metadata,
    )  # fmt: skip


def fact(text: str, **metadata: str) -> Candidate:
    return Candidate(text=text, kind="fact", source_episode_ids=["ep1"], valid_from=FEB, metadata=metadata)


def verdict(operation: str, target: int | None, text: str = "", temporal: bool = False) -> str:
    return json.dumps({"operation": operation, "target": target, "text": text, "temporal": temporal, "reason": "r"})


# --- extraction ---------------------------------------------------------------------------------


def test_what_the_assistant_says_is_kept_as_its_turn_and_never_as_the_users_fact(openai_stub: OpenAIStub) -> None:
    episodes = [
        said("I started at Siemens this week.", 1),
        said("Great! I'll remember that you work at Siemens. Maybe try Bosch next?", 2, name=None, role="assistant"),
    ]
    openai_stub.script(
        reply(answer(item(1, "Marco works at Siemens.", attribute="employer", value="Siemens"),
                     item(2, "Marco works at Siemens."), item(2, "Marco should try Bosch.")))
    )  # fmt: skip
    out = LLMExtractor(llm(openai_stub)).extract(episodes, [])

    assert [(c.kind, c.text, c.source_episode_ids) for c in out] == [
        ("turn", "Marco: I started at Siemens this week.", ["ep1"]),
        ("turn", "Great! I'll remember that you work at Siemens. Maybe try Bosch next?", ["ep2"]),
        ("fact", "Marco works at Siemens.", ["ep1"]),
    ]
    assert out[1].metadata == {"role": "assistant"}
    prompt = openai_stub.chat_requests[0]["messages"][0]["content"]
    assert "2. [2022-02-10] assistant: Great!" in prompt and "assistant" in prompt.split("Rules:")[1]


def test_a_batch_of_assistant_turns_asks_the_model_nothing(openai_stub: OpenAIStub) -> None:
    out = LLMExtractor(llm(openai_stub)).extract([said("Noted!", 1, name="Sam", role="assistant")], [])
    assert [(c.kind, c.text) for c in out] == [("turn", "Sam: Noted!")]
    assert openai_stub.chat_requests == []


def test_the_date_prefix_the_model_copies_from_the_prompt_never_reaches_the_text(openai_stub: OpenAIStub) -> None:
    openai_stub.script(
        reply(answer(item(1, "[2022-02-10] [2022-02-10] Marco works at Deloitte.", value="[2022-02-10] Deloitte")))
    )
    [_, extracted] = LLMExtractor(llm(openai_stub)).extract([said("I work at Deloitte.", 1)], [])
    assert extracted.text == "Marco works at Deloitte." and extracted.metadata["value"] == "Deloitte"
    assert strip_date_prefix("[2023-06-01 10:00]  [2023-06-01] Marco left.") == "Marco left."
    assert strip_date_prefix("Marco left on [2023-06-01].") == "Marco left on [2023-06-01]."  # only a prefix


def test_each_memory_says_whose_fact_and_which_property_it_is(openai_stub: OpenAIStub) -> None:
    episodes = [said("My sister moved to Oslo last month and I'm a senior designer now.", 1, name="Ana")]
    openai_stub.script(
        reply(answer(
            item(1, "Ana's sister moved to Oslo in January 2022.", subject="my sister", attribute="Residence",
                 value="Oslo", kind="event", date="2022-01", negates="lives in Bergen"),
            item(1, "Ana is a senior designer.", subject="I", attribute="job title", value="senior designer"),
        ))
    )  # fmt: skip
    [_, sister, job] = LLMExtractor(llm(openai_stub)).extract(episodes, [])
    assert sister.metadata == {"speaker": "Ana", "subject": "Ana's sister", "attribute": "residence", "value": "Oslo"}
    assert sister.negates == "lives in Bergen" and sister.kind == "event"
    assert sister.valid_from == datetime(2022, 1, 1, tzinfo=UTC)  # "2022-01" read as its first day
    assert job.metadata == {"speaker": "Ana", "subject": "Ana", "attribute": "job title", "value": "senior designer"}
    assert job.valid_from == episodes[0].event_time  # no date: true from the turn on


def test_an_unnamed_user_is_the_user_and_a_bad_date_falls_back_to_the_turns(openai_stub: OpenAIStub) -> None:
    openai_stub.script(reply(answer(item(1, "The user has a cat named Miso.", subject="the user", date="soon"))))
    [_, cat] = LLMExtractor(llm(openai_stub)).extract([said("My cat is called Miso.", 1, name=None)], [])
    assert cat.metadata == {"speaker": "user", "subject": "user"} and cat.valid_from == FEB + timedelta(minutes=1)


# --- reconciliation -----------------------------------------------------------------------------


def test_another_persons_fact_is_never_shown_to_the_reconciler_nor_overwritten(openai_stub: OpenAIStub) -> None:
    neighbours = [
        Neighbour(memory("mem_ana", "Ana lives in Bergen.", speaker="Ana", subject="Ana"), 0.9),
        Neighbour(memory("mem_bob", "Bob's brother lives in Bergen.", speaker="Bob", subject="Bob's brother"), 0.8),
        Neighbour(memory("mem_bro", "Ana's brother lives in Bergen.", speaker="Ana", subject="Ana's brother"), 0.7),
        Neighbour(memory("mem_old", "Someone lives in Bergen."), 0.6),  # whose? unknown: never offered
    ]
    moved = fact("Ana's brother moved to Oslo.", speaker="Ana", subject="Ana's brother", value="Oslo")
    openai_stub.script(reply(verdict("UPDATE", 1, "Ana's brother lives in Oslo.", temporal=True)))
    decided = LLMReconciler(llm(openai_stub)).reconcile(moved, neighbours)

    assert (decided.operation, decided.target, decided.text) == ("UPDATE", "mem_bro", "Ana's brother lives in Oslo.")
    assert decided.temporal
    prompt = openai_stub.chat_requests[0]["messages"][0]["content"]
    assert "1. [2021-01-01] Ana's brother lives in Bergen.  (subject: Ana's brother)" in prompt
    assert "Ana lives in Bergen" not in prompt and "Bob's" not in prompt and "Someone" not in prompt
    schema = openai_stub.chat_requests[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["target"]["anyOf"][0]["enum"] == [1]

    # Only other people's facts nearby: added without asking.
    bob = fact("Bob moved to Oslo.", speaker="Bob", subject="Bob", value="Oslo")
    alone = LLMReconciler(llm(openai_stub)).reconcile(bob, neighbours[:1])
    assert (alone.operation, alone.target, alone.text) == ("ADD", None, "Bob moved to Oslo.")
    assert len(openai_stub.chat_requests) == 1


def test_whose_fact_is_decided_by_subject_when_both_have_one_else_by_speaker() -> None:
    assert same_owner({"subject": "Ana", "speaker": "Ana"}, {"subject": "the Ana", "speaker": "Bob"})
    assert not same_owner({"subject": "Ana's sister", "speaker": "Ana"}, {"subject": "Ana", "speaker": "Ana"})
    assert same_owner({"subject": "Ana's sister", "speaker": "Ana"}, {"speaker": "Ana"})  # a rules-made memory
    assert same_owner({"speaker": "user"}, {"speaker": "the user"})
    assert not same_owner({"speaker": "Ana"}, {})


def test_an_update_that_merges_the_new_value_away_becomes_supersede(openai_stub: OpenAIStub) -> None:
    deloitte = [Neighbour(memory("mem_job", "Marco works at Deloitte.", speaker="Marco", subject="Marco"), 0.8)]
    spotify = fact("Marco started a new job at Spotify.", speaker="Marco", subject="Marco", value="Spotify")
    openai_stub.script(reply(verdict("UPDATE", 1, "Marco works at Deloitte as a consultant.")))
    decided = LLMReconciler(llm(openai_stub)).reconcile(spotify, deloitte)
    assert (decided.operation, decided.target) == ("SUPERSEDE", "mem_job")
    assert decided.text == "Marco started a new job at Spotify." and "'Spotify'" in decided.reason

    # Without a value the candidate's new names and numbers are what must survive.
    utrecht = fact("Marco and Lea moved to Utrecht.", speaker="Marco", subject="Marco")
    openai_stub.script(reply(verdict("UPDATE", 1, "Marco and Lea live together.")))
    moved = LLMReconciler(llm(openai_stub)).reconcile(utrecht, deloitte)
    assert (moved.operation, moved.text) == ("SUPERSEDE", "Marco and Lea moved to Utrecht.")


def test_text_the_model_invents_is_replaced_by_the_candidates_own(openai_stub: OpenAIStub) -> None:
    nurse = [Neighbour(memory("mem_n", "Caroline is a nurse at St Mary's.", speaker="Caroline"), 0.8)]
    asked = fact("Caroline works night shifts at St Mary's.", speaker="Caroline")
    openai_stub.script(reply(verdict("UPDATE", 1, "Caroline has been a nurse there for 5 years.")))
    decided = LLMReconciler(llm(openai_stub)).reconcile(asked, nurse)
    assert (decided.operation, decided.target) == ("UPDATE", "mem_n")
    assert decided.text == "Caroline works night shifts at St Mary's."

    # A faithful merge of both texts stands, whatever the tense, plural or copied date prefix.
    openai_stub.script(
        reply(verdict("UPDATE", 1, "[2022-02-10] Caroline is a nurse at St Mary's, working night shift."))
    )
    merged = LLMReconciler(llm(openai_stub)).reconcile(asked, nurse)
    assert merged.text == "Caroline is a nurse at St Mary's, working night shift."


def test_a_restatement_is_noop_but_a_noop_that_would_lose_a_new_value_is_not(openai_stub: OpenAIStub) -> None:
    lisbon = [
        Neighbour(memory("mem_l", "Ana lives in Lisbon.", speaker="Ana", subject="Ana", attribute="residence"), 0.8)
    ]
    still = fact("Ana is still in Lisbon.", speaker="Ana", subject="Ana", attribute="residence", value="Lisbon")
    tokyo = fact("Ana lives in Tokyo now.", speaker="Ana", subject="Ana", attribute="residence", value="Tokyo")
    openai_stub.script(reply(verdict("NOOP", 1)), reply(verdict("NOOP", 1)))
    reconciler = LLMReconciler(llm(openai_stub))
    same = reconciler.reconcile(still, lisbon)
    assert (same.operation, same.target, same.text) == ("NOOP", "mem_l", "Ana lives in Lisbon.")
    changed = reconciler.reconcile(tokyo, lisbon)
    assert (changed.operation, changed.target, changed.text) == ("SUPERSEDE", "mem_l", "Ana lives in Tokyo now.")


def test_a_weak_models_quoting_and_casing_are_read_not_refused(openai_stub: OpenAIStub) -> None:
    openai_stub.script(
        reply(answer({"turn": "1", "text": "Marco owns a bike.", "kind": "possession"})),
        reply(json.dumps({"operation": "noop", "target": "1"})),
    )
    [_, bike] = LLMExtractor(llm(openai_stub)).extract([said("I own a bike.", 1)], [])
    assert (bike.text, bike.kind, bike.metadata) == (
        "Marco owns a bike.",
        "fact",
        {"speaker": "Marco", "subject": "Marco"},
    )
    owned = [Neighbour(memory("mem_b", "Marco has a bike.", speaker="Marco", subject="Marco"), 0.9)]
    same = LLMReconciler(llm(openai_stub)).reconcile(bike, owned)
    assert (same.operation, same.target) == ("NOOP", "mem_b") and len(openai_stub.chat_requests) == 2


def test_support_is_judged_on_content_words_modulo_simple_endings() -> None:
    assert stem("moved") == stem("moves") == stem("moving") == stem("move")
    assert stem("cities") == stem("city") and stem("married") == stem("marries") and stem("Ana's") == "ana"
    assert unsupported_words("Ana moved to the cities", "Ana moves to a city") == set()
    assert unsupported_words("Ana no longer lives in Rome", "Ana lives in Rome") == {"no", "longer"}


# --- the whole write path ------------------------------------------------------------------------


def test_a_job_change_through_memory_keeps_one_current_fact_without_prefixes(
    openai_stub: OpenAIStub, tmp_path: Path
) -> None:
    def model(request: dict[str, Any]) -> str:
        prompt = request["messages"][0]["content"]
        if "extract long-term memories" in prompt:
            company = "Spotify" if "I joined Spotify" in prompt else "Deloitte"
            return answer(
                item(1, f"[2022-02-10] [2022-02-10] Marco works at {company}.", attribute="employer", value=company),
                item(7, "Marco works at Google."),  # no such turn
            )
        if "keep an assistant's memory consistent" in prompt:  # the merge a 1.5B model wrote
            return verdict("UPDATE", 1, "[2022-02-10] [2022-02-10] Marco works at Deloitte.", temporal=False)
        return '{"summary": "Marco talked about work."}'

    openai_stub.default = model
    with Memory.open(tmp_path / "m.db", extractor="llm", llm_url=openai_stub.url, llm_model="m") as mem:
        first = mem.add(
            [{"role": "user", "name": "Marco", "content": "I work at Deloitte."}], space="m", at="2022-02-10"
        )
        later = mem.add(
            [{"role": "user", "name": "Marco", "content": "Big news: I joined Spotify!"}], space="m", at="2023-06-01"
        )
        assert first.status == later.status == "done"
        current = [m.text for m in mem.list(space="m", kinds=["fact"])]
        everything = [m.text for m in mem.list(space="m", include_expired=True)]
    assert current == ["Marco works at Spotify."]
    assert "Marco works at Deloitte." in everything and not any(t.startswith("[") for t in everything)
    assert not any("Google" in t for t in everything)


def test_no_model_call_holds_the_write_lock(openai_stub: OpenAIStub, tmp_path: Path) -> None:
    """While the model extracts, reconciles or summarises, another writer can take the file's write lock."""
    db = tmp_path / "m.db"
    locked: list[str] = []

    def model(request: dict[str, Any]) -> str:
        prompt = request["messages"][0]["content"]
        writer = sqlite3.connect(db, timeout=0.2)
        try:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            locked.append(f"{prompt[:40]!r}: {error}")
        finally:
            writer.close()
        if "extract long-term memories" in prompt:
            company = "Spotify" if "Spotify" in prompt else "Deloitte"
            return answer(item(1, f"Marco works at {company}.", attribute="employer", value=company))
        if "keep an assistant's memory consistent" in prompt:
            return verdict("DELETE", 1, "Marco works at Spotify.")
        return '{"summary": "Marco talked about work."}'

    openai_stub.default = model
    with Memory.open(db, extractor="llm", llm_url=openai_stub.url, llm_model="m") as mem:
        for text, at in (("I work at Deloitte.", "2022-02-10"), ("Big news: I joined Spotify!", "2023-06-01")):
            turns = [{"role": "user", "name": "Marco", "content": f"{text} ({n})"} for n in range(4)]
            assert mem.add(turns, space="m", session="s", at=at).status == "done"
        current = [m.text for m in mem.list(space="m", kinds=["fact"])]
    prompts = [r["messages"][0]["content"] for r in openai_stub.chat_requests]
    assert any("keep an assistant's memory consistent" in p for p in prompts)  # the reconciler was asked
    assert any("summar" in p.lower() for p in prompts)  # and the summariser
    assert locked == [], locked
    assert current == ["Marco works at Spotify."]
