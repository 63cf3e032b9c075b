"""What the two SQL engines share: the Store contract's queries and policy, written once.

`SQLStore` holds every query that reads the same on SQLite and PostgreSQL (episodes, memories,
versions, links, the job queue, stats, export) and the rules of a purge: what it takes in, that
whatever was derived from a purged episode goes with it, and what it leaves behind in links, jobs
and the histories of the memories that survive it.

An engine (store/sqlite.py, store/postgres.py) subclasses it and supplies only what differs, as
Django's database backends do:

- running SQL: `_q`, `_x`, `_many` and `transaction`. The SQL here is written with `%s`
  placeholders, psycopg's; SQLite turns them into its `?`. (Not the other way round: `?` is a
  jsonb operator in PostgreSQL's own queries.)
- `_in`, a list bound to a column; `_tag_clause`, a memory holding one tag; `rows`, the engine's
  JSON and time conversions; the class settings below (the claim's row lock among them).
- the memory row's engine columns (`_insert_memory_row`, `_update_memory_row`,
  `_delete_memory_rows`), the vectors (`get_vectors`, `dense_search`), `lexical_search`,
  and what follows a write (`_changed`) or a forgetting (`_scrub_soon`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, ClassVar

from remem.errors import Conflict, InvalidInput, NotFound
from remem.store.base import Job, PurgeReport, Vector
from remem.store.forgotten import FORGOTTEN_REASON, MAX_TEXTS, quotes_forgotten, searchable_texts
from remem.store.rows import (
    EPISODE_COLUMNS,
    JOB_COLUMNS,
    MEMORY_COLUMNS,
    VERSION_COLUMNS,
    Codec,
    Record,
    read_one,
    readable,
)
from remem.timeutil import now
from remem.types import Episode, Filters, MemoryItem, Version

REDACTED_REASON = "redacted: the user asked to forget part of it"


class SQLStore:
    """The Store contract over SQL; an engine subclass supplies the hooks named in the module docstring."""

    url: str
    backend: ClassVar[str]  # "sqlite" | "postgres", as stats reports it
    meta_table: ClassVar[str]  # where the embedder binding is kept
    order_column: ClassVar[str]  # the column that orders rows as they were inserted
    id_space: ClassVar[str] = "space"  # how a lookup by ids names the space column (a planner hint on SQLite)
    list_size: ClassVar[int]  # the most values one statement binds as a list
    job_key: ClassVar[str] = "space, id"  # the columns of the jobs table's primary key
    claim_lock: ClassVar[str] = ""  # appended to the claim's inner SELECT
    rows: ClassVar[Codec]
    _dim: int | None

    # -- hooks ------------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a statement that returns none)."""
        raise NotImplementedError

    def _x(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        raise NotImplementedError

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each row of parameters."""
        raise NotImplementedError

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """A clause true when `column` is among values (at most list_size of them), and its parameters."""
        raise NotImplementedError

    def _tag_clause(self) -> str:
        """A clause true when memory m holds the tag given as its one parameter."""
        raise NotImplementedError

    def _insert_memory_row(self, item: MemoryItem, vector: Vector) -> None:
        raise NotImplementedError

    def _update_memory_row(self, item: MemoryItem, vector: Vector | None) -> None:
        """Write the row's new state (the vector too, when given); NotFound when it is not in its space."""
        raise NotImplementedError

    def _delete_memory_rows(self, space: str, ids: Sequence[str]) -> None:
        """Delete these memories' rows and what the engine keeps beside them (vectors, token counts)."""
        raise NotImplementedError

    def _purged(self, space: str) -> None:
        """Inside a purge's transaction, after its deletes."""

    def _changed(self, space: str) -> None:
        """After a write has committed: forget what was cached about the space."""

    def _scrub_soon(self) -> None:
        """After words were forgotten: leave no copy of them behind in the engine's files."""

    def _stats_location(self) -> dict[str, Any]:
        return {}

    def _size_bytes(self) -> int:
        raise NotImplementedError

    def _lock_binding(self) -> None:
        """Serialise first bindings of the embedder, inside the binding's transaction."""

    def _index_vectors(self, dim: int) -> None:
        """Prepare the vector index once the dimension is known."""

    # -- helpers ----------------------------------------------------------------------------
    def _chunks(self, items: Sequence[Any]) -> Iterator[list[Any]]:
        """Distinct items, in order, list_size at a time."""
        distinct = list(dict.fromkeys(items))
        for start in range(0, len(distinct), self.list_size):
            yield distinct[start : start + self.list_size]

    def _ids_among(self, sql: str, space: str, column: str, values: Sequence[str]) -> list[str]:
        """The first column of `sql` (which ends in a WHERE over space and then one more clause) for
        every chunk of values bound to `column`."""
        found: list[str] = []
        for chunk in self._chunks(values):
            clause, params = self._in(column, chunk)
            found += [r[0] for r in self._q(f"{sql} AND {clause}", [space, *params])]
        return found

    def _by_ids(
        self, what: str, convert: Callable[[Sequence[Any]], Record], sql: str, space: str, ids: Sequence[str]
    ) -> list[Record]:
        """The records of this space among ids, in the order given; unknown and unreadable ones are skipped.

        `sql` selects the record's columns and ends in WHERE; the space and the ids are added here.
        """
        found: dict[str, Record] = {}
        for chunk in self._chunks(ids):
            where: tuple[str, list[Any]] = self._in("id", chunk)
            for row in self._q(f"{sql} {self.id_space} = %s AND {where[0]}", [space, *where[1]]):
                if (record := read_one(row, convert, what)) is not None:
                    found[row[0]] = record
        return [found[i] for i in ids if i in found]

    # -- embedder binding -------------------------------------------------------------------
    def embedder_binding(self) -> tuple[str, int] | None:
        rows = dict(self._q(f"SELECT key, value FROM {self.meta_table} WHERE key IN ('embedder', 'dim')"))
        return (rows["embedder"], int(rows["dim"])) if "embedder" in rows else None

    def bind_embedder(self, name: str, dim: int) -> None:
        with self.transaction():
            self._lock_binding()
            bound = self.embedder_binding()
            if bound is None:
                self._x(
                    f"INSERT INTO {self.meta_table} (key, value) VALUES ('embedder', %s), ('dim', %s)", (name, str(dim))
                )
                self._index_vectors(dim)
            elif bound != (name, dim):
                raise Conflict(
                    f"this store was built with embedder {bound[0]} ({bound[1]} dims), not {name} "
                    f"({dim} dims); open it with the same embedder or re-embed into a new store"
                )
        self._dim = dim

    # -- episodes ---------------------------------------------------------------------------
    def insert_episodes(self, episodes: Sequence[Episode]) -> None:
        with self.transaction():
            self._many(
                f"INSERT INTO episodes ({EPISODE_COLUMNS}) VALUES ({_marks(10)})",
                [self.rows.episode_row(e) for e in episodes],
            )

    def get_episodes(self, space: str, ids: Sequence[str]) -> list[Episode]:
        return self._by_ids("episode", self.rows.episode, f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE", space, ids)

    def list_episodes(self, space: str, session: str | None = None, limit: int = 100, offset: int = 0) -> list[Episode]:
        where, params = "space = %s", [space]
        if session is not None:
            where += " AND session = %s"
            params.append(session)
        rows = self._q(
            f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE {where} "
            f"ORDER BY event_time, {self.order_column} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return readable(rows, self.rows.episode, "episode")

    # -- memories ---------------------------------------------------------------------------
    def insert_memory(self, item: MemoryItem, vector: Vector, version: Version) -> None:
        with self.transaction():
            self._insert_memory_row(item, vector)
            self._link_sources(item)
            self._insert_version(item.space, version)
        self._changed(item.space)

    def update_memory(self, item: MemoryItem, vector: Vector | None, version: Version) -> None:
        with self.transaction():
            self._update_memory_row(item, vector)
            self._link_sources(item)
            self._insert_version(item.space, version)
        self._changed(item.space)

    def _link_sources(self, item: MemoryItem) -> None:
        self._many(
            "INSERT INTO memory_episodes (space, memory_id, episode_id) VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
            [(item.space, item.id, e) for e in item.source_episode_ids],
        )

    def _insert_version(self, space: str, version: Version) -> None:
        self._x(
            f"INSERT INTO memory_versions (space, {VERSION_COLUMNS}) VALUES ({_marks(13)})",
            self.rows.version_row(space, version),
        )

    def append_version(self, space: str, version: Version) -> None:
        with self.transaction():
            self.get_memory(space, version.memory_id)
            self._insert_version(space, version)

    def redact(self, space: str, episodes: Mapping[str, str], memories: Mapping[str, str]) -> None:
        """Rewrite episodes' content and every version of memories to redacted text, leaving no copy
        of the words that were there."""
        with self.transaction():
            self._many(
                "UPDATE episodes SET content = %s WHERE space = %s AND id = %s",
                [(content, space, i) for i, content in episodes.items()],
            )
            self._many(
                f"UPDATE memory_versions SET text = %s, reason = '{REDACTED_REASON}' "
                "WHERE space = %s AND memory_id = %s",
                [(text, space, i) for i, text in memories.items()],
            )
        self._changed(space)
        self._scrub_soon()

    def get_memory(self, space: str, memory_id: str) -> MemoryItem:
        rows = self._q(f"SELECT {MEMORY_COLUMNS} FROM memories WHERE space = %s AND id = %s", (space, memory_id))
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        item = read_one(rows[0], self.rows.memory, "memory")
        if item is None:
            raise NotFound(f"memory {memory_id!r} in space {space!r} cannot be read (see the log); forget it")
        return item

    def get_memories(self, space: str, ids: Sequence[str]) -> list[MemoryItem]:
        return self._by_ids("memory", self.rows.memory, f"SELECT {MEMORY_COLUMNS} FROM memories WHERE", space, ids)

    def list_memories(self, space: str, filters: Filters, limit: int = 100, offset: int = 0) -> list[MemoryItem]:
        where, params = self._filter_sql(space, filters)
        rows = self._q(
            f"SELECT {MEMORY_COLUMNS} FROM memories m WHERE {where} "
            f"ORDER BY created_at DESC, {self.order_column} DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return readable(rows, self.rows.memory, "memory")

    def count_memories(self, space: str, filters: Filters) -> int:
        where, params = self._filter_sql(space, filters)
        return int(self._q(f"SELECT count(*) FROM memories m WHERE {where}", params)[0][0])

    def history(self, space: str, memory_id: str) -> list[Version]:
        rows = self._q(
            f"SELECT {VERSION_COLUMNS} FROM memory_versions WHERE space = %s AND memory_id = %s ORDER BY seq",
            (space, memory_id),
        )
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        return readable(rows, self.rows.version, "version")

    def set_links(self, space: str, memory_id: str, links: Sequence[str]) -> None:
        with self.transaction():
            changed = self._x(
                "UPDATE memories SET links = %s WHERE space = %s AND id = %s",
                (self.rows.json_out(list(links)), space, memory_id),
            )
        if not changed:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")

    def touch(self, space: str, ids: Sequence[str], boost: float, at: datetime) -> None:
        with self.transaction():
            for chunk in self._chunks(ids):
                clause, params = self._in("id", chunk)
                self._x(
                    "UPDATE memories SET strength = CASE WHEN strength + %s < 10.0 THEN strength + %s ELSE 10.0 END, "
                    f"accessed_at = %s WHERE space = %s AND {clause}",
                    [boost, boost, self.rows.time_out(at), space, *params],
                )

    def _filter_sql(self, space: str, f: Filters) -> tuple[str, list[Any]]:
        """WHERE clause over alias m for a space and its filters; parameters only, never user SQL."""
        clauses, params = ["m.space = %s"], list[Any]([space])
        if f.session is not None:
            clauses.append("m.session = %s")
            params.append(f.session)
        if f.kinds:
            clause, values = self._in("m.kind", list(f.kinds))
            clauses.append(clause)
            params.extend(values)
        for tag in f.tags or ():
            clauses.append(self._tag_clause())
            params.append(tag)
        time = self.rows.time_out
        if f.since is not None:
            clauses.append("coalesce(m.valid_from, m.created_at) >= %s")
            params.append(time(f.since))
        if f.until is not None:
            clauses.append("coalesce(m.valid_from, m.created_at) < %s")
            params.append(time(f.until))
        if f.as_of is not None:
            clauses.append("(m.valid_from IS NULL OR m.valid_from <= %s) AND (m.valid_to IS NULL OR m.valid_to > %s)")
            params.extend([time(f.as_of), time(f.as_of)])
        elif not f.include_expired:
            clauses.append("(m.valid_to IS NULL OR m.valid_to > %s)")
            params.append(time(now()))
        return " AND ".join(clauses), params

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
        if not (memory_ids or episode_ids or before or session is not None or everything):
            raise InvalidInput("purge needs memory or episode ids, a 'before' time, a session, or everything=True")
        with self.transaction():
            memories, episodes = self._purge_scope(space, memory_ids, episode_ids, before, session)
            forgotten_texts = searchable_texts(
                self._ids_among("SELECT text FROM memories WHERE space = %s", space, "id", memories[:MAX_TEXTS])
            )
            versions = 0
            for chunk in self._chunks(memories):
                clause, params = self._in("memory_id", chunk)
                versions += self._x(f"DELETE FROM memory_versions WHERE space = %s AND {clause}", [space, *params])
                self._x(f"DELETE FROM memory_episodes WHERE space = %s AND {clause}", [space, *params])
            for chunk in self._chunks(episodes):
                clause, params = self._in("episode_id", chunk)
                self._x(f"DELETE FROM memory_episodes WHERE space = %s AND {clause}", [space, *params])
            for chunk in self._chunks(memories):
                self._delete_memory_rows(space, chunk)
            for chunk in self._chunks(episodes):
                clause, params = self._in("id", chunk)
                self._x(f"DELETE FROM episodes WHERE space = %s AND {clause}", [space, *params])
            self._drop_links(space, set(memories))
            if memories or episodes:
                self._scrub_reasons(space, set(memories), set(episodes), forgotten_texts)
            if episodes:
                self._drop_from_jobs(space, set(episodes))
            self._purged(space)
        self._changed(space)
        if memories or episodes:
            self._scrub_soon()
        return PurgeReport(memories=len(memories), episodes=len(episodes), versions=versions)

    def _purge_scope(
        self,
        space: str,
        memory_ids: Sequence[str] | None,
        episode_ids: Sequence[str] | None,
        before: datetime | None,
        session: str | None,
    ) -> tuple[list[str], list[str]]:
        """The ids of the memories and episodes a purge removes, each once."""
        if memory_ids or episode_ids:
            memories = self._ids_among("SELECT id FROM memories WHERE space = %s", space, "id", memory_ids or ())
            episodes = self._ids_among("SELECT id FROM episodes WHERE space = %s", space, "id", episode_ids or ())
        else:
            where, params = "space = %s", list[Any]([space])
            mwhere, mparams = "space = %s", list[Any]([space])
            if before is not None:
                where += " AND event_time < %s"
                params.append(self.rows.time_out(before))
                mwhere += " AND coalesce(valid_from, created_at) < %s"
                mparams.append(self.rows.time_out(before))
            if session is not None:
                where += " AND session = %s"
                params.append(session)
                mwhere += " AND session = %s"
                mparams.append(session)
            episodes = [r[0] for r in self._q(f"SELECT id FROM episodes WHERE {where}", params)]
            memories = [r[0] for r in self._q(f"SELECT id FROM memories WHERE {mwhere}", mparams)]
        # Whatever was derived from a purged episode goes with it.
        memories += self._ids_among(
            "SELECT DISTINCT memory_id FROM memory_episodes WHERE space = %s", space, "episode_id", episodes
        )
        return list(dict.fromkeys(memories)), episodes

    def _drop_links(self, space: str, gone: set[str]) -> None:
        """Links to purged memories would point at nothing; drop them."""
        for memory_id, stored in self._q("SELECT id, links FROM memories WHERE space = %s AND links != '[]'", (space,)):
            links = self.rows.json_in(stored)
            kept = [x for x in links if x not in gone]
            if len(kept) != len(links):
                self._x(
                    "UPDATE memories SET links = %s WHERE space = %s AND id = %s",
                    (self.rows.json_out(kept), space, memory_id),
                )

    def _scrub_reasons(self, space: str, memories: set[str], episodes: set[str], texts: list[str]) -> None:
        """Replace the reasons of surviving versions that quote what this purge forgets."""
        self._many(
            "UPDATE memory_versions SET reason = %s, episode_id = %s WHERE space = %s AND memory_id = %s AND seq = %s",
            [
                (FORGOTTEN_REASON, None if episode_id in episodes else episode_id, space, memory_id, seq)
                for memory_id, seq, reason, episode_id in self._q(
                    "SELECT memory_id, seq, reason, episode_id FROM memory_versions WHERE space = %s", (space,)
                )
                if quotes_forgotten(reason, episode_id, memories=memories, episodes=episodes, texts=texts)
            ],
        )

    def _drop_from_jobs(self, space: str, gone: set[str]) -> None:
        """Queued jobs forget purged episodes; a job left with none goes."""
        for job_id, stored in self._q("SELECT id, episode_ids FROM jobs WHERE space = %s", (space,)):
            episode_ids = self.rows.json_in(stored)
            remaining = [e for e in episode_ids if e not in gone]
            if not remaining:
                self._x("DELETE FROM jobs WHERE space = %s AND id = %s", (space, job_id))
            elif len(remaining) != len(episode_ids):
                self._x(
                    "UPDATE jobs SET episode_ids = %s WHERE space = %s AND id = %s",
                    (self.rows.json_out(remaining), space, job_id),
                )

    # -- queue ------------------------------------------------------------------------------
    def enqueue(self, job: Job) -> None:
        with self.transaction():
            self._x(f"INSERT INTO jobs ({JOB_COLUMNS}) VALUES ({_marks(10)})", self.rows.job_row(job))

    def claim_jobs(
        self, space: str | None, limit: int, worker: str | None = None, job_ids: Sequence[str] | None = None
    ) -> list[Job]:
        where, params = "state = 'pending'", list[Any]()
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        if job_ids is not None:
            clause, values = self._in("id", list(job_ids))
            where += f" AND {clause}"
            params.extend(values)
        with self.transaction():
            rows = self._q(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = %s, worker = %s "
                f"WHERE ({self.job_key}) IN (SELECT {self.job_key} FROM jobs WHERE {where} "
                f"ORDER BY created_at, id LIMIT %s{self.claim_lock}) RETURNING {JOB_COLUMNS}",
                [self.rows.time_out(now()), worker, *params, limit],
            )
        return sorted((self.rows.job(r) for r in rows), key=lambda j: (j.created_at, j.id))

    def finish_job(self, job_id: str) -> None:
        self._set_job(job_id, "done", None)

    def fail_job(self, job_id: str, error: str) -> None:
        self._set_job(job_id, "failed", error)

    def _set_job(self, job_id: str, state: str, error: str | None) -> None:
        with self.transaction():
            changed = self._x(
                "UPDATE jobs SET state = %s, error = %s, updated_at = %s WHERE id = %s",
                (state, error, self.rows.time_out(now()), job_id),
            )
        if not changed:
            raise NotFound(f"job {job_id!r} not found")

    def requeue_jobs(self, space: str | None, states: Sequence[str]) -> int:
        if not states:
            return 0
        where, params = self._in("state", list(states))
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        with self.transaction():
            return self._x(
                f"UPDATE jobs SET state = 'pending', updated_at = %s WHERE {where}",
                [self.rows.time_out(now()), *params],
            )

    def list_jobs(self, space: str | None, states: Sequence[str] | None = None) -> list[Job]:
        where, params = "1 = 1", list[Any]()
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        if states:
            clause, values = self._in("state", list(states))
            where += f" AND {clause}"
            params.extend(values)
        rows = self._q(f"SELECT {JOB_COLUMNS} FROM jobs WHERE {where} ORDER BY created_at, id", params)
        return [self.rows.job(r) for r in rows]

    # -- inventory --------------------------------------------------------------------------
    def spaces(self) -> list[str]:
        return [r[0] for r in self._q("SELECT space FROM episodes UNION SELECT space FROM memories ORDER BY 1")]

    def stats(self, space: str | None = None) -> dict[str, Any]:
        where, params = ("WHERE space = %s", [space]) if space is not None else ("", [])

        def count(table: str) -> int:
            return int(self._q(f"SELECT count(*) FROM {table} {where}", params)[0][0])

        binding = self.embedder_binding()
        return {
            "backend": self.backend,
            **self._stats_location(),
            "spaces": len(self.spaces()) if space is None else 1,
            "episodes": count("episodes"),
            "memories": count("memories"),
            "versions": count("memory_versions"),
            "kinds": dict(self._q(f"SELECT kind, count(*) FROM memories {where} GROUP BY kind", params)),
            "jobs": dict(self._q(f"SELECT state, count(*) FROM jobs {where} GROUP BY state", params)),
            "embedder": binding[0] if binding else None,
            "dim": binding[1] if binding else None,
            "bytes": self._size_bytes(),
        }

    def iter_space(self, space: str) -> Iterator[dict[str, Any]]:
        """Every episode, then every memory with its versions, oldest first, a page at a time."""
        order = self.order_column
        after = 0
        while rows := self._q(
            f"SELECT {order}, {EPISODE_COLUMNS} FROM episodes WHERE space = %s AND {order} > %s "
            f"ORDER BY {order} LIMIT %s",
            (space, after, self.list_size),
        ):
            for row in rows:
                if (episode := read_one(row[1:], self.rows.episode, "episode")) is not None:
                    yield {"type": "episode", **episode.to_dict()}
            after = rows[-1][0]
        after = 0
        while rows := self._q(
            f"SELECT {order}, {MEMORY_COLUMNS} FROM memories WHERE space = %s AND {order} > %s "
            f"ORDER BY {order} LIMIT %s",
            (space, after, self.list_size),
        ):
            # One query for the page's versions, not one per memory.
            clause, params = self._in("memory_id", [r[1] for r in rows])
            versions: dict[str, list[dict[str, Any]]] = {}
            for version_row in self._q(
                f"SELECT {VERSION_COLUMNS} FROM memory_versions WHERE space = %s AND {clause} ORDER BY seq",
                [space, *params],
            ):
                if (version := read_one(version_row, self.rows.version, "version")) is not None:
                    versions.setdefault(version_row[0], []).append(version.to_dict())
            for row in rows:
                if (item := read_one(row[1:], self.rows.memory, "memory")) is not None:
                    yield {"type": "memory", **item.to_dict(), "versions": versions.get(item.id, [])}
            after = rows[-1][0]


def _marks(count: int) -> str:
    return ",".join(["%s"] * count)
