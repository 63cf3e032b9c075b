"""Extraction quality, HaluMem-style: recall and precision against hand-labelled facts.

    python bench/extraction_eval.py [--data ../shared/bench-data/locomo-dev.json] [--extractor rules]

Matching (documented, deliberately simple so anyone can audit it): an extracted memory
(not a raw turn, not a summary) matches a gold fact when it comes from the fact's turn and
contains at least 60% of the fact's keywords (case-insensitive; a keyword counts when its
first five letters start a word of the memory, so "rehearsed" finds "rehearses").
Recall: share of gold facts matched. Precision: share of extracted memories from the
labelled sessions that match some gold fact. The labelled sessions were read turn by turn,
so an unmatched memory is one the labeller did not think worth remembering, or a wrong one.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from remem import Memory
from remem.bench.locomo_data import load, messages
from remem.llm.openai_compat import from_settings
from remem.settings import Settings
from remem.write.extract import Extractor
from remem.write.llm_extract import LLMExtractor, LLMReconciler
from remem.write.reconcile import Reconciler
from remem.write.rules import RuleExtractor
from remem.write.rules_reconcile import RuleReconciler

GOLD = Path(__file__).with_name("extraction_gold.json")
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench-data" / "locomo-dev.json"


def keyword_found(keyword: str, text: str) -> bool:
    words = re.findall(r"[\w+-]+", text.lower())
    parts = keyword.lower().split()
    return all(any(w.startswith(p[:5]) for w in words) for p in parts)


def matches(fact: dict[str, Any], text: str) -> bool:
    found = sum(keyword_found(k, text) for k in fact["keywords"])
    return found >= 0.6 * len(fact["keywords"])


def write_path(extractor: str) -> tuple[Extractor, Reconciler]:
    """The extractor and reconciler under test, built directly so the figures name the modules measured."""
    if extractor == "rules":
        return RuleExtractor(), RuleReconciler()
    llm = from_settings(Settings.load())
    if llm is None:
        raise SystemExit("--extractor llm needs an LLM: set REMEM_LLM_URL and REMEM_LLM_MODEL")
    return LLMExtractor(llm), LLMReconciler(llm)


def evaluate(data: Path, extractor: str) -> dict[str, Any]:
    gold = json.loads(GOLD.read_text())
    conversations = {c.sample_id: c for c in load(data)}
    extracted: list[dict[str, Any]] = []
    parts, reconciler = write_path(extractor)
    with (
        tempfile.TemporaryDirectory() as tmp,
        Memory.open(Path(tmp) / "x.db", extractor=parts, reconciler=reconciler) as mem,
    ):
        for sample_id, keys in gold["sessions"].items():
            for session in conversations[sample_id].sessions:
                if session.key not in keys:
                    continue
                mem.add(messages(session), space=sample_id, session=session.key)
            for item in mem.list(
                space=sample_id, kinds=["fact", "preference", "event"], include_expired=True, limit=10_000
            ):
                episodes = mem.store.get_episodes(sample_id, item.source_episode_ids)
                extracted.append(
                    {
                        "conversation": sample_id,
                        "text": item.text,
                        "dia_ids": [e.metadata.get("dia_id") for e in episodes],
                    }
                )
        counts = {s: mem.stats(s) for s in gold["sessions"]}
    matched_facts = 0
    matched_memories: set[int] = set()
    misses = []
    for fact in gold["facts"]:
        hits = [
            i
            for i, m in enumerate(extracted)
            if m["conversation"] == fact["conversation"] and fact["dia_id"] in m["dia_ids"] and matches(fact, m["text"])
        ]
        matched_facts += bool(hits)
        matched_memories.update(hits)
        if not hits:
            misses.append(fact["fact"])
    recall = matched_facts / len(gold["facts"])
    precision = len(matched_memories) / len(extracted) if extracted else 0.0
    return {
        "extractor": extractor,
        "gold_facts": len(gold["facts"]),
        "extracted": len(extracted),
        "recall": round(recall, 3),
        "precision": round(precision, 3),
        "memories_by_kind": {s: c["kinds"] for s, c in counts.items()},
        "missed": misses,
        "unmatched": [m["text"] for i, m in enumerate(extracted) if i not in matched_memories],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--extractor", default="rules", choices=["rules", "llm"])
    args = parser.parse_args()
    result = evaluate(args.data, args.extractor)
    print(json.dumps(result, indent=2))
    print(
        f"\nextraction ({result['extractor']}): recall {result['recall']:.3f}, precision {result['precision']:.3f} "
        f"({result['extracted']} memories extracted, {result['gold_facts']} gold facts)"
    )


if __name__ == "__main__":
    main()
