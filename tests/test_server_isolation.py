"""A key for space A can neither read, change nor detect anything of space B, on any endpoint."""

from __future__ import annotations

from typing import Any

import httpx

from tests.server_fixture import ADMIN, Server

FAKE_ID = "mem_00000000000000000000000000"


def _endpoints(memory_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", "/add", {"json": {"messages": [{"content": "x"}]}}),
        ("POST", "/add", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
        ("POST", "/add", {"json": {"messages": "wrong type"}}),
        ("POST", "/search", {"json": {"query": "PIN"}}),
        ("POST", "/search", {"json": {"query": "PIN", "k": 10**9}}),
        ("POST", "/ask", {"json": {"question": "what is the PIN?"}}),
        ("GET", "/memories", {}),
        ("GET", "/memories?limit=-1", {}),
        ("GET", f"/memories/{memory_id}", {}),
        ("PATCH", f"/memories/{memory_id}", {"json": {"text": "hijacked"}}),
        ("DELETE", f"/memories/{memory_id}", {}),
        ("GET", f"/memories/{memory_id}/history", {}),
        ("POST", "/forget", {"json": {"everything": True}}),
        ("POST", "/forget", {"json": {"ids": [memory_id]}}),
        ("GET", "/export", {}),
        ("POST", "/import", {"content": b'{"type": "episode"}\n'}),
        ("GET", "/status", {}),
        ("GET", "/stats", {}),
    ]


def _error(response: httpx.Response, space: str) -> tuple[int, dict[str, Any]]:
    """The status and error body, with the request id dropped and the asked-for space name neutralised."""
    error = dict(response.json()["error"])
    error.pop("request_id")
    error["message"] = error["message"].replace(repr(space), "'SPACE'")
    return response.status_code, error


def test_every_endpoint_keeps_spaces_apart(server: Server) -> None:
    alice = server.key({"alice": "write"})
    bob = server.key({"bob": "write"})
    added = server.call("POST", "/v1/spaces/bob/add", bob, json={"messages": [{"content": "Bob's PIN is 4417"}]})
    assert added.status_code == 200, added.text
    bob_memory = added.json()["decisions"][0]["memory_id"]
    server.call("POST", "/v1/spaces/alice/add", alice, json={"messages": [{"content": "Alice likes tea"}]})
    bob_before = server.call("GET", "/v1/spaces/bob/export", bob).text

    for (method, suffix, kw), (_, fake_suffix, fake_kw) in zip(
        _endpoints(bob_memory), _endpoints(FAKE_ID), strict=True
    ):
        # Bob's space with Bob's real memory, Bob's space with an id that exists nowhere, a space that
        # exists nowhere: Alice gets the very same answer for all three, whatever her body looked like.
        existing = server.call(method, f"/v1/spaces/bob{suffix}", alice, **kw)
        fake_id = server.call(method, f"/v1/spaces/bob{fake_suffix}", alice, **fake_kw)
        no_space = server.call(method, f"/v1/spaces/nobody{suffix}", alice, **kw)
        assert existing.status_code == 404, (method, suffix, existing.text)
        expected = (404, {"code": "not_found", "message": "space 'SPACE' not found"})
        assert _error(existing, "bob") == _error(fake_id, "bob") == _error(no_space, "nobody") == expected
        # The request id is random hex and may hold any digits ("...3441718..." once held 4417): not Bob's.
        said = existing.text.replace(existing.json()["error"]["request_id"], "")
        assert "4417" not in said and bob_memory not in said

    # Bob's memory id inside Alice's own space looks exactly like an id that exists nowhere.
    for (method, suffix, kw), (_, fake_suffix, fake_kw) in zip(
        _endpoints(bob_memory), _endpoints(FAKE_ID), strict=True
    ):
        if bob_memory not in suffix and bob_memory not in str(kw):
            continue
        theirs = server.call(method, f"/v1/spaces/alice{suffix}", alice, **kw)
        unknown = server.call(method, f"/v1/spaces/alice{fake_suffix}", alice, **fake_kw)
        assert theirs.status_code == unknown.status_code == 404, (suffix, theirs.text)
        assert _error(theirs, "alice")[1]["code"] == _error(unknown, "alice")[1]["code"] == "not_found"
        assert _error(theirs, "alice")[1]["message"].replace(bob_memory, "ID") == _error(unknown, "alice")[1][
            "message"
        ].replace(FAKE_ID, "ID")
    search = server.call("POST", "/v1/spaces/alice/search", alice, json={"query": "PIN 4417", "k": 50}).json()
    assert search["hits"] and all(h["memory"]["space"] == "alice" for h in search["hits"])
    listed = server.call("GET", "/v1/spaces/alice/memories", alice).json()["items"]
    assert [m["text"] for m in listed] == ["Alice likes tea"]

    # Nothing of Bob's changed: not his memory, not his export.
    bob_view = server.call("GET", f"/v1/spaces/bob/memories/{bob_memory}", bob).json()
    assert bob_view["text"] == "Bob's PIN is 4417" and bob_view["version"] == 1
    assert server.call("GET", "/v1/spaces/bob/export", bob).text == bob_before


def test_read_keys_cannot_write_and_revoked_keys_stop_working(server: Server) -> None:
    writer = server.key({"team": "write"})
    reader = server.key({"team": "read"})
    assert server.call("POST", "/v1/spaces/team/add", writer, json={"messages": [{"content": "standup at 9"}]})
    for method, suffix, kw in _endpoints(FAKE_ID):
        response = server.call(method, f"/v1/spaces/team{suffix}", reader, **kw)
        if method == "GET" or suffix in ("/search", "/ask"):
            assert response.status_code != 403, (method, suffix, response.text)
        else:
            assert response.status_code == 403, (method, suffix, response.text)
            assert response.json()["error"] == {
                "code": "forbidden",
                "message": "this key may only read space 'team'",
                "request_id": response.headers["x-request-id"],
            }
    assert server.call("POST", "/v1/spaces/team/search", reader, json={"query": "standup"}).json()["hits"]
    assert server.call("GET", "/v1/keys", reader).status_code == 403

    for headers in ({}, {"Authorization": "Bearer rk_nope_nope"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        refused = server.call("GET", "/v1/spaces/team/stats", headers)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
        assert refused.headers["www-authenticate"] == "Bearer"

    admin = {"Authorization": f"Bearer {ADMIN}"}
    listed = server.call("GET", "/v1/keys", admin).json()["keys"]
    reader_id = reader["Authorization"].split("_")[1]
    assert {"id": reader_id, "spaces": {"team": "read"}, "admin": False, "revoked": False}.items() <= next(
        k for k in listed if k["id"] == reader_id
    ).items()
    assert all(set(k) == {"id", "label", "spaces", "admin", "created_at", "expires_at", "revoked"} for k in listed)
    assert server.call("DELETE", f"/v1/keys/{reader_id}", admin).json()["revoked"] is True
    assert server.call("POST", "/v1/spaces/team/search", reader, json={"query": "standup"}).status_code == 401
    assert server.call("DELETE", f"/v1/keys/{reader_id}", admin).status_code == 404  # already revoked


def test_an_admin_key_made_over_http_manages_keys_but_reads_no_space(server: Server) -> None:
    admin = server.key({}, admin=True)
    made = server.call("POST", "/v1/keys", admin, json={"spaces": {"x": "read"}, "label": "bot"})
    assert made.status_code == 200 and made.json()["token"].startswith("rk_") and made.json()["label"] == "bot"
    assert server.call("GET", "/v1/spaces/x/stats", admin).status_code == 404  # admin is not a space right
    bad = server.call("POST", "/v1/keys", admin, json={"spaces": {"x": "owner"}})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"
    assert server.call("POST", "/v1/keys", admin, json={"spaces": {}}).status_code == 400
