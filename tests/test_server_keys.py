"""API keys as the CLI manages them: created once, stored hashed, listed without secrets, revoked."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from remem import Memory
from remem.errors import Conflict, InvalidInput, NotFound
from remem.server.auth import (
    MIGRATIONS,
    KeyStore,
    PostgresKeyStore,
    SQLiteKeyStore,
    create_key,
    key_store_for,
    list_keys,
    revoke_key,
)
from remem.server.errors import Unauthenticated
from remem.timeutil import now, to_iso
from tests.server_fixture import ADMIN, Server


def _lifecycle(store: KeyStore) -> None:
    key, token = store.create({"alice": "write", "team": "read"}, label="laptop")
    assert token.startswith(f"rk_{key.id}_") and len(token.split("_", 2)[2]) >= 43  # 32 bytes, base64
    seen = store.authenticate(token)
    assert (seen.id, seen.label, seen.admin) == (key.id, "laptop", False)
    assert seen.allows("alice", "write") and seen.allows("team", "read") and not seen.allows("team", "write")
    assert not seen.allows("bob", "read")
    for forged in ("", "rk_", f"rk_{key.id}_wrong", f"rk_{key.id}", token + "x", f"rk_other_{token[-10:]}"):
        with pytest.raises(Unauthenticated):
            store.authenticate(forged)
    admin, admin_token = store.create({}, admin=True)
    assert store.authenticate(admin_token).admin and not store.authenticate(admin_token).allows("alice", "read")
    with pytest.raises(InvalidInput):
        store.create({})  # neither a space nor admin: a key that can do nothing is a mistake
    with pytest.raises(InvalidInput):
        store.create({"bad space!": "read"})
    with pytest.raises(InvalidInput):
        store.create({"alice": "owner"})
    assert [(k.id, k.revoked) for k in store.list()] == [(key.id, False), (admin.id, False)]
    assert store.revoke(key.id).revoked
    with pytest.raises(Unauthenticated):
        store.authenticate(token)
    with pytest.raises(NotFound):
        store.revoke(key.id)
    assert store.authenticate(admin_token).id == admin.id
    _expiry(store)


def _expire(store: KeyStore, key_id: str) -> None:
    """Move a key's expiry into the past, as time would."""
    with store._connection(write=True) as conn:  # type: ignore[attr-defined]
        store._run(conn, "UPDATE api_keys SET expires_at = ? WHERE id = ?", ("2001-01-01T00:00:00.000000Z", key_id))  # type: ignore[attr-defined]


def _expiry(store: KeyStore) -> None:
    month, token = store.create({"alice": "read"}, label="trial", expires="30d")
    assert month.expires_at is not None and month.expires_at[:10] == to_iso(now() + timedelta(days=30))[:10]
    assert store.authenticate(token).expires_at == month.expires_at
    assert next(k for k in store.list() if k.id == month.id).to_dict()["expires_at"] == month.expires_at
    dated, _ = store.create({"alice": "read"}, expires="2999-01-01")
    assert dated.expires_at == "2999-01-01T00:00:00.000Z"
    for bad in ("0d", "30 days", "yesterday", "2001-01-01", "-5h", "1000000d"):
        with pytest.raises(InvalidInput, match="expires"):
            store.create({"alice": "read"}, expires=bad)
    _expire(store, month.id)
    with pytest.raises(Unauthenticated, match=f"API key {month.id} expired at 2001-01-01"):
        store.authenticate(token)


def test_keys_live_hashed_beside_the_memories_in_the_store_file(tmp_path: Path) -> None:
    db = tmp_path / "memory.db"
    key_id, token = create_key(db, {"alice": "write"}, label="agent")  # before the store exists
    with Memory.open(db, extractor="turns") as memory:  # the store opens on a file holding key tables
        memory.add("Alice moved to Lisbon", space="alice")
    secret = token.split("_", 2)[2]
    raw = db.read_bytes() + (
        db.with_name("memory.db-wal").read_bytes() if db.with_name("memory.db-wal").exists() else b""
    )
    assert secret.encode() not in raw
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT secret_sha256 FROM api_keys WHERE id = ?", (key_id,)).fetchone() == (
            hashlib.sha256(secret.encode()).hexdigest(),
        )
        assert conn.execute("SELECT value FROM server_meta WHERE key = 'keys_schema'").fetchone() == (
            str(len(MIGRATIONS)),
        )
    assert [(k.id, k.spaces, k.label) for k in list_keys(db)] == [(key_id, {"alice": "write"}, "agent")]
    assert revoke_key(db, key_id).revoked and list_keys(db)[0].revoked
    store = SQLiteKeyStore(db)  # opening again migrates nothing and keeps the keys
    assert store.schema_version() == len(MIGRATIONS) and len(store.list()) == 1


def test_a_key_store_newer_than_this_remem_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "keys.db"
    SQLiteKeyStore(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE server_meta SET value = '99' WHERE key = 'keys_schema'")
    with pytest.raises(Conflict, match="upgrade remem"):
        SQLiteKeyStore(db)


def test_the_sqlite_key_store_lifecycle(tmp_path: Path) -> None:
    _lifecycle(SQLiteKeyStore(tmp_path / "keys.db"))


def test_the_postgres_key_store_lifecycle(pg_url: str) -> None:
    store = key_store_for(pg_url)
    assert isinstance(store, PostgresKeyStore) and store.schema_version() == len(MIGRATIONS)
    _lifecycle(store)
    assert PostgresKeyStore(pg_url).list() == store.list()  # a second opener migrates nothing


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_label_or_key_id_no_database_keeps_is_refused_and_changes_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Found by the attack sweep: PostgreSQL refused a NUL in a key's label or in the id to revoke with
    a DataError (a 500 over HTTP), and a lone surrogate (a non-UTF-8 byte on the command line) was a
    UnicodeEncodeError traceback on either database."""
    store = key_store_for(tmp_path / "keys.db" if backend == "sqlite" else request.getfixturevalue("pg_url"))
    key, token = store.create({"alice": "read"}, label="kept")
    for label, message in [("a\x00b", "label contains a NUL"), ("l\udcff", "label contains a lone surrogate")]:
        with pytest.raises(InvalidInput, match=message):
            store.create({"alice": "read"}, label=label)
    with pytest.raises(InvalidInput, match="label has 201 characters; the limit is 200"):
        store.create({"alice": "read"}, label="x" * 201)
    for key_id, message in [("\x00", "key id contains a NUL"), ("k\udcff", "key id contains a lone surrogate")]:
        with pytest.raises(InvalidInput, match=message):
            store.revoke(key_id)
    for forged in (f"rk_{key.id}\x00_secret", "rk_\udcff_secret"):
        with pytest.raises(Unauthenticated, match="malformed"):
            store.authenticate(forged)
    assert [(k.id, k.label, k.revoked) for k in store.list()] == [(key.id, "kept", False)]
    assert store.authenticate(token).id == key.id


def test_a_nul_in_a_key_label_or_id_over_http_is_a_400(server: Server) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    before = server.call("GET", "/v1/keys", admin).json()["keys"]
    made = server.call("POST", "/v1/keys", admin, json={"spaces": {"a": "read"}, "label": "bad\x00label"})
    assert made.status_code == 400 and made.json()["error"]["message"] == "label contains a NUL character"
    revoked = server.call("DELETE", "/v1/keys/%00", admin)
    assert revoked.status_code == 400 and revoked.json()["error"]["message"] == "key id contains a NUL character"
    assert server.call("GET", "/v1/keys", admin).json()["keys"] == before


def test_an_expired_key_is_refused_over_http_with_the_reason(server: Server) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    made = server.call("POST", "/v1/keys", admin, json={"spaces": {"a": "write"}, "expires": "12h"})
    assert made.status_code == 200, made.text
    key = {"Authorization": f"Bearer {made.json()['token']}"}
    assert made.json()["expires_at"] > to_iso(now() + timedelta(hours=11))
    assert server.call("POST", "/v1/spaces/a/add", key, json={"messages": [{"content": "x"}]}).status_code == 200
    _expire(SQLiteKeyStore(server.db), made.json()["id"])
    refused = server.call("GET", "/v1/spaces", key)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == (
        f"API key {made.json()['id']} expired at 2001-01-01T00:00:00.000000Z; ask an admin for a new key"
    )
    bad = server.call("POST", "/v1/keys", admin, json={"spaces": {"a": "write"}, "expires": "soon"})
    assert bad.status_code == 400 and "'soon' is neither a duration" in bad.json()["error"]["message"]
    assert len(server.call("GET", "/v1/keys", admin).json()["keys"]) == 1  # the refused key was not made
