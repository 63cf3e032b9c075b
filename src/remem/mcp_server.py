"""`remem mcp`: remem as an MCP server (official Python SDK), one space per server, stdio by default.

Tools: remember, recall, ask, forget, list_memories. Register it with a desktop assistant or a
coding agent as a command: `remem --db ~/.remem/default.db mcp --space me` (see docs/mcp.md).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from remem import validate
from remem.errors import InvalidInput, RememError
from remem.memory import Memory
from remem.store.base import PurgeReport


@contextlib.contextmanager
def _told_to_the_model() -> Iterator[None]:
    """remem's errors say what to fix; the SDK hides unexpected exceptions' messages, so pass ours on."""
    try:
        yield
    except RememError as exc:
        raise ToolError(f"{exc.code}: {exc}") from exc


def build(memory: Memory, space: str) -> MCPServer:
    """An MCP server whose tools read and write the one space `space`."""
    server = MCPServer(
        name="remem",
        instructions=(
            f"Long-term memory for space {space!r}. Call recall before answering questions about the user or past "
            "conversations; call remember with facts worth keeping; cite memory ids."
        ),
    )

    @server.tool(description="Store something worth remembering (a fact, preference, event or a conversation turn).")
    def remember(
        text: str, role: str = "user", name: str | None = None, session: str | None = None, at: str | None = None
    ) -> dict[str, Any]:
        message = {"role": role, "content": text, **({"name": name} if name else {})}
        with _told_to_the_model():
            result = memory.add([message], space=space, session=session, at=at)
        return {"status": result.status, "decisions": [d.to_dict() for d in result.decisions], "error": result.error}

    @server.tool(description="Search memory (hybrid lexical + semantic); returns memories with ids, dates and scores.")
    def recall(query: str, k: int = 8, as_of: str | None = None) -> list[dict[str, Any]]:
        with _told_to_the_model():
            hits = memory.search(query, space=space, k=k, as_of=as_of)
        return [
            {
                "id": h.memory.id,
                "text": h.memory.text,
                "kind": h.memory.kind,
                "score": round(h.score, 4),
                "when": (h.memory.valid_from or h.memory.created_at).isoformat(),
            }
            for h in hits
        ]

    @server.tool(description="Answer a question from memory, citing memory ids.")
    def ask(question: str) -> dict[str, Any]:
        with _told_to_the_model():
            answer: Any = memory.ask(question, space=space)
        return {"answer": answer.answer, "citations": answer.citations, "mode": answer.mode}

    @server.tool(
        description="Permanently forget memories by id (purged from storage and indexes). By default the "
        "conversation turns a fact came from go too, so nothing that said it can be found again; a session "
        "summary came from every turn of its session, so its turns go only with with_sources=true."
    )
    def forget(ids: list[str], with_sources: bool | None = None) -> dict[str, int]:
        with _told_to_the_model():
            report = _forget(memory, space, ids, with_sources)
        return {"memories": report.memories, "episodes": report.episodes}

    @server.tool(description="List recent memories, newest first.")
    def list_memories(limit: int = 20, kind: str | None = None) -> list[dict[str, Any]]:
        with _told_to_the_model():
            items = memory.list(space=space, kinds=[kind] if kind else None, limit=limit)
        return [{"id": m.id, "text": m.text, "kind": m.kind} for m in items]

    return server


def _forget(memory: Memory, space: str, ids: list[str], with_sources: bool | None) -> PurgeReport:
    """with_sources None: the turns facts came from go, but not the whole session behind a summary."""
    if with_sources is not None:
        return memory.forget(space=space, ids=ids, with_sources=with_sources)
    wanted = list(validate.string_list(ids, "ids", max_items=validate.MAX_IDS) or ())
    if not wanted:
        raise InvalidInput("ids is empty: give the ids of the memories to forget")
    summaries = [m.id for m in memory.store.get_memories(space, wanted) if m.kind == "summary"]
    facts = [i for i in wanted if i not in summaries]
    if not summaries or not facts:
        return memory.forget(space=space, ids=wanted, with_sources=not summaries)
    with memory.store.transaction():  # one purge, all or nothing, in two steps
        first = memory.forget(space=space, ids=summaries)
        second = memory.forget(space=space, ids=facts, with_sources=True)
    return PurgeReport(
        memories=first.memories + second.memories,
        episodes=first.episodes + second.episodes,
        versions=first.versions + second.versions,
    )


def run(database: str | None, space: str) -> None:
    """Serve `space` of the store at `database` over stdio until the client disconnects."""
    with Memory.open(database) as memory:
        build(memory, space).run("stdio")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default=None)
    parser.add_argument("--space", default="default")
    args = parser.parse_args()
    run(args.database, args.space)


if __name__ == "__main__":
    main()
