"""The offline embedder's two computations side by side: throughput, query latency, agreement.

    python bench/embed_compute.py [--texts 1600] [--queries 200] [--out bench/results/embed-compute.json]

Texts are the dated, attributed turns bench/perf.py ingests ("On 3 May 2023, Tumaz says: ..."),
embedded in batches as ingest does; queries are embedded one at a time as search does. Agreement
is the cosine between each text's int8 and float vectors, and between a text's int8 vector
embedded alone and inside a batch.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

import perf  # noqa: E402  (the same synthetic turns as the ingest benchmark)

from remem.embed.onnx_local import MiniLMEmbedder  # noqa: E402


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=1600)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", default="bench/results/embed-compute.json")
    args = parser.parse_args(argv)
    rng = random.Random(3)
    turns = [perf.turn(rng) for _ in range(args.texts)]
    texts = [f"On {1 + i % 28} May 2023, {name} says: {text}" for i, (name, text) in enumerate(turns)]
    queries = [perf.question(rng, i) for i in range(args.queries)]
    report: dict[str, object] = {"texts": len(texts), "queries": len(queries)}
    vectors = {}
    for compute in ("float", "int8"):
        embedder = MiniLMEmbedder(batch_size=16, compute=compute)
        embedder.embed(texts[:32])  # warm up
        start = time.perf_counter()
        vectors[compute] = embedder.embed(texts)
        rate = len(texts) / (time.perf_counter() - start)
        latencies = []
        for query in queries:
            t0 = time.perf_counter()
            embedder.embed([query])
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        report[compute] = {
            "name": embedder.name,
            "texts_per_s": round(rate, 1),
            "query_p50_ms": round(statistics.median(latencies), 2),
            "query_p95_ms": round(latencies[int(0.95 * len(latencies)) - 1], 2),
        }
    cosine = (vectors["int8"] * vectors["float"]).sum(axis=1)
    report["cosine_int8_float"] = {"mean": round(float(cosine.mean()), 4), "min": round(float(np.min(cosine)), 4)}
    # int8 takes one activation scale per batch: the same text alone and inside a batch of 16.
    start = time.perf_counter()
    alone = np.vstack([embedder.embed([text]) for text in texts[:200]])
    report["int8_one_at_a_time_texts_per_s"] = round(200 / (time.perf_counter() - start), 1)
    beside = (alone * vectors["int8"][:200]).sum(axis=1)
    report["cosine_int8_alone_vs_batched"] = {
        "mean": round(float(beside.mean()), 4),
        "min": round(float(np.min(beside)), 4),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
