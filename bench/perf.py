"""Speed and scale of the embedded default: ingest throughput and search latency at 10k and 100k.

    python bench/perf.py [--sizes 10000,100000] [--queries 300] [--out bench/results/perf.json]

Ingest goes through Memory.add (episodes, queue, embedding, FTS, vectors) with the
default embedder. Search latency is end to end: query embedding, BM25 and dense
candidates, fusion, and loading hits with their episodes. Queries are all distinct
so the embedding cache never answers for the model.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from remem import Memory

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


def turn(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(NAMES)
    thing = f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} in {rng.choice(PLACES)}"
    text = f"I {rng.choice(VERBS)} {thing} {rng.choice(WHEN)}. {rng.choice(FEEL)}".strip()
    return name, text


def question(rng: random.Random, i: int) -> str:
    return f"When did {rng.choice(NAMES)} mention the {rng.choice(NOUNS)} in {rng.choice(PLACES)} (#{i})?"


def fill(mem: Memory, space: str, count: int, rng: random.Random, batch: int = 200) -> float:
    """Add `count` turns through the public API; returns turns per second."""
    start = time.perf_counter()
    done = 0
    while done < count:
        n = min(batch, count - done)
        msgs = [{"role": "user", "content": t, "name": name} for name, t in (turn(rng) for _ in range(n))]
        mem.add(msgs, space=space, session=f"s{done // 1000}")
        done += n
    return count / (time.perf_counter() - start)


def latencies(mem: Memory, space: str, queries: int, rng: random.Random) -> dict[str, float]:
    mem.search("warm up the caches", space=space, k=10)
    times = []
    for i in range(queries):
        q = question(rng, i)
        t0 = time.perf_counter()
        mem.search(q, space=space, k=10)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    pick = lambda p: times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)]  # noqa: E731
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(pick(95), 2),
        "p99_ms": round(pick(99), 2),
        "mean_ms": round(statistics.fmean(times), 2),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--db-dir", default=None, help="Keep the databases here (default: a temp dir).")
    parser.add_argument("--database", default=None, help="A postgresql:// URL to measure PostgreSQL instead.")
    parser.add_argument("--out", default="bench/results/perf.json")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    rng = random.Random(7)
    report: dict[str, object] = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
        "sizes": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database or str(Path(args.db_dir or tmp) / "perf.db")
        with Memory.open(db, extractor="turns") as mem:
            mem.forget(space="perf", everything=True)
            have = 0
            for size in sizes:
                rate = fill(mem, "perf", size - have, rng)
                have = size
                lat = latencies(mem, "perf", args.queries, rng)
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                row = {
                    "memories": size,
                    "ingest_turns_per_s": round(rate, 1),
                    **lat,
                    "peak_rss_mb": round(rss, 1),
                    "db_mb": round(mem.stats()["bytes"] / 1e6, 1),
                }
                report["sizes"][str(size)] = row  # type: ignore[index]
                print(json.dumps(row), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print("| memories | ingest turns/s | search p50 ms | p95 ms | p99 ms | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in report["sizes"].values():  # type: ignore[attr-defined]
        print(
            f"| {row['memories']:,} | {row['ingest_turns_per_s']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['peak_rss_mb']} |"
        )
    return report


if __name__ == "__main__":
    main()
