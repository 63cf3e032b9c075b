"""SQLite schema as numbered, append-only migrations (run by remem.store.migrations).

A migration is never edited once released; a change is a new entry at the end.
The applied number lives in PRAGMA user_version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from remem.store import migrations
from remem.store.migrations import Migration, statements

MIGRATIONS: list[Migration] = [
    # 1: episodes, memories, versions, provenance, vectors, full-text index, queue
    statements(
        """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
        """CREATE TABLE episodes (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            space TEXT NOT NULL,
            session TEXT,
            role TEXT NOT NULL,
            name TEXT,
            content TEXT NOT NULL,
            source TEXT,
            metadata TEXT NOT NULL DEFAULT '{}',
            event_time TEXT NOT NULL,
            ingest_time TEXT NOT NULL
        )""",
        "CREATE INDEX episodes_space_time ON episodes (space, event_time)",
        "CREATE INDEX episodes_space_session ON episodes (space, session, event_time)",
        """CREATE TABLE memories (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            space TEXT NOT NULL,
            text TEXT NOT NULL,
            kind TEXT NOT NULL,
            session TEXT,
            source_episode_ids TEXT NOT NULL DEFAULT '[]',
            keywords TEXT NOT NULL DEFAULT '[]',
            tags TEXT NOT NULL DEFAULT '[]',
            links TEXT NOT NULL DEFAULT '[]',
            valid_from TEXT,
            valid_to TEXT,
            strength REAL NOT NULL DEFAULT 1.0,
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            accessed_at TEXT,
            metadata TEXT NOT NULL DEFAULT '{}'
        )""",
        "CREATE INDEX memories_space_created ON memories (space, created_at)",
        "CREATE INDEX memories_space_session ON memories (space, session)",
        "CREATE INDEX memories_space_valid ON memories (space, valid_from)",
        """CREATE TABLE memory_versions (
            seq INTEGER PRIMARY KEY,
            space TEXT NOT NULL,
            memory_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            operation TEXT NOT NULL,
            text TEXT NOT NULL,
            kind TEXT NOT NULL,
            tags TEXT NOT NULL,
            valid_from TEXT,
            valid_to TEXT,
            reason TEXT NOT NULL,
            actor TEXT NOT NULL,
            episode_id TEXT,
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX memory_versions_memory ON memory_versions (memory_id, seq)",
        """CREATE TABLE memory_episodes (
            space TEXT NOT NULL,
            memory_id TEXT NOT NULL,
            episode_id TEXT NOT NULL,
            PRIMARY KEY (memory_id, episode_id)
        )""",  # not WITHOUT ROWID: SQLite 3.40's integrity_check misreports NOT NULL columns there
        "CREATE INDEX memory_episodes_episode ON memory_episodes (episode_id)",
        # rowid = memories.rowid, so the in-memory matrix maps straight back to memories.
        """CREATE TABLE memory_vectors (
            rowid INTEGER PRIMARY KEY,
            space TEXT NOT NULL,
            vector BLOB NOT NULL
        )""",
        "CREATE INDEX memory_vectors_space ON memory_vectors (space, rowid)",
        # Bumped whenever a vector changes or goes, so every process reloads its cache.
        "CREATE TABLE space_state (space TEXT PRIMARY KEY, generation INTEGER NOT NULL)",
        """CREATE VIRTUAL TABLE memories_fts USING fts5 (
            text, keywords, content='memories', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
            INSERT INTO memories_fts (rowid, text, keywords) VALUES (new.rowid, new.text, new.keywords);
        END""",
        """CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
            INSERT INTO memories_fts (memories_fts, rowid, text, keywords)
            VALUES ('delete', old.rowid, old.text, old.keywords);
        END""",
        """CREATE TRIGGER memories_fts_update AFTER UPDATE OF text, keywords ON memories BEGIN
            INSERT INTO memories_fts (memories_fts, rowid, text, keywords)
            VALUES ('delete', old.rowid, old.text, old.keywords);
            INSERT INTO memories_fts (rowid, text, keywords) VALUES (new.rowid, new.text, new.keywords);
        END""",
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            space TEXT NOT NULL,
            episode_ids TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            options TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX jobs_state ON jobs (state, created_at)",
    ),
    # 2: which process runs a job, so a crashed worker's jobs can be resumed at once
    statements("ALTER TABLE jobs ADD COLUMN worker TEXT"),
    # 3: scrubs owed after a forgetting, written in the purge's transaction, so a crash or a busy WAL
    # between the commit and the scrub only delays it (see SQLiteStore.finish_scrubs)
    statements(
        """CREATE TABLE pending_scrubs (
            id INTEGER PRIMARY KEY,
            space TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )"""
    ),
    # 4: idempotency keys of adds, so a client's retry never stores a turn twice
    statements(
        """CREATE TABLE idempotency_keys (
            space TEXT NOT NULL,
            key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            job_id TEXT NOT NULL,
            episode_ids TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (space, key)
        )"""
    ),
    # 5: the first answer's decisions, so a retry with the key answers with the same memory ids
    statements("ALTER TABLE idempotency_keys ADD COLUMN decisions TEXT"),
    # 6: the rows whose vector changed or went, so each process's in-memory index follows them
    # without reading the whole space again (SQLiteStore._matrix); rowids only, never text
    statements(
        "CREATE TABLE vector_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, space TEXT NOT NULL, row INTEGER NOT NULL)",
        "CREATE INDEX vector_log_space ON vector_log (space, seq)",
        # dense search with a selective filter of kinds (reconciliation's facts) reads the rows it keeps
        "CREATE INDEX memories_space_kind ON memories (space, kind)",
    ),
    # 7: the same lookup answered from the index alone: which of those rows are still valid (the
    # filter's valid_to) without reading each row (3 ms for 1,900 facts among 100k turns, 0.7 with it)
    statements(
        "CREATE INDEX memories_space_kind_valid ON memories (space, kind, valid_to)",
        "DROP INDEX memories_space_kind",
    ),
]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this file has and the database lacks; return the resulting version."""

    return migrations.migrate(
        MIGRATIONS, connection=migrations.on(conn, _immediate), applied=_applied, record=_record, what="database"
    )


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")  # the write lock: one migrator at a time
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _applied(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _record(conn: sqlite3.Connection, number: int) -> None:
    conn.execute(f"PRAGMA user_version = {int(number)}")
