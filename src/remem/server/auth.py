"""API keys: each bound to spaces with read or write rights, or to the admin right; stored hashed.

A token is `rk_<key id>_<secret>` with 32 random bytes (256 bits) of secret. Only the SHA-256
of the secret is stored. A fast hash is the right tool here: slow hashes (bcrypt, argon2)
exist to make guessing *low-entropy passwords* expensive, but nobody can enumerate 2**256
secrets at any speed, and a fast hash keeps checking a key cheap on every request. The key
id in the token finds the row; the hash comparison is constant-time.

The keys live in the store's own database, in tables the server owns (`server_meta`,
`api_keys`), evolved by the append-only migrations below through the server's own
connection; the memory store's schema is not touched. Revoking a key takes effect on the
next request in every worker, since nothing is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from remem import validate
from remem.errors import InvalidInput, NotFound
from remem.server.errors import Unauthenticated
from remem.settings import is_postgres_url
from remem.store import migrations
from remem.store.migrations import Migration, statements
from remem.timeutil import now, parse_time, to_iso
from remem.validate import space_name

Right = Literal["read", "write"]
RIGHTS = ("read", "write")
ALL_SPACES = "*"


@dataclass(frozen=True)
class ApiKey:
    """A key as the server sees it: never its secret."""

    id: str
    label: str
    spaces: dict[str, str] = field(default_factory=dict)  # space -> "read" | "write"; "*" for every space
    admin: bool = False
    created_at: str = ""
    revoked: bool = False
    expires_at: str | None = None  # ISO-8601 UTC; refused from then on

    def allows(self, space: str, right: Right) -> bool:
        granted = self.spaces.get(space) or self.spaces.get(ALL_SPACES)
        return granted is not None and (granted == "write" or right == "read")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "spaces": dict(self.spaces),
            "admin": self.admin,
            "created_at": self.created_at,
            "revoked": self.revoked,
            "expires_at": self.expires_at,
        }


class KeyStore(Protocol):
    """Where keys live. SQLite beside the memory tables by default; PostgreSQL by the same SQL."""

    def create(
        self, spaces: Mapping[str, str], *, admin: bool = False, label: str = "", expires: str | None = None
    ) -> tuple[ApiKey, str]:
        """A new key and its token; the token is returned once and never stored. `expires`: see `expiry`."""
        ...

    def authenticate(self, token: str) -> ApiKey:
        """The active key a token belongs to; Unauthenticated otherwise."""
        ...

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        ...

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke an active key; NotFound when there is no such active key."""
        ...


_KEY_ID = re.compile(r"[0-9a-f]{1,64}")  # secrets.token_hex: anything else is no key of ours
MAX_LABEL = 200

_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def expiry(value: str) -> datetime:
    """When a key made now with `expires=value` stops working: a duration ('90m', '12h', '30d') from
    now, or an ISO-8601 date or time in the future."""
    if not isinstance(value, str):
        raise InvalidInput("expires must be a duration like '30d', '12h' or '90m', or an ISO-8601 date")
    text = value.strip()
    match = _DURATION.fullmatch(text)
    if match:
        return now() + timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = parse_time(text, "expires")
    except InvalidInput:
        raise InvalidInput(
            f"expires {text[:40]!r} is neither a duration like '30d', '12h' or '90m' nor an ISO-8601 date"
        ) from None
    if moment is None or moment <= now():
        raise InvalidInput(f"expires {text[:40]!r} is not in the future")
    return moment


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_spaces(spaces: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(spaces, Mapping):
        raise InvalidInput("spaces must map space names to 'read' or 'write'")
    for space, right in spaces.items():
        if space != ALL_SPACES:
            space_name(space)
        if right not in RIGHTS:
            raise InvalidInput(f"right {right!r} for space {space!r} must be 'read' or 'write'")
    return dict(spaces)


# Append-only: migration N brings the key schema from version N-1 to N. Never edit a shipped one.
MIGRATIONS: tuple[Migration, ...] = (
    statements(
        "CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, secret_sha256 TEXT NOT NULL, "
        "label TEXT NOT NULL, spaces TEXT NOT NULL, admin INTEGER NOT NULL, created_at TEXT NOT NULL, "
        "revoked_at TEXT)"
    ),
    # 2: keys that expire
    statements("ALTER TABLE api_keys ADD COLUMN expires_at TEXT"),
)
SCHEMA_KEY = "keys_schema"


class SQLKeyStore:
    """The key store in SQL common to SQLite and PostgreSQL; subclasses open connections."""

    placeholder = "?"

    def _connection(self, write: bool = False) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def _lock_for_migration(self, conn: Any) -> None:
        """Serialise concurrent migrations (several workers start at once)."""

    def _run(self, conn: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return conn.execute(sql.replace("?", self.placeholder), params)

    def schema_version(self) -> int:
        with self._connection() as conn:
            return self._applied(conn)

    def migrate(self) -> None:
        """Bring the key tables up to date (remem.store.migrations), one migrator at a time."""

        @contextlib.contextmanager
        def connection(write: bool) -> Iterator[Any]:
            with self._connection(write=write) as conn:
                if write:
                    self._lock_for_migration(conn)
                yield conn

        with connection(True) as conn:
            self._run(conn, "CREATE TABLE IF NOT EXISTS server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        migrations.migrate(
            MIGRATIONS, connection=connection, applied=self._applied, record=self._record, what="key store"
        )

    def _applied(self, conn: Any) -> int:
        row = self._run(conn, "SELECT value FROM server_meta WHERE key = ?", (SCHEMA_KEY,)).fetchone()
        return int(row[0]) if row else 0

    def _record(self, conn: Any, number: int) -> None:
        self._run(conn, "DELETE FROM server_meta WHERE key = ?", (SCHEMA_KEY,))
        self._run(conn, "INSERT INTO server_meta (key, value) VALUES (?, ?)", (SCHEMA_KEY, str(number)))

    def create(
        self, spaces: Mapping[str, str], *, admin: bool = False, label: str = "", expires: str | None = None
    ) -> tuple[ApiKey, str]:
        grants = _check_spaces(spaces)
        label = validate.label(label, "label", MAX_LABEL)  # NUL or a lone surrogate: no database keeps it
        expires_at = to_iso(expiry(expires)) if expires is not None else None
        if not grants and not admin:
            raise InvalidInput("a key needs at least one space, or the admin right")
        key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        created = to_iso(now())
        with self._connection(write=True) as conn:
            self._run(
                conn,
                "INSERT INTO api_keys (id, secret_sha256, label, spaces, admin, created_at, revoked_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
                (key_id, _hash(secret), label, json.dumps(grants, sort_keys=True), int(admin), created, expires_at),
            )
        return ApiKey(key_id, label, grants, admin, created, expires_at=expires_at), f"rk_{key_id}_{secret}"

    def authenticate(self, token: str) -> ApiKey:
        # The key id is hex, so the first two underscores split it off even if the secret has some.
        parts = token.split("_", 2) if isinstance(token, str) else []
        if len(parts) != 3 or parts[0] != "rk" or not _KEY_ID.fullmatch(parts[1]) or not parts[2]:
            raise Unauthenticated("missing or malformed API key: send 'Authorization: Bearer rk_...'")
        with self._connection() as conn:
            row = self._run(
                conn,
                "SELECT id, secret_sha256, label, spaces, admin, created_at, revoked_at, expires_at "
                "FROM api_keys WHERE id = ?",
                (parts[1],),
            ).fetchone()
        # Hash even when there is no row, so an unknown id costs the same time as a wrong secret.
        digest = _hash(parts[2])
        if row is None or row[6] is not None or not hmac.compare_digest(row[1], digest):
            raise Unauthenticated("invalid or revoked API key")
        # ISO-8601 UTC strings of one shape compare in time order.
        if row[7] is not None and row[7] <= to_iso(now()):
            raise Unauthenticated(f"API key {row[0]} expired at {row[7]}; ask an admin for a new key")
        return ApiKey(row[0], row[2], json.loads(row[3]), bool(row[4]), row[5], expires_at=row[7])

    def list(self) -> list[ApiKey]:
        with self._connection() as conn:
            rows = self._run(
                conn,
                "SELECT id, label, spaces, admin, created_at, revoked_at, expires_at FROM api_keys "
                "ORDER BY created_at, id",
            ).fetchall()
        return [ApiKey(r[0], r[1], json.loads(r[2]), bool(r[3]), r[4], r[5] is not None, r[6]) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        key_id = validate.identifier(key_id, "key id")  # a NUL reached PostgreSQL, which refuses it: a 500
        with self._connection(write=True) as conn:
            changed = self._run(
                conn, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (to_iso(now()), key_id)
            ).rowcount
        if not changed:
            raise NotFound(f"no active key {key_id!r}")
        return next(k for k in self.list() if k.id == key_id)


class SQLiteKeyStore(SQLKeyStore):
    """Keys in a SQLite file (normally the store's own), through a connection of their own per call."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(Path(path).expanduser())
        self.migrate()

    @contextlib.contextmanager
    def _connection(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        # Short-lived: cheap for SQLite, safe from any thread, and nothing to close at shutdown.
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            if write:
                # Take the write lock up front, so two migrating workers queue instead of deadlocking;
                # reads (every request's key check) run in autocommit and never block writers under WAL.
                conn.execute("BEGIN IMMEDIATE")
            yield conn
            if conn.in_transaction:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()


class PostgresKeyStore(SQLKeyStore):
    """Keys in the PostgreSQL database of a PostgreSQL store: the same tables and migrations."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        self.url = url
        self.migrate()

    @contextlib.contextmanager
    def _connection(self, write: bool = False) -> Iterator[Any]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=10) as conn:  # commits on success, rolls back on error
            yield conn

    def _lock_for_migration(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('remem.server.keys'))")


def key_store_for(database: str | Path) -> KeyStore:
    """The key store inside a store's database: a SQLite path or a postgresql:// URL."""
    text = str(database)
    if is_postgres_url(text):
        return PostgresKeyStore(text)
    return SQLiteKeyStore(text)


# -- functions the CLI calls (`remem keys create|list|revoke`) -----------------------------------
def create_key(
    database: str | Path,
    spaces: Mapping[str, Right],
    *,
    admin: bool = False,
    label: str = "",
    expires: str | None = None,
) -> tuple[str, str]:
    """Create a key for `spaces` ({"alice": "write", "team": "read"}; "*" for every space).

    Returns (key id, token); the token is shown once and only its hash is kept.
    """
    key, token = key_store_for(database).create(spaces, admin=admin, label=label, expires=expires)
    return key.id, token


def list_keys(database: str | Path) -> list[ApiKey]:
    """Every key with its spaces, rights and state; never a secret."""
    return key_store_for(database).list()


def revoke_key(database: str | Path, key_id: str) -> ApiKey:
    """Revoke a key; requests with it fail from the next one on, in every worker."""
    return key_store_for(database).revoke(key_id)
