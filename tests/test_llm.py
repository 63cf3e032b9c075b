"""The LLM seam against a real HTTP server speaking the OpenAI protocol (tests/openai_stub.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from remem import Conflict, Memory, Unavailable
from remem.embed.openai_compat import OpenAICompatEmbedder
from remem.llm import LLMOutputError, OpenAICompatLLM, complete_json
from remem.llm.jsonparse import JSONNotFound, extract_json
from tests.openai_stub import OpenAIStub, delay, raw_body, reply, status

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def number(answer: Any) -> int:
    if not isinstance(answer, dict) or not isinstance(answer.get("n"), int):
        raise ValueError('expected {"n": <integer>}')
    return int(answer["n"])


def test_json_is_found_in_what_models_actually_write() -> None:
    assert extract_json('```json\n{"n": 1,}\n```') == {"n": 1}
    assert extract_json('Sure! Here it is: {"n": [1, 2]} Hope that helps.') == {"n": [1, 2]}
    assert extract_json("<think>maybe {n}?</think>[1, 2]") == [1, 2]
    assert extract_json("{“n”: “x”}") == {"n": "x"}
    with pytest.raises(JSONNotFound, match="cut off"):
        extract_json('{"n": "unfinished')
    with pytest.raises(JSONNotFound, match="no JSON"):
        extract_json("I cannot help with that.")


def test_schema_is_asked_for_and_a_malformed_answer_gets_one_retry(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", api_key="k1")
    openai_stub.script(reply('{"n": "seven"'), reply('{"n": 7}'))
    assert complete_json(llm, [{"role": "user", "content": "count"}], SCHEMA, validate=number) == 7
    first, second = openai_stub.requests
    assert (
        first["response_format"]["type"] == "json_schema"
        and first["response_format"]["json_schema"]["schema"] == SCHEMA
    )
    assert first["_auth"] == "Bearer k1"
    assert "not valid" in second["messages"][-1]["content"] and second["messages"][-2]["role"] == "assistant"


def test_twice_malformed_raises_with_the_raw_text(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply("nope"), reply('{"n": "x"}'))
    with pytest.raises(LLMOutputError) as caught:
        complete_json(llm, [{"role": "user", "content": "count"}], SCHEMA, validate=number)
    assert caught.value.raw == '{"n": "x"}' and len(openai_stub.requests) == 2


def test_a_server_without_json_schema_is_asked_more_simply_and_remembered(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(
        status(400, '{"error": "response_format json_schema unsupported"}'), reply('{"n": 1}'), reply('{"n": 2}')
    )
    assert llm.complete([{"role": "user", "content": "a"}], schema=SCHEMA) == '{"n": 1}'
    assert llm.complete([{"role": "user", "content": "b"}], schema=SCHEMA) == '{"n": 2}'
    formats = [r.get("response_format", {}).get("type") for r in openai_stub.requests]
    assert formats == ["json_schema", "json_object", "json_object"]


def test_outages_become_unavailable_with_a_reason(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", timeout=1.0)
    openai_stub.script(status(500), reply("fine"))
    assert llm.complete([{"role": "user", "content": "x"}]) == "fine"  # a 500 is retried
    openai_stub.script(status(401))
    with pytest.raises(Unavailable, match="llm_api_key"):
        llm.complete([{"role": "user", "content": "x"}])
    openai_stub.script(raw_body("<html>gateway</html>"))
    with pytest.raises(Unavailable, match="without a chat completion"):
        llm.complete([{"role": "user", "content": "x"}])
    openai_stub.script(delay(3))
    started = time.monotonic()
    with pytest.raises(Unavailable, match="did not answer"):
        llm.complete([{"role": "user", "content": "x"}])
    assert time.monotonic() - started < 2.5
    with pytest.raises(Unavailable, match="cannot reach"):
        OpenAICompatLLM("http://127.0.0.1:9/v1", "m").complete([{"role": "user", "content": "x"}])


def test_embeddings_endpoint_is_batched_and_checked(openai_stub: OpenAIStub) -> None:
    embedder = OpenAICompatEmbedder(openai_stub.url, "e", dim=8, batch=2)
    vectors = embedder.embed(["a", "b", "c"])
    assert vectors.shape == (3, 8)
    assert [len(r["input"]) for r in openai_stub.requests] == [2, 1]
    assert abs(float((vectors**2).sum(axis=1)[0]) - 1.0) < 1e-5
    with pytest.raises(Conflict, match="shape"):
        OpenAICompatEmbedder(openai_stub.url, "e", dim=16).embed(["a"])


def test_an_llm_write_path_end_to_end(openai_stub: OpenAIStub, tmp_path: Path) -> None:
    def answer(request: dict[str, Any]) -> str:
        prompt = request["messages"][0]["content"]
        if "extract long-term memories" in prompt:
            return (
                '{"memories": [{"turn": 1, "text": "Ana moved to Porto on 1 March 2024.", "kind": "event", '
                '"date": "2024-03-01", "keywords": ["porto"], "negates": null, "forget": false}]}'
            )
        if "keep an assistant's memory consistent" in prompt:
            return '{"operation": "ADD", "target": null, "text": "", "temporal": false, "reason": "new"}'
        return '{"summary": "Ana talked about moving."}'

    openai_stub.default = answer
    with Memory.open(tmp_path / "m.db", extractor="auto", llm_url=openai_stub.url, llm_model="m") as mem:
        assert mem.extractor.name == "llm"
        result = mem.add(
            [{"role": "user", "name": "Ana", "content": "I moved to Porto yesterday."}], space="a", at="2024-03-02"
        )
        assert result.status == "done"
        [event] = mem.list(space="a", kinds=["event"])
        assert event.text == "Ana moved to Porto on 1 March 2024." and event.valid_from.day == 1  # type: ignore[union-attr]
        assert mem.history(event.id, space="a")[0].actor == "llm"
        # The model breaks down: the episode stays, the job fails with the reason, retry recovers.
        openai_stub.default = lambda request: "I'm sorry, I can't do JSON today."
        failed = mem.add([{"role": "user", "name": "Ana", "content": "I adopted a cat."}], space="a")
        assert failed.status == "failed" and "unusable output" in (failed.error or "")
        assert mem.status("a")["failed"] == 1 and len(mem.episodes(space="a")) == 2
        openai_stub.default = answer
        assert mem.retry(space="a") == 1
        assert mem.process_pending(space="a")["done"] == 1


def test_ask_answers_with_the_llm_and_keeps_only_real_citations(openai_stub: OpenAIStub, tmp_path: Path) -> None:
    with Memory.open(tmp_path / "a.db", extractor="turns", llm_url=openai_stub.url, llm_model="m") as mem:
        memory_id = mem.add("I moved to Lisbon in March.", space="a", at="2024-03-02").decisions[0].memory_id
        openai_stub.default = lambda request: f"You live in Lisbon [{memory_id}] [mem_0000000000000000deadbeef]."
        answer = mem.ask("Where do I live?", space="a")
    assert answer.mode == "llm" and answer.full_context
    assert answer.answer.startswith("You live in Lisbon") and answer.citations == [memory_id]
    prompt = openai_stub.requests[-1]["messages"][0]["content"]
    assert f"[{memory_id}] (2024-03-02) I moved to Lisbon in March." in prompt and "Where do I live?" in prompt
