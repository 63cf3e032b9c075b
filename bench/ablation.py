"""Each step of retrieval v2 on its own: the LoCoMo harness run on remem's default with the steps
added one at a time, so every figure in the README's table comes from here.

    python bench/ablation.py --data ../shared/bench-data/locomo-dev.json [--out bench/results/ablation.json]

A step is a set of values for module constants (the weights of remem.search.locality, how many
turns around a hit the bench's context reads, the weight of a common word in the query's vector,
the bonus of a memory that says when); each run ingests every conversation afresh, as `remem bench
locomo` does, and prints one row: turn R@1/R@10, MRR, by category, evidence recall at 256/512/1,024
tokens, search p95 and the context's tokens.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from remem.bench import locomo
from remem.bench.systems import RememSystem
from remem.search import hybrid, locality

#: (what changed, {(object, attribute): value}); each step keeps the ones before it.
STEPS: list[tuple[str, dict[tuple[Any, str], Any]]] = [
    (
        "before: fused ranking, a fact with its source turns",
        {
            (locality, "BEFORE_WEIGHT"): 0.0,
            (locality, "QUESTION_WEIGHT"): 0.0,
            (locality, "AFTER_WEIGHT"): 0.0,
            (locality, "SEEDS"): 0,
            (locality, "SESSION_WEIGHT"): 0.0,
            (RememSystem, "neighbours"): 0,
            (hybrid, "QUIET_WEIGHT"): 1.0,
            (hybrid, "SAYS_WHEN_BONUS"): 0.0,
            (hybrid, "CHANGE_BONUS"): 0.0,
            (locality, "TWO_AWAY"): 0.0,
        },
    ),
    (
        "+ a turn gains half its better neighbour's score; the best hits' neighbours join",
        {
            (locality, "BEFORE_WEIGHT"): 0.5,
            (locality, "QUESTION_WEIGHT"): 0.5,
            (locality, "AFTER_WEIGHT"): 0.5,
            (locality, "SEEDS"): locality.SEEDS,
        },
    ),
    ("+ a turn gains a fifth of its session's strength", {(locality, "SESSION_WEIGHT"): locality.SESSION_WEIGHT}),
    ("+ a turn hit is read with the turns said around it", {(RememSystem, "neighbours"): RememSystem.neighbours}),
    (
        "+ a reply gains 0.7 of the turn it answers, a turn 0.3 of its reply",
        {
            (locality, "BEFORE_WEIGHT"): locality.BEFORE_WEIGHT,
            (locality, "QUESTION_WEIGHT"): locality.BEFORE_WEIGHT,
            (locality, "AFTER_WEIGHT"): locality.AFTER_WEIGHT,
        },
    ),
    (
        "+ a word in a third of the space's memories counts a quarter in the query's vector",
        {(hybrid, "QUIET_WEIGHT"): hybrid.QUIET_WEIGHT},
    ),
    (
        "+ a question that asks when prefers memories that say when",
        {(hybrid, "SAYS_WHEN_BONUS"): hybrid.SAYS_WHEN_BONUS},
    ),
    (
        "+ a reply to a question gains all of its score",
        {(locality, "QUESTION_WEIGHT"): locality.QUESTION_WEIGHT},
    ),
    (
        "+ a memory that says a change ranks higher for a question about now",
        {(hybrid, "CHANGE_BONUS"): hybrid.CHANGE_BONUS},
    ),
    (
        "+ a turn two away gains a fifth of a neighbour's share",
        {(locality, "TWO_AWAY"): locality.TWO_AWAY},
    ),
]


@contextlib.contextmanager
def patched(values: dict[tuple[Any, str], Any]) -> Iterator[None]:
    saved = {(owner, name): getattr(owner, name) for owner, name in values}
    try:
        for (owner, name), value in values.items():
            setattr(owner, name, value)
        yield
    finally:
        for (owner, name), value in saved.items():
            setattr(owner, name, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", default=None, help="Write the rows as JSON here.")
    args = parser.parse_args()
    rows, values = [], {}
    print("| step | R@1 | R@10 | MRR | multi-hop | temporal | @256 | @512 | @1,024 | p95 ms | tokens |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for what, step in STEPS:
        values.update(step)
        with patched(values):
            report = locomo.run(args.data, systems=["remem"], log=lambda _: None, llm=None)
        system = report["systems"]["remem"]
        o, by, cost = system["overall"], system["by_category"], system["cost"]
        row = {
            "step": what,
            "R@1": o["turn_recall@1"],
            "R@10": o["turn_recall@10"],
            "MRR": o["mrr"],
            "multi-hop": by.get("multi-hop", {}).get("turn_recall@10"),
            "temporal": by.get("temporal", {}).get("turn_recall@10"),
            **{f"@{b}": o[f"evidence_recall@{b}tok"] for b in locomo.BUDGETS},
            "p95_ms": cost["search_ms_p95"],
            "tokens": cost["context_tokens_per_question"],
        }
        rows.append(row)
        print("| " + " | ".join(str(v) for v in row.values()) + " |", flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
