"""The in-memory vector index: its projected scan finds what exact search finds, on real embeddings,
and a store's index follows appends, new vectors and purges, made by itself or by another process."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from remem.embed.onnx_local import MiniLMEmbedder
from remem.store import vector_index
from remem.store.base import Store
from remem.store.sqlite import SQLiteStore
from remem.store.vector_index import Allowed, Fetch, SpaceMatrix, exact_top
from remem.types import Filters, Version
from tests.test_store_contract import add, item

PEOPLE = ["Ana", "Bruno", "Chen", "Dara", "Emeka", "Farah", "Goran", "Hana", "Ivo", "Jun", "Kemal", "Lea"]
DID = ["visited", "painted", "cooked", "bought", "fixed", "sold", "booked", "lost", "built", "photographed", "tasted"]
THINGS = ["lighthouse", "bicycle", "lasagna", "violin", "garden", "kayak", "telescope", "quilt", "bakery", "museum"]
HOW = ["old", "tiny", "vegan", "noisy", "red", "wooden", "famous", "broken", "handmade", "spicy"]
PLACES = ["Lisbon", "Porto", "Oslo", "Quito", "Accra", "Hanoi", "Lima", "Tartu", "Cork", "Perth", "Fez", "Bergen"]
WHEN = ["yesterday", "last weekend", "two weeks ago", "in May", "on Friday", "last summer"]
FACTS = [
    "{p} works as a {j} in {c}.",
    "{p}'s favourite food is {f}.",
    "{p} has {n} cats and a dog called {q}.",
    "{p} is training for a marathon in {c} in {m}.",
    "{p} moved to {c} with {q} {w}.",
]
JOBS = ["nurse", "teacher", "baker", "pilot", "engineer", "lawyer", "chef", "librarian"]
FOODS = ["ramen", "paella", "tacos", "curry", "falafel", "sushi", "pho", "pierogi"]
MONTHS = ["March", "June", "October", "December"]


def sentences(count: int, seed: int) -> list[str]:
    """Varied chat-like statements: things people did, and facts about them."""
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < count:
        p, q, c = rng.choice(PEOPLE), rng.choice(PEOPLE), rng.choice(PLACES)
        if rng.random() < 0.6:
            text = f"{p}: I {rng.choice(DID)} the {rng.choice(HOW)} {rng.choice(THINGS)} in {c} {rng.choice(WHEN)}."
        else:
            text = rng.choice(FACTS).format(
                p=p,
                q=q,
                c=c,
                j=rng.choice(JOBS),
                f=rng.choice(FOODS),
                n=rng.randint(2, 9),
                m=rng.choice(MONTHS),
                w=rng.choice(WHEN),
            )
        out.add(text)
    return sorted(out)


@pytest.fixture(scope="module")
def embedded() -> tuple[list[str], np.ndarray, np.ndarray]:
    """3,000 statements and 150 questions, embedded by the default model."""
    model = MiniLMEmbedder()
    texts = sentences(3000, seed=1)
    rng = random.Random(2)
    questions = [
        f"What did {rng.choice(PEOPLE)} do with the {rng.choice(THINGS)} in {rng.choice(PLACES)}?" for _ in range(150)
    ]
    return texts, model.embed(texts), model.embed(questions)


def reader(vectors: np.ndarray) -> Fetch:
    """What a store does for rescoring: the vectors of rows 1..n, as held (rows left out are not returned)."""

    def fetch(rowids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return rowids, vectors[rowids - 1]

    return fetch


def recall_at_10(index: SpaceMatrix, vectors: np.ndarray, queries: np.ndarray) -> float:
    found = 0
    rowids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    for q in queries:
        exact = {r for r, _ in exact_top([(rowids, vectors)], q, 10)}
        found += len(exact & {r for r, _ in index.top(q, 10, reader(vectors))})
    return found / (10 * len(queries))


def test_the_projected_scan_finds_what_exact_search_finds(embedded: tuple[list[str], np.ndarray, np.ndarray]) -> None:
    texts, vectors, questions = embedded
    rowids = np.arange(1, len(texts) + 1, dtype=np.int64)
    loaded = SpaceMatrix(exact_rows=500)  # 3,000 rows: past exact search, as a million would be
    loaded.reset(0, 0, vectors.shape[1])
    loaded.load(((rowids[i : i + 700], vectors[i : i + 700]) for i in range(0, len(texts), 700)), 3000, vectors[::3])
    grown = SpaceMatrix(exact_rows=500)  # appended a batch at a time: exact at first, then projected in place
    for i in range(0, len(texts), 250):
        grown.add(rowids[i : i + 250], vectors[i : i + 250])
    for index in (loaded, grown):
        assert index.projected and index.size == 3000
        # 64 components as bytes and 64 as floats a row (320 bytes), not 384 floats (1,536 bytes)
        assert {(b.codes.shape[1], b.codes.dtype, b.tail.shape[1]) for b in index.blocks} == {
            (64, np.dtype(np.uint8), 64)
        }
        assert recall_at_10(index, vectors, questions) >= 0.99
        assert recall_at_10(index, vectors, vectors[::20]) >= 0.99
        best = index.top(vectors[42], 10, reader(vectors))
        assert best[0] == (43, pytest.approx(1.0, abs=1e-5))  # a stored text finds itself first, scored exactly
        assert [s for _, s in best] == sorted((s for _, s in best), reverse=True)
        exact = exact_top([(rowids, vectors)], questions[0], 10)
        assert [r for r, _ in index.top(questions[0], 10, reader(vectors))] == [r for r, _ in exact]
    small = SpaceMatrix(exact_rows=500)
    small.add(rowids[:400], vectors[:400])
    assert not small.projected and small.top(questions[1], 5, reader(vectors)) == exact_top(
        [(rowids[:400], vectors[:400])], questions[1], 5
    )


def test_a_selective_filter_is_searched_by_its_rows_alone(embedded: tuple[list[str], np.ndarray, np.ndarray]) -> None:
    _, vectors, questions = embedded
    rowids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    index = SpaceMatrix(exact_rows=500)
    index.add(rowids, vectors)
    kept = rowids[rowids % 40 == 0]  # 75 of 3,000 rows pass: fewer than one in SELECTIVE
    asked: list[int] = []

    def among(ids: list[int]) -> set[int]:
        asked.append(len(ids))
        return set(ids) & set(kept.tolist())

    for question in questions[:20]:
        exact = exact_top([(kept, vectors[kept - 1])], question, 5)
        bounded = index.top(question, 5, reader(vectors), Allowed(among, lambda: kept, lambda: len(kept)))
        assert asked == []  # the bound said few pass: their rows were scanned without asking about others
        assert [r for r, _ in bounded] == [r for r, _ in exact]
        assert [s for _, s in bounded] == pytest.approx([s for _, s in exact], abs=1e-5)
        unbounded = index.top(question, 5, reader(vectors), Allowed(among, lambda: kept))
        assert asked and unbounded == bounded  # without a bound: the best candidates first, the same answer
        asked.clear()
    wide = rowids[rowids % 2 == 0]  # half the rows pass: the bound is no reason to skip the scan
    index.top(questions[0], 5, reader(vectors), Allowed(among, lambda: wide, lambda: len(wide)))
    assert asked


def test_removed_rows_leave_the_index_and_their_slots_are_zeroed(
    embedded: tuple[list[str], np.ndarray, np.ndarray],
) -> None:
    _, vectors, _ = embedded
    index = SpaceMatrix(exact_rows=500)
    index.add(np.arange(1, 3001, dtype=np.int64), vectors)
    tail = index._code(vectors[42:43])[0, 64:]
    # One row's product and a block's (BLAS's matrix-vector and matrix-matrix kernels) differ in the last bits.
    assert sum(np.all(np.isclose(b.tail, tail, atol=1e-5), axis=1).sum() for b in index.blocks) == 1
    gone = np.array([43, 44, 2000], dtype=np.int64)
    assert index.remove(gone) == 3 and index.size == 2997
    assert 43 not in {r for r, _ in index.top(vectors[42], 10, reader(vectors))}
    # The spare room past the rows held included.
    assert not any(np.all(np.isclose(b.tail, tail, atol=1e-5), axis=1).any() for b in index.blocks)
    for b in index.blocks:  # the slots past the rows held are zero
        assert not b.codes[b.count :].any() and not b.tail[b.count :].any()
    index.add(np.array([43], dtype=np.int64), vectors[42:43])  # back, as a changed vector comes back
    assert index.top(vectors[42], 1, reader(vectors))[0][0] == 43 and index.size == 2998


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    # A 3,000-memory space past exact search, as a million would be.
    monkeypatch.setattr(vector_index, "EXACT_ROWS", 500)
    if request.param == "sqlite":
        opened: Store = SQLiteStore(tmp_path / "index.db")
    else:
        from remem.store.postgres import PostgresStore

        opened = PostgresStore(request.getfixturevalue("pg_url"))
    opened.bind_embedder("minilm", 384)
    try:
        yield opened
    finally:
        opened.close()


def first(store: Store, vector: np.ndarray, k: int = 10) -> list[str]:
    return [memory_id for memory_id, _ in store.dense_search("s", vector, Filters(), k)]


def test_a_store_follows_appends_new_vectors_and_purges(
    store: Store, embedded: tuple[list[str], np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    texts, vectors, questions = embedded
    with store.transaction():  # one memory in 50 is a preference: a filter few rows pass
        for n in range(2500):
            add(store, item("s", n, texts[n], kind="preference" if n % 50 == 0 else "fact"), vectors[n])
    ids = [item("s", n, "").id for n in range(3000)]
    exact = np.argsort(-(vectors[:2500] @ questions[0]), kind="stable")[:10]
    assert first(store, questions[0]) == [ids[n] for n in exact]  # loaded, and agreeing with exact search
    preferences = np.arange(0, 2500, 50)
    best = preferences[np.argsort(-(vectors[preferences] @ questions[0]), kind="stable")[:5]]
    found = store.dense_search("s", questions[0], Filters(kinds=["preference"]), 5)
    assert [memory_id for memory_id, _ in found] == [ids[n] for n in best]
    assert [score for _, score in found] == pytest.approx((vectors[best] @ questions[0]).tolist(), abs=1e-5)
    with store.transaction():  # appended after the index was loaded
        for n in range(2500, 3000):
            add(store, item("s", n, texts[n]), vectors[n])
    assert first(store, vectors[2900], 1) == [ids[2900]]
    other = SQLiteStore(store.path) if isinstance(store, SQLiteStore) else store  # another process's writes
    changed = item("s", 7, texts[2999], version=2)
    version = Version(changed.id, 2, "UPDATE", changed.text, "fact", [], None, None, "", "", None, changed.created_at)
    other.update_memory(changed, vectors[2999], version)
    assert set(first(store, vectors[2999], 2)) == {ids[7], ids[2999]}  # memory 7 now means what 2999 says
    assert ids[7] not in first(store, vectors[7], 10)
    other.purge("s", memory_ids=[ids[100], ids[2900]])
    assert ids[100] not in first(store, vectors[100], 10) and ids[2900] not in first(store, vectors[2900], 10)
    if isinstance(store, SQLiteStore):
        matrix = store._matrices["s"]
        assert matrix.size == 2998 and matrix.projected
        held = {int(r) for b in matrix.blocks for r in b.rowids[: b.count]}
        assert len(held) == 2998
        other.close()


def test_a_rolled_back_write_leaves_nothing_in_the_index(
    store: Store, embedded: tuple[list[str], np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Few candidates rescored, as in a big space: a stale code in the index is not saved by the rescoring.
    monkeypatch.setattr(vector_index, "RESCORE", 20)
    texts, vectors, _ = embedded
    with store.transaction():
        for n in range(2500):
            add(store, item("s", n, texts[n]), vectors[n])
    assert first(store, vectors[5], 1) == ["mem_s_5"]  # loaded, memory 5's vector read for rescoring
    changed = item("s", 5, texts[2501], version=2)
    version = Version(changed.id, 2, "UPDATE", changed.text, "fact", [], None, None, "", "", None, changed.created_at)
    with pytest.raises(RuntimeError), store.transaction():
        add(store, item("s", 2500, texts[2500]), vectors[2500])
        store.update_memory(changed, vectors[2501], version)
        assert first(store, vectors[2500], 1) == ["mem_s_2500"]  # a search inside the write sees it
        assert first(store, vectors[2501], 1) == ["mem_s_5"]
        raise RuntimeError("the write fails")
    # The next memory takes the row the rolled-back one had: the index must hold its vector, not the other's.
    add(store, item("s", 2600, texts[2502]), vectors[2502])
    assert first(store, vectors[2502], 1) == ["mem_s_2600"]
    assert "mem_s_2500" not in first(store, vectors[2500], 10)
    assert first(store, vectors[5], 1) == ["mem_s_5"]  # its own vector again
    assert "mem_s_5" not in first(store, vectors[2501], 10)


def test_a_search_runs_numpy_blas_on_one_thread_whatever_the_machine() -> None:
    """Inside one_thread() OpenBLAS (numpy's, where it is one) uses one thread, nested and from
    several threads at once, and gets its count back after; the products agree to the last bits."""
    from concurrent.futures import ThreadPoolExecutor

    from remem.store import blas_threads

    api = blas_threads._openblas()
    if api is None:
        pytest.skip("numpy here does not use OpenBLAS")
    set_threads, get_threads = api
    before = get_threads()
    set_threads(2)
    rng = np.random.default_rng(3)
    rows, query = rng.random((50_000, 64), dtype=np.float32), rng.random(64, dtype=np.float32)
    several = rows @ query
    inside: list[int] = []

    def search() -> np.ndarray:
        with blas_threads.one_thread(), blas_threads.one_thread():
            inside.append(get_threads())
            return rows @ query

    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: search(), range(16)))
        assert inside == [1] * 16
        assert get_threads() == 2
        assert all(np.array_equal(results[0], one) for one in results)
        assert np.allclose(several, results[0], rtol=1e-6, atol=1e-6)
    finally:
        set_threads(before)


def test_a_scan_shared_with_the_helper_thread_keeps_every_block_in_order(
    embedded: tuple[list[str], np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks scanned by this thread and the helper, in whatever order they are taken, come back in
    block order: the index's answers are those of a scan on one thread."""
    _, vectors, queries = embedded
    monkeypatch.setattr(vector_index, "BLOCK_ROWS", 1_024)  # many blocks
    index = SpaceMatrix(exact_rows=500, low_dims=64, scan_dims=32, refine=300, rescore=60)
    index.reset(0, 0, vectors.shape[1])
    rowids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    index.load([(rowids, vectors)], len(vectors), vectors)
    assert len(index.blocks) > 2
    fetch = reader(vectors)
    shared = [index.top(q, 10, fetch) for q in queries]
    monkeypatch.setattr(vector_index, "_shared", lambda tasks: [task() for task in tasks])
    assert shared == [index.top(q, 10, fetch) for q in queries]


def test_a_memory_given_the_rowid_of_a_purged_one_is_found(
    store: Store, embedded: tuple[list[str], np.ndarray, np.ndarray]
) -> None:
    # SQLite gives the next row the rowid of the newest one, once that is purged: an index that took
    # the purge in before the insert must still take the new row in (it looked only past its last rowid).
    texts, vectors, _ = embedded
    with store.transaction():
        for n in range(600):
            add(store, item("s", n, texts[n]), vectors[n])
    assert first(store, vectors[599], 1) == ["mem_s_599"]
    store.purge("s", memory_ids=["mem_s_599", "mem_s_598"])  # "forget the last two things I said"
    assert not {"mem_s_599", "mem_s_598"} & set(first(store, vectors[599], 10))  # the purge is taken in
    add(store, item("s", 700, texts[700]), vectors[700])
    add(store, item("s", 701, texts[701]), vectors[701])
    assert first(store, vectors[700], 1) == ["mem_s_700"]
    assert first(store, vectors[701], 1) == ["mem_s_701"]
    assert first(store, vectors[5], 1) == ["mem_s_5"]


def test_the_byte_scan_is_the_exact_integer_product() -> None:
    """The projected scan's products (ONNX Runtime's MatMulInteger) are numpy's integer products to
    the unit, at the extremes of the bytes and of the weights a query is given, and come back one
    score a row."""
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 256, (70_001, 64), dtype=np.uint8)
    codes[0], codes[1] = 255, 0
    top = vector_index.WEIGHT_MAX
    weights = rng.integers(-top, top + 1, 64, dtype=np.int8)
    weights[:16], weights[16:32] = top, -top  # pairs of 255 x 63: the most a pair can sum to in 16 bits
    expected = codes.astype(np.int64) @ weights.astype(np.int64)
    got = vector_index._bytes_product(codes, weights)
    assert got.shape == (70_001,) and np.array_equal(got, expected)
    assert got[0] == 255 * int(weights.astype(np.int64).sum()) and got[1] == 0
    assert int(np.abs(expected).max()) > 32_767  # whole sums past 16 bits
    rows = vector_index._scan_best(codes, weights, 100)()  # a block's 100 best, as the index picks them
    assert sorted(rows[1].tolist(), reverse=True) == sorted(expected.tolist(), reverse=True)[:100]
    assert np.array_equal(expected[rows[0]], rows[1])
