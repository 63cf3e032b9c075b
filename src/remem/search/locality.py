"""Conversation locality in the ranking: a turn is read with the turns beside it and its session.

The answer to a question is often not the turn that shares its words but the reply to it ("Who
performed?" - "It was Matt Patterson"), or the turn before that a "this" or "it" points back to;
and the turns of one conversation about a subject sit together in one session. Two preferences
over the fused ranking carry that, each a bonus on the fused score (0..1):

- a turn gains from the turns said just before and after it, the better of the two: 0.7 of the score
  of the turn it follows (a reply, of what it answers), all of it where that turn asks a question (the
  reply is the answer to what was asked), and 0.3 of the turn that follows it (of the reply it got).
  Those turns of the best hits join the candidates if neither retriever found them. A turn lifted
  by a stronger neighbour stays just below it: the question keeps its place, and the reply comes
  after it, above what it displaced;
- a turn gains a fifth of its session's strength, the mean of the session's three best turn scores.
  Facts are left out of it: a fact's truth does not depend on how much was said around it (with
  them, "Felix is at BMW now" outranked the later "promoted to team lead" in a memory-truth story).

Only turns of a session have turns beside them: without one, remem cannot tell a conversation from
separate notes added one after another. And a hit on a turn can carry the turns said around it
(`search(..., neighbours=n)`, which `ask` uses with n=1): the reply is often the evidence, and it
costs a reader a turn, not a search.

Measured on the LoCoMo dev split, each step on its own (`python bench/ablation.py`): turn R@10 /
evidence recall at 512 tokens 0.683 / 0.655 before; 0.745 / 0.749 with both preferences (half of the
better neighbour's score either way); 0.745 / 0.797 with each turn hit read with its neighbours;
0.778 / 0.792 with the reply gaining 0.7 and the question 0.3 (multi-hop 0.363 to 0.414). With equal
shares, most evidence turns missed beside a top-10 hit were the reply to it, far fewer the turn before.
A reply to a turn that asks something gaining all of its score, not 0.7: 0.786 / 0.805 -> 0.799 / 0.810,
R@1 0.417 -> 0.428, adversarial R@10 0.901 -> 0.930, measured on a second machine whose int8 kernels
round differently (the figures above are from the first, where the step before gave 0.797, not 0.786);
0.9 for a question, and 0.3 to 0.7 for a statement, gave 0.793-0.798.
A turn gaining a fifth of what it would from a neighbour from the turns two away (0.14 of the score of
the turn said two before it, 0.06 of the one two after; the turns two away from the ten best join the
candidates): 0.795 / 0.801 -> 0.803 / 0.805, R@1 0.429 either way, evidence @256 0.711 -> 0.705
(3 December, `make bench`); 0.3 and 0.5 of it gave R@10 0.802 and 0.797. It costs the search one more
adjacency lookup, for the neighbours' neighbours.
Tried there and not kept: a fact counting its source turn's neighbours, spreading the hits over
sessions, preferring the turns of a speaker the question names, naming the listener in the embedded
text of a turn that says "you" (lower R@1). The preferences read the first HEAD candidates
only: reading all 200 gained less than the split's noise, for five times the lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from remem.store.base import Store
from remem.types import Filters, Hit, MemoryItem

BEFORE_WEIGHT = 0.7  # the share of the score of the turn said just before it that a turn gains
QUESTION_WEIGHT = 1.0  # that share where the turn before asks a question: the reply answers what was asked
AFTER_WEIGHT = 0.3  # the share of the score of the turn said just after it
SESSION_WEIGHT = 0.2  # the share of its session's strength a turn gains
TWO_AWAY = 0.2  # a turn two away gains this much of what a turn beside it would (the share above, times this)
SEEDS = 10  # the best hits whose adjacent turns join the candidates
HEAD = 50  # how much of the ranking the preferences read and reorder: the same for every k
SESSION_BEST = 3  # a session's strength: the mean of its best this many scores
_BELOW = 1e-6  # how far below the turn it borrows from a lifted turn is put


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
    store: Store,
    space: str,
    ranked: list[tuple[str, float]],
    filters: Filters,
    read: MemoryReader,
    worth: Callable[[MemoryItem], float] = lambda _: 1.0,
) -> list[tuple[str, float]]:
    """The ranking with both preferences applied to its first HEAD entries; the rest keeps its order below.
    A turn lends its neighbours and its session its score times `worth` (what it counts for now: a turn
    whose value was replaced lends as little as it ranks, so the reply that echoes it is not lifted)."""
    head, tail = ranked[:HEAD], ranked[HEAD:]
    if not head:
        return ranked
    own = dict(head)
    before: dict[str, str] = {}  # the turn said just before, for every turn known on either side
    after: dict[str, str] = {}
    _learn(store.adjacent_turns(space, list(own), filters), before, after)
    out = dict(own)
    for memory_id, _ in head[:SEEDS]:
        for turn in (before.get(memory_id), after.get(memory_id)):
            if turn is not None:
                out.setdefault(turn, 0.0)
    if TWO_AWAY:
        # The turns beside the neighbours that joined (the head's are known already), so that the turns two
        # away from the seeds join as their neighbours did, and each turn knows the turns two away from it.
        joined = [i for i in out if i not in own]
        if joined:
            _learn(store.adjacent_turns(space, joined, filters), before, after)
        for memory_id, _ in head[:SEEDS]:
            for turn in (_two(before, memory_id), _two(after, memory_id)):
                if turn is not None:
                    out.setdefault(turn, 0.0)
    items = read(list(out))
    score = {i: value * worth(items[i]) if i in items else value for i, value in own.items()}
    lifted_by: dict[str, str] = {}
    for memory_id in out:
        previous = before.get(memory_id)
        gains = [
            (weight * score.get(turn, 0.0), turn)
            for weight, turn in (
                (_reply_weight(items, previous), previous),
                (AFTER_WEIGHT, after.get(memory_id)),
                (TWO_AWAY * BEFORE_WEIGHT, _two(before, memory_id) if TWO_AWAY else None),
                (TWO_AWAY * AFTER_WEIGHT, _two(after, memory_id) if TWO_AWAY else None),
            )
            if turn is not None
        ]
        if gains:
            gain, turn = max(gains)
            out[memory_id] += gain
            if own.get(turn, 0.0) > own.get(memory_id, 0.0):
                lifted_by[memory_id] = turn
    sessions = {i: items[i].session for i in out if i in items and items[i].kind == "turn"}
    by_session: dict[str, list[float]] = {}
    for memory_id, value in score.items():
        if (session := sessions.get(memory_id)) is not None:
            by_session.setdefault(session, []).append(value)
    strength = {s: sum(sorted(v, reverse=True)[:SESSION_BEST]) / SESSION_BEST for s, v in by_session.items()}
    for memory_id in out:
        if (session := sessions.get(memory_id)) is not None:
            out[memory_id] += SESSION_WEIGHT * strength.get(session, 0.0)
    for memory_id, turn in lifted_by.items():  # a lifted turn stays below the stronger turn it borrows from
        out[memory_id] = min(out[memory_id], out[turn] - _BELOW)
    moved = {i for i in out if i not in own}
    rest = [(i, s) for i, s in tail if i not in moved]
    return sorted(out.items(), key=lambda pair: (-pair[1], pair[0])) + rest


def _learn(found: dict[str, tuple[str | None, str | None]], before: dict[str, str], after: dict[str, str]) -> None:
    """Record adjacent_turns' answer each way: a turn found beside a looked-up turn has that turn beside it."""
    for memory_id, (previous, following) in found.items():
        if previous is not None:
            before[memory_id], after[previous] = previous, memory_id
        if following is not None:
            after[memory_id], before[following] = following, memory_id


def _two(beside: dict[str, str], memory_id: str) -> str | None:
    """The turn two away on one side, where the turn between is known."""
    between = beside.get(memory_id)
    return beside.get(between) if between is not None else None


def _reply_weight(items: dict[str, MemoryItem], previous: str | None) -> float:
    """The share of the score of the turn said before it that a turn gains: all of it after a question."""
    asked = previous is not None and previous in items and "?" in items[previous].text
    return QUESTION_WEIGHT if asked else BEFORE_WEIGHT


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
