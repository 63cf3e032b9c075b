"""Embeddings from an OpenAI-compatible endpoint, against a real HTTP server (tests/openai_stub.py)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from remem import Conflict, Unavailable
from remem.embed.openai_compat import OpenAICompatEmbedder
from tests.openai_stub import OpenAIStub, raw_body, status, vector_for


def unit(vector: list[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    normalised: np.ndarray = array / np.linalg.norm(array)
    return normalised


def test_texts_come_back_as_unit_rows_in_input_order(openai_stub: OpenAIStub) -> None:
    embedder = OpenAICompatEmbedder(openai_stub.url, "e5", dim=8, api_key="ek")
    texts = ["Ana moved to Porto", "She has two cats", "Ana moved to Porto"]
    vectors = embedder.embed(texts)
    assert embedder.name == "openai:e5" and embedder.dim == 8
    assert vectors.dtype == np.float32 and vectors.shape == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    # The stub lists rows in reverse; the client must order them by "index".
    np.testing.assert_allclose(vectors[1], unit(vector_for("She has two cats", 8)), rtol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[2])
    [request] = openai_stub.requests
    assert request["_path"] == "/v1/embeddings" and request["_auth"] == "Bearer ek"
    assert request["model"] == "e5" and request["input"] == texts


def test_batching_splits_requests_and_keeps_every_row(openai_stub: OpenAIStub) -> None:
    embedder = OpenAICompatEmbedder(openai_stub.url, "e", dim=8, batch=2)
    texts = [f"fact {i}" for i in range(5)]
    vectors = embedder.embed(texts)
    assert [r["input"] for r in openai_stub.requests] == [["fact 0", "fact 1"], ["fact 2", "fact 3"], ["fact 4"]]
    np.testing.assert_allclose(vectors[4], unit(vector_for("fact 4", 8)), rtol=1e-6)


def test_nothing_to_embed_sends_nothing(openai_stub: OpenAIStub) -> None:
    vectors = OpenAICompatEmbedder(openai_stub.url, "e", dim=8).embed([])
    assert vectors.shape == (0, 8) and openai_stub.requests == []


def test_an_empty_text_is_sent_as_a_space_because_servers_refuse_empty_input(openai_stub: OpenAIStub) -> None:
    OpenAICompatEmbedder(openai_stub.url, "e", dim=8).embed(["", "x"])
    assert openai_stub.requests[0]["input"] == [" ", "x"]


def test_a_model_of_another_dimension_is_a_conflict(openai_stub: OpenAIStub) -> None:
    embedder = OpenAICompatEmbedder(openai_stub.url, "e", dim=16)
    with pytest.raises(Conflict, match="returns vectors of dimension 8, but this store expects 16"):
        embedder.embed(["a"])
    openai_stub.dim = 16  # the operator fixed the server: the same client now works
    assert embedder.embed(["a"]).shape == (1, 16)


def test_a_500_then_a_200_succeeds(openai_stub: OpenAIStub) -> None:
    openai_stub.script_embeddings(status(500))
    vectors = OpenAICompatEmbedder(openai_stub.url, "e", dim=8).embed(["a"])
    assert vectors.shape == (1, 8) and len(openai_stub.requests) == 2


def test_a_refused_key_says_to_check_the_embed_api_key(openai_stub: OpenAIStub) -> None:
    openai_stub.script_embeddings(status(401, '{"error": "bad key"}'))
    with pytest.raises(Unavailable, match="check embed_api_key"):
        OpenAICompatEmbedder(openai_stub.url, "e", dim=8, api_key="wrong").embed(["a"])


def test_a_timeout_is_unavailable_within_the_budget(openai_stub: OpenAIStub) -> None:
    openai_stub.script_embeddings(status(200, "{}", after=3))
    started = time.monotonic()
    with pytest.raises(Unavailable, match="/v1/embeddings did not answer within 0.5 s"):
        OpenAICompatEmbedder(openai_stub.url, "e", dim=8, timeout=0.5).embed(["a"])
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("<html>proxy error</html>", "without embeddings: <html>proxy error"),
        ('{"data": [{"index": 0, "embedding": [1, 2, 3, 4, 5, 6, 7, 8]}]}', "returned 1 vectors for 2 texts"),
        ('{"data": [{"index": 0, "embedding": "AAAA"}, {"index": 1, "embedding": "AAAA"}]}', "not lists of numbers"),
        (
            '{"data": [{"index": 0, "embedding": [NaN, 1, 1, 1, 1, 1, 1, 1]}, '
            '{"index": 1, "embedding": [1, 1, 1, 1, 1, 1, 1, 1]}]}',
            "non-finite",
        ),
    ],
)
def test_a_broken_answer_is_unavailable_with_the_reason(openai_stub: OpenAIStub, body: str, reason: str) -> None:
    openai_stub.script_embeddings(raw_body(body))
    with pytest.raises(Unavailable, match=reason):
        OpenAICompatEmbedder(openai_stub.url, "e", dim=8).embed(["a", "b"])
