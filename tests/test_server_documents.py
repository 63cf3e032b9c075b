"""POST /v1/spaces/{space}/documents over real HTTP: a long text in, passages with provenance out."""

from __future__ import annotations

from tests.server_fixture import Server
from tests.test_documents import field_guide


def test_a_document_over_http_is_searchable_with_neighbours_and_a_huge_one_is_413(server: Server) -> None:
    key = server.key({"trips": "write"})
    text = field_guide()
    refused = server.call("POST", "/v1/spaces/trips/add", key, json={"messages": [{"content": text}]})
    assert refused.status_code == 400 and "32000" in refused.json()["error"]["message"]
    stored = server.call("POST", "/v1/spaces/trips/documents", key, json={"text": text, "name": "guide.md"})
    assert stored.status_code == 200, stored.text
    body = stored.json()
    assert body["name"] == "guide.md" and body["chars"] == len(text) and len(body["passages"]) > 40
    first = body["passages"][0]
    assert first["index"] == 0 and first["start"] == 0 and text[first["start"] : first["end"]].startswith("Chapter 1.")

    found = server.call(
        "POST", "/v1/spaces/trips/search", key, json={"query": "where was the copper kettle?", "k": 1, "neighbours": 1}
    )
    hit = found.json()["hits"][0]
    assert "copper kettle" in hit["memory"]["text"] and hit["memory"]["kind"] == "document"
    provenance = hit["memory"]["metadata"]["document"]
    assert (
        provenance["id"] == body["document_id"]
        and text[provenance["start"] : provenance["end"]] == hit["memory"]["text"]
    )
    assert [c["metadata"]["document"]["passage"] for c in hit["context"]] == [
        provenance["passage"] - 1,
        provenance["passage"],
        provenance["passage"] + 1,
    ]

    def counts() -> dict[str, object]:
        return {k: v for k, v in server.call("GET", "/v1/spaces/trips/stats", key).json().items() if k != "bytes"}

    before = counts()
    # Past 5 MiB of text (the body is within the route's larger limit): 413, nothing stored.
    huge = server.call("POST", "/v1/spaces/trips/documents", key, json={"text": "word " * 1_100_000})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"
    assert "the limit is 5,242,880" in huge.json()["error"]["message"]
    # A body past the route's own limit is refused before it is read.
    bigger = server.call("POST", "/v1/spaces/trips/documents", key, json={"text": "x" * (13 * 1024 * 1024)})
    assert bigger.status_code == 413
    # Other routes keep their 1 MB body limit.
    assert (
        server.call("POST", "/v1/spaces/trips/add", key, json={"messages": [{"content": "y" * 1_100_000}]}).status_code
        == 413
    )
    bad = server.call("POST", "/v1/spaces/trips/search", key, json={"query": "kettle", "neighbours": 9})
    assert bad.status_code == 400
    reader = server.key({"trips": "read"})
    assert server.call("POST", "/v1/spaces/trips/documents", reader, json={"text": "Hello."}).status_code == 403
    assert counts() == before
