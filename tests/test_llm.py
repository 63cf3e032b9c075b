"""The LLM seam against a real HTTP server speaking the OpenAI protocol (tests/openai_stub.py)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from remem import InvalidInput, Memory, Unavailable
from remem.llm import LLMOutputError, OpenAICompatLLM, complete_json, from_settings
from remem.settings import Settings
from tests.openai_stub import OpenAIStub, delay, raw_body, reply, status

SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
ASK = [{"role": "user", "content": "How many cats does Ana have?"}]


def number(answer: Any) -> int:
    if not isinstance(answer, dict) or not isinstance(answer.get("n"), int):
        raise ValueError('expected {"n": <integer>}')
    return int(answer["n"])


class Fact(BaseModel):
    text: str
    kind: str


class Facts(BaseModel):
    facts: list[Fact]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- asking for structured output -------------------------------------------------------------


def test_the_schema_is_sent_as_a_strict_json_schema_response_format(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "qwen", api_key="k1")
    openai_stub.script(reply('{"n": 2}'))
    assert complete_json(llm, ASK, SCHEMA, validate=number, max_tokens=50) == 2
    [request] = openai_stub.requests
    assert request["_path"] == "/v1/chat/completions" and request["_auth"] == "Bearer k1"
    assert request["model"] == "qwen" and request["temperature"] == 0.0 and request["max_tokens"] == 50
    assert request["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": SCHEMA, "strict": True},
    }
    assert request["messages"] == ASK  # with json_schema the prompt is left alone


def test_plain_completion_sends_no_response_format(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "qwen")
    openai_stub.script(reply("Ana has two cats."))
    assert llm.complete(ASK, temperature=0.7) == "Ana has two cats."
    [request] = openai_stub.requests
    assert "response_format" not in request and "max_tokens" not in request and request["temperature"] == 0.7
    assert request["_auth"] is None


def test_a_server_without_json_schema_gets_json_object_and_the_schema_in_the_prompt(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(
        status(400, '{"error": {"message": "response_format type json_schema is not supported"}}'),
        reply('{"n": 1}'),
        reply('{"n": 2}'),
    )
    assert llm.complete(ASK, schema=SCHEMA) == '{"n": 1}'
    assert llm.complete(ASK, schema=SCHEMA) == '{"n": 2}'  # remembered: no second refusal
    formats = [r.get("response_format", {}).get("type") for r in openai_stub.requests]
    assert formats == ["json_schema", "json_object", "json_object"]
    assert llm.json_format == "json_object"
    last_user = openai_stub.requests[1]["messages"][-1]["content"]
    assert last_user.startswith(ASK[0]["content"]) and json.dumps(SCHEMA, separators=(",", ":")) in last_user
    assert ASK[0]["content"] == "How many cats does Ana have?"  # the caller's messages are not mutated


def test_a_server_with_no_response_format_at_all_is_asked_in_words_only(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(
        status(400, '{"error": "unknown field response_format"}'),
        status(422, '{"detail": "response_format: extra fields not permitted"}'),
        reply('{"n": 3}'),
        reply('{"n": 4}'),
    )
    assert complete_json(llm, ASK, SCHEMA, validate=number) == 3
    assert complete_json(llm, ASK, SCHEMA, validate=number) == 4
    formats = [r.get("response_format", {}).get("type") for r in openai_stub.requests]
    assert formats == ["json_schema", "json_object", None, None]
    assert '"required":["n"]' in openai_stub.requests[-1]["messages"][-1]["content"]


def test_use_json_schema_false_starts_at_json_object(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", use_json_schema=False)
    openai_stub.script(reply('{"n": 5}'))
    assert llm.complete(ASK, schema=SCHEMA) == '{"n": 5}'
    assert openai_stub.requests[0]["response_format"] == {"type": "json_object"}


def test_a_400_that_is_not_about_the_format_is_not_retried_as_one(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(status(400, '{"error": "maximum context length is 4096 tokens"}'))
    with pytest.raises(Unavailable, match="rejected the request: 400 .*context length"):
        llm.complete(ASK, schema=SCHEMA)
    assert len(openai_stub.requests) == 1 and llm.json_format == "json_schema"


# --- bad output: one corrective retry, then a narrow error ------------------------------------


def test_malformed_json_then_valid_on_retry_gives_the_value(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply('{"n": "seven"}'), reply('Sure: ```json\n{"n": 7}\n```'))
    assert complete_json(llm, ASK, SCHEMA, validate=number) == 7
    first, second = openai_stub.requests
    assert first["messages"] == ASK
    assert second["messages"][: len(ASK)] == ASK
    assert second["messages"][-2] == {"role": "assistant", "content": '{"n": "seven"}'}
    correction = second["messages"][-1]
    assert correction["role"] == "user"
    assert 'That answer was not valid: expected {"n": <integer>}' in correction["content"]
    assert json.dumps(SCHEMA, separators=(",", ":")) in correction["content"]


def test_malformed_twice_raises_llm_output_error_with_the_raw_text(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply("I think about three?"), reply('{"n": "x"}'), reply('{"n": 9}'))
    with pytest.raises(LLMOutputError) as caught:
        complete_json(llm, ASK, SCHEMA, validate=number)
    error = caught.value
    assert error.raw == '{"n": "x"}' and error.attempts == 2 and error.code == "llm_output"
    assert "openai-compat:m gave unusable output after 2 tries" in str(error)
    assert len(openai_stub.requests) == 2  # bounded: the third scripted answer is never asked for


def test_a_pydantic_model_validates_and_its_errors_name_the_field(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(
        reply('{"facts": [{"text": "Ana moved to Porto"}]}'),
        reply('{"facts": [{"text": "Ana moved to Porto", "kind": "event"}]}'),
    )
    facts = complete_json(llm, ASK, None, validate=Facts)
    assert facts == Facts(facts=[Fact(text="Ana moved to Porto", kind="event")])
    first, second = openai_stub.requests
    assert first["response_format"]["json_schema"]["schema"] == Facts.model_json_schema()
    assert "facts.0.kind: Field required" in second["messages"][-1]["content"]


def test_without_a_validator_any_json_comes_back(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply('<think>two, I believe</think>{"n": 2, "extra": [1,],}'))
    assert complete_json(llm, ASK, SCHEMA) == {"n": 2, "extra": [1]}


def test_a_truncated_answer_is_asked_again_more_briefly(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply('{"n": 1, "why": "Ana said', finish_reason="length"), reply('{"n": 1}'))
    assert complete_json(llm, ASK, SCHEMA, validate=number) == 1
    correction = openai_stub.requests[1]["messages"][-1]["content"]
    assert "cut off" in correction and "short enough to finish" in correction


def test_an_empty_or_null_answer_is_bad_output_not_a_crash(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply(None), reply(""))  # type: ignore[arg-type]
    with pytest.raises(LLMOutputError, match="empty") as caught:
        complete_json(llm, ASK, SCHEMA, validate=number)
    assert caught.value.raw == ""


def test_retries_zero_means_a_single_ask(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(reply("nope"))
    with pytest.raises(LLMOutputError, match="after 1 tries: no JSON"):
        complete_json(llm, ASK, SCHEMA, validate=number, retries=0)
    assert len(openai_stub.requests) == 1


# --- outages become Unavailable, within the time budget ---------------------------------------


def test_a_500_then_a_200_succeeds(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(status(500), status(502), reply("fine"))
    assert llm.complete(ASK) == "fine"
    assert len(openai_stub.requests) == 3


def test_a_server_that_keeps_failing_is_unavailable_after_bounded_tries(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", retries=2)
    openai_stub.script(status(503, "overloaded"), status(503, "overloaded"), status(503, "overloaded"), reply("late"))
    with pytest.raises(Unavailable, match=r"/v1/chat/completions is failing: answered 503 to 3 tries \(overloaded\)"):
        llm.complete(ASK)
    assert len(openai_stub.requests) == 3


def test_rate_limiting_is_retried_and_then_reported(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", retries=1)
    openai_stub.script(status(429), reply("ok"))
    assert llm.complete(ASK) == "ok"
    openai_stub.script(status(429), status(429))
    with pytest.raises(Unavailable, match="rate-limiting"):
        llm.complete(ASK)


def test_a_timeout_is_unavailable_within_the_budget(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", timeout=0.5)
    openai_stub.script(delay(3))
    started = time.monotonic()
    with pytest.raises(Unavailable, match=r"127\.0\.0\.1:\d+/v1/chat/completions did not answer within 0.5 s"):
        llm.complete(ASK)
    assert time.monotonic() - started < 1.5


def test_retries_share_one_budget_rather_than_each_getting_the_whole_timeout(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", timeout=1.0, retries=5)
    openai_stub.script(*[status(500, after=0.4) for _ in range(6)], reply("never"))
    started = time.monotonic()
    with pytest.raises(Unavailable, match="within 1 s"):
        llm.complete(ASK)
    assert time.monotonic() - started < 1.5  # six tries of 0.4 s each would take 2.4 s and more


def test_a_refused_key_says_to_check_the_api_key(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m", api_key="wrong")
    openai_stub.script(status(401, '{"error": "invalid api key"}'), status(403))
    with pytest.raises(Unavailable, match=r"refused the credentials \(401 .*invalid api key.*check llm_api_key"):
        llm.complete(ASK)
    with pytest.raises(Unavailable, match="check llm_api_key"):
        llm.complete(ASK)
    assert len(openai_stub.requests) == 2  # a bad key is not retried


def test_an_unknown_model_says_to_check_the_model_name(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "gpt-9")
    openai_stub.script(status(404, '{"error": "model gpt-9 not found"}'))
    with pytest.raises(Unavailable, match="check llm_url and llm_model \\('gpt-9'\\)"):
        llm.complete(ASK)


def test_a_200_that_is_not_a_completion_is_unavailable(openai_stub: OpenAIStub) -> None:
    llm = OpenAICompatLLM(openai_stub.url, "m")
    openai_stub.script(raw_body("<html>502 bad gateway</html>"), raw_body('{"choices": []}'))
    with pytest.raises(Unavailable, match="without a chat completion: <html>502 bad gateway"):
        llm.complete(ASK)
    with pytest.raises(Unavailable, match="without a chat completion"):
        llm.complete(ASK)


def test_nobody_listening_is_unavailable_naming_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with OpenAICompatLLM(url, "m", retries=1) as llm, pytest.raises(Unavailable, match=f"cannot reach {url}"):
        llm.complete(ASK)


# --- settings ---------------------------------------------------------------------------------


def test_from_settings_builds_the_configured_client_or_none(openai_stub: OpenAIStub) -> None:
    assert from_settings(Settings()) is None
    with pytest.raises(InvalidInput, match="llm_model"):
        from_settings(Settings(llm_url=openai_stub.url))
    llm = from_settings(Settings(llm_url=openai_stub.url, llm_model="m", llm_api_key="s", llm_json_schema=False))
    assert isinstance(llm, OpenAICompatLLM) and llm.name == "openai-compat:m"
    openai_stub.script(reply('{"n": 1}'))
    assert llm.complete(ASK, schema=SCHEMA) == '{"n": 1}'
    assert openai_stub.requests[0]["response_format"] == {"type": "json_object"}
    assert openai_stub.requests[0]["_auth"] == "Bearer s"


# --- the seam inside remem ----------------------------------------------------------------------


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


def test_ask_past_the_budget_gives_the_llm_each_fact_with_the_turn_it_came_from(
    openai_stub: OpenAIStub, tmp_path: Path
) -> None:
    """A fact is a rewrite; the turn it was drawn from may hold the detail the question needs."""
    with Memory.open(
        tmp_path / "a.db", extractor="rules", llm_url=openai_stub.url, llm_model="m", context_tokens=60
    ) as mem:
        turn = "Hey! Big news, I moved to Lisbon in March, the flat is near the Alfama tram stop."
        mem.add([{"role": "user", "name": "Ana", "content": turn}], space="a", at="2024-03-02")
        for n in range(8):  # enough other memories that the space no longer fits the budget whole
            mem.add(f"Ana's note {n}: the recycling goes out on Thursday number {n}.", space="a", at="2024-03-03")
        openai_stub.default = lambda request: "Near the Alfama tram stop."
        answer = mem.ask("Where does Ana live?", space="a")
    assert not answer.full_context
    prompt = openai_stub.requests[-1]["messages"][0]["content"]
    fact = next(c for c in answer.context if c["kind"] != "turn" and "Lisbon" in c["text"])
    assert fact["said"] == [turn]
    assert f'from the turn: "{turn}"' in prompt
    assert prompt.count(turn) == 1  # each turn once, whether it is a hit itself or a fact's source
