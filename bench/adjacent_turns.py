"""How long Store.adjacent_turns takes for 50 turns of one long session whose turns share one moment
(a chat imported in one call): the case where a scan of the moment's turns would cost the most.

    python bench/adjacent_turns.py [--turns 2000] [--seeds 50] [--database postgresql://...]

Prints the mean of five calls in ms, for SQLite (a fresh file) or the PostgreSQL URL given.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from remem.store.base import Store
from remem.types import Episode, Filters, MemoryItem, Version

MOMENT = datetime(2024, 1, 1, tzinfo=UTC)


def fill(store: Store, turns: int) -> None:
    store.bind_embedder("bench", 8)
    store.insert_episodes([Episode(f"ep{n}", "bench", "user", f"t{n}", "s", MOMENT, MOMENT) for n in range(turns)])
    vector = np.ones(8, np.float32) / np.sqrt(8)
    with store.transaction():
        for n in range(turns):
            item = MemoryItem(
                f"m{n}", "bench", f"t{n}", "turn", "s", [f"ep{n}"], [], [], [], MOMENT, None, 1.0, 1, MOMENT, MOMENT
            )
            store.insert_memory(
                item,
                vector,
                Version(item.id, 1, "ADD", item.text, "turn", [], MOMENT, None, "b", "bench", None, MOMENT),
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database:
            from remem.store.postgres import PostgresStore

            store: Store = PostgresStore(args.database)
        else:
            from remem.store.sqlite import SQLiteStore

            store = SQLiteStore(Path(tmp) / "adjacent.db")
        fill(store, args.turns)
        ids = [f"m{n}" for n in range(0, args.turns, max(1, args.turns // args.seeds))][: args.seeds]
        started = time.perf_counter()
        for _ in range(5):
            found = store.adjacent_turns("bench", ids, Filters())
        took = (time.perf_counter() - started) / 5 * 1000
        store.close()
    print(
        f"{len(ids)} turns of a {args.turns}-turn session told at one moment: {took:.1f} ms, "
        f"{len(found)} with neighbours"
    )


if __name__ == "__main__":
    main()
