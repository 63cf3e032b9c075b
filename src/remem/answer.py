"""ask(): answer a question from memory, citing the memories used.

While a space fits the context budget, the whole space is the context (full
context beats retrieval when it is affordable, per ConvoMem); past that,
the top search hits are. With an LLM configured the model writes the answer
and cites ids; without one the answer is the best evidence itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from remem import validate
from remem.ids import ID_CHARS
from remem.llm.base import LLM, fill, load_prompt
from remem.settings import Settings
from remem.store.base import Store
from remem.timeutil import TimeLike, parse_time, to_iso
from remem.types import Filters, Hit, MemoryItem, _Record

PROMPT = load_prompt("answer")
_CITATION = re.compile(rf"\[(mem_{ID_CHARS}+)\]")


@dataclass(frozen=True)
class Answer(_Record):
    question: str
    answer: str
    citations: list[str]  # memory ids the answer rests on
    context: list[dict[str, Any]] = field(default_factory=list)  # what was read: id, text, time
    mode: str = "extractive"  # "llm" or "extractive"
    full_context: bool = False  # whether the whole space fitted the budget


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


#: The search a caller has bound to its space and k: (question, as_of) -> hits, best first.
Search = Callable[[str, datetime | None], list[Hit]]


def answer(
    question: str,
    *,
    space: str,
    as_of: TimeLike | None,
    store: Store,
    search: Search,
    llm: LLM | None,
    settings: Settings,
) -> Answer:
    """Answer `question` from the memories of `space` valid at `as_of` (all of them while they fit
    `settings.context_tokens`, else the hits of `search`), by `llm`, or extractively without one."""
    question = validate.text(question, "question", settings.max_text_chars)
    budget = settings.context_tokens
    moment = parse_time(as_of, "as_of")
    filters = Filters(as_of=moment)
    everything = store.list_memories(validate.space_name(space), filters, limit=2_000)
    full = sum(estimate_tokens(m.text) for m in everything) <= budget and len(everything) < 2_000
    hits: list[Hit] = []
    if llm is None or not full:
        hits = search(question, moment)
    if full:
        items = sorted(everything, key=lambda m: (m.valid_from or m.created_at, m.id))
        context = [_entry(m, []) for m in items]
    else:
        context = _within_budget(hits, budget)
    if llm is None or not context:
        return _extractive(question, hits, context, full)
    prompt = fill(PROMPT, context="\n".join(_line(c) for c in context), question=question)
    text = llm.complete([{"role": "user", "content": prompt}], temperature=0.0)
    known = {c["id"] for c in context}
    cited = [i for i in dict.fromkeys(_CITATION.findall(text)) if i in known]
    return Answer(question, text.strip(), cited, context, mode="llm", full_context=full)


def _entry(item: MemoryItem, said: list[str]) -> dict[str, Any]:
    entry = {"id": item.id, "text": item.text, "when": to_iso(item.valid_from or item.created_at), "kind": item.kind}
    return {**entry, "said": said} if said else entry


def _line(entry: dict[str, Any]) -> str:
    line = f"[{entry['id']}] ({str(entry['when'])[:10]}) {entry['text']}"
    return line + "".join(f'\n    from the turn: "{turn}"' for turn in entry.get("said", []))


def _within_budget(hits: list[Hit], budget: int) -> list[dict[str, Any]]:
    """The hits, best first, while they fit: an extracted fact brings the turns it was drawn from
    (a rewrite can drop a detail the question needs), a turn the turns said around it (its context:
    the question it answers, the reply it got), each turn once."""
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    used = 0
    for hit in hits:
        item = hit.memory
        said: list[str] = []
        around = [item]
        if item.kind == "turn" and hit.context:
            around = [m for m in hit.context if m.id == item.id or not seen & set(m.source_episode_ids)]
        elif item.kind not in ("turn", "summary", "document"):
            said = [e.content for e in hit.episodes if e.id not in seen and e.content not in item.text]
        cost = sum(estimate_tokens(m.text) for m in around) + sum(estimate_tokens(t) for t in said)
        if kept and used + cost > budget:
            break
        kept.extend(_entry(m, said if m is item else []) for m in around)
        seen.update(e.id for e in hit.episodes)
        seen.update(e for m in around for e in m.source_episode_ids)
        used += cost
    return kept


def _extractive(question: str, hits: list[Hit], context: list[dict[str, Any]], full: bool) -> Answer:
    """No LLM: the answer is the best-ranked memory, verbatim, and it is the citation."""
    if not hits:
        return Answer(question, "I have no memory of that.", [], context, full_context=full)
    best = hits[0].memory
    return Answer(question, best.text, [best.id], context, full_context=full)
