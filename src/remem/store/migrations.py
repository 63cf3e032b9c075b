"""One runner for every schema remem keeps: numbered, append-only migrations, each in its own transaction.

Each schema (SQLite's store in sqlite_schema.py, PostgreSQL's in postgres_schema.py, the server's
key tables in remem.server.auth) is a list of migrations: functions of a connection, or `statements`
of SQL. Migration N brings the schema from version N-1 to N; one that has shipped is never edited,
a change is a new one at the end. Where the applied number is kept is the schema's own affair
(PRAGMA user_version, a row in a meta table), and so is how a write transaction serialises
processes that open the same database at once; the order of work is the same for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from remem.errors import Conflict

Connection = TypeVar("Connection")
Migration = Callable[[Any], None]


def statements(*sql: str) -> Migration:
    """A migration that runs these SQL statements in order."""

    def run(conn: Any) -> None:
        for statement in sql:
            conn.execute(statement)

    return run


def on(
    conn: Connection, transaction: Callable[[Connection], AbstractContextManager[Any]]
) -> Callable[[bool], AbstractContextManager[Connection]]:
    """`connection` for migrate when every step uses one connection: reads as it is, writes in `transaction(conn)`."""

    @contextmanager
    def connection(write: bool) -> Iterator[Connection]:
        if not write:
            yield conn
            return
        with transaction(conn):
            yield conn

    return connection


def migrate(
    migrations: Sequence[Callable[[Connection], None]],
    *,
    connection: Callable[[bool], AbstractContextManager[Connection]],
    applied: Callable[[Connection], int],
    record: Callable[[Connection, int], None],
    what: str,
) -> int:
    """Apply the migrations the database lacks, each with its number in one transaction; return the version.

    `connection(write)` gives a connection, inside a transaction that serialises migrators when
    `write`; `applied` reads the number applied, `record` writes it. A database already up to
    date is only read; one newer than these migrations is refused.
    """
    with connection(False) as conn:
        current = applied(conn)
    while current < len(migrations):
        with connection(True) as conn:
            current = applied(conn)  # another process may have migrated while this one waited
            if current < len(migrations):
                migrations[current](conn)
                current += 1
                record(conn, current)
    if current > len(migrations):
        raise Conflict(
            f"the {what} has schema version {current}, newer than this remem knows ({len(migrations)}); upgrade remem"
        )
    return current
