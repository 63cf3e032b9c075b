"""The LLM extractor, reconciler and summarizer against a real HTTP server speaking the OpenAI protocol."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from remem.llm import LLMOutputError, OpenAICompatLLM
from remem.types import Episode, MemoryItem
from remem.write.candidates import Candidate
from remem.write.llm_extract import LLMExtractor, LLMReconciler, extract_schema, reconcile_schema
from remem.write.reconcile import Neighbour
from remem.write.summarize import LLMSummarizer
from tests.openai_stub import OpenAIStub, reply

MONDAY = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def llm(stub: OpenAIStub) -> OpenAICompatLLM:
    return OpenAICompatLLM(stub.url, "stub-model", retries=0)


def turn(text: str, number: int = 1, name: str = "Caroline") -> Episode:
    at = MONDAY + timedelta(minutes=number)
    return Episode(
        id=f"ep{number}", space="s", role="user", content=text, session="s1", event_time=at, ingest_time=at, name=name
    )


def memory(id: str, text: str) -> MemoryItem:
    jan = datetime(2023, 1, 1, tzinfo=UTC)
    return MemoryItem(
        id=id, space="s", text=text, kind="fact", session="s1", source_episode_ids=["ep0"], keywords=[], tags=[],
        links=[], valid_from=jan, valid_to=None, strength=1.0, version=1, created_at=jan, updated_at=jan,
        metadata={"speaker": "Bob"},
    )  # fmt: skip


def memories(*items: dict[str, Any]) -> str:
    return json.dumps({"memories": list(items)})


SUPPORT_GROUP = {
    "turn": 2,
    "text": "Caroline went to an LGBTQ support group on 7 May 2023.",
    "kind": "event",
    "date": "2023-05-07",
    "subject": "I",
    "attribute": None,
    "value": None,
    "keywords": ["LGBTQ", "support group"],
    "negates": None,
    "forget": False,
}


def test_extraction_sends_dated_numbered_new_turns_and_returns_the_turns_then_the_facts(
    openai_stub: OpenAIStub,
) -> None:
    openai_stub.script(reply(memories(SUPPORT_GROUP)))
    episodes = [turn("Hey Mel!", 1), turn("I went to a LGBTQ support group yesterday.", 2)]
    out = LLMExtractor(llm(openai_stub)).extract(episodes, [turn("Earlier words.", 0, "Melanie"), *episodes])

    assert [c.kind for c in out] == ["turn", "turn", "event"]
    fact = out[2]
    assert fact.text == "Caroline went to an LGBTQ support group on 7 May 2023."
    assert fact.source_episode_ids == ["ep2"] and fact.valid_from == datetime(2023, 5, 7, tzinfo=UTC)
    assert fact.keywords == ["lgbtq", "support group"]
    assert fact.metadata == {"speaker": "Caroline", "subject": "Caroline"}  # "I" is the speaker
    [request] = openai_stub.chat_requests
    prompt = request["messages"][0]["content"]
    assert "2. [2023-05-08] Caroline: I went to a LGBTQ support group yesterday." in prompt
    # Context turns are not numbered like the new ones, so "turn 1" cannot mean them.
    assert "- [2023-05-08] Melanie: Earlier words." in prompt and "1. [2023-05-08] Melanie" not in prompt
    schema = request["response_format"]["json_schema"]["schema"]
    assert schema == extract_schema(2)
    assert schema["properties"]["memories"]["items"]["properties"]["turn"] == {"enum": [1, 2], "type": "integer"}


def test_a_fact_without_a_date_takes_the_turns_time_and_a_change_is_marked(openai_stub: OpenAIStub) -> None:
    change = {**SUPPORT_GROUP, "turn": 1, "text": "Bob no longer eats meat.", "kind": "fact", "date": None}
    openai_stub.script(reply(memories({**change, "negates": "eats meat"})))
    [_, fact] = LLMExtractor(llm(openai_stub)).extract([turn("I no longer eat meat.", 1, "Bob")], [])
    assert fact.negates == "eats meat" and fact.valid_from == MONDAY + timedelta(minutes=1)


def test_malformed_json_is_retried_once_with_the_problem_then_used(openai_stub: OpenAIStub) -> None:
    openai_stub.script(reply('{"memories": [{"turn": 7, "text": "x"'), reply(memories(SUPPORT_GROUP)))
    out = LLMExtractor(llm(openai_stub)).extract([turn("Hi", 1), turn("I went.", 2)], [])
    assert [c.kind for c in out] == ["turn", "turn", "event"]
    assert len(openai_stub.chat_requests) == 2
    assert "not valid" in openai_stub.chat_requests[1]["messages"][-1]["content"]


def test_an_item_with_a_turn_out_of_range_is_dropped_and_the_rest_kept(openai_stub: OpenAIStub) -> None:
    openai_stub.script(reply(memories({**SUPPORT_GROUP, "turn": 9}, {**SUPPORT_GROUP, "turn": 0}, SUPPORT_GROUP)))
    out = LLMExtractor(llm(openai_stub)).extract([turn("Hi", 1), turn("I went.", 2)], [])
    assert [(c.kind, c.source_episode_ids) for c in out] == [("turn", ["ep1"]), ("turn", ["ep2"]), ("event", ["ep2"])]
    assert len(openai_stub.chat_requests) == 1  # one bad item is not a bad answer: no retry


def test_an_answer_whose_every_item_is_bad_still_keeps_the_raw_turns(openai_stub: OpenAIStub) -> None:
    openai_stub.script(reply(memories({**SUPPORT_GROUP, "turn": 7}, {"turn": 1}, "Caroline went.", {"text": ""})))
    out = LLMExtractor(llm(openai_stub)).extract([turn("Hi", 1), turn("I went.", 2)], [])
    assert [(c.kind, c.text) for c in out] == [("turn", "Caroline: Hi"), ("turn", "Caroline: I went.")]


def test_an_answer_without_a_memories_list_is_retried_then_raises(openai_stub: OpenAIStub) -> None:
    bad = json.dumps({"memories": SUPPORT_GROUP})
    openai_stub.script(reply(bad), reply(bad))
    with pytest.raises(LLMOutputError, match="memories") as caught:
        LLMExtractor(llm(openai_stub)).extract([turn("Hi", 1), turn("I went.", 2)], [])
    assert caught.value.raw == bad and len(openai_stub.chat_requests) == 2


def test_prose_instead_of_json_raises_llm_output_error_rather_than_dropping(openai_stub: OpenAIStub) -> None:
    openai_stub.default = lambda request: "Sure! Caroline went to a support group."
    with pytest.raises(LLMOutputError):
        LLMExtractor(llm(openai_stub)).extract([turn("I went.", 1)], [])


def bob(text: str, **fields: Any) -> Candidate:
    return Candidate(
        text=text, kind="fact", source_episode_ids=["ep1"], valid_from=MONDAY, metadata={"speaker": "Bob"}, **fields
    )


NEIGHBOURS = [
    Neighbour(memory("mem_a", "Bob loves running."), 0.5),
    Neighbour(memory("mem_b", "Bob loves steak."), 0.6),
]


def verdict_json(operation: str, target: int | str | None, text: str = "", temporal: bool = False) -> str:
    return json.dumps({"operation": operation, "target": target, "text": text, "temporal": temporal, "reason": "why"})


def test_reconciler_maps_numbered_targets_to_memory_ids(openai_stub: OpenAIStub) -> None:
    openai_stub.script(
        reply(verdict_json("DELETE", 2)),
        reply(verdict_json("NOOP", "1")),
        reply(verdict_json("UPDATE", 2, "Bob loves steak and ribs.")),
        reply(verdict_json("ADD", None)),
    )
    reconciler = LLMReconciler(llm(openai_stub))
    delete = reconciler.reconcile(bob("Bob no longer eats meat."), NEIGHBOURS)
    assert (delete.operation, delete.target, delete.text) == ("SUPERSEDE", "mem_b", "Bob no longer eats meat.")
    assert delete.reason == "contradicts mem_b: why"
    noop = reconciler.reconcile(bob("Bob likes to run."), NEIGHBOURS)
    assert (noop.operation, noop.target, noop.text) == ("NOOP", "mem_a", "Bob loves running.")
    update = reconciler.reconcile(bob("Bob loves ribs."), NEIGHBOURS)
    assert (update.operation, update.target, update.text) == ("UPDATE", "mem_b", "Bob loves steak and ribs.")
    assert reconciler.reconcile(bob("Bob has a cat."), NEIGHBOURS).operation == "ADD"
    prompt = openai_stub.chat_requests[0]["messages"][0]["content"]
    assert "[2023-05-08] Bob no longer eats meat." in prompt and "2. [2023-01-01] Bob loves steak." in prompt
    schema = openai_stub.chat_requests[0]["response_format"]["json_schema"]["schema"]
    assert schema == reconcile_schema(2)
    assert schema["properties"]["target"] == {"anyOf": [{"enum": [1, 2], "type": "integer"}, {"type": "null"}]}


def test_reconciler_rejects_a_target_that_is_not_a_neighbour(openai_stub: OpenAIStub) -> None:
    openai_stub.script(reply(verdict_json("DELETE", 3)), reply(verdict_json("DELETE", 0)))
    with pytest.raises(LLMOutputError, match=r"target: Input should be 1 or 2"):
        LLMReconciler(llm(openai_stub)).reconcile(bob("Bob no longer eats meat."), NEIGHBOURS)
    openai_stub.script(reply(verdict_json("MERGE", 1)), reply(verdict_json("DELETE", 1)))
    verdict = LLMReconciler(llm(openai_stub)).reconcile(bob("Bob no longer runs."), NEIGHBOURS)
    assert (verdict.operation, verdict.target) == ("SUPERSEDE", "mem_a")  # the retry said what was wrong


def test_reconciler_asks_nothing_for_turns_forgets_or_an_empty_neighbourhood(openai_stub: OpenAIStub) -> None:
    reconciler = LLMReconciler(llm(openai_stub))
    turn_candidate = Candidate(text="Bob: hi", kind="turn", source_episode_ids=["ep1"])
    assert reconciler.reconcile(turn_candidate, NEIGHBOURS).operation == "ADD"
    assert reconciler.reconcile(bob("Bob has a cat."), []).operation == "ADD"
    forget = reconciler.reconcile(bob("that I love steak", forget=True), NEIGHBOURS)
    assert (forget.operation, forget.target) == ("PURGE", "mem_b")
    assert openai_stub.chat_requests == []


def test_llm_summary_is_dated_and_points_at_every_turn(openai_stub: OpenAIStub) -> None:
    openai_stub.script(reply('{"summary": "Caroline told Melanie about an LGBTQ support group."}'))
    episodes = [turn(f"Line {i} about the support group.", i) for i in range(1, 5)]
    summary = LLMSummarizer(llm(openai_stub)).summarize(episodes)
    assert summary is not None and summary.kind == "summary"
    assert summary.text == "Session of 8 May 2023: Caroline told Melanie about an LGBTQ support group."
    assert summary.source_episode_ids == ["ep1", "ep2", "ep3", "ep4"]
    assert "2023-05-08" in openai_stub.chat_requests[0]["messages"][0]["content"]
    assert LLMSummarizer(llm(openai_stub)).summarize(episodes[:2]) is None


def test_a_date_the_model_gives_before_year_1000_is_the_turns_own_date(openai_stub: OpenAIStub) -> None:
    """Found by the attack sweep: "0999-01-01" was kept as the fact's date, stored as text that no
    read could parse back, and the fact vanished from every list and search."""
    openai_stub.script(reply(memories({**SUPPORT_GROUP, "turn": 1, "date": "0999-01-01"})))
    [_, fact] = LLMExtractor(llm(openai_stub)).extract([turn("I went to a support group in 999.", 1)], [])
    assert fact.valid_from == MONDAY + timedelta(minutes=1)
