"""GET /v1/spaces: a user opens the inspector (or a script) and sees the spaces its key can read."""

from __future__ import annotations

from tests.server_fixture import Server


def test_a_key_lists_the_spaces_it_can_read_with_counts(server: Server) -> None:
    everything = server.key({"*": "write"})
    alice = server.key({"alice": "write", "team": "read"})
    for space, text in [("alice", "I live in Lisbon"), ("alice", "My sister is Ana"), ("bob", "I like tea")]:
        added = server.call("POST", f"/v1/spaces/{space}/add", everything, json={"messages": [{"content": text}]})
        assert added.status_code == 200, added.text
    first = added.json()["decisions"][0]["memory_id"]
    retired = server.call("DELETE", f"/v1/spaces/bob/memories/{first}", everything)
    assert retired.status_code == 200, retired.text

    mine = server.call("GET", "/v1/spaces", alice)
    assert mine.status_code == 200, mine.text
    by_name = {s["name"]: s for s in mine.json()["spaces"]}
    assert list(by_name) == ["alice", "team"]  # bob is not granted; team is, though it holds nothing yet
    assert by_name["alice"]["right"] == "write" and by_name["team"]["right"] == "read"
    assert by_name["alice"]["episodes"] == 2 and by_name["alice"]["memories"] >= 2
    assert by_name["alice"]["current_memories"] == by_name["alice"]["memories"]
    assert by_name["alice"]["pending_jobs"] == 0 and by_name["alice"]["failed_jobs"] == 0
    assert by_name["team"] == {
        "name": "team",
        "right": "read",
        "episodes": 0,
        "memories": 0,
        "current_memories": 0,
        "pending_jobs": 0,
        "failed_jobs": 0,
    }

    every = {s["name"]: s for s in server.call("GET", "/v1/spaces", everything).json()["spaces"]}
    assert list(every) == ["alice", "bob"]  # "*" lists the spaces that hold something
    assert every["bob"]["episodes"] == 1 and every["bob"]["current_memories"] == every["bob"]["memories"] - 1

    refused = server.call("GET", "/v1/spaces", {"Authorization": "Bearer rk_nope_nope"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    assert server.call("GET", "/v1/spaces").status_code == 401


def test_the_spec_links_listing_spaces_to_the_calls_on_them(server: Server) -> None:
    spec = server.call("GET", "/openapi.json").json()
    operations = {op["operationId"]: op for path in spec["paths"].values() for op in path.values()}
    assert {"list_spaces", "add", "search", "update", "history", "export", "get"} <= set(operations)
    links = operations["list_spaces"]["responses"]["200"]["links"]
    assert links["add"] == {
        "operationId": "add",
        "parameters": {"space": "$response.body#/spaces/0/name"},
        "description": "add in a space this key can read",
    }
    assert operations["add"]["responses"]["200"]["links"]["update"]["parameters"] == {
        "space": "$request.path.space",
        "memory_id": "$response.body#/decisions/0/memory_id",
    }
    assert "422" not in operations["add"]["responses"] and "400" in operations["add"]["responses"]
