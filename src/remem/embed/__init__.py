"""Embedders: the offline default, or an OpenAI-compatible endpoint chosen in settings."""

from __future__ import annotations

from remem.embed.base import CachedEmbedder, Embedder
from remem.errors import InvalidInput
from remem.settings import Settings

_SHARED: dict[tuple[str, int, str], Embedder] = {}


def from_settings(settings: Settings, bound: tuple[str, int] | None = None) -> Embedder:
    """The embedder the settings name, wrapped in a cache; the local model is loaded once per process.

    `bound` is the (name, dimension) the store already records, if any: with `embed_compute`
    "auto", a store built with minilm's float computation keeps it, and any other store gets int8.
    """
    if settings.embedder == "minilm":
        from remem.embed.onnx_local import MiniLMEmbedder, compute_of

        compute = settings.embed_compute
        if compute == "auto":
            compute = (compute_of(bound[0]) if bound else None) or "int8"
        key = ("minilm", settings.embed_batch, compute)
        if key not in _SHARED:
            _SHARED[key] = CachedEmbedder(MiniLMEmbedder(batch_size=settings.embed_batch, compute=compute))
        return _SHARED[key]
    if not (settings.embed_url and settings.embed_model and settings.embed_dim):
        raise InvalidInput("embedder 'openai' needs embed_url, embed_model and embed_dim")
    from remem.embed.openai_compat import OpenAICompatEmbedder

    return CachedEmbedder(
        OpenAICompatEmbedder(
            settings.embed_url,
            settings.embed_model,
            settings.embed_dim,
            api_key=settings.embed_api_key,
            batch=settings.embed_batch,
        )
    )


__all__ = ["CachedEmbedder", "Embedder", "from_settings"]
