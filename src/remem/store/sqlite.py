"""The embedded store: one SQLite file in WAL mode holding episodes, memories, versions,
the FTS5 index, the vectors and the extraction queue."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from remem.errors import Conflict, InvalidInput, NotFound
from remem.search.lexical import BM25, prune_common, query_phrases
from remem.store.base import Job, PurgeReport, Vector
from remem.store.forgotten import FORGOTTEN_REASON, MAX_TEXTS, quotes_forgotten, searchable_texts
from remem.store.rows import read_one, readable
from remem.store.sqlite_schema import migrate
from remem.store.vector_index import SpaceMatrix, from_blobs, to_blob
from remem.timeutil import from_iso, now, to_iso
from remem.types import Episode, Filters, MemoryItem, Version

_MEMORY_COLUMNS = (
    "id, space, text, kind, session, source_episode_ids, keywords, tags, links, valid_from, "
    "valid_to, strength, version, created_at, updated_at, metadata"
)
_EPISODE_COLUMNS = "id, space, role, content, session, event_time, ingest_time, source, name, metadata"
_VERSION_COLUMNS = (
    "memory_id, version, operation, text, kind, tags, valid_from, valid_to, reason, actor, episode_id, recorded_at"
)


class SQLiteStore:
    """Store backed by one SQLite file. Safe across threads (a connection each) and processes (WAL)."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path).expanduser()
        if str(path) != ":memory:":
            _prepare_path(self.path)
        self.url = f"sqlite:{self.path}"
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._matrices: dict[str, SpaceMatrix] = {}
        self._matrices_lock = threading.Lock()
        self._closed = False
        self._df_cache: dict[str, tuple[int, float]] = {}
        try:
            migrate(self._conn())
        except sqlite3.DatabaseError as exc:
            self.close()
            raise InvalidInput(
                f"cannot use {self.path} as a remem database ({exc}): give the path of a remem database, a new "
                "file in a writable folder, or restore this one from a backup"
            ) from None

    # -- connections and transactions -------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise InvalidInput("this store is closed; open it again")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=self._busy_timeout_ms / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Purged text must not linger in free pages of the file.
            conn.execute("PRAGMA secure_delete = ON")
            self._local.conn = conn
            self._local.depth = 0
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        # IMMEDIATE takes the write lock up front, so busy_timeout applies instead of a
        # deadlock-style SQLITE_BUSY when two writers upgrade from read at once.
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
            if getattr(self._local, "scrub", False):
                self._scrub(conn)
        finally:
            self._local.depth = 0

    def close(self) -> None:
        if self._closed:
            return
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.ProgrammingError):  # closed from its own thread already
                    conn.close()
            self._connections.clear()
        self._closed = True

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn().execute(sql, params).fetchall()

    # -- embedder binding -------------------------------------------------------------------
    def embedder_binding(self) -> tuple[str, int] | None:
        rows = dict(self._q("SELECT key, value FROM meta WHERE key IN ('embedder', 'dim')"))
        if "embedder" not in rows:
            return None
        return rows["embedder"], int(rows["dim"])

    def bind_embedder(self, name: str, dim: int) -> None:
        with self.transaction():
            bound = self.embedder_binding()
            if bound is None:
                self._q("INSERT INTO meta (key, value) VALUES ('embedder', ?), ('dim', ?)", (name, str(dim)))
            elif bound != (name, dim):
                raise Conflict(
                    f"this store was built with embedder {bound[0]} ({bound[1]} dims), not {name} "
                    f"({dim} dims); open it with the same embedder or re-embed into a new store"
                )
        self._dim = dim

    # -- episodes ---------------------------------------------------------------------------
    def insert_episodes(self, episodes: Sequence[Episode]) -> None:
        with self.transaction():
            self._conn().executemany(
                f"INSERT INTO episodes ({_EPISODE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        e.id,
                        e.space,
                        e.role,
                        e.content,
                        e.session,
                        to_iso(e.event_time),
                        to_iso(e.ingest_time),
                        e.source,
                        e.name,
                        json.dumps(e.metadata),
                    )
                    for e in episodes
                ],
            )

    def get_episodes(self, space: str, ids: Sequence[str]) -> list[Episode]:
        found: dict[str, Episode] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            for row in self._q(
                # "+space": look rows up by their unique id, not by scanning the space's index.
                f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE +space = ? AND id IN ({marks})",
                [space, *chunk],
            ):
                if (episode := read_one(row, _episode, "episode")) is not None:
                    found[row[0]] = episode
        return [found[i] for i in ids if i in found]

    def list_episodes(self, space: str, session: str | None = None, limit: int = 100, offset: int = 0) -> list[Episode]:
        where, params = "space = ?", [space]
        if session is not None:
            where += " AND session = ?"
            params.append(session)
        rows = self._q(
            f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE {where} ORDER BY event_time, rowid LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return readable(rows, _episode, "episode")

    # -- memories ---------------------------------------------------------------------------
    def insert_memory(self, item: MemoryItem, vector: Vector, version: Version) -> None:
        with self.transaction():
            conn = self._conn()
            cur = conn.execute(
                f"INSERT INTO memories ({_MEMORY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                _memory_row(item),
            )
            conn.execute(
                "INSERT INTO memory_vectors (rowid, space, vector) VALUES (?,?,?)",
                (cur.lastrowid, item.space, to_blob(vector)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO memory_episodes (space, memory_id, episode_id) VALUES (?,?,?)",
                [(item.space, item.id, e) for e in item.source_episode_ids],
            )
            self._insert_version(item.space, version)
        self._df_cache.clear()

    def update_memory(self, item: MemoryItem, vector: Vector | None, version: Version) -> None:
        with self.transaction():
            conn = self._conn()
            row = conn.execute(
                "SELECT rowid FROM memories WHERE space = ? AND id = ?", (item.space, item.id)
            ).fetchone()
            if row is None:
                raise NotFound(f"memory {item.id} not found in space {item.space!r}")
            conn.execute(
                "UPDATE memories SET text=?, kind=?, session=?, source_episode_ids=?, keywords=?, "
                "tags=?, links=?, valid_from=?, valid_to=?, strength=?, version=?, updated_at=?, "
                "metadata=? WHERE rowid = ?",
                (*_memory_row(item)[2:13], to_iso(item.updated_at), json.dumps(item.metadata), row[0]),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO memory_episodes (space, memory_id, episode_id) VALUES (?,?,?)",
                [(item.space, item.id, e) for e in item.source_episode_ids],
            )
            if vector is not None:
                conn.execute("UPDATE memory_vectors SET vector = ? WHERE rowid = ?", (to_blob(vector), row[0]))
                self._bump_generation(item.space)
            self._insert_version(item.space, version)
        self._df_cache.clear()

    def append_version(self, space: str, version: Version) -> None:
        with self.transaction():
            self.get_memory(space, version.memory_id)
            self._insert_version(space, version)

    def redact(self, space: str, episodes: Mapping[str, str], memories: Mapping[str, str]) -> None:
        """Rewrite episodes' content and every version of memories to redacted text, then scrub the
        file so the words that were there are in no page, index segment or WAL frame."""
        with self.transaction():
            conn = self._conn()
            conn.executemany(
                "UPDATE episodes SET content = ? WHERE space = ? AND id = ?",
                [(content, space, i) for i, content in episodes.items()],
            )
            conn.executemany(
                "UPDATE memory_versions SET text = ?, reason = 'redacted: the user asked to forget part of it' "
                "WHERE space = ? AND memory_id = ?",
                [(text, space, i) for i, text in memories.items()],
            )
        self._df_cache.clear()
        if self._local.depth:
            self._local.scrub = True  # inside a caller's transaction: scrub after it commits
        else:
            self._scrub(self._conn())

    def _insert_version(self, space: str, v: Version) -> None:
        self._conn().execute(
            f"INSERT INTO memory_versions (space, {_VERSION_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                space,
                v.memory_id,
                v.version,
                v.operation,
                v.text,
                v.kind,
                json.dumps(v.tags),
                to_iso(v.valid_from),
                to_iso(v.valid_to),
                v.reason,
                v.actor,
                v.episode_id,
                to_iso(v.recorded_at),
            ),
        )

    def get_memory(self, space: str, memory_id: str) -> MemoryItem:
        rows = self._q(f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE space = ? AND id = ?", (space, memory_id))
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        item = read_one(rows[0], _memory, "memory")
        if item is None:
            raise NotFound(f"memory {memory_id!r} in space {space!r} cannot be read (see the log); forget it")
        return item

    def get_memories(self, space: str, ids: Sequence[str]) -> list[MemoryItem]:
        found: dict[str, MemoryItem] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            for row in self._q(
                f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE +space = ? AND id IN ({marks})",
                [space, *chunk],
            ):
                if (item := read_one(row, _memory, "memory")) is not None:
                    found[row[0]] = item
        return [found[i] for i in ids if i in found]

    def get_vectors(self, space: str, ids: Sequence[str]) -> dict[str, Vector]:
        out: dict[str, Vector] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            for memory_id, blob in self._q(
                "SELECT m.id, v.vector FROM memories m JOIN memory_vectors v ON v.rowid = m.rowid "
                f"WHERE +m.space = ? AND m.id IN ({marks})",
                [space, *chunk],
            ):
                out[memory_id] = np.frombuffer(blob, dtype=np.float32).copy()
        return out

    def list_memories(self, space: str, filters: Filters, limit: int = 100, offset: int = 0) -> list[MemoryItem]:
        where, params = _filter_sql(space, filters)
        rows = self._q(
            f"SELECT {_MEMORY_COLUMNS} FROM memories m WHERE {where} "
            "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return readable(rows, _memory, "memory")

    def count_memories(self, space: str, filters: Filters) -> int:
        where, params = _filter_sql(space, filters)
        return int(self._q(f"SELECT count(*) FROM memories m WHERE {where}", params)[0][0])

    def history(self, space: str, memory_id: str) -> list[Version]:
        rows = self._q(
            f"SELECT {_VERSION_COLUMNS} FROM memory_versions WHERE space = ? AND memory_id = ? ORDER BY seq",
            (space, memory_id),
        )
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        return readable(rows, _version, "version")

    def set_links(self, space: str, memory_id: str, links: Sequence[str]) -> None:
        with self.transaction():
            cur = self._conn().execute(
                "UPDATE memories SET links = ? WHERE space = ? AND id = ?",
                (json.dumps(list(links)), space, memory_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"memory {memory_id!r} not found in space {space!r}")

    def touch(self, space: str, ids: Sequence[str], boost: float, at: datetime) -> None:
        if not ids:
            return
        with self.transaction():
            self._conn().executemany(
                "UPDATE memories SET strength = min(strength + ?, 10.0), accessed_at = ? WHERE space = ? AND id = ?",
                [(boost, to_iso(at), space, i) for i in ids],
            )

    # -- search -----------------------------------------------------------------------------
    def lexical_search(self, space: str, terms: Sequence[str], filters: Filters, k: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        # Each word is quoted, so FTS5 syntax in user text (OR, *, NEAR, quotes) is inert; the
        # words are those PostgreSQL searches for too (see remem.search.lexical).
        quoted = ['"' + word.replace('"', '""') + '"' for word, _ in query_phrases(terms)]
        if not quoted:
            return []
        match = " OR ".join(prune_common(quoted, self._document_frequency))
        where, params = _filter_sql(space, filters)
        rows = self._q(
            f"SELECT m.id, bm25(memories_fts, {BM25.text_weight}, {BM25.keywords_weight}) AS score FROM memories_fts "
            "JOIN memories m ON m.rowid = memories_fts.rowid "
            f"WHERE memories_fts MATCH ? AND {where} ORDER BY score, m.rowid LIMIT ?",
            [match, *params, k],
        )
        return [(r[0], -float(r[1])) for r in rows]  # bm25() is lower-is-better

    def _document_frequency(self, quoted_term: str) -> int:
        """Rows matching the term, counted up to BM25.common_df + 1.

        Cached until a write through this store (and for at most BM25.df_seconds, for writes by
        other processes), so which terms a query keeps follows the data, as on PostgreSQL.
        """
        cached = self._df_cache.get(quoted_term)
        if cached is not None and time.monotonic() - cached[1] < BM25.df_seconds:
            return cached[0]
        count = int(
            self._q(
                "SELECT count(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)",
                (quoted_term, BM25.common_df + 1),
            )[0][0]
        )
        if len(self._df_cache) > 10_000:
            self._df_cache.clear()
        self._df_cache[quoted_term] = (count, time.monotonic())
        return count

    def dense_search(self, space: str, vector: Vector, filters: Filters, k: int) -> list[tuple[str, float]]:
        matrix = self._matrix(space)
        with matrix.lock:
            total = len(matrix.rowids)
            want = min(total, max(k * 4, 64))
            while True:
                top = matrix.top(vector, want)
                allowed = self._allowed_rowids(space, [r for r, _ in top], filters)
                kept = [(r, s) for r, s in top if r in allowed]
                if len(kept) >= k or want >= total:
                    break
                want = min(total, want * 8)
        ids = dict(self._rowid_to_id([r for r, _ in kept[:k]]))
        return [(ids[r], s) for r, s in kept[:k] if r in ids]

    def _allowed_rowids(self, space: str, rowids: list[int], filters: Filters) -> set[int]:
        where, params = _filter_sql(space, filters)
        allowed: set[int] = set()
        for chunk in _chunks(rowids):
            marks = ",".join("?" * len(chunk))
            allowed.update(
                r[0]
                for r in self._q(
                    # NOT INDEXED: with many ids the planner otherwise scans the space's index.
                    f"SELECT m.rowid FROM memories m NOT INDEXED WHERE m.rowid IN ({marks}) AND {where}",
                    [*chunk, *params],
                )
            )
        return allowed

    def _rowid_to_id(self, rowids: list[int]) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for chunk in _chunks(rowids):
            marks = ",".join("?" * len(chunk))
            out.extend(self._q(f"SELECT rowid, id FROM memories NOT INDEXED WHERE rowid IN ({marks})", chunk))
        return out

    def _matrix(self, space: str) -> SpaceMatrix:
        """The space's vectors, brought up to date with the file (other processes write too)."""
        with self._matrices_lock:
            matrix = self._matrices.setdefault(space, SpaceMatrix())
        dim = self._bound_dim()
        with matrix.lock:
            row = self._q("SELECT generation FROM space_state WHERE space = ?", (space,))
            generation = row[0][0] if row else 0
            if generation != matrix.generation:
                rows = self._q("SELECT rowid, vector FROM memory_vectors WHERE space = ? ORDER BY rowid", (space,))
                matrix.replace(
                    generation,
                    np.array([r[0] for r in rows], dtype=np.int64),
                    from_blobs([r[1] for r in rows], dim),
                )
            else:
                rows = self._q(
                    "SELECT rowid, vector FROM memory_vectors WHERE space = ? AND rowid > ? ORDER BY rowid",
                    (space, matrix.max_rowid),
                )
                matrix.extend(np.array([r[0] for r in rows], dtype=np.int64), from_blobs([r[1] for r in rows], dim))
        return matrix

    def _bound_dim(self) -> int:
        dim = getattr(self, "_dim", None)
        if dim is None:
            bound = self.embedder_binding()
            dim = bound[1] if bound else 0
        return int(dim)

    def _bump_generation(self, space: str) -> None:
        self._conn().execute(
            "INSERT INTO space_state (space, generation) VALUES (?, 1) "
            "ON CONFLICT (space) DO UPDATE SET generation = generation + 1",
            (space,),
        )

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
            conn = self._conn()
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_episodes (id TEXT PRIMARY KEY)")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS purge_memories (id TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM temp.purge_episodes")
            conn.execute("DELETE FROM temp.purge_memories")
            if memory_ids or episode_ids:
                conn.executemany(
                    "INSERT OR IGNORE INTO temp.purge_memories SELECT id FROM memories WHERE space = ? AND id = ?",
                    [(space, i) for i in memory_ids or ()],
                )
                conn.executemany(
                    "INSERT OR IGNORE INTO temp.purge_episodes SELECT id FROM episodes WHERE space = ? AND id = ?",
                    [(space, i) for i in episode_ids or ()],
                )
            else:
                where, params = "space = ?", list[Any]([space])
                if before is not None:
                    where += " AND event_time < ?"
                    params.append(to_iso(before))
                if session is not None:
                    where += " AND session = ?"
                    params.append(session)
                conn.execute(f"INSERT INTO temp.purge_episodes SELECT id FROM episodes WHERE {where}", params)
                mwhere, mparams = "space = ?", list[Any]([space])
                if before is not None:
                    mwhere += " AND COALESCE(valid_from, created_at) < ?"
                    mparams.append(to_iso(before))
                if session is not None:
                    mwhere += " AND session = ?"
                    mparams.append(session)
                conn.execute(
                    f"INSERT OR IGNORE INTO temp.purge_memories SELECT id FROM memories WHERE {mwhere}", mparams
                )
            # Whatever was derived from a purged episode goes with it.
            conn.execute(
                "INSERT OR IGNORE INTO temp.purge_memories SELECT memory_id FROM memory_episodes "
                "WHERE space = ? AND episode_id IN (SELECT id FROM temp.purge_episodes)",
                (space,),
            )
            n_memories = conn.execute("SELECT count(*) FROM temp.purge_memories").fetchone()[0]
            n_episodes = conn.execute("SELECT count(*) FROM temp.purge_episodes").fetchone()[0]
            forgotten_texts = searchable_texts(
                [
                    r[0]
                    for r in conn.execute(
                        "SELECT text FROM memories WHERE id IN (SELECT id FROM temp.purge_memories) LIMIT ?",
                        (MAX_TEXTS,),
                    )
                ]
            )
            conn.execute(
                "DELETE FROM memory_vectors WHERE rowid IN (SELECT rowid FROM memories "
                "WHERE id IN (SELECT id FROM temp.purge_memories))"
            )
            n_versions = conn.execute(
                "DELETE FROM memory_versions WHERE memory_id IN (SELECT id FROM temp.purge_memories)"
            ).rowcount
            conn.execute("DELETE FROM memory_episodes WHERE memory_id IN (SELECT id FROM temp.purge_memories)")
            conn.execute("DELETE FROM memory_episodes WHERE episode_id IN (SELECT id FROM temp.purge_episodes)")
            conn.execute("DELETE FROM memories WHERE id IN (SELECT id FROM temp.purge_memories)")
            conn.execute("DELETE FROM episodes WHERE id IN (SELECT id FROM temp.purge_episodes)")
            # Links to purged memories would point at nothing; drop them.
            gone = _ids(conn, "purge_memories")
            for memory_id, links in conn.execute(
                "SELECT id, links FROM memories WHERE space = ? AND links != '[]'", (space,)
            ).fetchall():
                kept = [x for x in json.loads(links) if x not in gone]
                if len(kept) != len(json.loads(links)):
                    conn.execute("UPDATE memories SET links = ? WHERE id = ?", (json.dumps(kept), memory_id))
            if n_episodes:
                self._drop_purged_from_jobs(conn, space)
            if n_memories or n_episodes:
                self._scrub_reasons(conn, space, forgotten_texts)
            self._bump_generation(space)
        self._df_cache.clear()
        if n_memories or n_episodes:
            if self._local.depth:
                self._local.scrub = True  # inside a caller's transaction: scrub after it commits
            else:
                self._scrub(conn)
        return PurgeReport(memories=n_memories, episodes=n_episodes, versions=n_versions)

    def _scrub(self, conn: sqlite3.Connection) -> None:
        """Merge the FTS segments so deleted terms leave the index itself, and move the WAL
        back into the main file so no copy of purged pages survives there."""
        self._local.scrub = False
        conn.execute("INSERT INTO memories_fts (memories_fts) VALUES ('optimize')")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _scrub_reasons(self, conn: sqlite3.Connection, space: str, texts: list[str]) -> None:
        """Replace the reasons of surviving versions that quote what this purge forgets."""
        memories, episodes = _ids(conn, "purge_memories"), _ids(conn, "purge_episodes")
        stale = [
            (FORGOTTEN_REASON, seq)
            for seq, reason, episode_id in conn.execute(
                "SELECT seq, reason, episode_id FROM memory_versions WHERE space = ?", (space,)
            ).fetchall()
            if quotes_forgotten(reason, episode_id, memories=memories, episodes=episodes, texts=texts)
        ]
        conn.executemany(
            "UPDATE memory_versions SET reason = ?, episode_id = CASE WHEN episode_id IN "
            "(SELECT id FROM temp.purge_episodes) THEN NULL ELSE episode_id END WHERE seq = ?",
            stale,
        )

    def _drop_purged_from_jobs(self, conn: sqlite3.Connection, space: str) -> None:
        gone = _ids(conn, "purge_episodes")
        for job_id, episode_ids in conn.execute(
            "SELECT id, episode_ids FROM jobs WHERE space = ?", (space,)
        ).fetchall():
            remaining = [e for e in json.loads(episode_ids) if e not in gone]
            if not remaining:
                conn.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            elif len(remaining) != len(json.loads(episode_ids)):
                conn.execute("UPDATE jobs SET episode_ids = ? WHERE id = ?", (json.dumps(remaining), job_id))

    # -- queue ------------------------------------------------------------------------------
    def enqueue(self, job: Job) -> None:
        with self.transaction():
            self._q(
                "INSERT INTO jobs (id, space, episode_ids, state, attempts, error, options, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    job.id,
                    job.space,
                    json.dumps(job.episode_ids),
                    job.state,
                    job.attempts,
                    job.error,
                    json.dumps(job.options),
                    to_iso(job.created_at),
                    to_iso(job.updated_at),
                ),
            )

    def claim_jobs(
        self, space: str | None, limit: int, worker: str | None = None, job_ids: Sequence[str] | None = None
    ) -> list[Job]:
        with self.transaction():
            where, params = "state = 'pending'", []
            if space is not None:
                where += " AND space = ?"
                params.append(space)
            if job_ids is not None:
                where += f" AND id IN ({','.join('?' * len(job_ids))})"
                params.extend(job_ids)
            rows = self._q(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE {where} ORDER BY created_at, id LIMIT ?",
                [*params, limit],
            )
            stamp = to_iso(now())
            self._conn().executemany(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?, worker = ? WHERE id = ?",
                [(stamp, worker, r[0]) for r in rows],
            )
        return [replace(_job(r), state="running", attempts=r[4] + 1, worker=worker) for r in rows]

    def finish_job(self, job_id: str) -> None:
        self._set_job(job_id, "done", None)

    def fail_job(self, job_id: str, error: str) -> None:
        self._set_job(job_id, "failed", error)

    def _set_job(self, job_id: str, state: str, error: str | None) -> None:
        with self.transaction():
            cur = self._conn().execute(
                "UPDATE jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?",
                (state, error, to_iso(now()), job_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"job {job_id!r} not found")

    def requeue_jobs(self, space: str | None, states: Sequence[str]) -> int:
        if not states:
            return 0
        with self.transaction():
            marks = ",".join("?" * len(states))
            where, params = f"state IN ({marks})", list(states)
            if space is not None:
                where += " AND space = ?"
                params.append(space)
            cur = self._conn().execute(
                f"UPDATE jobs SET state = 'pending', updated_at = ? WHERE {where}",
                [to_iso(now()), *params],
            )
            return int(cur.rowcount)

    def list_jobs(self, space: str | None, states: Sequence[str] | None = None) -> list[Job]:
        where, params = "1 = 1", []
        if space is not None:
            where += " AND space = ?"
            params.append(space)
        if states:
            where += f" AND state IN ({','.join('?' * len(states))})"
            params.extend(states)
        rows = self._q(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE {where} ORDER BY created_at, id", params)
        return [_job(r) for r in rows]

    # -- inventory --------------------------------------------------------------------------
    def spaces(self) -> list[str]:
        rows = self._q("SELECT space FROM episodes UNION SELECT space FROM memories ORDER BY 1")
        return [r[0] for r in rows]

    def stats(self, space: str | None = None) -> dict[str, Any]:
        where, params = ("WHERE space = ?", [space]) if space is not None else ("", [])

        def count(table: str) -> int:
            return int(self._q(f"SELECT count(*) FROM {table} {where}", params)[0][0])

        kinds = dict(self._q(f"SELECT kind, count(*) FROM memories {where} GROUP BY kind", params))
        jobs = dict(self._q(f"SELECT state, count(*) FROM jobs {where} GROUP BY state", params))
        binding = self.embedder_binding()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return {
            "backend": "sqlite",
            "path": str(self.path),
            "spaces": len(self.spaces()) if space is None else 1,
            "episodes": count("episodes"),
            "memories": count("memories"),
            "versions": count("memory_versions"),
            "kinds": kinds,
            "jobs": jobs,
            "embedder": binding[0] if binding else None,
            "dim": binding[1] if binding else None,
            "bytes": size,
        }

    def ids_held_elsewhere(self, space: str, ids: Sequence[str]) -> set[str]:
        held: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(ids))):
            marks = ",".join("?" * len(chunk))
            held.update(
                r[0]
                for r in self._q(
                    f"SELECT id FROM episodes WHERE id IN ({marks}) AND space != ? "
                    f"UNION SELECT id FROM memories WHERE id IN ({marks}) AND space != ?",
                    [*chunk, space, *chunk, space],
                )
            )
        return held

    def iter_space(self, space: str) -> Iterator[dict[str, Any]]:
        conn = self._conn()
        for row in conn.execute(f"SELECT {_EPISODE_COLUMNS} FROM episodes WHERE space = ? ORDER BY rowid", (space,)):
            if (episode := read_one(row, _episode, "episode")) is not None:
                yield {"type": "episode", **episode.to_dict()}
        for row in conn.execute(f"SELECT {_MEMORY_COLUMNS} FROM memories WHERE space = ? ORDER BY rowid", (space,)):
            if (item := read_one(row, _memory, "memory")) is None:
                continue
            yield {
                "type": "memory",
                **item.to_dict(),
                "versions": [v.to_dict() for v in self.history(space, item.id)],
            }


def _prepare_path(path: Path) -> None:
    """Refuse a path SQLite cannot use, with a message; create at most one missing folder for it.

    One missing folder (~/.remem, .tmp) is what a first run needs; a deeper missing path, or a new
    folder at the filesystem root, is more likely a typo than a wish, and nothing is made for it.
    """
    if path.is_dir():
        raise InvalidInput(f"the database path {path} is a folder; give a file path, such as {path / 'remem.db'}")
    parent = path.absolute().parent
    if parent.is_dir():
        return
    if parent.exists():
        raise InvalidInput(f"the database path {path} is inside {parent}, which is not a folder")
    grandparent = parent.parent
    if not grandparent.is_dir() or grandparent == Path(grandparent.anchor):
        raise InvalidInput(f"the folder {parent} for the database does not exist; create it first")
    try:
        parent.mkdir()
    except OSError as exc:
        raise InvalidInput(f"cannot create the folder {parent} for the database: {exc.strerror}") from None


# -- row mapping -------------------------------------------------------------------------------
_JOB_COLUMNS = "id, space, episode_ids, state, attempts, error, created_at, updated_at, options, worker"


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ids(conn: sqlite3.Connection, temp_table: str) -> set[str]:
    return {r[0] for r in conn.execute(f"SELECT id FROM temp.{temp_table}")}


def _filter_sql(space: str, f: Filters) -> tuple[str, list[Any]]:
    """WHERE clause over alias m for a space and its filters; parameters only, never user SQL."""
    clauses, params = ["m.space = ?"], list[Any]([space])
    if f.session is not None:
        clauses.append("m.session = ?")
        params.append(f.session)
    if f.kinds:
        clauses.append(f"m.kind IN ({','.join('?' * len(f.kinds))})")
        params.extend(f.kinds)
    for tag in f.tags or ():
        clauses.append("EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = ?)")
        params.append(tag)
    if f.since is not None:
        clauses.append("COALESCE(m.valid_from, m.created_at) >= ?")
        params.append(to_iso(f.since))
    if f.until is not None:
        clauses.append("COALESCE(m.valid_from, m.created_at) < ?")
        params.append(to_iso(f.until))
    if f.as_of is not None:
        moment = to_iso(f.as_of)
        clauses.append("(m.valid_from IS NULL OR m.valid_from <= ?) AND (m.valid_to IS NULL OR m.valid_to > ?)")
        params.extend([moment, moment])
    elif not f.include_expired:
        clauses.append("(m.valid_to IS NULL OR m.valid_to > ?)")
        params.append(to_iso(now()))
    return " AND ".join(clauses), params


def _memory_row(m: MemoryItem) -> tuple[Any, ...]:
    return (
        m.id,
        m.space,
        m.text,
        m.kind,
        m.session,
        json.dumps(m.source_episode_ids),
        json.dumps(m.keywords),
        json.dumps(m.tags),
        json.dumps(m.links),
        to_iso(m.valid_from),
        to_iso(m.valid_to),
        m.strength,
        m.version,
        to_iso(m.created_at),
        to_iso(m.updated_at),
        json.dumps(m.metadata),
    )


def _memory(r: Sequence[Any]) -> MemoryItem:
    return MemoryItem(
        id=r[0],
        space=r[1],
        text=r[2],
        kind=r[3],
        session=r[4],
        source_episode_ids=json.loads(r[5]),
        keywords=json.loads(r[6]),
        tags=json.loads(r[7]),
        links=json.loads(r[8]),
        valid_from=from_iso(r[9]),
        valid_to=from_iso(r[10]),
        strength=float(r[11]),
        version=int(r[12]),
        created_at=from_iso(r[13]),
        updated_at=from_iso(r[14]),
        metadata=json.loads(r[15]),
    )


def _episode(r: Sequence[Any]) -> Episode:
    return Episode(
        id=r[0],
        space=r[1],
        role=r[2],
        content=r[3],
        session=r[4],
        event_time=from_iso(r[5]),
        ingest_time=from_iso(r[6]),
        source=r[7],
        name=r[8],
        metadata=json.loads(r[9]),
    )


def _version(r: Sequence[Any]) -> Version:
    return Version(
        memory_id=r[0],
        version=int(r[1]),
        operation=r[2],
        text=r[3],
        kind=r[4],
        tags=json.loads(r[5]),
        valid_from=from_iso(r[6]),
        valid_to=from_iso(r[7]),
        reason=r[8],
        actor=r[9],
        episode_id=r[10],
        recorded_at=from_iso(r[11]),
    )


def _job(r: Sequence[Any]) -> Job:
    return Job(
        id=r[0],
        space=r[1],
        episode_ids=json.loads(r[2]),
        state=r[3],
        attempts=int(r[4]),
        error=r[5],
        created_at=from_iso(r[6]),
        updated_at=from_iso(r[7]),
        options=json.loads(r[8]),
        worker=r[9],
    )
