"""Reconciliation: decide ADD, UPDATE, DELETE or NOOP for each candidate against its neighbours."""

from __future__ import annotations

import re
from collections.abc import Sequence

from remem.write.candidates import Candidate, Neighbour, Reconciler, Verdict

__all__ = ["Neighbour", "Reconciler", "SimilarityReconciler", "Verdict", "normalise"]


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
