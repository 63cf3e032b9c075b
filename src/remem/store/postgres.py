"""The PostgreSQL store: the same contract as SQLite, for many app servers and millions of memories.

pgvector holds the vectors (HNSW, cosine); FTS5's own tokens, as a jsonb map of their frequencies
under a GIN index, serve lexical search ranked by FTS5's BM25 (see remem.search.lexical); psycopg
3's pool hands out connections, and every write runs in a transaction.

Every table's primary key starts with `space`, and every query names one space: the tables can
be distributed by space on Citus (`SELECT create_distributed_table('memories', 'space')`, and
the same for episodes, memory_versions, memory_episodes and jobs) with all of a space's rows
co-located, so no query crosses shards. See docs/postgres.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from remem.errors import Conflict, InvalidInput, NotFound, Unavailable
from remem.search.lexical import BM25, bm25_idf, memory_tokens, prune_common, query_phrases, term_frequencies
from remem.store.base import Job, PurgeReport, Vector
from remem.store.forgotten import FORGOTTEN_REASON, MAX_TEXTS, quotes_forgotten, searchable_texts
from remem.store.rows import read_one, readable
from remem.timeutil import now
from remem.types import Episode, Filters, MemoryItem, Version

EF_SEARCH = 200  # HNSW candidates per query: high enough that results match exact search at 100k
_MIGRATION_LOCK = 4242  # advisory lock keys: arbitrary, fixed, distinct
_BIND_LOCK = 4243

Migration = Callable[[psycopg.Connection[Any]], None]

#: Numbered schema migrations, applied in order; the number applied lives in remem_meta as
#: schema_version. Append-only: a released migration is never edited, a change is a new one.
MIGRATIONS: list[Migration] = []


def _migration(function: Migration) -> Migration:
    MIGRATIONS.append(function)
    return function


@_migration
def _m001_tables(conn: psycopg.Connection[Any]) -> None:
    """Episodes, memories (with their vector and tsvector), versions, provenance and the queue.

    Every primary key starts with space, the distribution column on Citus. The embedding column is
    untyped `vector`: its dimension is only known once an embedder is bound, and an HNSW index on
    `embedding::vector(dim)` is built then (see bind_embedder), so no table is created lazily.
    """
    for statement in (
        """CREATE TABLE episodes (
            space text NOT NULL, id text NOT NULL, session text, role text NOT NULL, name text,
            content text NOT NULL, source text, metadata jsonb NOT NULL DEFAULT '{}',
            event_time timestamptz NOT NULL, ingest_time timestamptz NOT NULL, seq bigserial,
            PRIMARY KEY (space, id))""",
        "CREATE INDEX episodes_space_time ON episodes (space, event_time)",
        "CREATE INDEX episodes_space_session ON episodes (space, session, event_time)",
        """CREATE TABLE memories (
            space text NOT NULL, id text NOT NULL, text text NOT NULL, kind text NOT NULL, session text,
            source_episode_ids jsonb NOT NULL, keywords jsonb NOT NULL, tags jsonb NOT NULL, links jsonb NOT NULL,
            valid_from timestamptz, valid_to timestamptz, strength real NOT NULL, version integer NOT NULL,
            created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, accessed_at timestamptz,
            metadata jsonb NOT NULL DEFAULT '{}', seq bigserial, embedding vector NOT NULL,
            tsv tsvector GENERATED ALWAYS AS (
                to_tsvector('english', text || ' ' || coalesce(keywords::text, ''))) STORED,
            PRIMARY KEY (space, id))""",
        "CREATE INDEX memories_space_created ON memories (space, created_at)",
        "CREATE INDEX memories_tsv ON memories USING gin (tsv)",
        """CREATE TABLE memory_versions (
            space text NOT NULL, memory_id text NOT NULL, seq bigserial, version integer NOT NULL,
            operation text NOT NULL, text text NOT NULL, kind text NOT NULL, tags jsonb NOT NULL,
            valid_from timestamptz, valid_to timestamptz, reason text NOT NULL, actor text NOT NULL,
            episode_id text, recorded_at timestamptz NOT NULL, PRIMARY KEY (space, memory_id, seq))""",
        """CREATE TABLE memory_episodes (
            space text NOT NULL, memory_id text NOT NULL, episode_id text NOT NULL,
            PRIMARY KEY (space, memory_id, episode_id))""",
        "CREATE INDEX memory_episodes_episode ON memory_episodes (space, episode_id)",
        """CREATE TABLE jobs (
            space text NOT NULL, id text NOT NULL, episode_ids jsonb NOT NULL, state text NOT NULL,
            attempts integer NOT NULL DEFAULT 0, error text, options jsonb NOT NULL DEFAULT '{}', worker text,
            created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, PRIMARY KEY (space, id))""",
        "CREATE INDEX jobs_state ON jobs (state, created_at)",
    ):
        conn.execute(statement)


@_migration
def _m002_space_first_indexes(conn: psycopg.Connection[Any]) -> None:
    """Per-space indexes SQLite has too (session, validity), the per-space queue, and an exact strength."""
    conn.execute("CREATE INDEX memories_space_session ON memories (space, session)")
    conn.execute("CREATE INDEX memories_space_valid ON memories (space, valid_from)")
    conn.execute("CREATE INDEX jobs_space_state ON jobs (space, state, created_at)")
    # real (float4) keeps about 7 digits, SQLite's REAL 15: strength must round-trip between them.
    conn.execute("ALTER TABLE memories ALTER COLUMN strength TYPE double precision")


@_migration
def _m003_fts5_tokens(conn: psycopg.Connection[Any]) -> None:
    """Lexical search on FTS5's tokens instead of the `english` tsvector, so both backends rank alike.

    lex_tf maps each token of a memory, as SQLite's FTS5 tokenizer makes them (remem.search.lexical),
    to its BM25 frequency (1 per occurrence in the text, 0.5 in the keywords: FTS5's column weights),
    under a GIN index that finds the memories holding any query token; lex_length is the token count
    BM25 normalises by; lex_stats holds each space's memory and token totals. Existing rows are
    tokenized here, in pages.
    """
    conn.execute(
        "ALTER TABLE memories ADD COLUMN lex_tf jsonb NOT NULL DEFAULT '{}', "
        "ADD COLUMN lex_length integer NOT NULL DEFAULT 0"
    )
    last = -1
    while True:
        rows = conn.execute(
            "SELECT seq, space, id, text, keywords FROM memories WHERE seq > %s ORDER BY seq LIMIT 1000", (last,)
        ).fetchall()
        if not rows:
            break
        tokens = memory_tokens([(r[3], list(r[4])) for r in rows])
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE memories SET lex_tf = %s, lex_length = %s WHERE space = %s AND id = %s",
                [(*_lex_columns(t), r[1], r[2]) for r, t in zip(rows, tokens, strict=True)],
            )
        last = rows[-1][0]
    conn.execute("DROP INDEX memories_tsv")
    conn.execute("ALTER TABLE memories DROP COLUMN tsv")
    conn.execute("CREATE INDEX memories_lex_tf ON memories USING gin (lex_tf)")
    # BM25's N and average length per space, kept by every write in its transaction (FTS5 keeps its
    # totals the same way), so a search never counts a whole space.
    conn.execute("CREATE TABLE lex_stats (space text PRIMARY KEY, rows bigint NOT NULL, tokens bigint NOT NULL)")
    conn.execute(
        "INSERT INTO lex_stats SELECT space, count(*), coalesce(sum(lex_length), 0) FROM memories GROUP BY space"
    )


def _lex_of(item: MemoryItem) -> tuple[Jsonb, int]:
    """lex_tf and lex_length of a memory about to be written."""
    return _lex_columns(memory_tokens([(item.text, item.keywords)])[0])


def _lex_columns(tokens: tuple[list[str], list[str]]) -> tuple[Jsonb, int]:
    """lex_tf and lex_length of a memory's (text tokens, keyword tokens), weighted by the BM25 spec."""
    frequency, length = term_frequencies(*tokens)
    return Jsonb(frequency), length


_MEMORY = (
    "id, space, text, kind, session, source_episode_ids, keywords, tags, links, valid_from, valid_to, "
    "strength, version, created_at, updated_at, metadata"
)
_LEX = "lex_tf, lex_length"
_EPISODE = "id, space, role, content, session, event_time, ingest_time, source, name, metadata"
_VERSION = (
    "memory_id, version, operation, text, kind, tags, valid_from, valid_to, reason, actor, episode_id, recorded_at"
)
_JOB = "id, space, episode_ids, state, attempts, error, created_at, updated_at, options, worker"


class PostgresStore:
    """Store backed by PostgreSQL with pgvector; safe across threads (a pooled connection each) and processes.

    `url` is a libpq URL (postgresql://user:pass@host:5432/db). The schema is created or brought up
    to date on open, under an advisory lock so several processes may open the same database at once.
    """

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self._local = threading.local()
        self._stats_cache: dict[str, dict[str, tuple[int, bool, float]]] = {}  # space -> stem -> (n, exact, at)
        self._dim: int | None = None

        def configure(conn: psycopg.Connection[Any]) -> None:
            register_vector(conn)
            conn.execute(f"SET hnsw.ef_search = {EF_SEARCH}")
            # Under a WHERE clause HNSW alone may return fewer than k rows; iterative scans keep going.
            conn.execute("SET hnsw.iterative_scan = relaxed_order")

        self._bootstrap()
        self._pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, kwargs={"autocommit": True}, configure=configure, open=True
        )
        binding = self.embedder_binding()
        self._dim = binding[1] if binding else None

    def _bootstrap(self) -> None:
        """Create pgvector and apply migrations, before the pool registers the vector type."""
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as error:
            raise Unavailable(
                f"cannot connect to PostgreSQL at {_safe_url(self.url)}: {str(error).strip()}; "
                "check REMEM_DATABASE_URL and that the server is running"
            ) from None
        with conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))  # one migrator at a time
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                conn.execute("CREATE TABLE IF NOT EXISTS remem_meta (key text PRIMARY KEY, value text NOT NULL)")
                row = conn.execute("SELECT value FROM remem_meta WHERE key = 'schema_version'").fetchone()
                current = int(row[0]) if row else 0
                if current > len(MIGRATIONS):
                    raise Conflict(
                        f"database schema version {current} is newer than this remem knows ({len(MIGRATIONS)}); "
                        "upgrade remem"
                    )
                for number in range(current + 1, len(MIGRATIONS) + 1):
                    with conn.transaction():  # a migration and its version number commit together
                        MIGRATIONS[number - 1](conn)
                        conn.execute(
                            "INSERT INTO remem_meta VALUES ('schema_version', %s) ON CONFLICT (key) "
                            "DO UPDATE SET value = excluded.value",
                            (str(number),),
                        )
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))

    def schema_version(self) -> int:
        """The number of the last migration applied to this database."""
        rows = self._q("SELECT value FROM remem_meta WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    # -- connections ------------------------------------------------------------------------
    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        current = getattr(self._local, "conn", None)
        if current is not None:
            yield current
            return
        with self._pool.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._pool.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def _x(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._conn() as conn:
            return conn.execute(sql, params).rowcount

    def close(self) -> None:
        self._pool.close()

    # -- embedder ---------------------------------------------------------------------------
    def embedder_binding(self) -> tuple[str, int] | None:
        rows = dict(self._q("SELECT key, value FROM remem_meta WHERE key IN ('embedder', 'dim')"))
        return (rows["embedder"], int(rows["dim"])) if "embedder" in rows else None

    def bind_embedder(self, name: str, dim: int) -> None:
        with self.transaction():
            self._q("SELECT pg_advisory_xact_lock(%s)", (_BIND_LOCK,))
            bound = self.embedder_binding()
            if bound is None:
                self._x("INSERT INTO remem_meta VALUES ('embedder', %s), ('dim', %s)", (name, str(dim)))
                # The index is on a cast to the bound dimension: an untyped column plus an expression
                # index lets one schema serve any embedder, fixed per database once chosen.
                self._x(
                    f"CREATE INDEX IF NOT EXISTS memories_embedding_hnsw ON memories USING hnsw "
                    f"((embedding::vector({int(dim)})) vector_cosine_ops)"
                )
            elif bound != (name, dim):
                raise Conflict(
                    f"this store was built with embedder {bound[0]} ({bound[1]} dims), not {name} "
                    f"({dim} dims); open it with the same embedder or re-embed into a new store"
                )
        self._dim = dim

    # -- episodes ---------------------------------------------------------------------------
    def insert_episodes(self, episodes: Sequence[Episode]) -> None:
        with self.transaction(), self._conn() as conn, conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO episodes ({_EPISODE}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [
                    (
                        e.id,
                        e.space,
                        e.role,
                        e.content,
                        e.session,
                        e.event_time,
                        e.ingest_time,
                        e.source,
                        e.name,
                        Jsonb(e.metadata),
                    )
                    for e in episodes
                ],
            )

    def get_episodes(self, space: str, ids: Sequence[str]) -> list[Episode]:
        if not ids:
            return []
        rows = self._q(f"SELECT {_EPISODE} FROM episodes WHERE space = %s AND id = ANY(%s)", (space, list(ids)))
        found = {r[0]: e for r in rows if (e := read_one(r, _episode, "episode")) is not None}
        return [found[i] for i in ids if i in found]

    def list_episodes(self, space: str, session: str | None = None, limit: int = 100, offset: int = 0) -> list[Episode]:
        where, params = "space = %s", list[Any]([space])
        if session is not None:
            where += " AND session = %s"
            params.append(session)
        rows = self._q(
            f"SELECT {_EPISODE} FROM episodes WHERE {where} ORDER BY event_time, seq LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return readable(rows, _episode, "episode")

    # -- memories ---------------------------------------------------------------------------
    def insert_memory(self, item: MemoryItem, vector: Vector, version: Version) -> None:
        lex = _lex_of(item)
        with self.transaction():
            self._x(
                f"INSERT INTO memories ({_MEMORY}, embedding, {_LEX}) VALUES "
                "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (*_memory_row(item), _vec(vector), *lex),
            )
            self._count_tokens(item.space, 1, lex[1])
            self._link_sources(item)
            self._insert_version(item.space, version)
        self._changed(item.space)

    def _count_tokens(self, space: str, rows: int, tokens: int) -> None:
        """Move the space's BM25 totals (memories, tokens) by these amounts, in the caller's transaction."""
        self._x(
            "INSERT INTO lex_stats VALUES (%s, %s, %s) ON CONFLICT (space) DO UPDATE "
            "SET rows = lex_stats.rows + excluded.rows, tokens = lex_stats.tokens + excluded.tokens",
            (space, rows, tokens),
        )

    def _link_sources(self, item: MemoryItem) -> None:
        for episode_id in item.source_episode_ids:
            self._x(
                "INSERT INTO memory_episodes VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
                (item.space, item.id, episode_id),
            )

    def update_memory(self, item: MemoryItem, vector: Vector | None, version: Version) -> None:
        lex = _lex_of(item)
        with self.transaction():
            row = _memory_row(item)
            before = self._q(
                "SELECT lex_length FROM memories WHERE space = %s AND id = %s FOR UPDATE", (item.space, item.id)
            )
            if not before:
                raise NotFound(f"memory {item.id} not found in space {item.space!r}")
            self._x(
                "UPDATE memories SET text=%s, kind=%s, session=%s, source_episode_ids=%s, keywords=%s, tags=%s, "
                "links=%s, valid_from=%s, valid_to=%s, strength=%s, version=%s, updated_at=%s, metadata=%s, "
                "lex_tf=%s, lex_length=%s"
                + (", embedding=%s" if vector is not None else "")
                + " WHERE space = %s AND id = %s",
                (
                    *row[2:13],
                    item.updated_at,
                    row[15],
                    *lex,
                    *([_vec(vector)] if vector is not None else []),
                    item.space,
                    item.id,
                ),
            )
            self._count_tokens(item.space, 0, lex[1] - int(before[0][0]))
            self._link_sources(item)
            self._insert_version(item.space, version)
        self._changed(item.space)

    def append_version(self, space: str, version: Version) -> None:
        with self.transaction():
            self.get_memory(space, version.memory_id)
            self._insert_version(space, version)

    def redact(self, space: str, episodes: Mapping[str, str], memories: Mapping[str, str]) -> None:
        """Rewrite episodes' content and every version of memories to redacted text."""
        with self.transaction():
            for episode_id, content in episodes.items():
                self._x("UPDATE episodes SET content = %s WHERE space = %s AND id = %s", (content, space, episode_id))
            for memory_id, text in memories.items():
                self._x(
                    "UPDATE memory_versions SET text = %s, reason = 'redacted: the user asked to forget part of it' "
                    "WHERE space = %s AND memory_id = %s",
                    (text, space, memory_id),
                )

    def _insert_version(self, space: str, v: Version) -> None:
        self._x(
            f"INSERT INTO memory_versions (space, {_VERSION}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (
                space,
                v.memory_id,
                v.version,
                v.operation,
                v.text,
                v.kind,
                Jsonb(v.tags),
                v.valid_from,
                v.valid_to,
                v.reason,
                v.actor,
                v.episode_id,
                v.recorded_at,
            ),
        )

    def get_memory(self, space: str, memory_id: str) -> MemoryItem:
        rows = self._q(f"SELECT {_MEMORY} FROM memories WHERE space = %s AND id = %s", (space, memory_id))
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        item = read_one(rows[0], _memory, "memory")
        if item is None:
            raise NotFound(f"memory {memory_id!r} in space {space!r} cannot be read (see the log); forget it")
        return item

    def get_memories(self, space: str, ids: Sequence[str]) -> list[MemoryItem]:
        if not ids:
            return []
        rows = self._q(f"SELECT {_MEMORY} FROM memories WHERE space = %s AND id = ANY(%s)", (space, list(ids)))
        found = {r[0]: m for r in rows if (m := read_one(r, _memory, "memory")) is not None}
        return [found[i] for i in ids if i in found]

    def get_vectors(self, space: str, ids: Sequence[str]) -> dict[str, Vector]:
        rows = self._q("SELECT id, embedding FROM memories WHERE space = %s AND id = ANY(%s)", (space, list(ids)))
        return {
            r[0]: np.asarray(r[1].to_numpy() if hasattr(r[1], "to_numpy") else r[1], dtype=np.float32) for r in rows
        }

    def list_memories(self, space: str, filters: Filters, limit: int = 100, offset: int = 0) -> list[MemoryItem]:
        where, params = _filter_sql(space, filters)
        rows = self._q(
            f"SELECT {_MEMORY} FROM memories m WHERE {where} ORDER BY created_at DESC, seq DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return readable(rows, _memory, "memory")

    def count_memories(self, space: str, filters: Filters) -> int:
        where, params = _filter_sql(space, filters)
        return int(self._q(f"SELECT count(*) FROM memories m WHERE {where}", params)[0][0])

    def history(self, space: str, memory_id: str) -> list[Version]:
        rows = self._q(
            f"SELECT {_VERSION} FROM memory_versions WHERE space = %s AND memory_id = %s ORDER BY seq",
            (space, memory_id),
        )
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        return readable(rows, _version, "version")

    def set_links(self, space: str, memory_id: str, links: Sequence[str]) -> None:
        if not self._x(
            "UPDATE memories SET links = %s WHERE space = %s AND id = %s", (Jsonb(list(links)), space, memory_id)
        ):
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")

    def touch(self, space: str, ids: Sequence[str], boost: float, at: datetime) -> None:
        self._x(
            "UPDATE memories SET strength = least(strength + %s, 10.0), accessed_at = %s "
            "WHERE space = %s AND id = ANY(%s)",
            (boost, at, space, list(ids)),
        )

    # -- search -----------------------------------------------------------------------------
    def lexical_search(self, space: str, terms: Sequence[str], filters: Filters, k: int) -> list[tuple[str, float]]:
        """BM25-ranked (memory id, score) for an OR of the terms, exactly as SQLite's FTS5 ranks; best first.

        The tokens are FTS5's and the score FTS5's bm25() with the same column weights, and terms
        in more than BM25.common_df memories are left out when rarer ones remain, as on SQLite (all
        read from remem.search.lexical). The statistics are the space's, where FTS5's are
        its file's: the two agree whenever a file holds one space, as the benchmark's do.
        """
        phrases = [stem for _, stem in query_phrases(terms)]
        if not phrases:
            return []
        stats = self._q("SELECT rows, tokens FROM lex_stats WHERE space = %s", (space,))
        if not stats or not stats[0][0]:
            return []
        rows, tokens = int(stats[0][0]), int(stats[0][1])
        hits = self._document_frequencies(space, phrases)
        phrases = prune_common(phrases, hits.__getitem__)
        if any(hits[p] > BM25.common_df for p in phrases):  # only common terms: their exact counts are needed
            hits.update(self._document_frequencies(space, phrases, exact=True))
        average = float(tokens) / float(rows)
        # FTS5: idf * ((f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl))), f from lex_tf, D the
        # row's tokens; summed over the phrases in query order, in float8 as FTS5 does in double.
        frequencies = ", ".join(f"coalesce((m.lex_tf -> %s)::float8, 0) AS f{i}" for i in range(len(phrases)))
        score = " + ".join(
            f"%s * ((f{i} * %s) / (f{i} + %s * (1 - %s + %s * lex_length / %s)))" for i in range(len(phrases))
        )
        constants = [BM25.k1 + 1.0, BM25.k1, BM25.b, BM25.b, average]
        where, filter_params = _filter_sql(space, filters)
        found = self._q(
            f"SELECT id, {score} AS score FROM (SELECT m.id, m.seq, m.lex_length, {frequencies} FROM memories m "
            f"WHERE m.lex_tf ?| %s::text[] AND {where}) matched ORDER BY score DESC, seq LIMIT %s",
            [
                *(value for stem in phrases for value in (bm25_idf(rows, hits[stem]), *constants)),
                *phrases,
                phrases,
                *filter_params,
                k,
            ],
        )
        return [(memory_id, float(score)) for memory_id, score in found]

    def _document_frequencies(self, space: str, stems: Sequence[str], exact: bool = False) -> dict[str, int]:
        """Memories of the space holding each stem: counted up to BM25.common_df + 1 unless `exact`.

        Cached per space until a write through this store; writes by other processes show within
        BM25.df_seconds. One statement counts every stem not cached, each through the GIN index.
        """
        entries = self._stats_cache.setdefault(space, {})
        fresh = time.monotonic() - BM25.df_seconds
        out: dict[str, int] = {}
        missing = []
        for stem in stems:
            hit = entries.get(stem)
            if hit is not None and hit[2] > fresh and (not exact or hit[1]):
                out[stem] = hit[0]
            else:
                missing.append(stem)
        if missing:
            bound = "" if exact else f" LIMIT {BM25.common_df + 1}"
            counted = self._q(
                "SELECT stem, (SELECT count(*) FROM (SELECT 1 FROM memories m WHERE m.space = %s "
                f"AND m.lex_tf ? stem{bound}) held) FROM unnest(%s::text[]) AS stem",
                (space, missing),
            )
            if len(entries) > 50_000:
                entries.clear()
            now_ = time.monotonic()
            for stem, count in counted:
                out[stem] = int(count)
                entries[stem] = (int(count), exact or int(count) <= BM25.common_df, now_)
        return out

    def _changed(self, space: str) -> None:
        self._stats_cache.pop(space, None)

    def dense_search(self, space: str, vector: Vector, filters: Filters, k: int) -> list[tuple[str, float]]:
        """Cosine-ranked (memory id, similarity) through the HNSW index; best first."""
        if self._dim is None:  # another process may have bound the embedder since this store opened
            binding = self.embedder_binding()
            if binding is None:
                return []
            self._dim = binding[1]
        where, params = _filter_sql(space, filters)
        cast = f"embedding::vector({int(self._dim)})"
        rows = self._q(
            f"SELECT m.id, 1 - ({cast} <=> %s) FROM memories m WHERE {where} ORDER BY {cast} <=> %s LIMIT %s",
            [_vec(vector), *params, _vec(vector), k],
        )
        # relaxed_order lets the iterative scan return near-ties slightly out of order; sort them.
        return sorted(((r[0], float(r[1])) for r in rows), key=lambda hit: -hit[1])

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
            if memory_ids or episode_ids:
                memories = [
                    r[0]
                    for r in self._q(
                        "SELECT id FROM memories WHERE space = %s AND id = ANY(%s)", (space, list(memory_ids or ()))
                    )
                ]
                episodes = [
                    r[0]
                    for r in self._q(
                        "SELECT id FROM episodes WHERE space = %s AND id = ANY(%s)", (space, list(episode_ids or ()))
                    )
                ]
            else:
                where, params = "space = %s", list[Any]([space])
                mwhere, mparams = "space = %s", list[Any]([space])
                if before is not None:
                    where += " AND event_time < %s"
                    params.append(before)
                    mwhere += " AND coalesce(valid_from, created_at) < %s"
                    mparams.append(before)
                if session is not None:
                    where += " AND session = %s"
                    params.append(session)
                    mwhere += " AND session = %s"
                    mparams.append(session)
                episodes = [r[0] for r in self._q(f"SELECT id FROM episodes WHERE {where}", params)]
                memories = [r[0] for r in self._q(f"SELECT id FROM memories WHERE {mwhere}", mparams)]
            # Whatever was derived from a purged episode goes with it.
            memories += [
                r[0]
                for r in self._q(
                    "SELECT DISTINCT memory_id FROM memory_episodes WHERE space = %s AND episode_id = ANY(%s)",
                    (space, episodes),
                )
            ]
            memories = list(dict.fromkeys(memories))
            forgotten_texts = searchable_texts(
                [
                    r[0]
                    for r in self._q(
                        "SELECT text FROM memories WHERE space = %s AND id = ANY(%s) LIMIT %s",
                        (space, memories, MAX_TEXTS),
                    )
                ]
            )
            versions = self._x(
                "DELETE FROM memory_versions WHERE space = %s AND memory_id = ANY(%s)", (space, memories)
            )
            self._x(
                "DELETE FROM memory_episodes WHERE space = %s AND (memory_id = ANY(%s) OR episode_id = ANY(%s))",
                (space, memories, episodes),
            )
            gone_lengths = self._q(
                "DELETE FROM memories WHERE space = %s AND id = ANY(%s) RETURNING lex_length", (space, memories)
            )
            if gone_lengths:
                self._count_tokens(space, -len(gone_lengths), -sum(int(r[0]) for r in gone_lengths))
            self._x("DELETE FROM episodes WHERE space = %s AND id = ANY(%s)", (space, episodes))
            gone = set(memories)
            for memory_id, links in self._q(
                "SELECT id, links FROM memories WHERE space = %s AND links != '[]'", (space,)
            ):
                kept = [x for x in links if x not in gone]
                if len(kept) != len(links):
                    self._x(
                        "UPDATE memories SET links = %s WHERE space = %s AND id = %s", (Jsonb(kept), space, memory_id)
                    )
            if memories or episodes:
                self._scrub_reasons(space, set(memories), set(episodes), forgotten_texts)
            if episodes:
                gone_episodes = set(episodes)
                for job_id, episode_ids in self._q("SELECT id, episode_ids FROM jobs WHERE space = %s", (space,)):
                    remaining = [e for e in episode_ids if e not in gone_episodes]
                    if not remaining:
                        self._x("DELETE FROM jobs WHERE space = %s AND id = %s", (space, job_id))
                    elif len(remaining) != len(episode_ids):
                        self._x(
                            "UPDATE jobs SET episode_ids = %s WHERE space = %s AND id = %s",
                            (Jsonb(remaining), space, job_id),
                        )
        self._changed(space)
        return PurgeReport(memories=len(memories), episodes=len(episodes), versions=versions)

    def _scrub_reasons(self, space: str, memories: set[str], episodes: set[str], texts: list[str]) -> None:
        """Replace the reasons of surviving versions that quote what this purge forgets."""
        for memory_id, seq, reason, episode_id in self._q(
            "SELECT memory_id, seq, reason, episode_id FROM memory_versions WHERE space = %s", (space,)
        ):
            if quotes_forgotten(reason, episode_id, memories=memories, episodes=episodes, texts=texts):
                self._x(
                    "UPDATE memory_versions SET reason = %s, episode_id = %s "
                    "WHERE space = %s AND memory_id = %s AND seq = %s",
                    (FORGOTTEN_REASON, None if episode_id in episodes else episode_id, space, memory_id, seq),
                )

    # -- queue ------------------------------------------------------------------------------
    def enqueue(self, job: Job) -> None:
        self._x(
            f"INSERT INTO jobs ({_JOB}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (
                job.id,
                job.space,
                Jsonb(job.episode_ids),
                job.state,
                job.attempts,
                job.error,
                job.created_at,
                job.updated_at,
                Jsonb(job.options),
                job.worker,
            ),
        )

    def claim_jobs(
        self, space: str | None, limit: int, worker: str | None = None, job_ids: Sequence[str] | None = None
    ) -> list[Job]:
        where, params = "state = 'pending'", list[Any]()
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        if job_ids is not None:
            where += " AND id = ANY(%s)"
            params.append(list(job_ids))
        rows = self._q(
            f"UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = %s, worker = %s "
            f"WHERE (space, id) IN (SELECT space, id FROM jobs WHERE {where} ORDER BY created_at, id LIMIT %s "
            f"FOR UPDATE SKIP LOCKED) RETURNING {_JOB}",
            [now(), worker, *params, limit],
        )
        return sorted((_job(r) for r in rows), key=lambda j: (j.created_at, j.id))

    def finish_job(self, job_id: str) -> None:
        self._set_job(job_id, "done", None)

    def fail_job(self, job_id: str, error: str) -> None:
        self._set_job(job_id, "failed", error)

    def _set_job(self, job_id: str, state: str, error: str | None) -> None:
        if not self._x(
            "UPDATE jobs SET state = %s, error = %s, updated_at = %s WHERE id = %s", (state, error, now(), job_id)
        ):
            raise NotFound(f"job {job_id!r} not found")

    def requeue_jobs(self, space: str | None, states: Sequence[str]) -> int:
        if not states:
            return 0
        where, params = "state = ANY(%s)", list[Any]([list(states)])
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        return self._x(f"UPDATE jobs SET state = 'pending', updated_at = %s WHERE {where}", [now(), *params])

    def list_jobs(self, space: str | None, states: Sequence[str] | None = None) -> list[Job]:
        where, params = "true", list[Any]()
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        if states:
            where += " AND state = ANY(%s)"
            params.append(list(states))
        return [_job(r) for r in self._q(f"SELECT {_JOB} FROM jobs WHERE {where} ORDER BY created_at, id", params)]

    # -- inventory --------------------------------------------------------------------------
    def spaces(self) -> list[str]:
        return [r[0] for r in self._q("SELECT space FROM episodes UNION SELECT space FROM memories ORDER BY 1")]

    def stats(self, space: str | None = None) -> dict[str, Any]:
        where, params = ("WHERE space = %s", [space]) if space is not None else ("", [])

        def count(table: str) -> int:
            return int(self._q(f"SELECT count(*) FROM {table} {where}", params)[0][0])

        binding = self.embedder_binding()
        return {
            "backend": "postgres",
            "spaces": len(self.spaces()) if space is None else 1,
            "episodes": count("episodes"),
            "memories": count("memories"),
            "versions": count("memory_versions"),
            "kinds": dict(self._q(f"SELECT kind, count(*) FROM memories {where} GROUP BY kind", params)),
            "jobs": dict(self._q(f"SELECT state, count(*) FROM jobs {where} GROUP BY state", params)),
            "embedder": binding[0] if binding else None,
            "dim": binding[1] if binding else None,
            "bytes": int(self._q("SELECT pg_database_size(current_database())")[0][0]),
        }

    def ids_held_elsewhere(self, space: str, ids: Sequence[str]) -> set[str]:
        return set()  # the primary keys are (space, id): every space has ids of its own

    def iter_space(self, space: str, page: int = 1000) -> Iterator[dict[str, Any]]:
        """Every episode, then every memory with its versions, oldest first, a page at a time."""
        after = 0
        while rows := self._q(
            f"SELECT seq, {_EPISODE} FROM episodes WHERE space = %s AND seq > %s ORDER BY seq LIMIT %s",
            (space, after, page),
        ):
            for row in rows:
                if (episode := read_one(row[1:], _episode, "episode")) is not None:
                    yield {"type": "episode", **episode.to_dict()}
            after = rows[-1][0]
        after = 0
        while rows := self._q(
            f"SELECT seq, {_MEMORY} FROM memories WHERE space = %s AND seq > %s ORDER BY seq LIMIT %s",
            (space, after, page),
        ):
            # One query for the page's versions, not one per memory.
            versions: dict[str, list[dict[str, Any]]] = {}
            for version_row in self._q(
                f"SELECT {_VERSION} FROM memory_versions WHERE space = %s AND memory_id = ANY(%s) ORDER BY seq",
                (space, [r[1] for r in rows]),
            ):
                if (version := read_one(version_row, _version, "version")) is not None:
                    versions.setdefault(version_row[0], []).append(version.to_dict())
            for row in rows:
                if (item := read_one(row[1:], _memory, "memory")) is None:
                    continue
                yield {"type": "memory", **item.to_dict(), "versions": versions.get(item.id, [])}
            after = rows[-1][0]


def _safe_url(url: str) -> str:
    """The URL without its password, for error messages."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured URL"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def _vec(vector: Vector) -> np.ndarray:
    return np.asarray(vector, dtype=np.float32)


def _filter_sql(space: str, f: Filters) -> tuple[str, list[Any]]:
    clauses, params = ["m.space = %s"], list[Any]([space])
    if f.session is not None:
        clauses.append("m.session = %s")
        params.append(f.session)
    if f.kinds:
        clauses.append("m.kind = ANY(%s)")
        params.append(list(f.kinds))
    for tag in f.tags or ():
        clauses.append("m.tags ? %s")
        params.append(tag)
    if f.since is not None:
        clauses.append("coalesce(m.valid_from, m.created_at) >= %s")
        params.append(f.since)
    if f.until is not None:
        clauses.append("coalesce(m.valid_from, m.created_at) < %s")
        params.append(f.until)
    if f.as_of is not None:
        clauses.append("(m.valid_from IS NULL OR m.valid_from <= %s) AND (m.valid_to IS NULL OR m.valid_to > %s)")
        params.extend([f.as_of, f.as_of])
    elif not f.include_expired:
        clauses.append("(m.valid_to IS NULL OR m.valid_to > %s)")
        params.append(now())
    return " AND ".join(clauses), params


def _memory_row(m: MemoryItem) -> tuple[Any, ...]:
    return (
        m.id,
        m.space,
        m.text,
        m.kind,
        m.session,
        Jsonb(m.source_episode_ids),
        Jsonb(m.keywords),
        Jsonb(m.tags),
        Jsonb(m.links),
        m.valid_from,
        m.valid_to,
        m.strength,
        m.version,
        m.created_at,
        m.updated_at,
        Jsonb(m.metadata),
    )


def _memory(r: Sequence[Any]) -> MemoryItem:
    return MemoryItem(
        id=r[0],
        space=r[1],
        text=r[2],
        kind=r[3],
        session=r[4],
        source_episode_ids=list(r[5]),
        keywords=list(r[6]),
        tags=list(r[7]),
        links=list(r[8]),
        valid_from=r[9],
        valid_to=r[10],
        strength=float(r[11]),
        version=int(r[12]),
        created_at=r[13],
        updated_at=r[14],
        metadata=dict(r[15]),
    )


def _episode(r: Sequence[Any]) -> Episode:
    return Episode(
        id=r[0],
        space=r[1],
        role=r[2],
        content=r[3],
        session=r[4],
        event_time=r[5],
        ingest_time=r[6],
        source=r[7],
        name=r[8],
        metadata=dict(r[9]),
    )


def _version(r: Sequence[Any]) -> Version:
    return Version(
        memory_id=r[0],
        version=int(r[1]),
        operation=r[2],
        text=r[3],
        kind=r[4],
        tags=list(r[5]),
        valid_from=r[6],
        valid_to=r[7],
        reason=r[8],
        actor=r[9],
        episode_id=r[10],
        recorded_at=r[11],
    )


def _job(r: Sequence[Any]) -> Job:
    return Job(
        id=r[0],
        space=r[1],
        episode_ids=list(r[2]),
        state=r[3],
        attempts=int(r[4]),
        error=r[5],
        created_at=r[6],
        updated_at=r[7],
        options=dict(r[8]),
        worker=r[9],
    )
