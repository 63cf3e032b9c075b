"""API keys: each bound to spaces with read or write rights; stored hashed, in the store's own file.

A token is "rk_<key id>_<secret>": 24 random bytes of secret, so a plain SHA-256 of it
is enough (nothing to brute-force, unlike a password) and lookups stay fast. The key
table lives beside the memory tables, with its own schema version, through its own
connection; revoking a key takes effect on the next request in every worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from remem.errors import Forbidden, InvalidInput, NotFound
from remem.timeutil import now, to_iso
from remem.validate import space_name

Right = Literal["read", "write"]
RIGHTS = ("read", "write")


@dataclass(frozen=True)
class ApiKey:
    id: str
    label: str
    spaces: dict[str, str] = field(default_factory=dict)  # space -> "read" | "write"; "*" for every space
    admin: bool = False
    created_at: str = ""
    revoked: bool = False

    def allows(self, space: str, right: Right) -> bool:
        granted = self.spaces.get(space) or self.spaces.get("*")
        return granted is not None and (granted == "write" or right == "read")


class KeyStore(Protocol):
    def create(self, spaces: dict[str, str], *, admin: bool = False, label: str = "") -> tuple[ApiKey, str]: ...
    def authenticate(self, token: str) -> ApiKey: ...
    def list(self) -> list[ApiKey]: ...
    def revoke(self, key_id: str) -> ApiKey: ...


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_spaces(spaces: dict[str, str]) -> dict[str, str]:
    if not isinstance(spaces, dict):
        raise InvalidInput("spaces must map space names to 'read' or 'write'")
    for space, right in spaces.items():
        if space != "*":
            space_name(space)
        if right not in RIGHTS:
            raise InvalidInput(f"right {right!r} for space {space!r} must be 'read' or 'write'")
    return dict(spaces)


class SQLiteKeyStore:
    SCHEMA_VERSION = 1

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, secret_sha256 TEXT NOT NULL, "
                "label TEXT NOT NULL, spaces TEXT NOT NULL, admin INTEGER NOT NULL, created_at TEXT NOT NULL, "
                "revoked_at TEXT)"
            )
            conn.execute("INSERT OR IGNORE INTO server_meta VALUES ('keys_schema', ?)", (str(self.SCHEMA_VERSION),))

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    def create(self, spaces: dict[str, str], *, admin: bool = False, label: str = "") -> tuple[ApiKey, str]:
        spaces = _check_spaces(spaces)
        if not spaces and not admin:
            raise InvalidInput("a key needs at least one space, or the admin right")
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
        created = to_iso(now())
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO api_keys VALUES (?,?,?,?,?,?,NULL)",
                (key_id, _hash(secret), label, json.dumps(spaces), int(admin), created),
            )
        return ApiKey(key_id, label, spaces, admin, created), f"rk_{key_id}_{secret}"

    def authenticate(self, token: str) -> ApiKey:
        parts = token.split("_", 2) if isinstance(token, str) else []
        if len(parts) != 3 or parts[0] != "rk":
            raise Forbidden("missing or malformed API key: send 'Authorization: Bearer rk_...'")
        with self._connect() as conn:
            row = conn.execute(
                "SELECT id, secret_sha256, label, spaces, admin, created_at, revoked_at FROM api_keys WHERE id = ?",
                (parts[1],),
            ).fetchone()
        if row is None or row[6] is not None or not hmac.compare_digest(row[1], _hash(parts[2])):
            raise Forbidden("invalid or revoked API key")
        return ApiKey(row[0], row[2], json.loads(row[3]), bool(row[4]), row[5])

    def list(self) -> list[ApiKey]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, label, spaces, admin, created_at, revoked_at FROM api_keys ORDER BY created_at"
            ).fetchall()
        return [ApiKey(r[0], r[1], json.loads(r[2]), bool(r[3]), r[4], r[5] is not None) for r in rows]

    def revoke(self, key_id: str) -> ApiKey:
        with self._connect() as conn:
            changed = conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (to_iso(now()), key_id)
            ).rowcount
        if not changed:
            raise NotFound(f"no active key {key_id!r}")
        return next(k for k in self.list() if k.id == key_id)
