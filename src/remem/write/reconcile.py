"""Reconciliation: decide ADD, UPDATE, DELETE or NOOP for each candidate against its neighbours."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from remem.types import MemoryItem
from remem.write.candidates import Candidate


@dataclass(frozen=True)
class Neighbour:
    memory: MemoryItem
    similarity: float


@dataclass(frozen=True)
class Verdict:
    operation: str  # ADD | UPDATE | DELETE | NOOP | SUPERSEDE (close target, add new) | PURGE (forget)
    target: str | None  # the existing memory acted on (None for ADD)
    text: str  # the text to store (the merged text for UPDATE)
    reason: str
    # For UPDATE: the old value stops being true where the new one starts (a city, a job), so a
    # closed snapshot of it stays searchable "as of" the past while the memory moves on.
    temporal: bool = False
    # For SUPERSEDE: further memories the same change closes (a move closes every fact of the old city).
    closes: tuple[str, ...] = ()
    # For UPDATE: the target's source turns said what is now known wrong (a correction), so search
    # ranks them below the corrected fact.
    stale_sources: bool = False
    # For UPDATE: metadata to set on the target (a correction fixes the claim's value too).
    metadata: dict[str, Any] | None = None


class Reconciler(Protocol):
    """Decides what a candidate does to the memories it is compared with.

    `inline` says the decision is cheap and pure (the rules): it is made inside the write
    transaction, against the latest state. A reconciler that calls a model sets it False: its
    decisions are made before the transaction, with no lock held, and one whose neighbours changed
    in the meantime is decided again inside it by the rules.
    """

    name: str
    inline: bool

    def reconcile(self, candidate: Candidate, neighbours: Sequence[Neighbour]) -> Verdict: ...


def normalise(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


class SimilarityReconciler:
    """Offline rules: raw turns are always kept; an extracted fact that restates a neighbour is a NOOP."""

    name = "similarity"
    inline = True

    def __init__(self, duplicate_at: float = 0.95) -> None:
        self.duplicate_at = duplicate_at

    def reconcile(self, candidate: Candidate, neighbours: Sequence[Neighbour]) -> Verdict:
        if candidate.kind == "turn":
            return Verdict("ADD", None, candidate.text, "a turn is kept verbatim")
        for n in neighbours:
            same_text = normalise(n.memory.text) == normalise(candidate.text)
            if n.memory.kind == candidate.kind and (same_text or n.similarity >= self.duplicate_at):
                return Verdict(
                    "NOOP",
                    n.memory.id,
                    n.memory.text,
                    f"restates {n.memory.id} (similarity {n.similarity:.3f})",
                )
        return Verdict("ADD", None, candidate.text, "new information")
