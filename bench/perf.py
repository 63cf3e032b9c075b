"""Speed and scale of the embedded default: search latency, peak memory and ingest, up to 1M memories.

    python bench/perf.py [--sizes 100000,1000000] [--queries 300] [--sample 2000]
                         [--cache .tmp/perf-vectors] [--db-dir DIR] [--out bench/results/perf.json]

What each figure means:

- `bulk_turns_per_s`: how fast the space was built. The bulk goes through Memory.add with one
  memory per turn (extractor "turns": episodes, queue, FTS, vectors, all real), with the embedder
  behind a disk cache keyed by each text's sha256 (--cache), so a second run does not spend an
  hour embedding the same million texts again. A text missing from the cache is embedded by the
  default model and cached; the rate counts only what this run did (embedding included for misses).
- `default_turns_per_s`: the default write path (rule extraction, reconciliation against the
  nearest memories, summaries) on --sample further turns added to the full space in conversations
  of 20 turns, embedding included. It is measured on a sample because building a million memories
  this way takes hours; the sample runs against the full space, so reconciliation searches it.
- `p50_ms` / `p95_ms` / `p99_ms`: Memory.search end to end in a fresh process (query embedding,
  BM25 and dense candidates, fusion, loading hits with their episodes), every query distinct so
  no cache answers for the model; `open_s` is that process's first search, which loads the space's
  vectors into memory. `cached_p50_ms` / `cached_p95_ms`: the same queries searched again, their
  vectors from the embedder's cache: the search without embedding the query.
- `peak_rss_mb`: the peak resident memory of that search process (the bulk runs in another one).
- `dense_recall_at_10`: the vector index's top 10 against exact cosine search over the same
  vectors, on the same queries.

Each phase runs in its own process; `uptime`'s load is recorded beside the figures because the
machine is shared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from remem import Memory
from remem.embed.base import Embedder
from remem.types import Filters

# A vocabulary wide enough that words follow a long-tailed frequency, as in real conversations:
# a few very common words, many rare ones. Names, places and things are composed from parts.
SYLLABLES = ["ka", "ri", "mo", "la", "ne", "so", "tu", "vi", "de", "ga", "po", "ze", "lu", "ma", "shi", "ar"]
VERBS = [
    "visited",
    "painted",
    "cooked",
    "bought",
    "read about",
    "talked about",
    "planned",
    "fixed",
    "photographed",
    "wrote about",
    "practised",
    "signed up for",
    "lost",
    "found",
    "recommended",
    "borrowed",
    "sold",
    "repaired",
    "built",
    "sketched",
    "ordered",
    "cancelled",
    "booked",
    "tasted",
]
ADJECTIVES = [
    "old",
    "tiny",
    "second-hand",
    "vegan",
    "noisy",
    "quiet",
    "red",
    "wooden",
    "famous",
    "local",
    "ancient",
    "modern",
    "cheap",
    "fancy",
    "broken",
    "shiny",
    "handmade",
    "spicy",
    "foggy",
    "sunny",
]
NOUNS = [
    "lighthouse",
    "bicycle",
    "lasagna",
    "festival",
    "trail",
    "recipe",
    "interview",
    "garden",
    "marathon",
    "concert",
    "agency",
    "camping trip",
    "tournament",
    "violin",
    "novel",
    "sunset",
    "charity run",
    "apartment",
    "pottery class",
    "museum",
    "ferry",
    "bakery",
    "guitar",
    "telescope",
    "kayak",
    "quilt",
    "podcast",
    "workshop",
    "vineyard",
    "greenhouse",
    "aquarium",
    "scooter",
    "sculpture",
    "library",
]
WHEN = ["yesterday", "last weekend", "this morning", "two weeks ago", "last summer", "on Friday", "in May"]
FEEL = [
    "It was amazing.",
    "I was so nervous.",
    "Can't wait to do it again!",
    "It reminded me of home.",
    "The kids loved it.",
    "Honestly it was exhausting.",
    "",
]


def word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


NAMES = [word(random.Random(i), 3) for i in range(300)]
PLACES = [word(random.Random(1000 + i), 3) for i in range(2000)]
JOBS = ["nurse", "teacher", "baker", "pilot", "engineer", "painter", "lawyer", "chef", "farmer", "librarian"]
FOODS = ["ramen", "paella", "tacos", "curry", "pierogi", "falafel", "gnocchi", "sushi", "borscht", "pho"]
KIN = ["sister", "brother", "cousin", "neighbour", "colleague", "friend", "aunt", "son", "daughter"]


def turn(rng: random.Random) -> tuple[str, str]:
    """One chat turn: mostly things done, some facts about the speaker (the rules extract those)."""
    name = rng.choice(NAMES)
    kind = rng.random()
    if kind < 0.7:
        thing = f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} in {rng.choice(PLACES)}"
        text = f"I {rng.choice(VERBS)} {thing} {rng.choice(WHEN)}. {rng.choice(FEEL)}"
    elif kind < 0.8:
        text = f"I moved to {rng.choice(PLACES)} {rng.choice(WHEN)} and I work as a {rng.choice(JOBS)} now."
    elif kind < 0.9:
        text = f"My favourite food is {rng.choice(FOODS)}, and I have {rng.randint(2, 9)} {rng.choice(NOUNS)}s."
    else:
        who = f"My {rng.choice(KIN)} {rng.choice(NAMES)}"
        text = f"{who} {rng.choice(VERBS)} a {rng.choice(NOUNS)} for {rng.randint(10, 500)} dollars {rng.choice(WHEN)}."
    return name, text.strip()


def question(rng: random.Random, i: int) -> str:
    return f"When did {rng.choice(NAMES)} mention the {rng.choice(NOUNS)} in {rng.choice(PLACES)} (#{i})?"


class DiskCachedEmbedder:
    """The default embedder behind an append-only disk cache keyed by sha256(text), for the bulk only."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        folder.mkdir(parents=True, exist_ok=True)
        tag = hashlib.sha256(inner.name.encode()).hexdigest()[:12]  # another model's vectors never answer
        self._keys_path, self._rows_path = folder / f"{tag}.keys", folder / f"{tag}.f32"
        keys = np.fromfile(self._keys_path, dtype="S32") if self._keys_path.exists() else np.zeros(0, "S32")
        rows = len(self._rows_path.read_bytes()) // (4 * self.dim) if self._rows_path.exists() else 0
        keys = keys[: min(len(keys), rows)]
        self._rows = np.memmap(self._rows_path, dtype=np.float32, mode="r", shape=(rows, self.dim)) if rows else None
        self._index = {bytes(k): i for i, k in enumerate(keys)}
        self.hits = self.misses = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha256(t.encode()).digest() for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing = [i for i, k in enumerate(keys) if k not in self._index]
        for i, k in enumerate(keys):
            if k in self._index and self._rows is not None:
                out[i] = self._rows[self._index[k]]
        if missing:
            fresh = self.inner.embed([texts[i] for i in missing])
            out[missing] = fresh
            with open(self._keys_path, "ab") as kf, open(self._rows_path, "ab") as rf:
                kf.write(b"".join(keys[i] for i in missing))
                rf.write(np.ascontiguousarray(fresh, dtype=np.float32).tobytes())
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        return out


BULK_DAY = "2026-11-30T12:00:00Z"


def messages(rng: random.Random, n: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": t, "name": name} for name, t in (turn(rng) for _ in range(n))]


def phase_bulk(db: str, space: str, start: int, stop: int, cache: Path, batch: int = 500) -> dict[str, object]:
    """Turns start..stop of the seeded stream, one memory each, through Memory.add."""
    from remem.embed.onnx_local import MiniLMEmbedder

    rng = random.Random(7)
    for _ in range(start):
        turn(rng)
    embedder = DiskCachedEmbedder(MiniLMEmbedder(), cache)
    t0 = time.perf_counter()
    with Memory.open(db, extractor="turns", embedder=embedder) as mem:
        done = start
        while done < stop:
            n = min(batch, stop - done)
            # A fixed date: what is embedded says when it was said, and the cache must hold on any day.
            mem.add(messages(rng, n), space=space, session=f"s{done // 1000}", at=BULK_DAY)
            done += n
    seconds = time.perf_counter() - t0
    return {
        "turns": stop - start,
        "seconds": round(seconds, 1),
        "cache_hits": embedder.hits,
        "embedded": embedder.misses,
    }


def phase_default(db: str, space: str, sample: int, seed: int) -> dict[str, object]:
    """`sample` turns through the default write path (rules + reconcile), in conversations of 20."""
    rng = random.Random(seed)
    with Memory.open(db) as mem:
        mem.search("warm up the model", space=space, k=1)
        t0 = time.perf_counter()
        for i in range(0, sample, 20):
            mem.add(messages(rng, min(20, sample - i)), space=space, session=f"default-{seed}-{i // 200}")
        seconds = time.perf_counter() - t0
    return {"turns": sample, "seconds": round(seconds, 1), "turns_per_s": round(sample / seconds, 1)}


def phase_search(db: str, space: str, queries: int, seed: int, index: str) -> dict[str, object]:
    """Search latency in a fresh process, the index's recall@10 against exact search, and peak RSS."""
    from remem.store import vector_index

    for setting in filter(None, VARIANTS.get(index, index).split("+")):
        name, value = setting.split("=")
        setattr(vector_index, name, int(value))
    rng = random.Random(seed)
    with Memory.open(db) as mem:
        t0 = time.perf_counter()
        mem.search("warm up the caches", space=space, k=10)
        opened = time.perf_counter() - t0
        times, texts = [], []
        for i in range(queries):
            q = question(rng, i)
            texts.append(q)
            t0 = time.perf_counter()
            mem.search(q, space=space, k=10)
            times.append((time.perf_counter() - t0) * 1000)
        again = []  # the same queries again: their vectors come from the embedder's cache
        for q in texts:
            t0 = time.perf_counter()
            mem.search(q, space=space, k=10)
            again.append((time.perf_counter() - t0) * 1000)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        parts = components(mem, space, texts[:100])
        recall = dense_recall(mem, space, texts[:100])
        count = mem.store.count_memories(space, Filters())
    times.sort()
    again.sort()
    pick = lambda p, ms=times: ms[min(len(ms) - 1, int(round(p / 100 * len(ms))) - 1)]  # noqa: E731
    return {
        "memories": count,
        "open_s": round(opened, 2),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(pick(95), 2),
        "p99_ms": round(pick(99), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "cached_p50_ms": round(statistics.median(again), 2),
        "cached_p95_ms": round(pick(95, again), 2),
        "peak_rss_mb": round(rss, 1),
        "dense_recall_at_10": recall,
        **parts,
    }


def components(mem: Memory, space: str, texts: list[str]) -> dict[str, float]:
    """Each part of a search apart, p50 and p95 ms: embedding a query, dense search, BM25 (100 candidates each)."""
    from remem.search.terms import query_terms

    spent: dict[str, list[float]] = {"embed": [], "dense": [], "lexical": []}
    for text in texts:
        text = f"{text} again"  # not cached by the embedder
        t0 = time.perf_counter()
        vector = mem.embedder.embed([text])[0]
        t1 = time.perf_counter()
        mem.store.dense_search(space, vector, Filters(), 100)
        t2 = time.perf_counter()
        mem.store.lexical_search(space, query_terms(text), Filters(), 100)
        t3 = time.perf_counter()
        for name, seconds in (("embed", t1 - t0), ("dense", t2 - t1), ("lexical", t3 - t2)):
            spent[name].append(seconds * 1000)
    out: dict[str, float] = {}
    for name, times in spent.items():
        times.sort()
        out[f"{name}_p50_ms"] = round(statistics.median(times), 2)
        out[f"{name}_p95_ms"] = round(times[int(0.95 * len(times)) - 1], 2)
    return out


def dense_recall(mem: Memory, space: str, texts: list[str]) -> float | None:
    """The share of exact search's top 10 that the index's top 10 holds (SQLite's in-memory index only)."""
    from remem.store.sqlite import SQLiteStore

    store = mem.store
    if not isinstance(store, SQLiteStore):
        return None
    queries = mem.embedder.embed(texts)
    matrix = store._matrix(space)
    with matrix.lock:
        approx = [{r for r, _ in matrix.top(q, 10, lambda ids: store._vectors_of(ids, matrix.dim))} for q in queries]
    best: list[list[tuple[float, int]]] = [[] for _ in queries]
    for rowids, vectors in store._vectors_after(space, 0, matrix.dim):  # exact: every vector, a chunk at a time
        scores = queries @ vectors.T
        for i, row in enumerate(scores):
            top = np.argsort(-row, kind="stable")[:10]
            best[i] = sorted(best[i] + [(-float(row[j]), int(rowids[j])) for j in top])[:10]
    found = sum(len(a & {r for _, r in b}) for a, b in zip(approx, best, strict=True))
    return round(found / (10 * len(queries)), 4)


# Index settings measured side by side: remem.store.vector_index's constants, NAME=value joined by '+'.
VARIANTS = {
    "default": "",
    "exact": f"EXACT_ROWS={10**12}",  # every vector whole, every query reads them all (the index before)
    "pca64": "LOW_DIMS=64",  # 64 components scanned, no completing step
}


def index_scale(rows: int, cache: Path, queries: int = 200) -> dict[str, object]:
    """The vector index alone at `rows` rows: query time, its memory, and its recall against exact search.

    The rows are the cached real embeddings, and past those, copies of them with Gaussian noise
    (sigma 0.02 a dimension, renormalised): a synthetic tail, so the scan's cost is real but the
    recall is only indicative. Rescoring reads from an in-memory array here, not from SQLite.
    """
    from remem.store.vector_index import SpaceMatrix

    dim = 384
    real = np.fromfile(next(cache.glob("*.f32")), dtype=np.float32)
    real = real[: len(real) // dim * dim].reshape(-1, dim)
    rng = np.random.default_rng(0)
    vectors = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, len(real)):
        n = min(len(real), rows - start)
        chunk = real[:n] if start == 0 else real[:n] + rng.normal(0, 0.02, (n, dim)).astype(np.float32)
        vectors[start : start + n] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    rowids = np.arange(1, rows + 1, dtype=np.int64)
    index = SpaceMatrix()
    index.reset(0, 0, dim)
    t0 = time.perf_counter()
    index.load(((rowids[i : i + 20_000], vectors[i : i + 20_000]) for i in range(0, rows, 20_000)), rows, vectors[::50])
    loaded = time.perf_counter() - t0
    held = sum(b.codes.nbytes + b.tail.nbytes + b.rowids.nbytes for b in index.blocks)
    asked = vectors[rng.choice(rows, queries, replace=False)] + rng.normal(0, 0.03, (queries, dim)).astype(np.float32)
    times, tops = [], []
    for q in asked:  # timed apart from the exact searches, whose 1.5 GB reads would evict the index
        t0 = time.perf_counter()
        tops.append(index.top(q, 10, lambda ids: (ids, vectors[ids - 1])))
        times.append((time.perf_counter() - t0) * 1000)
    found = 0
    for q, top in zip(asked, tops, strict=True):
        exact = np.argpartition(-(vectors @ q), 10)[:10] + 1
        found += len({r for r, _ in top} & set(exact.tolist()))
    times.sort()
    return {
        "rows": rows,
        "real_rows": min(rows, len(real)),
        "load_s": round(loaded, 1),
        "index_mb": round(held / 1e6, 1),
        "top_p50_ms": round(statistics.median(times), 2),
        "top_p95_ms": round(times[int(0.95 * len(times)) - 1], 2),
        "recall_at_10": round(found / (10 * queries), 4),
        "load": load(),
    }


def run_phase(*args: str) -> dict[str, object]:
    """One phase in a child process; its last line of output is its JSON."""
    out = subprocess.run([sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--sample", type=int, default=2000, help="Turns through the default write path at each size.")
    parser.add_argument("--cache", default=".tmp/perf-vectors", help="Disk cache of the bulk's embeddings.")
    parser.add_argument("--db-dir", default=None, help="Keep the database here (default: a temp dir).")
    parser.add_argument("--database", default=None, help="A postgresql:// URL to measure PostgreSQL instead.")
    parser.add_argument("--out", default="bench/results/perf.json")
    parser.add_argument(
        "--variants",
        default="default,exact",
        help="Index settings to search with, each --repeats times, alternating: names from VARIANTS "
        "or NAME=value pairs of remem.store.vector_index's constants joined by '+'.",
    )
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--index-scale", type=int, default=0, help="Measure the vector index alone at this many rows.")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        name, db, space, *rest = args.phase
        if name == "bulk":
            row = phase_bulk(db, space, int(rest[0]), int(rest[1]), Path(rest[2]))
        elif name == "default":
            row = phase_default(db, space, int(rest[0]), int(rest[1]))
        else:
            row = phase_search(db, space, int(rest[0]), int(rest[1]), rest[2])
        print(json.dumps(row), flush=True)
        return row
    if args.index_scale:
        row = index_scale(args.index_scale, Path(args.cache))
        print(json.dumps(row), flush=True)
        return row
    sizes = sorted(int(s) for s in args.sizes.split(","))
    report: dict[str, object] = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "runs": [],
    }
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database or str(Path(args.db_dir or tmp) / "perf.db")
        space, bulk_done = "perf", 0
        for step, size in enumerate(sizes):
            # The bulk brings the space to `size` less the default path's samples (theirs and earlier ones).
            target = max(bulk_done, size - (step + 1) * args.sample)
            bulk = run_phase("bulk", db, space, str(bulk_done), str(target), args.cache)
            bulk_done = target
            default = run_phase("default", db, space, str(args.sample), str(100 + step)) if args.sample else {}
            bulk_rate = round(int(bulk["turns"]) / max(float(bulk["seconds"]), 1e-9), 1)  # type: ignore[call-overload]
            for repeat in range(args.repeats):
                for variant in args.variants.split(","):
                    search = run_phase("search", db, space, str(args.queries), str(7 + step + repeat), variant)
                    row = {
                        "size": size,
                        "index": variant,
                        "repeat": repeat + 1,
                        "bulk_turns_per_s": bulk_rate,
                        "bulk_embedded": bulk["embedded"],
                        "default_turns_per_s": default.get("turns_per_s"),
                        **search,
                        "load": load(),
                    }
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    report["runs"] = rows
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(
        "| memories | index | search p50 ms | p95 ms | p99 ms | without embedding p50 / p95 ms | peak RSS MB "
        "| dense R@10 | default turns/s | load |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['memories']:,} | {r['index']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | "
            f"{r['cached_p50_ms']} / {r['cached_p95_ms']} | {r['peak_rss_mb']} | {r['dense_recall_at_10']} | "
            f"{r['default_turns_per_s']} | {r['load']} |"
        )
    return report


if __name__ == "__main__":
    main()
