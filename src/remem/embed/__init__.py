"""Embedders: the offline default, or an OpenAI-compatible endpoint chosen in settings."""

from __future__ import annotations

from remem.embed.base import CachedEmbedder, Embedder
from remem.errors import InvalidInput
from remem.settings import Settings

_SHARED: dict[tuple[str, int], Embedder] = {}


def from_settings(settings: Settings) -> Embedder:
    """The embedder the settings name, wrapped in a cache; the local model is loaded once per process."""
    if settings.embedder == "minilm":
        key = ("minilm", settings.embed_batch)
        if key not in _SHARED:
            from remem.embed.onnx_local import MiniLMEmbedder

            _SHARED[key] = CachedEmbedder(MiniLMEmbedder(batch_size=settings.embed_batch))
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
