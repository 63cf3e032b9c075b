"""The store seam: everything remem persists goes through this Protocol.

Two implementations keep the same contract (tests/test_store_contract.py runs
against both): SQLite (embedded default) and PostgreSQL. Every method is
scoped by space; an id from another space behaves exactly like an unknown id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from remem.types import Episode, Filters, MemoryItem, Version

Vector = np.ndarray  # float32, shape (dim,), L2-normalised


@dataclass(frozen=True)
class Job:
    """A unit of extraction work in the durable queue: episodes waiting to become memories."""

    id: str
    space: str
    episode_ids: list[str]
    state: str  # pending | running | done | failed
    attempts: int
    error: str | None
    created_at: datetime
    updated_at: datetime
    options: dict[str, Any] = field(default_factory=dict)
    worker: str | None = None  # "host:pid" of the process running it, so orphans can be told apart


@dataclass(frozen=True)
class PurgeReport:
    memories: int
    episodes: int
    versions: int


class Store(Protocol):
    """Persistence for spaces, episodes, memories, versions, vectors and the extraction queue."""

    url: str

    def close(self) -> None: ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes atomically; nested calls join the outer transaction."""
        ...

    # -- identity of the embedding space -------------------------------------------------
    def bind_embedder(self, name: str, dim: int) -> None:
        """Record the embedder on first use; raise Conflict if the store was built with another."""
        ...

    def embedder_binding(self) -> tuple[str, int] | None: ...

    # -- episodes (append-only) -----------------------------------------------------------
    def insert_episodes(self, episodes: Sequence[Episode]) -> None: ...

    def get_episodes(self, space: str, ids: Sequence[str]) -> list[Episode]:
        """The episodes of this space among ids, in the order given; unknown ids are skipped."""
        ...

    def list_episodes(self, space: str, session: str | None = None, limit: int = 100, offset: int = 0) -> list[Episode]:
        """Oldest first by event time."""
        ...

    def last_episodes(self, space: str, session: str, limit: int) -> list[Episode]:
        """A session's latest `limit` episodes, oldest first (the end of what list_episodes lists)."""
        ...

    # -- memories ---------------------------------------------------------------------------
    def insert_memory(self, item: MemoryItem, vector: Vector, version: Version) -> None: ...

    def update_memory(
        self, item: MemoryItem, vector: Vector | None, version: Version, *, after: int | None = None
    ) -> None:
        """Replace the current state (vector too, when given) and append the version. With `after`,
        the version the caller read: Conflict if the stored one is another by then (checked under the
        write lock, so of two writers who read one version only the first replaces it)."""
        ...

    def get_memory(self, space: str, memory_id: str) -> MemoryItem:
        """Raise NotFound when the id is unknown in this space."""
        ...

    def get_memories(self, space: str, ids: Sequence[str]) -> list[MemoryItem]:
        """Memories of this space among ids, in the order given; unknown ids are skipped."""
        ...

    def get_vectors(self, space: str, ids: Sequence[str]) -> dict[str, Vector]: ...

    def adjacent_turns(
        self, space: str, ids: Sequence[str], filters: Filters
    ) -> dict[str, tuple[str | None, str | None]]:
        """For each turn memory among ids, the turn memories said just before and after it in its session:
        (before, after), None where there is none or it fails the filters; ids with neither are left out,
        and so are turns without a session."""
        ...

    def list_memories(self, space: str, filters: Filters, limit: int = 100, offset: int = 0) -> list[MemoryItem]:
        """Newest first by created_at."""
        ...

    def memories_from(self, space: str, episode_ids: Sequence[str], filters: Filters) -> list[MemoryItem]:
        """Memories derived from any of these episodes that pass the filters, newest first by created_at."""
        ...

    def count_memories(self, space: str, filters: Filters) -> int: ...

    def history(self, space: str, memory_id: str) -> list[Version]:
        """Every version, oldest first; NotFound when unknown in this space."""
        ...

    def append_version(self, space: str, version: Version) -> None:
        """Record a decision that changed nothing in the state (e.g. NOOP) in the history."""
        ...

    def redact(self, space: str, episodes: Mapping[str, str], memories: Mapping[str, str]) -> None:
        """Replace episodes' content and the text of every version of the given memories (a partial
        forget: the rest of a turn stays), leaving no copy of the old words in the store."""
        ...

    def set_links(self, space: str, memory_id: str, links: Sequence[str]) -> None: ...

    def touch(self, space: str, ids: Sequence[str], boost: float, at: datetime) -> None:
        """Refresh strength of memories that were used (retrieved and returned)."""
        ...

    # -- search ---------------------------------------------------------------------------
    def lexical_search(self, space: str, terms: Sequence[str], filters: Filters, k: int) -> list[tuple[str, float]]:
        """BM25-ranked (memory id, score) for an OR of the plain terms given; best first."""
        ...

    def dense_search(self, space: str, vector: Vector, filters: Filters, k: int) -> list[tuple[str, float]]:
        """Cosine-ranked (memory id, similarity); best first."""
        ...

    def common_words(self, space: str, terms: Sequence[str]) -> set[str]:
        """The words of these terms (as lexical_search takes them) held by so many of the space's
        memories that they hardly tell its memories apart (remem.search.lexical.everywhere)."""
        ...

    # -- purge ------------------------------------------------------------------------------
    def purge(
        self,
        space: str,
        *,
        memory_ids: Sequence[str] | None = None,
        episode_ids: Sequence[str] | None = None,
        before: datetime | None = None,
        session: str | None = None,
        everything: bool = False,
    ) -> PurgeReport:
        """Really remove: rows, versions, vectors and index entries, plus the episodes in scope.

        By ids (memories, episodes or both) or else by time, session or everything. Every memory
        derived from a purged episode (its turn, facts, the session summary) goes with it.
        """
        ...

    def purge_scope(
        self,
        space: str,
        *,
        memory_ids: Sequence[str] | None = None,
        episode_ids: Sequence[str] | None = None,
        before: datetime | None = None,
        session: str | None = None,
        everything: bool = False,
    ) -> tuple[list[str], list[str], int]:
        """What `purge` with the same arguments would remove, removing nothing: memory ids, episode ids
        and the number of versions."""
        ...

    def pending_scrubs(self) -> list[dict[str, Any]]:
        """Scrubs owed after a forgetting that could not finish yet (a reader held the file, a crash came
        first): space, recorded_at, attempts, last_error. Each is retried until it completes."""
        ...

    def finish_scrubs(self) -> int:
        """Run the scrubs owed after forgettings (a reader may have delayed one); the number still owed."""
        ...

    # -- queue ------------------------------------------------------------------------------
    def enqueue(self, job: Job) -> None: ...

    def claim_jobs(
        self, space: str | None, limit: int, worker: str | None = None, job_ids: Sequence[str] | None = None
    ) -> list[Job]:
        """Move up to limit pending jobs (only those among job_ids, when given) to running, recording
        the worker; return them, oldest first. A job another worker claimed first is not returned."""
        ...

    def finish_job(self, job_id: str) -> None: ...

    def fail_job(self, job_id: str, error: str) -> None: ...

    def requeue_jobs(self, space: str | None, states: Sequence[str], job_ids: Sequence[str] | None = None) -> int:
        """Put failed (or stale running) jobs back to pending, only those among job_ids when given; returns how many."""
        ...

    def list_jobs(self, space: str | None, states: Sequence[str] | None = None) -> list[Job]: ...

    def remember_request(
        self, space: str, key: str, request_hash: str, job_id: str, episode_ids: Sequence[str]
    ) -> tuple[str, str, list[str]] | None:
        """Within the add's transaction: record an idempotency key for this job and its episodes, or, when the
        space holds the key already, record nothing and return the first request's (hash, job id, episode ids)."""
        ...

    def remember_decisions(self, space: str, key: str, decisions: Sequence[Mapping[str, Any]]) -> None:
        """Keep the decisions the request under an idempotency key made (as Decision.to_dict())."""
        ...

    def remembered_decisions(self, space: str, key: str) -> list[dict[str, Any]] | None:
        """The decisions kept for an idempotency key; None while none are."""
        ...

    # -- inventory --------------------------------------------------------------------------
    def spaces(self) -> list[str]: ...

    def stats(self, space: str | None = None) -> dict[str, Any]: ...

    def space_counts(self) -> dict[str, dict[str, int]]:
        """Per space with any record: episodes, memories, current_memories, pending_jobs, failed_jobs."""
        ...

    def ids_held_elsewhere(self, space: str, ids: Sequence[str]) -> set[str]:
        """Those of ids that `space` cannot take because another space holds them (SQLite keeps ids unique
        per file; PostgreSQL per space, so there it is always empty). Import renames them."""
        ...

    def iter_space(self, space: str) -> Iterator[dict[str, Any]]:
        """Every record of a space as JSON-ready dicts (episodes, memories with versions), for export."""
        ...
