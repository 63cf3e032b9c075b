"""RememStore, remem as LangGraph's BaseStore: one contract on SQLite and on a real PostgreSQL, LangGraph's own
store cases run against it, a graph whose node remembers across two threads, and LangMem's tools on top."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("langgraph.store.base", reason="the langgraph extra is not installed (pip install '.[langgraph]')")

from langchain_core.embeddings import Embeddings  # noqa: E402
from langgraph.store.base import (  # noqa: E402
    GetOp,
    InvalidNamespaceError,
    Item,
    ListNamespacesOp,
    MatchCondition,
    PutOp,
    SearchOp,
)

from remem import Memory  # noqa: E402
from remem.errors import InvalidInput  # noqa: E402
from remem.integrations import _items  # noqa: E402
from remem.integrations.langgraph import RememStore  # noqa: E402


class CharacterEmbeddings(Embeddings):
    """A caller's embedder for tests: letter frequencies through a fixed random projection (offline, exact)."""

    def __init__(self, dims: int = 64) -> None:
        self.dims = dims
        self.calls = 0

    def _one(self, text: str) -> list[float]:
        vector = np.zeros(self.dims)
        for char in text:
            vector += np.random.default_rng(ord(char)).normal(size=self.dims)
        norm = np.linalg.norm(vector)
        return list(vector / norm) if norm else list(vector)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        return [self._one(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._one(text)


def cosine(a: list[float], b: list[float]) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "langgraph.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(database: str) -> Iterator[RememStore]:
    with RememStore.open(database, extractor="turns") as opened:
        yield opened


@pytest.fixture
def vector_store(database: str) -> Iterator[RememStore]:
    index = {"dims": 64, "embed": CharacterEmbeddings(64), "fields": ["text"]}
    with RememStore.open(database, index=index, extractor="turns") as opened:
        yield opened


# -- the contract, on both engines ----------------------------------------------------------------
def test_values_round_trip_exactly_and_puts_version_the_memory(store: RememStore) -> None:
    value = {
        "z last": [1, 2.5, -0.0, 10**30, None, True, {"nested": {"deep": ["ü", "😀", ""]}}],
        "a first": 1.0,
        "text": "Ana prefers window seats",
        "line\u2028sep": "x\u0085y",
    }
    store.put(("users", "ana"), "prefs", value)
    item = store.get(("users", "ana"), "prefs")
    assert item is not None and item.value == value
    assert json.dumps(item.value) == json.dumps(value)  # key order and number forms too
    assert isinstance(item.value["a first"], float) and item.namespace == ("users", "ana") and item.key == "prefs"

    store.put(("users", "ana"), "prefs", {"text": "Ana prefers aisle seats"})
    updated = store.get(("users", "ana"), "prefs")
    assert updated is not None and updated.value == {"text": "Ana prefers aisle seats"}
    assert updated.created_at == item.created_at and updated.updated_at > item.updated_at
    memory_id = store.memory_id(("users", "ana"), "prefs")
    assert memory_id == _items.memory_id("langgraph", ("users", "ana"), "prefs")
    history = store.memory.history(memory_id, space="langgraph")
    assert [(v.operation, v.actor) for v in history] == [("ADD", "langgraph"), ("UPDATE", "langgraph")]
    assert store.get(("users", "bob"), "prefs") is None and store.get(("users",), "prefs") is None


def test_delete_retires_the_item_and_a_new_put_restores_it(store: RememStore) -> None:
    store.put(("docs",), "a", {"text": "first"})
    store.batch([PutOp(("docs",), "a", None)])
    assert store.get(("docs",), "a") is None
    assert store.search(("docs",)) == [] and store.search(("docs",), query="first") == []
    assert store.list_namespaces() == []
    memory_id = _items.memory_id("langgraph", ("docs",), "a")
    assert [v.operation for v in store.memory.history(memory_id, space="langgraph")] == ["ADD", "DELETE"]
    store.delete(("docs",), "never-there")  # deleting an unknown key is not an error
    store.put(("docs",), "a", {"text": "second"})
    again = store.get(("docs",), "a")
    assert again is not None and again.value == {"text": "second"}
    assert [v.operation for v in store.memory.history(memory_id, space="langgraph")] == ["ADD", "DELETE", "RESTORE"]


def test_on_delete_forget_purges_the_item(database: str) -> None:
    with RememStore.open(database, extractor="turns", on_delete="forget") as store:
        store.put(("docs",), "secret", {"text": "the door code is 4711"})
        store.delete(("docs",), "secret")
        assert store.get(("docs",), "secret") is None
        assert store.memory.list(space="langgraph", include_expired=True) == []
        assert store.memory.search("door code 4711", space="langgraph", include_expired=True) == []


def test_batch_reads_see_the_store_before_its_puts_and_the_last_put_of_a_key_wins(store: RememStore) -> None:
    store.put(("t",), "k", {"n": 1})
    results = store.batch(
        [
            PutOp(("t",), "k", {"n": 2}),
            GetOp(("t",), "k"),
            PutOp(("t",), "new", {"n": 9}),
            PutOp(("t",), "k", {"n": 3}),
            SearchOp(("t",)),
            ListNamespacesOp(),
            GetOp(("t",), "new"),
        ]
    )
    assert results[0] is None and results[2] is None and results[3] is None
    assert isinstance(results[1], Item) and results[1].value == {"n": 1}
    assert [i.value for i in results[4]] == [{"n": 1}]  # type: ignore[union-attr]
    assert results[5] == [("t",)] and results[6] is None
    assert store.get(("t",), "k").value == {"n": 3}  # type: ignore[union-attr]
    assert store.get(("t",), "new").value == {"n": 9}  # type: ignore[union-attr]


def test_search_filters_on_value_fields_with_operators_and_pages(store: RememStore) -> None:
    rows = [
        ("a", {"color": "red", "score": 4.5, "meta": {"kind": "fruit"}, "tags": ["x", "y"]}),
        ("b", {"color": "red", "score": 3.0, "meta": {"kind": "car"}}),
        ("c", {"color": "green", "score": 4.0, "meta": {"kind": "fruit"}}),
        ("d", {"color": "blue", "score": "3.5"}),
        ("e", {"color": "blue"}),
    ]
    for key, value in rows:
        store.put(("shop", "items"), key, value)

    def keys(**kwargs: Any) -> list[str]:
        return sorted(i.key for i in store.search(("shop",), **kwargs))

    assert keys(filter={"color": "red"}) == ["a", "b"]
    assert keys(filter={"score": {"$gt": 3.2}}) == ["a", "c", "d"]  # "3.5" compares as a number, e has none
    assert keys(filter={"score": {"$gte": 4.0}, "color": "green"}) == ["c"]
    assert keys(filter={"score": {"$lt": 4.0}}) == ["b", "d"]
    assert keys(filter={"score": {"$lte": 3.0}}) == ["b"]
    assert keys(filter={"color": {"$ne": "blue"}}) == ["a", "b", "c"]
    assert keys(filter={"color": {"$eq": "blue"}}) == ["d", "e"]
    assert keys(filter={"meta": {"kind": "fruit"}}) == ["a", "c"]
    assert keys(filter={"tags": ["x", "y"]}) == ["a"] and keys(filter={"tags": ["y", "x"]}) == []
    assert keys(filter={"color": "red"}, query="red things") == ["a", "b"]

    everything = [i.key for i in store.search(("shop",), limit=10)]
    assert sorted(everything) == ["a", "b", "c", "d", "e"]
    pages = [[i.key for i in store.search(("shop",), limit=2, offset=o)] for o in (0, 2, 4)]
    assert sum(pages, []) == everything and [len(p) for p in pages] == [2, 2, 1]
    filtered = [[i.key for i in store.search(("shop",), filter={"color": "red"}, limit=1, offset=o)] for o in (0, 1, 2)]
    assert sorted(sum(filtered, [])) == ["a", "b"] and filtered[2] == []
    with pytest.raises(InvalidInput, match=r"unknown operator '\$regex'"):
        store.search(("shop",), filter={"color": {"$regex": "r.*"}})
    with pytest.raises(InvalidInput, match="offset must be a non-negative integer"):
        store.search(("shop",), offset=-1)


def test_query_search_ranks_by_remem_hybrid_search_and_skips_unindexed_items(store: RememStore) -> None:
    store.put(("mem", "u1"), "m1", {"text": "Ana moved to Lisbon in March"})
    store.put(("mem", "u1"), "m2", {"text": "Ana's favourite food is ramen"})
    store.put(("mem", "u1"), "m3", {"text": "Ana moved to Lisbon, she said again"}, index=False)
    store.put(("mem", "u2"), "m4", {"text": "Bruno lives in Lisbon"})
    hits = store.search(("mem", "u1"), query="where did Ana move?", limit=2)
    assert [h.key for h in hits] == ["m1", "m2"]
    assert hits[0].score is not None and hits[1].score is not None and hits[0].score > hits[1].score
    # a short page is filled with unindexed items, unscored, as LangGraph's stores do
    filled = store.search(("mem", "u1"), query="where did Ana move?", limit=5)
    assert [(h.key, h.score is None) for h in filled] == [("m1", False), ("m2", False), ("m3", True)]
    assert [h.key for h in store.search(("mem",), query="who lives in Lisbon", limit=1)] in (["m4"], ["m1"])
    assert {h.namespace for h in store.search(("mem",), query="Lisbon", limit=10)} == {("mem", "u1"), ("mem", "u2")}


def test_fields_choose_what_is_indexed(database: str) -> None:
    with RememStore.open(database, index={"fields": ["title", "tags[*]"]}, extractor="turns") as store:
        store.put(("docs",), "d1", {"title": "Kayaking trip", "body": "volcano hike", "tags": ["sea", "paddle"]})
        store.put(("docs",), "d2", {"title": "Volcano hike", "body": "kayak"})
        store.put(("docs",), "d3", {"title": "Baking bread", "body": "kayak"}, index=["body"])
        memory = store.memory.get(_items.memory_id("langgraph", ("docs",), "d1"), space="langgraph")
        assert memory.text == "Kayaking trip\nsea\npaddle"  # what BM25 and the embedder see
        assert store.search(("docs",), query="volcano hike", limit=1)[0].key == "d2"
    with pytest.raises(InvalidInput, match="index dims 1536 does not match remem's embedder"):
        RememStore(database, index={"dims": 1536})


def test_list_namespaces_prefix_suffix_wildcards_depth_and_pages(store: RememStore) -> None:
    namespaces = [
        ("test", "documents", "public"),
        ("test", "documents", "private"),
        ("test", "images", "public"),
        ("prod", "documents", "public"),
        ("prod",),
    ]
    for ns in namespaces:
        store.put(ns, "k", {"x": 1})
    assert store.list_namespaces() == sorted(namespaces)
    assert store.list_namespaces(prefix=("test",)) == sorted(namespaces[:3])
    assert store.list_namespaces(suffix=("public",)) == sorted([namespaces[0], namespaces[2], namespaces[3]])
    assert store.list_namespaces(prefix=("*", "documents")) == sorted([namespaces[0], namespaces[1], namespaces[3]])
    assert store.list_namespaces(prefix=("test",), suffix=("*", "public")) == sorted([namespaces[0], namespaces[2]])
    assert store.list_namespaces(max_depth=2) == [
        ("prod",),
        ("prod", "documents"),
        ("test", "documents"),
        ("test", "images"),
    ]
    assert store.list_namespaces(max_depth=1) == [("prod",), ("test",)]
    assert store.list_namespaces(limit=2, offset=1) == sorted(namespaces)[1:3]
    assert store.list_namespaces(prefix=("tes",)) == []


def test_namespaces_never_collide(store: RememStore) -> None:
    pairs = [(("a", "b"), "k"), (("ab",), "k"), (("a",), "b"), (("a", "b", "k"), "k"), (("a-b",), "k")]
    for i, (ns, key) in enumerate(pairs):
        store.put(ns, key, {"i": i})
    for i, (ns, key) in enumerate(pairs):
        assert store.get(ns, key).value == {"i": i}  # type: ignore[union-attr]
    assert sorted(i.value["i"] for i in store.search(("a",))) == [0, 2, 3]
    assert sorted(i.value["i"] for i in store.search(("a", "b"))) == [0, 3]
    long = tuple(f"level-{n}-" + "x" * 40 for n in range(8))  # past a tag's length: tagged by its hash
    store.put(long, "deep", {"ok": True})
    assert store.get(long, "deep").value == {"ok": True}  # type: ignore[union-attr]
    assert [i.key for i in store.search(long[:6])] == ["deep"] and store.list_namespaces(prefix=long[:2]) == [long]


def test_bad_input_is_refused_whole_and_changes_nothing(store: RememStore) -> None:
    store.put(("ok",), "k", {"v": 1})
    before = store.memory.list(space="langgraph", include_expired=True)
    bad_batches: list[tuple[list[Any], type[Exception], str]] = [
        ([PutOp(("ok",), "k", {"v": 2}), PutOp(("ok",), "n", {"f": float("nan")})], InvalidInput, "finite"),
        ([PutOp(("ok",), "k", {"v": 2}), PutOp(("ok",), "n", ["not", "a", "dict"])], InvalidInput, "must be a dict"),
        ([PutOp(("ok",), "k", {"v": 2}), PutOp(("a.b",), "n", {"v": 1})], InvalidNamespaceError, "periods"),
        ([PutOp(("ok",), "k", {"v": 2}), PutOp((), "n", {"v": 1})], InvalidNamespaceError, "cannot be empty"),
        ([PutOp(("ok",), "", {"v": 1})], InvalidInput, "key must be a non-empty string"),
        ([PutOp(("ok",), "n", {"v": 1}, ttl=-5)], InvalidInput, "ttl must be a positive number"),
        ([PutOp(("ok",), "n", {"d": {"x": object()}})], InvalidInput, "JSON values only"),
    ]
    for ops, error, message in bad_batches:
        with pytest.raises(error, match=message):
            store.batch(ops)
    with pytest.raises(InvalidNamespaceError):
        store.search(("x.y",))
    with pytest.raises(InvalidNamespaceError, match='cannot be "langgraph"'):
        store.put(("langgraph", "foo"), "bar", {"v": 1})
    assert store.memory.list(space="langgraph", include_expired=True) == before
    assert store.get(("ok",), "k").value == {"v": 1}  # type: ignore[union-attr]


def test_ttl_is_the_items_validity_refreshed_on_read_and_swept(store: RememStore) -> None:
    store.put(("s",), "short", {"v": 1}, ttl=5)
    store.put(("s",), "kept", {"v": 2})
    memory_id = _items.memory_id("langgraph", ("s",), "short")
    ends = store.memory.get(memory_id, space="langgraph").valid_to
    assert ends is not None
    store.get(("s",), "short")  # a read pushes the end back
    refreshed = store.memory.get(memory_id, space="langgraph").valid_to
    assert refreshed is not None and refreshed > ends
    store.get(("s",), "short", refresh_ttl=False)
    assert store.memory.get(memory_id, space="langgraph").valid_to == refreshed
    # the end comes: remem closes the memory, and the item is gone from every read
    item = store.memory.get(memory_id, space="langgraph")
    store.memory.update(memory_id, space="langgraph", valid_to="2020-01-01T00:00:00Z", reason="time passes")
    assert item.valid_from is None
    assert store.get(("s",), "short") is None and [i.key for i in store.search(("s",))] == ["kept"]
    assert store.sweep_ttl() == 1
    assert [m.id for m in store.memory.list(space="langgraph", include_expired=True)] == [
        _items.memory_id("langgraph", ("s",), "kept")
    ]


def test_abatch_gives_the_same_results(store: RememStore) -> None:
    async def story() -> list[Any]:
        await store.aput(("a",), "k", {"text": "async hello"})
        return await store.abatch([GetOp(("a",), "k"), SearchOp(("a",), query="hello"), ListNamespacesOp()])

    got, found, listed = asyncio.run(story())
    assert got.value == {"text": "async hello"} and [i.key for i in found] == ["k"] and listed == [("a",)]


def test_a_callers_embedder_embeds_each_field_and_scores_by_its_cosine(vector_store: RememStore) -> None:
    embed = CharacterEmbeddings(64)
    vector_store.put(("v",), "d1", {"text": "zany zebra xerxes"})
    vector_store.put(("v",), "d2", {"text": "something about dogs"})
    vector_store.put(("v",), "d3", {"other": "no text field here"})
    hits = vector_store.search(("v",), query="zany xerxes")
    assert [h.key for h in hits] == ["d1", "d2", "d3"]
    assert hits[0].score == pytest.approx(
        cosine(embed.embed_query("zany xerxes"), embed.embed_query("zany zebra xerxes")), abs=1e-5
    )
    assert hits[2].score is None  # nothing to embed: listed after the scored ones

    # an async embedding function works through abatch
    async def aembed(texts: Any) -> list[list[float]]:
        return embed.embed_documents(list(texts))

    with RememStore(
        vector_store.memory, index={"dims": 64, "embed": aembed, "fields": ["text"]}, space="async"
    ) as other:
        asyncio.run(other.aput(("v",), "a1", {"text": "dogs"}))
        found = asyncio.run(other.asearch(("v",), query="dogs"))
        assert [h.key for h in found] == ["a1"] and found[0].score == pytest.approx(1.0, abs=1e-5)


def test_extract_passes_items_through_the_write_path_for_versioned_facts(database: str) -> None:
    with RememStore.open(database, extract=True, extractor="rules") as store:
        store.put(("profile", "ana"), "home", {"content": "I live in Lisbon."})
        before_move = datetime.now(UTC)
        store.put(("profile", "ana"), "home", {"content": "I moved to Porto, I live in Porto now."})
        assert store.get(("profile", "ana"), "home").value == {"content": "I moved to Porto, I live in Porto now."}  # type: ignore[union-attr]
        derived = ["fact", "event", "preference"]
        facts = store.memory.search("where does the user live?", space="langgraph", kinds=derived, k=5)
        assert facts and "the user lives in Porto" in facts[0].memory.text
        assert facts[0].episodes[0].session == "lg:profile.ana" and facts[0].episodes[0].source == "langgraph"
        assert facts[0].episodes[0].metadata == {"langgraph_namespace": ["profile", "ana"], "langgraph_key": "home"}
        assert all("Lisbon" not in h.memory.text for h in facts)
        past = store.memory.search(
            "where does the user live?", space="langgraph", kinds=derived, as_of=before_move, k=10
        )
        assert past and "The user lives in Lisbon" in past[0].memory.text  # closed, not erased: found as of then
        # extracted facts are remem's memories, not LangGraph items: they do not show up as items
        assert {i.key for i in store.search(("profile",), query="where does ana live")} == {"home"}


# -- LangGraph's own store cases (libs/checkpoint-sqlite/tests/test_store.py), run against RememStore -------
def test_langgraph_batch_order(store: RememStore) -> None:
    store.put(("test", "foo"), "key1", {"data": "value1"})
    store.put(("test", "bar"), "key2", {"data": "value2"})
    results = store.batch(
        [
            GetOp(("test", "foo"), "key1"),
            PutOp(("test", "bar"), "key2", {"data": "value2"}),
            SearchOp(("test",), filter={"data": "value1"}, limit=10, offset=0),
            ListNamespacesOp(match_conditions=None, max_depth=None, limit=10, offset=0),
            GetOp(("test",), "key3"),
        ]
    )
    assert results[0].value == {"data": "value1"} and results[1] is None  # type: ignore[union-attr]
    assert [(i.key, i.value) for i in results[2]] == [("key1", {"data": "value1"})]  # type: ignore[union-attr]
    assert ("test", "foo") in results[3] and ("test", "bar") in results[3] and results[4] is None  # type: ignore[operator]
    again = store.batch(
        [
            SearchOp(("test",), filter=None, limit=5, offset=0),
            GetOp(("test", "bar"), "key2"),
            ListNamespacesOp(match_conditions=None, max_depth=None, limit=5, offset=0),
            PutOp(("test",), "key3", {"data": "value3"}),
            GetOp(("test", "foo"), "key1"),
        ]
    )
    assert len(again[0]) >= 2 and again[1].value == {"data": "value2"} and again[3] is None  # type: ignore[arg-type, union-attr]
    assert again[4].value == {"data": "value1"} and store.get(("test",), "key3").value == {"data": "value3"}  # type: ignore[union-attr]


def test_langgraph_batch_get_put_search_list(store: RememStore) -> None:
    assert store.batch([PutOp(("test",), "key1", {"data": "value1"}), PutOp(("test",), "key3", None)]) == [None, None]
    got = store.batch([GetOp(("test",), "key1"), GetOp(("test",), "key3")])
    assert got[0].key == "key1" and got[1] is None  # type: ignore[union-attr]
    for ns, key, value in [
        (("test", "foo"), "k1", {"data": "value1", "tag": "a"}),
        (("test", "bar"), "k2", {"data": "value2", "tag": "a"}),
        (("test", "baz"), "k3", {"data": "value3", "tag": "b"}),
    ]:
        store.put(ns, key, value)
    found = store.batch(
        [
            SearchOp(("test",), filter={"tag": "a"}, limit=10, offset=0),
            SearchOp(("test",), filter=None, limit=2, offset=0),
            SearchOp(("test", "foo"), filter=None, limit=10, offset=0),
        ]
    )
    assert len(found[0]) == 2 and all(i.value["tag"] == "a" for i in found[0])  # type: ignore[arg-type, union-attr]
    assert len(found[1]) == 2 and [i.namespace for i in found[2]] == [("test", "foo")]  # type: ignore[arg-type, union-attr]
    listed = store.batch(
        [
            ListNamespacesOp(max_depth=2),
            ListNamespacesOp(match_conditions=(MatchCondition("suffix", ("foo",)),)),
        ]
    )
    assert all(len(ns) <= 2 for ns in listed[0]) and listed[1] == [("test", "foo")]  # type: ignore[union-attr]


def test_langgraph_search_and_pagination(store: RememStore) -> None:
    for ns, key, value in [
        (("test", "docs"), "doc1", {"title": "First Doc", "author": "Alice", "tags": ["important"]}),
        (("test", "docs"), "doc2", {"title": "Second Doc", "author": "Bob", "tags": ["draft"]}),
        (("test", "images"), "img1", {"title": "Image 1", "author": "Alice", "tags": ["final"]}),
    ]:
        store.put(ns, key, value)
    assert len(store.search(("test",))) == 3
    assert {i.namespace for i in store.search(("test", "docs"))} == {("test", "docs")}
    assert sorted(i.key for i in store.search(("test",), filter={"author": "Alice"})) == ["doc1", "img1"]
    assert len(store.search(("test",), limit=2)) == 2 and len(store.search(("test",), offset=2)) == 1


def test_langgraph_vector_search_with_filters_and_pages(vector_store: RememStore) -> None:
    for key, value in [
        ("doc1", {"text": "red apple", "color": "red", "score": 4.5}),
        ("doc2", {"text": "red car", "color": "red", "score": 3.0}),
        ("doc3", {"text": "green apple", "color": "green", "score": 4.0}),
        ("doc4", {"text": "blue car", "color": "blue", "score": 3.5}),
    ]:
        vector_store.put(("test",), key, value)
    apple = vector_store.search(("test",), query="apple", filter={"color": "red"})
    assert [r.key for r in apple] == ["doc1", "doc2"]
    assert vector_store.search(("test",), query="car", filter={"color": "red"})[0].key == "doc2"
    blue = vector_store.search(("test",), query="bbbbluuu", filter={"score": {"$gt": 3.2}})
    assert len(blue) == 3 and blue[0].key == "doc4"
    assert (
        vector_store.search(("test",), query="apple", filter={"score": {"$gte": 4.0}, "color": "green"})[0].key
        == "doc3"
    )
    first, second = (vector_store.search(("test",), query="car", limit=2, offset=o) for o in (0, 2))
    assert {r.key for r in first}.isdisjoint({r.key for r in second}) and len(first) == len(second) == 2
    assert first[0].score >= first[1].score >= second[0].score >= second[1].score  # type: ignore[operator]
    for query in ["", None, "test " * 100, "test!@#$%^&*()"]:
        assert len(vector_store.search(("test",), query=query)) == 4


def test_langgraph_update_reembeds_and_index_false_is_not_ranked(vector_store: RememStore) -> None:
    vector_store.put(("test",), "doc1", {"text": "zany zebra Xerxes"})
    vector_store.put(("test",), "doc2", {"text": "something about dogs"})
    vector_store.put(("test",), "doc3", {"text": "text about birds"})
    initial = vector_store.search(("test",), query="Zany Xerxes")
    assert initial[0].key == "doc1"
    vector_store.put(("test",), "doc1", {"text": "new text about dogs"})
    after = next(r.score for r in vector_store.search(("test",), query="Zany Xerxes") if r.key == "doc1")
    assert after is not None and after < initial[0].score  # type: ignore[operator]
    vector_store.put(("test",), "doc4", {"text": "new text about dogs"}, index=False)
    assert "doc4" not in [r.key for r in vector_store.search(("test",), query="new text about dogs", limit=3)]


def test_langgraph_embed_with_paths_and_per_put_index(database: str) -> None:
    embed = CharacterEmbeddings(64)
    with RememStore.open(database, index={"dims": 64, "embed": embed, "fields": ["key0", "key1", "key3"]}) as store:
        store.put(("test",), "doc1", {"key1": "xxx", "key2": "yyy", "key3": "zzz"})
        store.put(("test",), "doc2", {"key0": "uuu", "key1": "vvv", "key2": "www", "key3": "xxx"})
        both = store.search(("test",), query="xxx")
        assert {r.key for r in both} == {"doc1", "doc2"} and all(r.score > 0.9 for r in both)  # type: ignore[operator]
        assert store.search(("test",), query="uuu")[0].key == "doc2"
        assert store.search(("test",), query="zzz")[0].key == "doc1"
        assert all(r.score < 0.9 for r in store.search(("test",), query="www"))  # type: ignore[operator]
        store.put(("test",), "doc3", {"key0": "aaa", "key1": "bbb", "key2": "ccc"}, index=["key0", "key1"])
        store.put(("test",), "doc5", {"key0": "hhh"}, index=False)
        assert store.search(("test",), query="aaa")[0].key == "doc3"
        assert len(store.search(("test",))) == 4
        scores = store.search((), query="ccc")
        assert scores[0].score == pytest.approx(
            max(
                cosine(embed.embed_query("ccc"), embed.embed_query(t))
                for t in ["xxx", "zzz", "uuu", "vvv", "aaa", "bbb"]
            ),
            abs=1e-5,
        )


def test_langgraph_list_namespaces_basic_wildcards_pages_and_depth(store: RememStore) -> None:
    namespaces = [
        ("a", "b", "c"),
        ("a", "b", "d", "e"),
        ("a", "b", "d", "i"),
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
        ("users", "123"),
        ("users", "456", "settings"),
        ("admin", "users", "789"),
    ]
    assert store.list_namespaces() == []
    store.batch([PutOp(ns, f"id_{i}", {"data": f"value_{i:02d}"}) for i, ns in enumerate(namespaces)])
    assert store.list_namespaces(prefix=("a", "b")) == sorted(namespaces[:4])
    assert store.list_namespaces(suffix=("f",)) == [("a", "b", "f"), ("a", "c", "f"), ("b", "a", "f")]
    assert store.list_namespaces(prefix=("a",), suffix=("f",)) == [("a", "b", "f"), ("a", "c", "f")]
    assert store.list_namespaces(prefix=("a", "b"), max_depth=3) == [("a", "b", "c"), ("a", "b", "d"), ("a", "b", "f")]
    assert store.list_namespaces(prefix=("a", "b"), limit=2) == [("a", "b", "c"), ("a", "b", "d", "e")]
    assert store.list_namespaces(prefix=("a", "b"), offset=2) == [("a", "b", "d", "i"), ("a", "b", "f")]
    assert store.list_namespaces(prefix=("a", "*", "f")) == [("a", "b", "f"), ("a", "c", "f")]
    assert store.list_namespaces(suffix=("*", "f")) == [("a", "b", "f"), ("a", "c", "f"), ("b", "a", "f")]
    assert store.list_namespaces(prefix=("nonexistent",)) == []
    assert store.list_namespaces(prefix=("users", "123")) == [("users", "123")]
    assert store.list_namespaces(prefix=("users", "*")) == [("users", "123"), ("users", "456", "settings")]
    assert store.list_namespaces(prefix=("*", "users"), suffix=("*", "settings")) == []
    depth_two = [("a", "b"), ("a", "c"), ("admin", "users"), ("b", "a"), ("users", "123"), ("users", "456")]
    assert store.list_namespaces(max_depth=2) == depth_two
    store.batch([PutOp(("namespace", f"sub_{i:02d}"), f"id_{i:02d}", {"i": i}) for i in range(20)])
    for offset in (0, 5, 15):
        page = store.list_namespaces(prefix=("namespace",), limit=5, offset=offset)
        assert page == [("namespace", f"sub_{i:02d}") for i in range(offset, offset + 5)]


def test_langgraph_namespace_rules_through_put_and_past_it(store: RememStore) -> None:
    doc = {"foo": "bar"}
    for bad in [(), ("the", "thing.about"), ("some", "fun", ""), ("langgraph", "foo")]:
        with pytest.raises(InvalidNamespaceError):
            store.put(bad, "foo", doc)
        with pytest.raises(InvalidNamespaceError):
            asyncio.run(store.aput(bad, "foo", doc))
    inner = ("foo", "langgraph", "foo")
    store.put(inner, "bar", doc)
    assert store.get(inner, "bar").value == doc  # type: ignore[union-attr]
    assert store.search(inner, query="bar")[0].value == doc
    store.delete(inner, "bar")
    assert store.get(inner, "bar") is None
    # past the public put, a root "langgraph" is LangGraph's own to use
    asyncio.run(store.abatch([PutOp(("langgraph", "foo"), "bar", doc)]))
    assert asyncio.run(store.aget(("langgraph", "foo"), "bar")).value == doc  # type: ignore[union-attr]
    assert asyncio.run(store.asearch(("langgraph", "foo")))[0].value == doc
    asyncio.run(store.adelete(("langgraph", "foo"), "bar"))
    assert store.get(("langgraph", "foo"), "bar") is None


# -- a LangGraph graph whose node remembers across two threads of one user ---------------------------------
def test_a_graph_node_reads_and_writes_the_store_across_threads(tmp_path: Path) -> None:
    from typing import TypedDict

    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.config import get_config
    from langgraph.graph import END, START, StateGraph

    class State(TypedDict):
        said: str
        recalled: list[str]

    def remember(state: State) -> dict[str, Any]:
        from langgraph.config import get_store

        store = get_store()
        user = get_config()["configurable"]["user_id"]
        namespace = ("memories", user)
        recalled = [item.value["text"] for item in store.search(namespace, query=state["said"], limit=3)]
        store.put(namespace, uuid.uuid4().hex, {"text": state["said"]})
        return {"recalled": recalled}

    builder = StateGraph(State)
    builder.add_node("remember", remember)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", END)
    with RememStore.open(tmp_path / "graph.db", extractor="turns") as store:
        graph = builder.compile(checkpointer=InMemorySaver(), store=store)

        def run(thread: str, user: str, said: str) -> list[str]:
            config = {"configurable": {"thread_id": thread, "user_id": user}}
            return graph.invoke({"said": said, "recalled": []}, config)["recalled"]  # type: ignore[no-any-return]

        assert run("t1", "ana", "My sister Lucia lives in Madrid") == []
        assert run("t1", "bruno", "I keep bees in my garden") == []
        assert run("t2", "ana", "Where does Lucia live?") == ["My sister Lucia lives in Madrid"]  # another thread
        assert run("t3", "bruno", "what about the bees?") == ["I keep bees in my garden"]  # not Ana's memories
        assert store.list_namespaces(prefix=("memories",)) == [("memories", "ana"), ("memories", "bruno")]
        assert len(store.memory.list(space="langgraph")) == 4


# -- LangMem's memory tools against RememStore, driven by a stub chat model ----------------------------------
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # langmem imports LangGraph names deprecated in 1.0
def test_langmem_manage_and_search_tools(tmp_path: Path) -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from langgraph.prebuilt import create_react_agent
    from langmem import create_manage_memory_tool, create_search_memory_tool

    class ToolCallingStub(GenericFakeChatModel):
        def bind_tools(self, tools: Any, **kwargs: Any) -> ToolCallingStub:
            return self

    def call(name: str, args: dict[str, Any]) -> AIMessage:
        return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": uuid.uuid4().hex}])

    script = iter(
        [
            call("manage_memory", {"content": "Ana is allergic to peanuts", "action": "create"}),
            AIMessage(content="Noted."),
            call("search_memory", {"query": "food allergies"}),
            AIMessage(content="You are allergic to peanuts."),
        ]
    )
    namespace = ("memories", "{langgraph_user_id}")
    with RememStore.open(tmp_path / "langmem.db", extractor="turns") as store:
        agent = create_react_agent(
            ToolCallingStub(messages=script),
            tools=[create_manage_memory_tool(namespace=namespace), create_search_memory_tool(namespace=namespace)],
            store=store,
        )
        config = {"configurable": {"langgraph_user_id": "ana"}}
        agent.invoke({"messages": [{"role": "user", "content": "Remember: I'm allergic to peanuts"}]}, config)
        [stored] = store.search(("memories", "ana"))
        assert stored.value == {"content": "Ana is allergic to peanuts"}
        answer = agent.invoke({"messages": [{"role": "user", "content": "What am I allergic to?"}]}, config)
        tool_output = json.loads(answer["messages"][-2].content)
        assert [(m["key"], m["value"]) for m in tool_output] == [
            (stored.key, {"content": "Ana is allergic to peanuts"})
        ]
        assert tool_output[0]["score"] is not None
        # the same memory, seen through remem: a versioned note in the space, with the namespace as tags
        memory = store.memory.get(_items.memory_id("langgraph", ("memories", "ana"), stored.key), space="langgraph")
        assert memory.tags == ["langgraph", "lg:memories", "lg:memories.ana"] and memory.version == 1
        assert isinstance(store.memory, Memory)
