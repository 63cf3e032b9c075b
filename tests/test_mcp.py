"""The MCP server, driven by the official SDK's client over stdio, as an assistant would."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from remem.write.pipeline import version_record


def _payload(result: Any) -> Any:
    if getattr(result, "structured_content", None) is not None:
        content = result.structured_content
        return content.get("result", content) if isinstance(content, dict) else content
    return json.loads(result.content[0].text)


@pytest.mark.parametrize("launch", ["module", "cli"])
def test_remember_recall_list_and_forget_over_stdio(tmp_path: Path, launch: str) -> None:
    db = tmp_path / "mcp.db"
    if launch == "module":
        command, args = sys.executable, ["-m", "remem.mcp_server", "--database", str(db), "--space", "me"]
    else:
        command, args = str(Path(sys.executable).with_name("remem")), ["--db", str(db), "mcp", "--space", "me"]
    params = StdioServerParameters(command=command, args=args, env={**os.environ, "REMEM_EXTRACTOR": "turns"})

    async def session() -> None:
        async with Client(params, read_timeout_seconds=60) as client:
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
            assert refused.is_error and "k must be between 1 and" in refused.content[0].text
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
