"""Embeddings from any OpenAI-compatible /embeddings endpoint, checked against the expected dimension."""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import numpy as np

from remem.errors import Conflict, Unavailable


class OpenAICompatEmbedder:
    def __init__(
        self, base_url: str, model: str, dim: int, *, api_key: str | None = None, batch: int = 64, timeout: float = 60.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.dim = dim
        self.name = f"openai:{model}"
        self.batch = batch
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch):
            chunk = list(texts[start : start + self.batch])
            try:
                response = self._client.post(f"{self.base_url}/embeddings", json={"model": self.model, "input": chunk})
            except httpx.HTTPError as exc:
                raise Unavailable(f"cannot reach {self.base_url}/embeddings: {exc}") from None
            if response.status_code >= 400:
                raise Unavailable(f"{self.base_url}/embeddings answered {response.status_code}: {response.text[:200]}")
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
            if vectors.shape != (len(chunk), self.dim):
                raise Conflict(
                    f"{self.model} returned vectors of shape {vectors.shape}, expected "
                    f"({len(chunk)}, {self.dim}); fix embed_dim or the model"
                )
            out[start : start + len(chunk)] = vectors
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        normalised: np.ndarray = out / np.maximum(norms, 1e-12)
        return normalised
