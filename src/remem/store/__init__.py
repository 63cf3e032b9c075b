"""Stores: SQLite (embedded default) and PostgreSQL, behind one Protocol, chosen here and nowhere else."""

from __future__ import annotations

from remem.settings import Settings, is_postgres_url
from remem.store.base import Job, PurgeReport, Store


def open_store(database: str, *, busy_timeout_ms: int = 30_000) -> Store:
    """The store a database setting names: a postgresql:// URL, or a SQLite file ('sqlite:PATH' or a plain path)."""
    if is_postgres_url(database):
        from remem.store.postgres import PostgresStore

        store: Store = PostgresStore(database)
        return store
    from remem.store.sqlite import SQLiteStore

    return SQLiteStore(database.removeprefix("sqlite:"), busy_timeout_ms=busy_timeout_ms)


def from_settings(settings: Settings) -> Store:
    return open_store(settings.database, busy_timeout_ms=settings.busy_timeout_ms)


__all__ = ["Job", "PurgeReport", "Store", "from_settings", "open_store"]
