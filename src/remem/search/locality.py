"""Conversation locality in the ranking: a turn is read with the turns beside it and its session.

The answer to a question is often not the turn that shares its words but the reply to it ("Who
performed?" - "It was Matt Patterson"), or the turn before that a "this" or "it" points back to;
and the turns of one conversation about a subject sit together in one session. Two preferences
over the fused ranking carry that, each a bonus on the fused score (0..1):

- a turn gains half the score of the better of the turns said just before and after it, and those
  turns of the best hits join the candidates if neither retriever found them;
- a turn gains a fifth of its session's strength, the mean of the session's three best turn scores.
  Facts are left out of it: a fact's truth does not depend on how much was said around it (with
  them, "Felix is at BMW now" outranked the later "promoted to team lead" in a memory-truth story).

Only turns of a session have turns beside them: without one, remem cannot tell a conversation from
separate notes added one after another. And a hit on a turn can carry the turns said around it
(`search(..., neighbours=n)`, which `ask` uses with n=1): the reply is often the evidence, and it
costs a reader a turn, not a search.

Measured on the LoCoMo dev split, each step on its own (`python bench/ablation.py`): turn R@10 /
evidence recall at 512 tokens 0.683 / 0.655 before; 0.741 / 0.745 with both preferences; 0.741 /
0.792 with each turn hit read with its neighbours. Tried there and not kept: a fact counting its
source turn's neighbours, spreading the hits over sessions, preferring the turns of a speaker the
question names. The preferences read the first HEAD candidates only: reading all 200 gained less than
the split's noise, for five times the lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from remem.store.base import Store
from remem.types import Filters, Hit, MemoryItem

NEIGHBOUR_WEIGHT = 0.5  # the share of the better adjacent turn's score a turn gains
SESSION_WEIGHT = 0.2  # the share of its session's strength a turn gains
SEEDS = 10  # the best hits whose adjacent turns join the candidates
HEAD = 50  # how much of the ranking the preferences read and reorder: the same for every k
SESSION_BEST = 3  # a session's strength: the mean of its best this many scores


class MemoryReader:
    """The memories one search reads, each read from the store once: calling it with ids returns
    every memory read so far (those of the ids included, where they exist)."""

    def __init__(self, store: Store, space: str) -> None:
        self.store, self.space = store, space
        self.read: dict[str, MemoryItem] = {}

    def __call__(self, ids: Sequence[str]) -> dict[str, MemoryItem]:
        missing = [i for i in dict.fromkeys(ids) if i not in self.read]
        if missing:
            self.read.update((m.id, m) for m in self.store.get_memories(self.space, missing))
        return self.read


def prefer_local(
    store: Store, space: str, ranked: list[tuple[str, float]], filters: Filters, read: MemoryReader
) -> list[tuple[str, float]]:
    """The ranking with both preferences applied to its first HEAD entries; the rest keeps its order below."""
    head, tail = ranked[:HEAD], ranked[HEAD:]
    if not head:
        return ranked
    score = dict(head)
    beside: dict[str, set[str]] = {}
    for memory_id, pair in store.adjacent_turns(space, list(score), filters).items():
        for turn in filter(None, pair):  # each way: a turn found beside the head has the head's turn beside it
            beside.setdefault(memory_id, set()).add(turn)
            beside.setdefault(turn, set()).add(memory_id)
    out = dict(score)
    for memory_id, _ in head[:SEEDS]:
        for turn in beside.get(memory_id, ()):
            out.setdefault(turn, 0.0)
    for memory_id in out:
        support = [score.get(turn, 0.0) for turn in beside.get(memory_id, ())]
        if support:
            out[memory_id] += NEIGHBOUR_WEIGHT * max(support)
    items = read(list(out))
    sessions = {i: items[i].session for i in out if i in items and items[i].kind == "turn"}
    by_session: dict[str, list[float]] = {}
    for memory_id, value in score.items():
        if (session := sessions.get(memory_id)) is not None:
            by_session.setdefault(session, []).append(value)
    strength = {s: sum(sorted(v, reverse=True)[:SESSION_BEST]) / SESSION_BEST for s, v in by_session.items()}
    for memory_id in out:
        if (session := sessions.get(memory_id)) is not None:
            out[memory_id] += SESSION_WEIGHT * strength.get(session, 0.0)
    moved = {i for i in out if i not in score}
    rest = [(i, s) for i, s in tail if i not in moved]
    return sorted(out.items(), key=lambda pair: (-pair[1], pair[0])) + rest


def with_adjacent_turns(store: Store, space: str, hits: Sequence[Hit], neighbours: int, filters: Filters) -> list[Hit]:
    """Hits on turns with `context`: the turn and up to `neighbours` turns said before and after it in
    its session, in order (the question it answers, the reply it got), each passing `filters`."""
    windows = {h.memory.id: [h.memory.id] for h in hits if h.memory.kind == "turn"}
    if not neighbours or not windows:
        return list(hits)
    for _ in range(neighbours):
        beside = store.adjacent_turns(space, [i for w in windows.values() for i in (w[0], w[-1])], filters)
        for window in windows.values():
            before, after = beside.get(window[0], (None, None))[0], beside.get(window[-1], (None, None))[1]
            window[:0] = [before] if before is not None else []
            window += [after] if after is not None else []
    read = MemoryReader(store, space)
    read.read.update((h.memory.id, h.memory) for h in hits)  # the hits themselves are read already
    items = read([i for w in windows.values() for i in w])
    return [
        replace(h, context=[items[i] for i in windows[h.memory.id] if i in items]) if h.memory.id in windows else h
        for h in hits
    ]
