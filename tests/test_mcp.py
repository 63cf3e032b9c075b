"""The MCP server, driven by the official SDK's client over stdio, as an assistant would."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from remem import __version__
from remem.types import KINDS
from remem.write.pipeline import version_record


def _payload(result: Any) -> Any:
    if getattr(result, "structured_content", None) is not None:
        content = result.structured_content
        return content.get("result", content) if isinstance(content, dict) else content
    return json.loads(result.content[0].text)


@pytest.mark.parametrize("launch", ["module", "cli", "printed-config"])
def test_remember_recall_list_and_forget_over_stdio(
    tmp_path: Path, launch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "mcp.db"
    if launch == "module":
        command, args = sys.executable, ["-m", "remem.mcp_server", "--database", str(db), "--space", "me"]
    elif launch == "cli":
        command, args = str(Path(sys.executable).with_name("remem")), ["--db", str(db), "mcp", "--space", "me"]
    else:
        # What `remem mcp --print-config` prints is what a client launches, from any working directory.
        monkeypatch.chdir(tmp_path)
        printed = subprocess.run(
            [str(Path(sys.executable).with_name("remem")), "--db", "mcp.db", "mcp", "--space", "me", "--print-config"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert not db.exists()  # printing the config creates nothing
        server = json.loads(printed.stdout)["mcpServers"]["remem"]
        command, args = server["command"], server["args"]
        assert Path(command).is_absolute() and str(db) in args
        monkeypatch.chdir("/")
    params = StdioServerParameters(command=command, args=args, env={**os.environ, "REMEM_EXTRACTOR": "turns"})

    async def session() -> None:
        async with Client(params, read_timeout_seconds=60) as client:
            assert client.server_info is not None and client.server_info.version == __version__
            tools = {t.name for t in (await client.list_tools()).tools}
            assert {"remember", "recall", "ask", "forget", "list_memories"} <= tools
            stored = _payload(await client.call_tool("remember", {"text": "My sister Ines lives in Porto."}))
            assert stored["status"] == "done"
            memory_id = stored["decisions"][0]["memory_id"]
            hits = _payload(await client.call_tool("recall", {"query": "where does my sister live?"}))
            assert hits[0]["id"] == memory_id and "Porto" in hits[0]["text"]
            listed = _payload(await client.call_tool("list_memories", {}))
            assert [m["id"] for m in listed] == [memory_id]
            answer = _payload(await client.call_tool("ask", {"question": "Where does Ines live?"}))
            assert answer["citations"] == [memory_id]
            refused = await client.call_tool("recall", {"query": "sister", "k": 10**6})
            assert refused.is_error and "less than or equal to 200" in refused.content[0].text
            assert _payload(await client.call_tool("forget", {"ids": [memory_id]}))["memories"] == 1
            assert _payload(await client.call_tool("list_memories", {})) == []
            assert _payload(await client.call_tool("recall", {"query": "sister"})) == []

    asyncio.run(session())


def test_forget_of_a_summary_keeps_its_session_and_errors_say_what_was_wrong(tmp_path: Path) -> None:
    from remem import Memory
    from remem.mcp_server import build

    with Memory.open(tmp_path / "mcp.db", extractor="turns") as memory:
        turns = [memory.add(f"Turn {i} of our chat about Porto.", space="me", session="s1") for i in range(3)]
        fact = turns[0].decisions[0].memory_id
        summary = memory.add("A summary of the chat about Porto.", space="me", session="s1").decisions[0].memory_id
        assert summary is not None and fact is not None
        item = memory.get(summary, space="me")
        # A session summary comes from every turn of its session.
        memory.store.update_memory(
            replace(item, kind="summary", source_episode_ids=[t.episodes[0].id for t in turns]),
            None,
            version_record(item, "UPDATE", "summarised", "summarizer"),
        )

        async def session() -> None:
            async with Client(build(memory, "me")) as client:
                gone = _payload(await client.call_tool("forget", {"ids": [summary]}))
                assert gone == {"memories": 1, "episodes": 0}
                assert len(memory.episodes(space="me")) == 4  # the session's turns are all still there
                gone = _payload(await client.call_tool("forget", {"ids": [fact]}))  # a fact: its turn goes too
                assert gone == {"memories": 1, "episodes": 1}
                refused = await client.call_tool("remember", {"text": "x", "at": "0001-01-01T00:00:00+01:00"})
                assert refused.is_error and "at must be between 1000-01-01 and 9999-12-31" in refused.content[0].text
                refused = await client.call_tool("forget", {"ids": []})
                assert refused.is_error and "ids is empty" in refused.content[0].text

        asyncio.run(session())


def test_every_tool_field_is_described_bounded_and_typed_for_the_model(tmp_path: Path) -> None:
    from remem import Memory
    from remem.mcp_server import build

    with Memory.open(tmp_path / "mcp.db", extractor="turns") as memory:

        async def session() -> dict[str, Any]:
            async with Client(build(memory, "me")) as client:
                assert client.server_info is not None and client.server_info.version == __version__
                return {t.name: t for t in (await client.list_tools()).tools}

        tools = asyncio.run(session())
    for tool in tools.values():
        assert tool.description, tool.name
        for name, field in tool.input_schema["properties"].items():
            assert len(field.get("description", "")) > 10, f"{tool.name}.{name} has no description"
    recall = tools["recall"].input_schema["properties"]
    assert (recall["k"]["minimum"], recall["k"]["maximum"], recall["k"]["default"]) == (1, 200, 8)
    assert "ISO-8601" in recall["as_of"]["description"] and "2024-03-02T10:00:00Z" in recall["as_of"]["description"]
    assert "ISO-8601" in tools["remember"].input_schema["properties"]["at"]["description"]
    kind = tools["list_memories"].input_schema["properties"]["kind"]
    assert [option.get("enum") for option in kind["anyOf"]] == [list(KINDS), None]
    role = tools["remember"].input_schema["properties"]["role"]
    assert role["enum"] == ["user", "assistant", "system", "tool", "event", "document"]
    assert tools["ask"].input_schema["properties"]["k"]["maximum"] == 200


def test_ask_without_an_llm_says_it_is_extractive_and_returns_the_evidence(tmp_path: Path) -> None:
    from remem import Memory
    from remem.mcp_server import build

    with Memory.open(tmp_path / "mcp.db", extractor="turns") as memory:
        said = [
            ("My sister Ines loves the sea.", "2024-03-01T09:00:00Z"),
            ("Ines works as a nurse at the hospital in town.", "2024-03-02T09:00:00Z"),
            ("Last week Ines moved to Porto with her dog.", "2024-03-03T09:00:00Z"),
            ("I bought a new bicycle.", "2024-03-04T09:00:00Z"),
        ]
        ids = [memory.add(text, space="me", at=at).decisions[0].memory_id for text, at in said]

        async def session() -> dict[str, Any]:
            async with Client(build(memory, "me")) as client:
                refused = await client.call_tool("ask", {"question": "Where is Ines?", "k": 0})
                assert refused.is_error and "greater than or equal to 1" in refused.content[0].text
                return dict(_payload(await client.call_tool("ask", {"question": "Where does Ines live?", "k": 3})))

        answer = asyncio.run(session())
    assert answer["mode"] == "extractive"
    assert "extractive" in answer["note"] and "evidence" in answer["note"]
    assert answer["citations"] == [answer["evidence"][0]["id"]] and answer["answer"] == answer["evidence"][0]["text"]
    assert len(answer["evidence"]) == 3
    by_id = {e["id"]: e for e in answer["evidence"]}
    porto = by_id[ids[2]]  # the turn that says where she lives is among the evidence, whatever ranks first
    assert porto["text"] == said[2][0] and porto["when"] == "2024-03-03T09:00:00+00:00" and porto["kind"] == "turn"
    assert all(set(e) == {"id", "text", "kind", "when", "score"} for e in answer["evidence"])
    assert all(0.0 <= e["score"] <= 1.0 for e in answer["evidence"])  # relevance, comparable across questions


def test_recall_gives_a_turn_with_the_turns_said_around_it(tmp_path: Path) -> None:
    from remem import Memory
    from remem.mcp_server import build

    with Memory.open(tmp_path / "mcp.db", extractor="turns") as memory:
        memory.add(
            [
                {"role": "user", "content": "We had people over on Saturday."},
                {"role": "user", "content": "Who sang at the birthday party?"},
                {"role": "assistant", "content": "Matt Patterson did, with his guitar."},
            ],
            space="me",
            session="party",
        )

        async def session() -> list[dict[str, Any]]:
            async with Client(build(memory, "me")) as client:
                return list(_payload(await client.call_tool("recall", {"query": "who sang at the birthday party"})))

        hits = asyncio.run(session())
        question = next(h for h in hits if "birthday" in h["text"])
        assert [t["text"] for t in question["before"]] == ["We had people over on Saturday."]
        assert [t["text"] for t in question["after"]] == ["Matt Patterson did, with his guitar."]
        # The reply shares no word with the query and scores under recall's min_score, yet the model reads it,
        # with an id it can cite.
        assert memory.get(question["after"][0]["id"], space="me").text == "Matt Patterson did, with his guitar."
