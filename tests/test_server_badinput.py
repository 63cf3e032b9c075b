"""Hostile and broken requests get a 4xx with a JSON error body, and the store stays as it was."""

from __future__ import annotations

import httpx

from tests.server_fixture import Server


def test_bad_requests_are_refused_cleanly_and_change_nothing(server: Server) -> None:
    key = server.key({"s": "write"})
    server.call("POST", "/v1/spaces/s/add", key, json={"messages": [{"content": 'He said "foo" OR bar *'}]})
    before = server.call("GET", "/v1/spaces/s/stats", key).json()
    headers = {**key, "Content-Type": "application/json"}
    cases = [
        ("POST", "/v1/spaces/s/add", {"content": b"{not json"}, 400),
        ("POST", "/v1/spaces/s/add", {"content": b'{"messages": [{"content": "caf\xe9"}]}'}, 400),  # invalid UTF-8
        ("POST", "/v1/spaces/s/add", {"json": {"messages": "hello"}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": 42}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x", "colour": "red"}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": []}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x"}], "at": "next tuesday"}}, 400),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x" * 40_000}]}}, 400),
        ("POST", "/v1/spaces/s/add", {"content": b'{"messages": [{"content": "' + b"x" * 1_200_000 + b'"}]}'}, 413),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "foo", "k": 10**9}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "foo", "k": "ten"}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": ""}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "mode": "psychic"}}, 400),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "as_of": "yesterday-ish"}}, 400),
        ("POST", "/v1/spaces/s/ask", {"json": {"question": "x", "k": 100000}}, 400),
        ("GET", "/v1/spaces/s/memories?limit=100000", {}, 400),
        ("GET", "/v1/spaces/s/memories?limit=abc", {}, 400),
        ("PATCH", "/v1/spaces/s/memories/mem_nope", {"json": {"text": "x"}}, 404),
        ("PATCH", "/v1/spaces/s/memories/mem_nope", {"json": {"text": 5}}, 400),
        ("POST", "/v1/spaces/s/forget", {"json": {}}, 400),
        ("POST", "/v1/spaces/s/forget", {"json": {"ids": ["mem_nope"]}}, 404),
        ("POST", "/v1/spaces/s/import", {"content": b"\xff\xfe garbage"}, 400),
        ("POST", "/v1/spaces/s/import", {"content": b'{"type": "alien"}\n'}, 400),
        ("POST", "/v1/spaces/bad%20space!/search", {"json": {"query": "x"}}, 404),
    ]
    for method, path, kw, status in cases:
        response = server.call(method, path, headers=headers if "content" in kw else key, **kw)
        assert response.status_code == status, (path, kw.get("json"), response.status_code, response.text[:300])
        assert "error" in response.json(), (path, response.text[:300])
        error = response.json()["error"]
        assert error["message"] and error["code"]
        if status != 413:
            assert error["request_id"] == response.headers["x-request-id"]
    for query in ['"foo" OR', "*", '"', "NEAR(", "'; DROP TABLE memories; --", "foo AND NOT", "\\x00"]:
        response = server.call("POST", "/v1/spaces/s/search", key, json={"query": query})
        assert response.status_code in (200, 400), (query, response.text)
    assert server.call("GET", "/v1/spaces/s/stats", key).json() == before


def test_request_ids_are_echoed_or_made(server: Server) -> None:
    response = httpx.get(f"{server.url}/v1/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    made = httpx.get(f"{server.url}/v1/health", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["x-request-id"]) == 32
