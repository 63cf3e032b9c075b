"""`remem mcp`: remem as an MCP server (official Python SDK), one space per server, stdio by default.

Tools: remember, recall, ask, forget, list_memories. Register it with a desktop assistant or a
coding agent as a command: `remem --db ~/.remem/default.db mcp --space me` (see docs/mcp.md).
"""

# No `from __future__ import annotations`: the tools' annotations carry bounds read from settings
# (max_k) when build() runs, and the SDK reads them from the functions as objects.
import argparse
import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from remem import __version__, validate
from remem.errors import InvalidInput, RememError
from remem.memory import Memory
from remem.search.fuse import RELEVANT
from remem.store.base import PurgeReport
from remem.types import KINDS, MemoryItem


@contextlib.contextmanager
def _told_to_the_model() -> Iterator[None]:
    """remem's errors say what to fix; the SDK hides unexpected exceptions' messages, so pass ours on."""
    try:
        yield
    except RememError as exc:
        raise ToolError(f"{exc.code}: {exc}") from exc


MIN_SCORE = Field(
    ge=0.0,
    le=1.0,
    description=f"Leave out memories less relevant than this (0 to 1; default {RELEVANT}: "
    "loosely related ones go). 0 returns the best matches, however poor.",
)
DATE = "an ISO-8601 date or date-time, e.g. 2024-03-02 or 2024-03-02T10:00:00Z (UTC when no offset)"
EXTRACTIVE_NOTE = (
    "No LLM is configured: this answer is extractive, the best-ranked memory verbatim, not a composed answer. "
    "Read the evidence (the top memories, best first) before relying on it; the answer may be in a later one."
)

if TYPE_CHECKING:
    Kind = str
    Role = str
else:
    Kind = Literal[KINDS]  # the JSON schema lists them as an enum
    Role = Literal[validate.ROLES]


def build(memory: Memory, space: str) -> MCPServer:
    """An MCP server whose tools read and write the one space `space`."""
    max_k = memory.settings.max_k
    server = MCPServer(
        name="remem",
        version=__version__,
        instructions=(
            f"Long-term memory for space {space!r}. Call recall before answering questions about the user or past "
            "conversations; call remember with facts worth keeping; cite memory ids."
        ),
    )

    @server.tool(description="Store something worth remembering (a fact, preference, event or a conversation turn).")
    def remember(
        text: Annotated[str, Field(description="What was said or observed, in plain words (one turn or fact).")],
        role: Annotated[Role, Field(description="Who said it: the user's facts are kept as the user's.")] = "user",
        name: Annotated[str | None, Field(description="The speaker's name, when the role is not enough.")] = None,
        session: Annotated[
            str | None, Field(description="A conversation id: turns of one session are summarised together.")
        ] = None,
        at: Annotated[str | None, Field(description=f"When it happened: {DATE}. Default: now.")] = None,
    ) -> dict[str, Any]:
        message = {"role": role, "content": text, **({"name": name} if name else {})}
        with _told_to_the_model():
            result = memory.add([message], space=space, session=session, at=at)
        return {"status": result.status, "decisions": [d.to_dict() for d in result.decisions], "error": result.error}

    @server.tool(
        description="Search memory (hybrid lexical + semantic); returns memories with ids, dates and scores "
        "(relevance, 0 to 1), best first. An empty list means nothing relevant is remembered."
    )
    def recall(
        query: Annotated[str, Field(description="What to look for, in plain words (a question works).")],
        k: Annotated[int, Field(ge=1, le=max_k, description=f"How many memories to return, 1 to {max_k}.")] = 8,
        as_of: Annotated[
            str | None, Field(description=f"Only what was true at this moment: {DATE}. Default: now.")
        ] = None,
        min_score: Annotated[float, MIN_SCORE] = RELEVANT,
    ) -> list[dict[str, Any]]:
        with _told_to_the_model():
            hits = memory.search(query, space=space, k=k, as_of=as_of, min_score=min_score, neighbours=1)
        return [_evidence(h.memory, h.score, around=h.context) for h in hits]

    @server.tool(
        description="Answer a question from memory, citing memory ids. Without an LLM configured the answer is "
        "extractive (mode 'extractive': the best memory verbatim); the evidence is returned with it either way."
    )
    def ask(
        question: Annotated[str, Field(description="The question, in plain words.")],
        k: Annotated[
            int, Field(ge=1, le=max_k, description=f"How many memories of evidence to return, 1 to {max_k}.")
        ] = 5,
        as_of: Annotated[str | None, Field(description=f"Answer as of this moment: {DATE}. Default: now.")] = None,
        min_score: Annotated[float, MIN_SCORE] = RELEVANT,
    ) -> dict[str, Any]:
        with _told_to_the_model():
            answer: Any = memory.ask(question, space=space, k=k, as_of=as_of, min_score=min_score)
            if answer.mode == "extractive":
                found = memory.search(question, space=space, k=k, as_of=as_of, min_score=min_score)
                evidence = [_evidence(h.memory, h.score) for h in found]
            else:
                cited = {c: i for i, c in enumerate(answer.citations)}
                read = {m.id: m for m in memory.store.get_memories(space, list(cited))}
                evidence = [_evidence(read[i]) for i in cited if i in read]
        result = {"answer": answer.answer, "citations": answer.citations, "mode": answer.mode, "evidence": evidence}
        return {**result, "note": EXTRACTIVE_NOTE} if answer.mode == "extractive" else result

    @server.tool(
        description="Permanently forget memories by id (purged from storage and indexes). By default the "
        "conversation turns a fact came from go too, so nothing that said it can be found again; a session "
        "summary came from every turn of its session, so its turns go only with with_sources=true."
    )
    def forget(
        ids: Annotated[list[str], Field(description="Memory ids (mem_...) from recall, ask or list_memories.")],
        with_sources: Annotated[
            bool | None,
            Field(
                description="Also purge the turns the memories came from, and all derived from them. "
                "Default: yes for facts, no for session summaries."
            ),
        ] = None,
    ) -> dict[str, int]:
        with _told_to_the_model():
            report = _forget(memory, space, ids, with_sources)
        return {"memories": report.memories, "episodes": report.episodes}

    @server.tool(description="List recent memories, newest first.")
    def list_memories(
        limit: Annotated[int, Field(ge=1, le=1000, description="How many memories to return, 1 to 1000.")] = 20,
        kind: Annotated[Kind | None, Field(description="Only memories of this kind. Default: every kind.")] = None,
    ) -> list[dict[str, Any]]:
        with _told_to_the_model():
            items = memory.list(space=space, kinds=[kind] if kind else None, limit=limit)
        return [{"id": m.id, "text": m.text, "kind": m.kind} for m in items]

    return server


def _evidence(item: MemoryItem, score: float | None = None, around: Sequence[MemoryItem] = ()) -> dict[str, Any]:
    """A memory as a model reads it: id to cite, text, kind, when it became true, and its score; a
    turn with the turns said just before and after it (`before`, `after`: the question it answers,
    the reply it got), which is often where the answer is."""
    found: dict[str, Any] = {
        "id": item.id,
        "text": item.text,
        "kind": item.kind,
        "when": (item.valid_from or item.created_at).isoformat(),
    }
    if score is not None:
        found["score"] = round(score, 4)
    ids = [m.id for m in around]
    if item.id in ids:
        at = ids.index(item.id)
        for side, turns in (("before", around[:at]), ("after", around[at + 1 :])):
            if turns:
                found[side] = [{"id": m.id, "text": m.text} for m in turns]
    return found


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
