"""The embedder seam: text in, L2-normalised float32 rows out."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into unit vectors. `name` and `dim` are recorded in the store."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dim), float32, each row of norm 1."""
        ...


Span = tuple[int, int]  # a [start, end) character range of a text


def embed_query(embedder: Embedder, text: str, quiet: Sequence[Span], weight: float) -> np.ndarray:
    """The vector of one query whose tokens inside the `quiet` spans count `weight` (not 1) in the
    model's mean pooling: one model call either way. Where the embedder cannot weigh tokens (a
    remote API), or nothing is quiet (or weighed otherwise), the plain embedding."""
    weighted = getattr(embedder, "embed_weighted", None)
    if quiet and weight != 1.0 and weighted is not None:
        vector: np.ndarray = weighted(text, quiet, weight)
        return vector
    row: np.ndarray = embedder.embed([text])[0]
    return row


class CachedEmbedder:
    """An LRU cache in front of any embedder: repeated texts (queries, duplicates) cost nothing."""

    def __init__(self, inner: Embedder, size: int = 4096) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._size = size
        self._cache: OrderedDict[str | tuple[str, tuple[Span, ...], float], np.ndarray] = OrderedDict()

    def clear(self) -> None:
        """Forget cached vectors (benchmarks do this so each system pays for its own embeddings)."""
        self._cache.clear()

    def embed_weighted(self, text: str, quiet: Sequence[Span], weight: float) -> np.ndarray:
        """embed_query's vector through the cache (the plain one where the inner embedder cannot weigh tokens)."""
        key = (text, tuple(quiet), weight)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = embed_query(self.inner, text, quiet, weight)
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return cached

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is None:
                missing.setdefault(text, []).append(i)
            else:
                self._cache.move_to_end(text)
                out[i] = cached
        if missing:
            fresh = self.inner.embed(list(missing))
            for row, (text, positions) in zip(fresh, missing.items(), strict=True):
                out[positions] = row
                self._cache[text] = row
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return out
