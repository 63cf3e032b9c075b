"""Import of records written by Memory.export: episodes and memories with their full history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from remem import validate
from remem.errors import Conflict, InvalidInput
from remem.timeutil import parse_time
from remem.types import Episode, MemoryItem, Version
from remem.write.extract import index_text

if TYPE_CHECKING:
    from remem.memory import Memory


def import_records(memory: Memory, records: Iterable[Mapping[str, Any]], *, space: str | None = None) -> dict[str, int]:
    """Insert exported records in one transaction; existing ids are refused, nothing half-done."""
    episodes: list[Episode] = []
    memories: list[tuple[MemoryItem, list[Version]]] = []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, Mapping) or record.get("type") not in ("episode", "memory"):
            raise InvalidInput(f"record {n} is not an exported episode or memory")
        target = validate.space_name(space or record.get("space"))
        try:
            if record["type"] == "episode":
                episodes.append(_episode(record, target))
            else:
                memories.append((_memory(record, target), [_version(v) for v in record.get("versions", [])]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"record {n} is malformed: {exc}") from None
    store = memory.store
    texts = [index_text(m.text, m.kind, m.valid_from, m.metadata) for m, _ in memories]
    vectors = memory.embedder.embed(texts) if memories else np.zeros((0, 0))
    with store.transaction():
        for e in episodes:
            if store.get_episodes(e.space, [e.id]):
                raise Conflict(f"episode {e.id} already exists in space {e.space!r}; nothing was imported")
        store.insert_episodes(episodes)
        for (item, versions), vector in zip(memories, vectors, strict=True):
            if store.get_memories(item.space, [item.id]):
                raise Conflict(f"memory {item.id} already exists in space {item.space!r}; nothing was imported")
            versions = versions or [_current_as_version(item)]
            store.insert_memory(item, vector, versions[0])
            for version in versions[1:]:
                store.append_version(item.space, version)
    return {"episodes": len(episodes), "memories": len(memories)}


def _episode(r: Mapping[str, Any], space: str) -> Episode:
    return Episode(
        id=str(r["id"]),
        space=space,
        role=str(r["role"]),
        content=str(r["content"]),
        session=r.get("session"),
        event_time=parse_time(r["event_time"], "event_time"),  # type: ignore[arg-type]
        ingest_time=parse_time(r["ingest_time"], "ingest_time"),  # type: ignore[arg-type]
        source=r.get("source"),
        name=r.get("name"),
        metadata=dict(r.get("metadata") or {}),
    )


def _memory(r: Mapping[str, Any], space: str) -> MemoryItem:
    return MemoryItem(
        id=str(r["id"]),
        space=space,
        text=str(r["text"]),
        kind=str(r["kind"]),
        session=r.get("session"),
        source_episode_ids=list(r.get("source_episode_ids") or []),
        keywords=list(r.get("keywords") or []),
        tags=list(r.get("tags") or []),
        links=list(r.get("links") or []),
        valid_from=parse_time(r.get("valid_from")),
        valid_to=parse_time(r.get("valid_to")),
        strength=float(r.get("strength", 1.0)),
        version=int(r["version"]),
        created_at=parse_time(r["created_at"]),  # type: ignore[arg-type]
        updated_at=parse_time(r["updated_at"]),  # type: ignore[arg-type]
        metadata=dict(r.get("metadata") or {}),
    )


def _version(r: Mapping[str, Any]) -> Version:
    return Version(
        memory_id=str(r["memory_id"]),
        version=int(r["version"]),
        operation=str(r["operation"]),
        text=str(r["text"]),
        kind=str(r["kind"]),
        tags=list(r.get("tags") or []),
        valid_from=parse_time(r.get("valid_from")),
        valid_to=parse_time(r.get("valid_to")),
        reason=str(r.get("reason", "")),
        actor=str(r.get("actor", "import")),
        episode_id=r.get("episode_id"),
        recorded_at=parse_time(r["recorded_at"]),  # type: ignore[arg-type]
    )


def _current_as_version(item: MemoryItem) -> Version:
    from remem.write.pipeline import version_record

    return version_record(item, "ADD", "imported", "import")
