"""`make demo`: ingest one LoCoMo conversation into a fresh space, then answer real questions by search."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from remem.cli.output import clip
from remem.memory import Memory

DEV_DATA = Path(__file__).resolve().parents[3] / "shared" / "bench-data" / "locomo-dev.json"
SAMPLE = Path(__file__).with_name("data") / "sample-locomo.json"


def session_time(text: str) -> datetime:
    """LoCoMo writes session dates as '1:56 pm on 8 May, 2023'."""
    return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y")


def conversation_messages(sample: dict[str, Any]) -> list[tuple[str, datetime, list[dict[str, Any]]]]:
    """(session id, session time, messages) for each session, in order."""
    conv = sample["conversation"]
    sessions = sorted(
        (int(key.split("_")[1]), key)
        for key in conv
        if key.startswith("session_") and not key.endswith("date_time") and isinstance(conv[key], list)
    )
    out = []
    for _, key in sessions:
        when = session_time(conv[f"{key}_date_time"])
        messages = []
        for turn in conv[key]:
            content = turn["text"]
            if turn.get("blip_caption"):
                content += f" [shares a photo: {turn['blip_caption']}]"
            messages.append(
                {
                    "role": "user",
                    "name": turn["speaker"],
                    "content": content,
                    "at": when.isoformat(),
                    "metadata": {"dia_id": turn["dia_id"]},
                }
            )
        out.append((key, when, messages))
    return out


def run(mem: Memory, data: Path | None = None, questions: int = 6, console: Console | None = None) -> dict[str, Any]:
    # soft_wrap: a log written to a file or pipe keeps each line whole; a terminal wraps it itself
    console = console or Console(soft_wrap=True)
    path = data or (DEV_DATA if DEV_DATA.exists() else SAMPLE)
    samples = json.loads(path.read_text())
    sample = next((s for s in samples if s["sample_id"] == "conv-26"), samples[0])
    space = f"demo-{sample['sample_id']}"
    mem.forget(space=space, everything=True)
    sessions = conversation_messages(sample)
    turns = sum(len(m) for _, _, m in sessions)
    console.print(
        f"[bold]remem demo[/bold]: {path.name}, conversation {sample['sample_id']}: "
        f"{len(sessions)} sessions, {turns} turns → space {space!r} in {mem.store.url}"
    )
    started = time.perf_counter()
    if not console.is_terminal:
        console.print(f"ingesting {len(sessions)} sessions (extracting facts, embedding, reconciling)...")
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,  # a log gets the line above, not a bar's last frame
    ) as progress:
        task = progress.add_task("ingesting", total=turns)
        for key, _, messages in sessions:
            progress.update(task, description=f"ingesting {key}")
            mem.add(messages, space=space, session=key)
            progress.advance(task, len(messages))
    elapsed = time.perf_counter() - started
    console.print(
        f"ingested {turns} turns in {elapsed:.1f} s ({turns / elapsed:.0f} turns/s); "
        f"{mem.stats(space)['memories']} memories\n"
    )
    asked = [q for q in sample["qa"] if q.get("evidence") and q.get("category") != 5][:questions]
    found = 0
    for qa in asked:
        hits = mem.search(qa["question"], space=space, k=5)
        evidence = set(qa["evidence"])
        console.print(
            f"[bold cyan]Q:[/bold cyan] {qa['question']}   [dim](gold answer: {qa['answer']}; "
            f"evidence {', '.join(qa['evidence'])})[/dim]"
        )
        hit_evidence = False
        for rank, hit in enumerate(hits, 1):
            dia = [e.metadata.get("dia_id") for e in hit.episodes]
            mark = "[green]✓[/green]" if evidence & set(dia) else " "
            hit_evidence |= bool(evidence & set(dia))
            when = hit.memory.valid_from.strftime("%d %b %Y") if hit.memory.valid_from else ""
            # a summary stands on many turns: their count says more than a row of ids
            turns_of = f"{len(dia)} turns" if len(dia) > 3 else ",".join(d or "" for d in dia)
            console.print(f"  {mark} {rank}. [dim]{when} {turns_of}[/dim] {escape(clip(hit.memory.text, 140))}")
        found += hit_evidence
        console.print()
    console.print(
        f"evidence turn found in the top 5 for {found} of {len(asked)} questions (full benchmark: `make bench`)"
    )
    return {"questions": len(asked), "evidence_found": found, "turns": turns}
