"""Stores: SQLite (embedded default) and PostgreSQL, behind one Protocol."""

from __future__ import annotations

from remem.settings import Settings
from remem.store.base import Job, PurgeReport, Store


def from_settings(settings: Settings) -> Store:
    if settings.is_postgres:
        from remem.store.postgres import PostgresStore

        store: Store = PostgresStore(settings.database)
        return store
    from remem.store.sqlite import SQLiteStore

    return SQLiteStore(settings.database, busy_timeout_ms=settings.busy_timeout_ms)


__all__ = ["Job", "PurgeReport", "Store", "from_settings"]
