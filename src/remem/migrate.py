"""Copying spaces between stores (SQLite to PostgreSQL and back), verified by counts and checksums."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from remem.errors import Conflict
from remem.portable import _episode, _memory, _version
from remem.store.base import Store


@dataclass(frozen=True)
class CopyReport:
    spaces: list[str]
    episodes: int
    memories: int
    versions: int
    checksum: str


def checksum(store: Store, space: str) -> tuple[str, dict[str, int]]:
    """sha256 over a canonical ordering of a space's episodes, memories and versions."""
    digest = hashlib.sha256()
    counts = {"episodes": 0, "memories": 0, "versions": 0}
    records = sorted(store.iter_space(space), key=lambda r: (r["type"], r["id"]))
    for record in records:
        kind = "episodes" if record["type"] == "episode" else "memories"
        counts[kind] += 1
        counts["versions"] += len(record.get("versions", []))
        digest.update(json.dumps(record, sort_keys=True, default=str).encode())
    return digest.hexdigest(), counts


def copy_store(source: Store, target: Store, space: str | None = None, batch: int = 500) -> CopyReport:
    """Copy one space (or all) with full history and vectors; refuse spaces the target already has."""
    binding = source.embedder_binding()
    if binding is None:
        raise Conflict("the source store has no embedder recorded: nothing was ever stored in it")
    target.bind_embedder(*binding)
    spaces = [space] if space is not None else source.spaces()
    existing = set(target.spaces())
    clash = [s for s in spaces if s in existing]
    if clash:
        raise Conflict(f"the target already has spaces {clash}; nothing was copied")
    totals = {"episodes": 0, "memories": 0, "versions": 0}
    digest = hashlib.sha256()
    for name in spaces:
        records = list(source.iter_space(name))
        episodes = [_episode(r, name) for r in records if r["type"] == "episode"]
        memories = [r for r in records if r["type"] == "memory"]
        with target.transaction():
            target.insert_episodes(episodes)
            for start in range(0, len(memories), batch):
                chunk = memories[start : start + batch]
                vectors = source.get_vectors(name, [r["id"] for r in chunk])
                for record in chunk:
                    item = _memory(record, name)
                    versions = [_version(v) for v in record["versions"]]
                    target.insert_memory(item, vectors[item.id], versions[0])
                    for version in versions[1:]:
                        target.append_version(name, version)
        source_sum, counts = checksum(source, name)
        target_sum, target_counts = checksum(target, name)
        if (source_sum, counts) != (target_sum, target_counts):
            raise Conflict(f"space {name!r} copied but does not verify: {counts} vs {target_counts}")
        for key in totals:
            totals[key] += counts[key]
        digest.update(source_sum.encode())
    return CopyReport(spaces, totals["episodes"], totals["memories"], totals["versions"], digest.hexdigest())


def open_store(url: str) -> Store:
    """'sqlite:PATH', a plain path, or a postgresql:// URL."""
    if url.startswith(("postgresql://", "postgres://")):
        from remem.store.postgres import PostgresStore

        return PostgresStore(url)
    from remem.store.sqlite import SQLiteStore

    return SQLiteStore(url.removeprefix("sqlite:"))


__all__ = ["CopyReport", "checksum", "copy_store", "open_store"]
