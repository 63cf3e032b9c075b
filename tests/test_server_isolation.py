"""A key for space A can neither read, change nor detect anything of space B, on any endpoint."""

from __future__ import annotations

from tests.server_fixture import Server


def test_every_endpoint_keeps_spaces_apart(server: Server) -> None:
    alice = server.key({"alice": "write"})
    bob = server.key({"bob": "write"})
    added = server.call("POST", "/v1/spaces/bob/add", bob, json={"messages": [{"content": "Bob's PIN is 4417"}]})
    assert added.status_code == 200, added.text
    bob_memory = added.json()["decisions"][0]["memory_id"]
    server.call("POST", "/v1/spaces/alice/add", alice, json={"messages": [{"content": "Alice likes tea"}]})

    endpoints = [
        ("POST", "/add", {"json": {"messages": [{"content": "x"}]}}),
        ("POST", "/search", {"json": {"query": "PIN"}}),
        ("POST", "/ask", {"json": {"question": "what is the PIN?"}}),
        ("GET", "/memories", {}),
        ("GET", f"/memories/{bob_memory}", {}),
        ("PATCH", f"/memories/{bob_memory}", {"json": {"text": "hijacked"}}),
        ("DELETE", f"/memories/{bob_memory}", {}),
        ("GET", f"/memories/{bob_memory}/history", {}),
        ("POST", "/forget", {"json": {"everything": True}}),
        ("GET", "/export", {}),
        ("POST", "/import", {"content": b""}),
        ("GET", "/status", {}),
        ("GET", "/stats", {}),
    ]
    for method, suffix, kw in endpoints:
        existing = server.call(method, f"/v1/spaces/bob{suffix}", alice, **kw)
        missing = server.call(method, f"/v1/spaces/nobody{suffix}", alice, **kw)
        assert existing.status_code == missing.status_code == 404, (suffix, existing.text)
        assert existing.json()["error"]["message"] == "space 'bob' not found"
        assert missing.json()["error"]["message"] == "space 'nobody' not found"
        assert "4417" not in existing.text

    # Bob's memory id used inside Alice's own space looks exactly like an unknown id.
    for method, suffix, kw in endpoints[4:8]:
        theirs = server.call(method, f"/v1/spaces/alice{suffix}", alice, **kw)
        unknown = server.call(
            method, f"/v1/spaces/alice{suffix.replace(bob_memory, 'mem_00000000000000000000')}", alice, **kw
        )
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["error"]["code"] == unknown.json()["error"]["code"] == "not_found"
    search = server.call("POST", "/v1/spaces/alice/search", alice, json={"query": "PIN 4417", "k": 50}).json()
    assert all(h["memory"]["space"] == "alice" for h in search["hits"])

    # Bob's data is untouched.
    bob_view = server.call("GET", f"/v1/spaces/bob/memories/{bob_memory}", bob).json()
    assert bob_view["text"] == "Bob's PIN is 4417" and bob_view["version"] == 1
    assert server.call("GET", "/v1/spaces/bob/stats", bob).json()["memories"] == 1


def test_read_keys_cannot_write_and_keys_can_be_revoked(server: Server) -> None:
    writer = server.key({"team": "write"})
    reader = server.key({"team": "read"})
    assert server.call(
        "POST", "/v1/spaces/team/add", writer, json={"messages": [{"content": "standup at 9"}]}
    ).is_success
    refused = server.call("POST", "/v1/spaces/team/add", reader, json={"messages": [{"content": "x"}]})
    assert refused.status_code == 403 and "only read" in refused.json()["error"]["message"]
    assert server.call("POST", "/v1/spaces/team/search", reader, json={"query": "standup"}).json()["hits"]
    assert server.call("GET", "/v1/keys", reader).status_code == 403
    assert server.call("GET", "/v1/spaces/team/stats").status_code == 403  # no key at all
    assert server.call("GET", "/v1/spaces/team/stats", {"Authorization": "Bearer rk_nope_nope"}).status_code == 403

    listed = server.call("GET", "/v1/keys", {"Authorization": "Bearer test-admin-token-not-secret"}).json()["keys"]
    reader_id = reader["Authorization"].split("_")[1]
    assert any(k["id"] == reader_id for k in listed) and all("token" not in k and "secret" not in k for k in listed)
    admin = {"Authorization": "Bearer test-admin-token-not-secret"}
    assert server.call("DELETE", f"/v1/keys/{reader_id}", admin).json()["revoked"] is True
    assert server.call("POST", "/v1/spaces/team/search", reader, json={"query": "standup"}).status_code == 403
