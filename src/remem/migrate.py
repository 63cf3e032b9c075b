"""Copying spaces between stores (SQLite to PostgreSQL and back), verified by counts and checksums.

`remem migrate --from sqlite:PATH --to postgresql://...` is a thin layer over `copy_store`, with
stores opened by `open_store` (remem.store's, named here too for the CLI).
Each space is copied inside one transaction of the target and verified before it commits, so a
space either arrives whole and identical or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from remem.errors import Conflict
from remem.portable import _episode, _memory, _version
from remem.store import open_store
from remem.store.base import Job, Store
from remem.timeutil import to_iso

BATCH = 500  # memories per round trip for vectors; bounds memory use on large spaces


@dataclass(frozen=True)
class CopyReport:
    """What copy_store copied, and the sha256 (over every space's checksum) both sides agree on."""

    spaces: list[str]
    episodes: int
    memories: int
    versions: int
    vectors: int
    jobs: int
    checksum: str


def checksum(store: Store, space: str) -> tuple[str, dict[str, int]]:
    """sha256 over a canonical ordering of a space's episodes, memories (with versions), vectors and
    jobs, and the count of each. Equal on two stores means the space's contents are equal."""
    counts = {"episodes": 0, "memories": 0, "versions": 0, "vectors": 0, "jobs": 0}
    # Hash each record, then hash the sorted (kind, id, hash) list: canonical order without
    # holding a large space's records in memory, only their digests.
    entries: list[tuple[str, str, str]] = []
    memory_ids: list[str] = []
    for record in store.iter_space(space):
        kind = "episode" if record["type"] == "episode" else "memory"
        counts["episodes" if kind == "episode" else "memories"] += 1
        if kind == "memory":
            counts["versions"] += len(record.get("versions", []))
            memory_ids.append(str(record["id"]))
        entries.append((kind, str(record["id"]), _digest(record)))
    for start in range(0, len(memory_ids), BATCH):
        chunk = memory_ids[start : start + BATCH]
        for memory_id, vector in store.get_vectors(space, chunk).items():
            counts["vectors"] += 1
            # float32 bytes: both stores keep float32, so equal vectors hash equal, bit for bit.
            data = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
            entries.append(("vector", memory_id, hashlib.sha256(data).hexdigest()))
    for job in store.list_jobs(space):
        counts["jobs"] += 1
        entries.append(("job", job.id, _digest(_job_record(job))))
    digest = hashlib.sha256()
    for kind, record_id, record_digest in sorted(entries):
        digest.update(f"{kind}\0{record_id}\0{record_digest}\n".encode())
    return digest.hexdigest(), counts


def copy_store(source: Store, target: Store, space: str | None = None, batch: int = BATCH) -> CopyReport:
    """Copy one space (or every space) with full version history, vectors and queued jobs.

    The target must not hold any of the spaces yet, and must use the source's embedder (or none).
    Raise Conflict, with nothing of that space committed, when the copy does not verify.
    """
    binding = source.embedder_binding()
    if binding is None:
        raise Conflict("the source store has no embedder recorded: nothing was ever stored in it")
    target.bind_embedder(*binding)  # raises Conflict when the target was built with another embedder
    spaces = [space] if space is not None else source.spaces()
    existing = set(target.spaces())
    clash = [s for s in spaces if s in existing]
    if clash:
        raise Conflict(f"the target already has spaces {clash}; nothing was copied (purge them there first)")
    totals = {"episodes": 0, "memories": 0, "versions": 0, "vectors": 0, "jobs": 0}
    digest = hashlib.sha256()
    for name in spaces:
        with target.transaction():
            _copy_space(source, target, name, batch)
            # Verify before the transaction commits: a mismatch rolls the whole space back.
            source_sum, counts = checksum(source, name)
            target_sum, target_counts = checksum(target, name)
            if (source_sum, counts) != (target_sum, target_counts):
                raise Conflict(
                    f"space {name!r} did not verify after copying (source {counts}, target {target_counts}); "
                    "nothing of it was kept in the target"
                )
        for key in totals:
            totals[key] += counts[key]
        digest.update(f"{name}\0{source_sum}\n".encode())
    return CopyReport(
        spaces=spaces,
        episodes=totals["episodes"],
        memories=totals["memories"],
        versions=totals["versions"],
        vectors=totals["vectors"],
        jobs=totals["jobs"],
        checksum=digest.hexdigest(),
    )


def _copy_space(source: Store, target: Store, space: str, batch: int) -> None:
    episodes = []
    for record in source.iter_space(space):
        if record["type"] == "episode":
            episodes.append(_episode(record, space))
            if len(episodes) >= batch:
                target.insert_episodes(episodes)
                episodes = []
    if episodes:
        target.insert_episodes(episodes)
    for chunk in _chunks((r for r in source.iter_space(space) if r["type"] == "memory"), batch):
        vectors = source.get_vectors(space, [str(r["id"]) for r in chunk])
        for record in chunk:
            item = _memory(record, space)
            versions = [_version(v) for v in record.get("versions", [])]
            if item.id not in vectors or not versions:
                raise Conflict(
                    f"memory {item.id!r} in space {space!r} has no vector or no history in the source; "
                    "it cannot be copied faithfully"
                )
            # The current state goes in with the first version; later versions append, in order.
            target.insert_memory(item, vectors[item.id], versions[0])
            for version in versions[1:]:
                target.append_version(space, version)
    for job in source.list_jobs(space):
        target.enqueue(job)


def _chunks(records: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _job_record(job: Job) -> dict[str, Any]:
    values = asdict(job)
    values["created_at"] = to_iso(job.created_at)  # UTC text: equal instants compare equal
    values["updated_at"] = to_iso(job.updated_at)
    return values


def _digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


__all__ = ["CopyReport", "checksum", "copy_store", "open_store"]
