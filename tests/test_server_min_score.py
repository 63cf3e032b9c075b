"""min_score over HTTP: search and ask leave out what is not relevant; a bad value is a 400."""

from __future__ import annotations

from tests.server_fixture import Server


def test_http_search_and_ask_take_min_score(server: Server) -> None:
    key = server.key({"tea": "write"})
    for text in ("Ana: I like tea.", "Ana: Jasmine tea is my favourite in the evening."):
        assert server.call("POST", "/v1/spaces/tea/add", key, json={"messages": [{"content": text}]}).status_code == 200
    pin = {"query": "What is my bank PIN?", "min_score": 0.3}
    assert server.call("POST", "/v1/spaces/tea/search", key, json=pin).json() == {"hits": []}
    found = server.call(
        "POST", "/v1/spaces/tea/search", key, json={"query": "Which tea in the evening?", "min_score": 0.3}
    )
    assert [h["memory"]["text"] for h in found.json()["hits"]][:1] == [
        "Ana: Jasmine tea is my favourite in the evening."
    ]
    asked = server.call("POST", "/v1/spaces/tea/ask", key, json={"question": "What is my bank PIN?", "min_score": 0.3})
    assert (asked.status_code, asked.json()["answer"], asked.json()["citations"]) == (
        200,
        "I have no memory of that.",
        [],
    )
    for bad in (1.5, -1, "high"):
        refused = server.call("POST", "/v1/spaces/tea/search", key, json={"query": "tea", "min_score": bad})
        assert refused.status_code == 400 and "min_score" in refused.text
    assert server.call("GET", "/v1/spaces/tea/stats", key).json()["memories"] == 2
