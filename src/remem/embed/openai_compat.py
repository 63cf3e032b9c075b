"""Embeddings from any OpenAI-compatible /embeddings endpoint, checked against the expected dimension."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any

import httpx
import numpy as np

from remem.errors import Conflict, InvalidInput, Unavailable
from remem.llm.openai_compat import post_with_retries

_SNIPPET = 300


class OpenAICompatEmbedder:
    """POST {base_url}/embeddings in batches; rows come back float32 and L2-normalised.

    `dim` is what the store was built with: a model that answers with another dimension raises
    Conflict rather than writing vectors the index cannot compare. `timeout` bounds each batch.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        dim: int,
        *,
        api_key: str | None = None,
        batch: int = 64,
        timeout: float = 60.0,
        retries: int = 2,
    ) -> None:
        if dim < 1 or batch < 1:
            raise InvalidInput(f"embedder needs dim >= 1 and batch >= 1 (got dim={dim}, batch={batch})")
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/embeddings"
        self.model = model
        self.dim = dim
        self.name = f"openai:{model}"
        self.batch = batch
        self.timeout = timeout
        self.retries = retries
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dim), float32, each row of norm 1 (a zero vector stays zero)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch):
            chunk = list(texts[start : start + self.batch])
            out[start : start + len(chunk)] = self._embed_batch(chunk)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: np.ndarray = out / np.maximum(norms, 1e-12)
        return normalised

    def _embed_batch(self, chunk: list[str]) -> np.ndarray:
        # OpenAI rejects an empty string in `input` with a 400; a space embeds as "nothing" just the same.
        inputs = [text if text.strip() else " " for text in chunk]
        response = post_with_retries(
            self._client,
            self.url,
            {"model": self.model, "input": inputs},
            timeout=self.timeout,
            retries=self.retries,
            key_setting="embed_api_key",
        )
        if response.status_code == 404:
            raise Unavailable(f"{self.url} answered 404: check embed_url and embed_model ({self.model!r})")
        if response.status_code >= 400:
            raise Unavailable(f"{self.url} rejected the request: {response.status_code} {_snippet(response)}")
        rows = self._rows(response)
        if len(rows) != len(chunk):
            raise Unavailable(f"{self.url} returned {len(rows)} vectors for {len(chunk)} texts")
        try:
            vectors = np.asarray(rows, dtype=np.float32)
        except (ValueError, TypeError):
            raise Unavailable(f"{self.url} returned embeddings that are not lists of numbers") from None
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            got = vectors.shape[1] if vectors.ndim == 2 else "ragged"
            raise Conflict(
                f"{self.model} at {self.url} returns vectors of dimension {got}, but this store expects "
                f"{self.dim}; set embed_dim to the model's dimension in a new store, or use the store's model"
            )
        if not np.isfinite(vectors).all():
            raise Unavailable(f"{self.url} returned non-finite numbers (NaN or inf) in its embeddings")
        return vectors

    def _rows(self, response: httpx.Response) -> list[Any]:
        """The embeddings in input order (the protocol carries an index; not every server sorts)."""
        try:
            data = response.json()["data"]
            ordered = sorted(data, key=lambda row: row.get("index", 0)) if all("index" in r for r in data) else data
            return [row["embedding"] for row in ordered]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise Unavailable(
                f"{self.url} answered {response.status_code} without embeddings: {_snippet(response)}"
            ) from None

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> OpenAICompatEmbedder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")
