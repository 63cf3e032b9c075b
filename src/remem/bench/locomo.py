"""`remem bench locomo`: retrieval (and, with an LLM, answer) quality on LoCoMo-format data, side by side.

Each conversation goes into a fresh space of each system; every question is asked; the
turns behind the top k hits are compared with the question's evidence turns.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remem.bench.context import BUDGETS, TokenCounter, build_context, evidence_recall
from remem.bench.locomo_data import CATEGORIES, Conversation, Question, load
from remem.bench.metrics import ndcg_at_k, percentile, recall_at_k, reciprocal_rank
from remem.bench.systems import RetrievalSystem, Retrieved
from remem.bench.systems import systems as all_systems
from remem.embed import CachedEmbedder, Embedder
from remem.errors import InvalidInput

DEFAULT_SYSTEMS = (
    "remem",
    "remem-turns",
    "remem-lexical",
    "remem-dense",
    "remem-rrf",
    "bm25",
    "dense",
    "chroma",
    "mem0",
    "full-context",
)
DEFAULT_KS = (1, 5, 10, 20)
#: Hits asked for so that the largest budget can be filled: LoCoMo turns run about 30 tokens.
CONTEXT_HITS = 50


def run(
    data: str | Path,
    *,
    systems: Sequence[str] = DEFAULT_SYSTEMS,
    ks: Sequence[int] = DEFAULT_KS,
    out: str | Path | None = None,
    embedder: Embedder | None = None,
    limit: int | None = None,
    database: str | None = None,
    llm: Any = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run every system on every conversation of `data`; write report.{json,md,png} under `out`."""
    catalogue = all_systems(database)
    if llm is None:
        from remem.llm.openai_compat import from_settings as llm_from_settings
        from remem.settings import Settings

        llm = llm_from_settings(Settings.load())
    unknown = [s for s in systems if s not in catalogue]
    if unknown:
        raise InvalidInput(f"unknown systems {unknown}; choose from {', '.join(catalogue)}")
    ks = sorted(set(ks))
    if not ks or ks[0] < 1:
        raise InvalidInput("k values must be positive integers")
    conversations = load(data)[:limit]
    if embedder is None:
        from remem.embed import from_settings
        from remem.settings import Settings

        embedder = from_settings(Settings.load())
    report: dict[str, Any] = {
        "data": _describe_data(Path(data), conversations),
        "config": {
            "systems": list(systems),
            "ks": ks,
            "budgets": list(BUDGETS),
            "tokenizer": TokenCounter.name,
            "embedder": embedder.name,
            "backend": "postgres" if database else "sqlite",
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        },
        "systems": {},
    }
    skipped: dict[str, str] = {}
    for name in systems:
        log(f"[{name}] running on {len(conversations)} conversations")
        if isinstance(embedder, CachedEmbedder):
            embedder.clear()  # each system pays for its own embeddings
        try:
            system = catalogue[name](embedder)
        except ImportError as exc:
            # A peer whose package is not installed is reported as skipped, with why, not faked.
            skipped[name] = f"not installed ({exc}); pip install 'remem[bench]'"
            log(f"[{name}] skipped: {skipped[name]}")
            continue
        report["systems"][name] = _run_system(system, conversations, ks, llm)
        overall = report["systems"][name]["overall"]
        log(
            f"[{name}] turn_recall@10={overall.get('turn_recall@10', float('nan')):.4f} "
            f"({report['systems'][name]['cost']['ingest_turns_per_s']} turns/s ingest)"
        )
    if skipped:
        report["skipped"] = skipped
    if llm is None:
        report["qa"] = {
            "skipped": "no LLM configured (set REMEM_LLM_URL and REMEM_LLM_MODEL to score answers); "
            "the retrieval metrics above need none"
        }
    else:
        report["qa"] = {
            "llm": llm.name,
            "judge_prompt": "src/remem/bench/judge.md",
            "systems": {n: r.pop("qa") for n, r in report["systems"].items() if "qa" in r},
        }
    if out is not None:
        from remem.bench.report import write

        write(report, Path(out))
    return report


def _run_system(
    system: RetrievalSystem, conversations: list[Conversation], ks: list[int], llm: Any = None
) -> dict[str, Any]:
    depth = max(max(ks), 10, CONTEXT_HITS)
    counter = TokenCounter()
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    ingest_seconds = 0.0
    turns = 0
    extra: dict[str, Any] = {}
    try:
        for conversation in conversations:
            started = time.perf_counter()
            system.ingest(conversation)
            ingest_seconds += time.perf_counter() - started
            turns += conversation.turns
            if hasattr(system, "memory_counts"):
                extra[conversation.sample_id] = system.memory_counts()
            turn_texts = {t.dia_id: t.text for s in conversation.sessions for t in s.turns}
            for question in conversation.questions:
                if not question.evidence:
                    continue
                started = time.perf_counter()
                hits = system.search(question.question, depth)
                latencies.append((time.perf_counter() - started) * 1000)
                row = _score(question, hits, ks)
                row.update(_score_context(question, hits, turn_texts, counter))
                if llm is not None and question.answer is not None and question.category != 5:
                    from remem.bench.qa import score_answer

                    scored = score_answer(llm, question.question, question.answer, [h.text for h in hits[:10]])
                    row.update({f"answer_{k}": v for k, v in scored.items() if k != "answer"})
                rows.append(row)
    finally:
        system.close()
    answerable = [r for r in rows if r["category"] != 5]
    result: dict[str, Any] = {
        "overall": _mean(answerable),
        "by_category": {
            CATEGORIES.get(c, str(c)): _mean([r for r in answerable if r["category"] == c])
            for c in sorted({r["category"] for r in answerable})
        },
        "adversarial": _mean([r for r in rows if r["category"] == 5]),
        "cost": {
            "ingest_turns_per_s": round(turns / ingest_seconds, 1) if ingest_seconds else None,
            "search_ms_p50": round(percentile(latencies, 50), 2) if latencies else None,
            "search_ms_p95": round(percentile(latencies, 95), 2) if latencies else None,
            "search_ms_p99": round(percentile(latencies, 99), 2) if latencies else None,
            "context_tokens_per_question@10": round(_mean_of(answerable, "tokens@10"), 1),
            # WordPiece tokens of everything the (up to `depth`) hits would put in a context, uncut.
            "context_tokens_per_question": round(_mean_of(answerable, "context_tokens"), 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
    }
    if extra:
        result["memory"] = extra
    scored_rows = [r for r in answerable if "answer_f1" in r]
    if scored_rows:
        result["qa"] = {
            "overall": _answers(scored_rows),
            "by_category": {
                CATEGORIES.get(c, str(c)): _answers([r for r in scored_rows if r["category"] == c])
                for c in sorted({r["category"] for r in scored_rows})
            },
        }
    return result


def _answers(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "questions": len(rows),
        "f1": round(_mean_of(rows, "answer_f1"), 4),
        "judge_accuracy": round(_mean_of(rows, "answer_judge"), 4),
    }


def _score(question: Question, hits: list[Retrieved], ks: list[int]) -> dict[str, Any]:
    turn_hits = [h.turns for h in hits]
    session_hits = [h.sessions for h in hits]
    sessions = sorted({f"session_{e.split(':')[0].lstrip('D')}" for e in question.evidence})
    row: dict[str, Any] = {"category": question.category}
    for k in ks:
        row[f"turn_recall@{k}"] = recall_at_k(turn_hits, question.evidence, k)
    row["session_recall@10"] = recall_at_k(session_hits, sessions, 10)
    row["ndcg@10"] = ndcg_at_k(turn_hits, question.evidence, 10)
    row["mrr"] = reciprocal_rank(turn_hits, question.evidence)
    row["tokens@10"] = sum(len(h.text) for h in hits[:10]) / 4
    return row


def _score_context(
    question: Question, hits: list[Retrieved], turn_texts: dict[str, str], counter: TokenCounter
) -> dict[str, Any]:
    """Evidence recall of the context the hits make, cut at each budget (see remem.bench.context)."""
    passages = build_context(h.context for h in hits)
    recall = evidence_recall(passages, question.evidence, turn_texts, BUDGETS, counter)
    row: dict[str, Any] = {f"evidence_recall@{b}tok": v for b, v in recall.items()}
    row["context_tokens"] = sum(counter.count(p) for p in passages)
    return row


def _mean(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {"questions": 0}
    skip = ("category", "tokens@10", "context_tokens")
    keys = [k for k in rows[0] if k not in skip and not k.startswith("answer_")]
    return {"questions": len(rows), **{k: round(_mean_of(rows, k), 4) for k in keys}}


def _mean_of(rows: list[dict[str, Any]], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows) if rows else 0.0


def _describe_data(path: Path, conversations: list[Conversation]) -> dict[str, Any]:
    questions = [q for c in conversations for q in c.questions]
    by_category: dict[str, int] = defaultdict(int)
    for q in questions:
        by_category[CATEGORIES.get(q.category, str(q.category))] += 1
    return {
        "path": str(path),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "conversations": [c.sample_id for c in conversations],
        "sessions": sum(len(c.sessions) for c in conversations),
        "turns": sum(c.turns for c in conversations),
        "questions": len(questions),
        "questions_by_category": dict(by_category),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m remem.bench.locomo --data PATH ...`, the same as `remem bench locomo`."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--system", default=",".join(DEFAULT_SYSTEMS))
    parser.add_argument("--k", default=",".join(map(str, DEFAULT_KS)))
    parser.add_argument("--out", default="bench/results/locomo")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N conversations.")
    parser.add_argument("--database", default=None, help="Run remem's systems on this postgresql:// URL.")
    args = parser.parse_args(argv)
    report = run(
        args.data,
        systems=args.system.split(","),
        ks=[int(k) for k in args.k.split(",")],
        out=args.out,
        limit=args.limit,
        database=args.database,
    )
    print(json.dumps({n: s["overall"] for n, s in report["systems"].items()}, indent=1))


if __name__ == "__main__":
    main()
