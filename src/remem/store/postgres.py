"""The PostgreSQL store: the same contract as SQLite, for many app servers and millions of memories.

pgvector holds the vectors (HNSW, cosine); FTS5's own tokens, as a jsonb map of their frequencies
under a GIN index, serve lexical search ranked by FTS5's BM25 (see remem.search.lexical); psycopg
3's pool hands out connections, and every write runs in a transaction.

Every table's primary key starts with `space`, and every query names one space: the tables can
be distributed by space on Citus (`SELECT create_distributed_table('memories', 'space')`, and
the same for episodes, memory_versions, memory_episodes and jobs) with all of a space's rows
co-located, so no query crosses shards. See docs/postgres.md.

The queries and policy both engines share are in remem.store.sql; here is what is PostgreSQL's own:
the pool, advisory locks, the schema, pgvector, and BM25 computed in SQL.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from remem.errors import NotFound, StorageFull, Unavailable
from remem.search.lexical import BM25, bm25_idf, everywhere, prune_common, query_phrases
from remem.store.base import Vector
from remem.store.postgres_schema import lex_of, migrate
from remem.store.rows import MEMORY_COLUMNS, MEMORY_UPDATE, Codec
from remem.store.sql import SQLStore
from remem.store.sql.engine import marks
from remem.types import Filters, MemoryItem

EF_SEARCH = 200  # HNSW candidates per query: high enough that results match exact search at 100k
_BIND_LOCK = 4243  # an advisory lock key: arbitrary, fixed, distinct from the schema's


def _same(value: Any) -> Any:
    """psycopg reads and writes times, and reads jsonb, as Python values already."""
    return value


class PostgresStore(SQLStore):
    """Store backed by PostgreSQL with pgvector; safe across threads (a pooled connection each) and processes.

    `url` is a libpq URL (postgresql://user:pass@host:5432/db). The schema is created or brought up
    to date on open, under an advisory lock so several processes may open the same database at once.
    """

    backend = "postgres"
    meta_table = "remem_meta"
    order_column = "seq"
    list_size = 1000
    claim_lock = " FOR UPDATE SKIP LOCKED"  # workers claim side by side, each its own jobs
    rows = Codec(json_out=Jsonb, json_in=_same, time_out=_same, time_in=_same)

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
            migrate(conn)

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
        with _full_disk(), self._pool.connection() as conn, conn.transaction():
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    def close(self) -> None:
        self._pool.close()

    # -- the hooks of SQLStore ---------------------------------------------------------------
    def _write(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()  # one statement in autocommit is atomic: no BEGIN and COMMIT round trips

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            cur = conn.execute(sql, params)
            return cur.fetchall() if cur.description else []

    def _x(self, sql: str, params: Sequence[Any] = ()) -> int:
        with _full_disk(), self._conn() as conn:
            return conn.execute(sql, params).rowcount

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with _full_disk(), self._conn() as conn, conn.cursor() as cur:
            cur.executemany(sql, list(rows))

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(%s)", [list(values)]

    def _tag_clause(self) -> str:
        return "m.tags ? %s"

    def _lock_binding(self) -> None:
        self._q("SELECT pg_advisory_xact_lock(%s)", (_BIND_LOCK,))

    def _index_vectors(self, dim: int) -> None:
        # The index is on a cast to the bound dimension: an untyped column plus an expression
        # index lets one schema serve any embedder, fixed per database once chosen.
        self._x(
            f"CREATE INDEX IF NOT EXISTS memories_embedding_hnsw ON memories USING hnsw "
            f"((embedding::vector({int(dim)})) vector_cosine_ops)"
        )

    def _insert_memory_row(self, item: MemoryItem, vector: Vector) -> None:
        lex = lex_of(item)
        self._x(
            f"INSERT INTO memories ({MEMORY_COLUMNS}, embedding, lex_tf, lex_length) VALUES ({marks(19)})",
            (*self.rows.memory_row(item), _vec(vector), *lex),
        )
        self._count_tokens(item.space, 1, lex[1])

    def _update_memory_row(self, item: MemoryItem, vector: Vector | None, after: int | None = None) -> int:
        """Write the row (in the caller's transaction); the version it held. With `after` and another
        version held, nothing is written. FOR UPDATE holds the row until the transaction ends."""
        lex = lex_of(item)
        before = self._q(
            "SELECT lex_length, version FROM memories WHERE space = %s AND id = %s FOR UPDATE", (item.space, item.id)
        )
        if not before:
            raise NotFound(f"memory {item.id} not found in space {item.space!r}")
        if after is not None and int(before[0][1]) != after:
            return int(before[0][1])
        embedding = [_vec(vector)] if vector is not None else []
        self._x(
            f"UPDATE memories SET {MEMORY_UPDATE}, lex_tf=%s, lex_length=%s{', embedding=%s' if embedding else ''} "
            "WHERE space = %s AND id = %s",
            (*self.rows.memory_update(item), *lex, *embedding, item.space, item.id),
        )
        self._count_tokens(item.space, 0, lex[1] - int(before[0][0]))
        return int(before[0][1])

    def _delete_memory_rows(self, space: str, ids: Sequence[str]) -> None:
        gone = self._q(
            "DELETE FROM memories WHERE space = %s AND id = ANY(%s) RETURNING lex_length", (space, list(ids))
        )
        if gone:
            self._count_tokens(space, -len(gone), -sum(int(r[0]) for r in gone))

    def _changed(self, space: str) -> None:
        self._stats_cache.pop(space, None)

    def _size_bytes(self) -> int:
        return int(self._q("SELECT pg_database_size(current_database())")[0][0])

    def _count_tokens(self, space: str, rows: int, tokens: int) -> None:
        """Move the space's BM25 totals (memories, tokens) by these amounts, in the caller's transaction."""
        self._x(
            "INSERT INTO lex_stats VALUES (%s, %s, %s) ON CONFLICT (space) DO UPDATE "
            "SET rows = lex_stats.rows + excluded.rows, tokens = lex_stats.tokens + excluded.tokens",
            (space, rows, tokens),
        )

    # -- vectors ----------------------------------------------------------------------------
    def get_vectors(self, space: str, ids: Sequence[str]) -> dict[str, Vector]:
        rows = self._q("SELECT id, embedding FROM memories WHERE space = %s AND id = ANY(%s)", (space, list(ids)))
        return {
            r[0]: np.asarray(r[1].to_numpy() if hasattr(r[1], "to_numpy") else r[1], dtype=np.float32) for r in rows
        }

    # -- search -----------------------------------------------------------------------------
    def lexical_search(self, space: str, terms: Sequence[str], filters: Filters, k: int) -> list[tuple[str, float]]:
        """BM25-ranked (memory id, score) for an OR of the terms, exactly as SQLite's FTS5 ranks; best first.

        The tokens are FTS5's and the score FTS5's bm25() with the same column weights, and terms
        in more than BM25.common_df of the space's memories are left out when rarer ones remain, as
        on SQLite (all read from remem.search.lexical). The BM25 weights are the space's, where
        FTS5's are its file's: the two agree whenever a file holds one space, as the benchmark's do.
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
        where, filter_params = self._filter_sql(space, filters)
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

    def common_words(self, space: str, terms: Sequence[str]) -> set[str]:
        """The words of these terms held by most of the space's memories (remem.search.lexical.everywhere)."""
        stats = self._q("SELECT rows FROM lex_stats WHERE space = %s", (space,))
        phrases = query_phrases(terms)
        if not stats or not phrases:
            return set()
        stem_of = dict(phrases)
        counts: dict[str, int] = {}

        def held(word: str, need: int) -> bool:
            if not counts:  # asked only in a space of a size where shares count; the lexical search reuses them
                counts.update(self._document_frequencies(space, list(stem_of.values())))  # up to common_df + 1
            return counts[stem_of[word]] >= need

        return everywhere(list(stem_of), held, int(stats[0][0]))

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

    def dense_search(self, space: str, vector: Vector, filters: Filters, k: int) -> list[tuple[str, float]]:
        """Cosine-ranked (memory id, similarity) through the HNSW index; best first."""
        if self._dim is None:  # another process may have bound the embedder since this store opened
            binding = self.embedder_binding()
            if binding is None:
                return []
            self._dim = binding[1]
        where, params = self._filter_sql(space, filters)
        cast = f"embedding::vector({int(self._dim)})"
        rows = self._q(
            f"SELECT m.id, 1 - ({cast} <=> %s) FROM memories m WHERE {where} ORDER BY {cast} <=> %s LIMIT %s",
            [_vec(vector), *params, _vec(vector), k],
        )
        # relaxed_order lets the iterative scan return near-ties slightly out of order; sort them.
        return sorted(((r[0], float(r[1])) for r in rows), key=lambda hit: -hit[1])

    # -- inventory --------------------------------------------------------------------------
    def ids_held_elsewhere(self, space: str, ids: Sequence[str]) -> set[str]:
        return set()  # the primary keys are (space, id): every space has ids of its own


@contextmanager
def _full_disk() -> Iterator[None]:
    """PostgreSQL's disk full (SQLSTATE 53100) as StorageFull: the statement, and its transaction, stored nothing."""
    try:
        yield
    except psycopg.errors.DiskFull:
        raise StorageFull(
            "the PostgreSQL server's disk is full, so nothing of this write was stored; free some space and try again"
        ) from None


def _safe_url(url: str) -> str:
    """The URL without its password, for error messages."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured URL"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def _vec(vector: Vector) -> np.ndarray:
    return np.asarray(vector, dtype=np.float32)
