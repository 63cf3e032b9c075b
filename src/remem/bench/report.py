"""Benchmark reports: JSON (stable shape for scripts), markdown (for people), PNGs (recall@k per system,
and evidence recall against the context's tokens)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from remem.bench.systems import DESCRIPTIONS


def write(report: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out / "report.json",
        "md": out / "report.md",
        "png": out / "recall.png",
        "budget_png": out / "recall-tokens.png",
    }
    paths["json"].write_text(json.dumps(report, indent=2))
    paths["md"].write_text(markdown(report))
    plot(report, paths["png"])
    if report["config"].get("budgets"):
        plot_budgets(report, paths["budget_png"])
    return paths


def markdown(report: dict[str, Any]) -> str:
    data, config, systems = report["data"], report["config"], report["systems"]
    ks = config["ks"]
    lines = [
        f"# LoCoMo retrieval: {Path(data['path']).name}",
        "",
        f"{len(data['conversations'])} conversations, {data['sessions']} sessions, {data['turns']} turns, "
        f"{data['questions']} questions (sha256 {data['sha256'][:12]}). Embedder: {config['embedder']}. "
        f"Started {config['started']} on {config['machine']['cpus']} CPUs.",
        "",
        "Turn recall@k: share of a question's evidence turns among the turns behind the top k hits. "
        "Adversarial questions (category 5) are reported apart, not in the overall row.",
        "",
        "| system | " + " | ".join(f"turn R@{k}" for k in ks) + " | session R@10 | NDCG@10 | MRR |",
        "|---|" + "---:|" * (len(ks) + 3),
    ]
    for name, result in systems.items():
        o = result["overall"]
        cells = [f"{o.get(f'turn_recall@{k}', 0):.3f}" for k in ks]
        cells += [f"{o.get('session_recall@10', 0):.3f}", f"{o.get('ndcg@10', 0):.3f}", f"{o.get('mrr', 0):.3f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for name, why in report.get("skipped", {}).items():
        lines.append(f"| {name} | skipped: {why} |")
    lines += ["", "Systems:", ""]
    lines += [f"- `{name}`: {DESCRIPTIONS.get(name, '')}" for name in [*systems, *report.get("skipped", {})]]
    categories = sorted({c for r in systems.values() for c in r["by_category"]})
    lines += [
        "",
        "## Turn recall@10 by category",
        "",
        "| system | "
        + " | ".join(
            f"{c} ({next(iter(systems.values()))['by_category'].get(c, {}).get('questions', 0)})" for c in categories
        )
        + " | adversarial |",
        "|---|" + "---:|" * (len(categories) + 1),
    ]
    for name, result in systems.items():
        cells = [f"{result['by_category'].get(c, {}).get('turn_recall@10', 0):.3f}" for c in categories]
        cells.append(f"{result['adversarial'].get('turn_recall@10', 0):.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += _budget_tables(report, categories)
    lines += [
        "",
        "## Cost",
        "",
        "| system | ingest turns/s | search p50 ms | p95 ms | p99 ms | context tokens/question @10 "
        "| context tokens/question, all hits | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in systems.items():
        c = result["cost"]
        lines.append(
            f"| {name} | {c['ingest_turns_per_s']} | {c['search_ms_p50']} | {c['search_ms_p95']} | "
            f"{c['search_ms_p99']} | {c['context_tokens_per_question@10']} | "
            f"{c.get('context_tokens_per_question', '')} | {c['peak_rss_mb']} |"
        )
    lines += [
        "",
        "Peak RSS is the whole benchmark process after that system ran (one process runs all). Tokens "
        "@10 are characters / 4 of the top 10 hits' texts; tokens of all hits are WordPiece tokens of "
        "the whole context the hits make (what the budgets above cut).",
        "",
    ]
    counted = {name: r["memory"] for name, r in systems.items() if r.get("memory")}
    if counted:
        lines += [
            "## Memories: what extraction proposed and what reconciliation kept",
            "",
            "| system | conversation | candidates | ADD | NOOP | UPDATE | other | memories stored | by kind |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, per_conversation in counted.items():
            for conversation, m in per_conversation.items():
                d = m.get("decisions", {})
                other = sum(v for k, v in d.items() if k not in ("ADD", "NOOP", "UPDATE"))
                kinds = ", ".join(f"{k} {v}" for k, v in sorted(m.get("kinds", {}).items()))
                lines.append(
                    f"| {name} | {conversation} | {m.get('candidates', '')} | {d.get('ADD', 0)} | "
                    f"{d.get('NOOP', 0)} | {d.get('UPDATE', 0)} | {other} | {m['memories']} | {kinds} |"
                )
        lines.append("")
    qa = report.get("qa", {})
    lines += ["## Answers", ""]
    if "skipped" in qa:
        lines += [qa["skipped"], ""]
    else:
        lines += [
            f"Model {qa['llm']} answers from each system's top 10 hits; judged with {qa['judge_prompt']}.",
            "",
            "| system | questions | token F1 | judge accuracy |",
            "|---|---:|---:|---:|",
        ]
        for name, result in qa.get("systems", {}).items():
            o = result["overall"]
            lines.append(f"| {name} | {o['questions']} | {o['f1']:.3f} | {o['judge_accuracy']:.3f} |")
        lines.append("")
    return "\n".join(lines)


def _budget_tables(report: dict[str, Any], categories: list[str]) -> list[str]:
    budgets = report["config"].get("budgets") or []
    if not budgets:
        return []
    systems = report["systems"]
    lines = [
        "",
        "## Evidence recall at a context budget",
        "",
        "The context each system would hand an LLM (remem: its hits in rank order, a fact followed by "
        "the turns it came from, a turn with the turns said just before and after it, as `ask` reads "
        "them; peers: their hits' texts; full-context: the conversation from its first "
        f"turn), cut at a budget of {report['config'].get('tokenizer', 'WordPiece')} tokens; an evidence "
        "turn counts when its whole text is in what is left. Passages already in the context are not "
        "repeated.",
        "",
        "| system | " + " | ".join(f"recall@{b} tokens" for b in budgets) + " |",
        "|---|" + "---:|" * len(budgets),
    ]
    for name, result in systems.items():
        o = result["overall"]
        lines.append(f"| {name} | " + " | ".join(f"{o.get(f'evidence_recall@{b}tok', 0):.3f}" for b in budgets) + " |")
    middle = 512 if 512 in budgets else budgets[len(budgets) // 2]
    lines += [
        "",
        f"### Evidence recall at {middle} tokens by category",
        "",
        "| system | " + " | ".join(categories) + " | adversarial |",
        "|---|" + "---:|" * (len(categories) + 1),
    ]
    key = f"evidence_recall@{middle}tok"
    for name, result in systems.items():
        cells = [f"{result['by_category'].get(c, {}).get(key, 0):.3f}" for c in categories]
        cells.append(f"{result['adversarial'].get(key, 0):.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def plot_budgets(report: dict[str, Any], path: Path) -> None:
    """Evidence recall against the context's tokens, one line per system, full context included."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    budgets = report["config"]["budgets"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, result in report["systems"].items():
        values = [result["overall"].get(f"evidence_recall@{b}tok", 0) for b in budgets]
        ax.plot(budgets, values, marker="o", label=name, linestyle="--" if name == "full-context" else "-")
    ax.set_xscale("log", base=2)
    ax.set_xticks(budgets)
    ax.set_xticklabels([str(b) for b in budgets])
    ax.set_xlabel(f"context budget ({report['config'].get('tokenizer', 'tokens')})")
    ax.set_ylabel("evidence turns in the context")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.set_title(f"LoCoMo {Path(report['data']['path']).name}: evidence recall at a token budget")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = report["config"]["ks"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, result in report["systems"].items():
        if name == "full-context":
            continue
        ax.plot(ks, [result["overall"].get(f"turn_recall@{k}", 0) for k in ks], marker="o", label=name)
    ax.set_xlabel("k (hits read)")
    ax.set_ylabel("turn recall@k")
    ax.set_xticks(ks)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.set_title(f"LoCoMo {Path(report['data']['path']).name}: evidence recall by system")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
