"""PostgreSQL schema as numbered, append-only migrations (run by remem.store.migrations), and the
lexical columns a memory row carries (written by the store and by migration 3 for older rows).

The applied number lives in remem_meta as schema_version; migrations run under an advisory lock,
so several processes may open the same database at once.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from remem.search.lexical import memory_tokens, term_frequencies
from remem.store import migrations
from remem.store.migrations import Migration
from remem.types import MemoryItem

_MIGRATION_LOCK = 4242  # an advisory lock key: arbitrary, fixed, distinct from the store's


def migrate(conn: psycopg.Connection[Any]) -> int:
    """Create pgvector and apply the migrations the database lacks, one migrator at a time.

    `conn` is in autocommit mode; each migration commits with its number."""

    conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE TABLE IF NOT EXISTS remem_meta (key text PRIMARY KEY, value text NOT NULL)")
        return migrations.migrate(
            MIGRATIONS,
            connection=migrations.on(conn, lambda c: c.transaction()),
            applied=_applied,
            record=_record,
            what="database",
        )
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))


def _applied(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT value FROM remem_meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def _record(conn: psycopg.Connection[Any], number: int) -> None:
    conn.execute(
        "INSERT INTO remem_meta VALUES ('schema_version', %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(number),),
    )


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
                [(*lex_columns(t), r[1], r[2]) for r, t in zip(rows, tokens, strict=True)],
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


@_migration
def _m004_idempotency_keys(conn: psycopg.Connection[Any]) -> None:
    """Idempotency keys of adds, so a client's retry never stores a turn twice."""
    conn.execute(
        """CREATE TABLE idempotency_keys (
            space text NOT NULL, key text NOT NULL, request_hash text NOT NULL, job_id text NOT NULL,
            episode_ids jsonb NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (space, key))"""
    )


@_migration
def _m005_idempotent_decisions(conn: psycopg.Connection[Any]) -> None:
    """The first answer's decisions, so a retry with the key answers with the same memory ids."""
    conn.execute("ALTER TABLE idempotency_keys ADD COLUMN decisions jsonb")


@_migration
def _m006_episodes_in_arrival_order(conn: psycopg.Connection[Any]) -> None:
    """The turn before or after one told at the same moment is one index seek (search's adjacent turns),
    as SQLite's index, which ends in the rowid, already allows."""
    conn.execute("CREATE INDEX episodes_space_session_seq ON episodes (space, session, event_time, seq)")
    conn.execute("DROP INDEX episodes_space_session")


def lex_of(item: MemoryItem) -> tuple[Jsonb, int]:
    """lex_tf and lex_length of a memory about to be written."""
    return lex_columns(memory_tokens([(item.text, item.keywords)])[0])


def lex_columns(tokens: tuple[list[str], list[str]]) -> tuple[Jsonb, int]:
    """lex_tf and lex_length of a memory's (text tokens, keyword tokens), weighted by the BM25 spec."""
    frequency, length = term_frequencies(*tokens)
    return Jsonb(frequency), length
