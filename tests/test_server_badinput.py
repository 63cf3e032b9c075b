"""Hostile and broken requests get a 4xx with a JSON error body, and the store stays as it was."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx

from tests.server_fixture import Server

JSON = {"Content-Type": "application/json"}


def _counts(server: Server) -> tuple[int, ...]:
    with sqlite3.connect(server.db) as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("episodes", "memories", "memory_versions")
        )


def test_bad_requests_are_refused_cleanly_and_change_nothing(server: Server) -> None:
    key = server.key({"s": "write"})
    stored = server.call("POST", "/v1/spaces/s/add", key, json={"messages": [{"content": 'He said "foo" OR bar *'}]})
    memory_id = stored.json()["decisions"][0]["memory_id"]
    before, stats_before = _counts(server), server.call("GET", "/v1/spaces/s/stats", key).json()
    cases = [
        ("POST", "/v1/spaces/s/add", {"content": b"{not json", "headers": JSON}, 400),
        ("POST", "/v1/spaces/s/add", {"content": b'{"messages": [{"content": "caf\xe9"}]}', "headers": JSON}, 400),
        ("POST", "/v1/spaces/s/add", {"content": b"\xef\xbb\xbf\x00\x00", "headers": JSON}, 400),
        ("POST", "/v1/spaces/s/add", {"content": b'{"messages": [{"content": "x"}]}'}, 415),  # no content type
        ("POST", "/v1/spaces/s/add", {"content": b"messages=x", "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", "/v1/spaces/s/add", {"json": ["not", "an", "object"]}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": "hello"}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": 42}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x", "colour": "red"}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x"}], "spaceship": 1}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": []}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x"}], "at": "next tuesday"}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x", "role": "wizard"}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "nul \x00 inside"}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x" * 40_000}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x"}] * 1001}}, 400),  # max batch
        ("POST", "/v1/spaces/s/add", {"content": b'{"messages": [{"content": "' + b"x" * 1_200_000 + b'"}]}'}, 413),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "foo", "k": 10**9}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "foo", "k": 201}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "foo", "k": 0}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "foo", "k": "ten"}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": ""}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": None}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "mode": "psychic"}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "as_of": "yesterday-ish"}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "kinds": ["gossip"]}}, 400),
        ("POST", "/v1/spaces/s/ask", {"json": {"question": "x", "k": 100000}}, 400),
        ("GET", "/v1/spaces/s/memories?limit=100000", {}, 400),
        ("GET", "/v1/spaces/s/memories?limit=abc", {}, 400),
        ("GET", "/v1/spaces/s/memories?offset=-5", {}, 400),
        ("GET", "/v1/spaces/s/memories?offset=99999999999999999999999", {}, 400),
        ("PATCH", "/v1/spaces/s/memories/mem_nope", {"json": {"text": "x"}}, 404),
        ("PATCH", f"/v1/spaces/s/memories/{memory_id}", {"json": {"text": 5}}, 400),
        ("PATCH", f"/v1/spaces/s/memories/{memory_id}", {"json": {}}, 400),
        ("PATCH", f"/v1/spaces/s/memories/{memory_id}", {"json": {"valid_from": "2025", "valid_to": "2024"}}, 400),
        ("DELETE", "/v1/spaces/s/memories/mem_nope", {}, 404),
        ("POST", "/v1/spaces/s/forget", {"json": {}}, 400),
        ("POST", "/v1/spaces/s/forget", {"json": {"ids": ["mem_nope"]}}, 404),
        ("POST", "/v1/spaces/s/forget", {"json": {"ids": [memory_id, "mem_nope"]}}, 404),  # all or nothing
        ("POST", "/v1/spaces/s/forget", {"json": {"with_sources": True}}, 400),  # sources of what?
        ("POST", "/v1/spaces/s/forget", {"json": {"ids": [memory_id], "with_sources": "yes"}}, 400),
        ("POST", "/v1/spaces/s/forget", {"json": {"everything": "true"}}, 400),  # a string is not a yes
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "include_expired": 1}}, 400),
        ("POST", "/v1/spaces/s/import", {"content": b"\xff\xfe garbage"}, 400),
        ("POST", "/v1/spaces/s/import", {"content": b'{"type": "alien"}\n'}, 400),
        ("POST", "/v1/spaces/s/import", {"content": b"[1, 2]\n"}, 400),
        ("PUT", "/v1/spaces/s/add", {"json": {}}, 405),
        ("GET", "/v1/nowhere", {}, 404),
        ("POST", "/v1/spaces/bad%20space!/search", {"json": {"query": "x"}}, 404),
    ]
    for method, path, kw, status in cases:
        response = server.call(method, path, key, **kw)
        assert response.status_code == status, (path, kw.get("json"), response.status_code, response.text[:300])
        assert response.headers["content-type"] == "application/json", (path, response.headers)
        error = response.json()["error"]
        assert error["message"] and error["code"], (path, error)
        assert error["request_id"] == response.headers["x-request-id"], (path, error)

    # Query text is text: FTS operators, quotes and SQL are searched for, never interpreted.
    for query in ['"foo" OR', "*", '"', "NEAR(", "'; DROP TABLE memories; --", "foo AND NOT", "(((", "^", "a:b"]:
        response = server.call("POST", "/v1/spaces/s/search", key, json={"query": query, "mode": "lexical"})
        assert response.status_code == 200, (query, response.text)
    found = server.call("POST", "/v1/spaces/s/search", key, json={"query": '"foo" OR', "mode": "lexical"}).json()
    assert [h["memory"]["id"] for h in found["hits"]] == [memory_id]

    assert _counts(server) == before
    assert server.call("GET", "/v1/spaces/s/stats", key).json() == stats_before
    with sqlite3.connect(server.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_json_no_parser_can_read_is_refused_saying_why(server: Server) -> None:
    """Found by the attack sweep: an import line holding a 5,000-digit number was a 500, and a body with
    one, or nested 100,000 deep, was told it "must be valid UTF-8 JSON", which it was."""
    key = server.key({"s": "write"})
    server.call("POST", "/v1/spaces/s/add", key, json={"messages": [{"content": "I live in Oslo."}]})
    before = _counts(server)
    digits = b"1" + b"0" * 5_000
    import_body = "the import body (JSON lines from export) cannot be read"
    cases = [
        ("import", b'{"type": "memory", "strength": ' + digits + b"}\n", f"line 1 of {import_body}: it has a number"),
        ("import", b'{"type": "episode"}\n' + b"[" * 100_000 + b"\n", f"line 2 of {import_body}: it is nested too"),
        ("import", b'{"type": "episode", "content": "caf\xe9"}\n', f"{import_body}: it is not UTF-8 (byte 35 "),
        ("add", b'{"messages": [{"content": "x", "metadata": {"n": ' + digits + b"}}]}", "more than 4300 digits"),
        ("add", b"[" * 100_000 + b"]" * 100_000, "the body cannot be read: it is nested too deeply to read"),
        ("add", b'{"messages": [{"content": "caf\xe9"}]}', "the body cannot be read: it is not UTF-8 (byte 30 "),
    ]
    for route, body, message in cases:
        response = server.call("POST", f"/v1/spaces/s/{route}", key, content=body, headers=JSON)
        assert response.status_code == 400, (route, body[:60], response.status_code, response.text[:300])
        assert message in response.json()["error"]["message"], (route, response.text[:300])
    assert _counts(server) == before


def test_a_streamed_oversize_body_is_cut_off_with_413(server: Server) -> None:
    key = server.key({"s": "write"})

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must be enforced while reading
        yield b'{"messages": [{"content": "'
        for _ in range(40):
            yield b"y" * 50_000
        yield b'"}]}'

    response = httpx.post(
        f"{server.url}/v1/spaces/s/add", content=chunks(), headers={**key, **JSON, "X-Request-ID": "big-1"}, timeout=30
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": "the request body is larger than the limit of 1000000 bytes",
        "request_id": "big-1",
    }
    import_response = httpx.post(f"{server.url}/v1/spaces/s/import", content=chunks(), headers=key, timeout=30)
    assert import_response.status_code == 413
    assert _counts(server) == (0, 0, 0)


def test_request_ids_are_echoed_or_made(server: Server) -> None:
    response = httpx.get(f"{server.url}/v1/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    made = httpx.get(f"{server.url}/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert len(made.headers["x-request-id"]) == 32 and made.headers["x-request-id"] != "bad id\twith spaces"
    fresh = [httpx.get(f"{server.url}/v1/health").headers["x-request-id"] for _ in range(3)]
    assert len(set(fresh)) == 3
    logged = server.log_text(waiting_for=f"{fresh[-1]} GET")
    assert "abc-123 GET /v1/health 200" in logged and all(f"{made_id} GET" in logged for made_id in fresh)
