"""Where the default write path's time goes: cProfile of Memory.add on an existing space.

    python bench/profile_write.py DB [--space perf] [--turns 200] [--seed 100] [--top 30]

Adds --turns turns of bench/perf.py's synthetic stream, in conversations of 20 (as its default
phase does), to the space in DB (a copy: the turns stay there), and prints turns/s, how many texts
the model embedded for them, and the functions with the most cumulative time. cProfile slows Python
code, so the rate is lower than bench/perf.py's; the shares are what this is for.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from perf import messages  # noqa: E402

from remem import Memory  # noqa: E402
from remem.embed import CachedEmbedder  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database")
    parser.add_argument("--space", default="perf")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with Memory.open(args.database) as mem:
        mem.search("warm up the model", space=args.space, k=1)
        # The texts the model itself embeds: behind the embedder's cache (a summary written again
        # unchanged, a repeated text, is answered from it and costs nothing).
        model = mem.embedder.inner if isinstance(mem.embedder, CachedEmbedder) else mem.embedder
        embedded = [0]
        embed = model.embed

        def counted(texts: Sequence[str]) -> np.ndarray:
            embedded[0] += len(texts)
            return embed(texts)

        model.embed = counted  # type: ignore[method-assign]
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for i in range(0, args.turns, 20):
            batch = messages(rng, min(20, args.turns - i))
            mem.add(batch, space=args.space, session=f"default-{args.seed}-{i // 200}")
        profile.disable()
        seconds = time.perf_counter() - started
    print(f"{args.turns} turns in {seconds:.1f} s: {args.turns / seconds:.1f} turns/s (under cProfile)")
    print(f"{embedded[0]} texts embedded: {embedded[0] / args.turns:.2f} a turn")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
