"""The offline reconciler: duplicates become NOOPs, changes close the old fact, negations retire it.

Rules over the candidate and its nearest memories (cosine similarity from the dense index):

- a raw turn is always added (turns are the lossless record);
- "forget ..." purges the memories it names (PURGE);
- the same text, or near-identical meaning of the same kind, is a NOOP that adds evidence;
- a new value of a single-valued attribute (residence, job, relationship: "moved to Porto" after
  "lives in Lisbon") is a temporal UPDATE: the memory moves on to the new value as a new version,
  and the pipeline keeps the old value as a snapshot closed where the new one starts, so "as of"
  the past still finds it and `history` shows the chain Lisbon -> Porto;
- a negation ("no longer eats meat", "is vegetarian now") closes what it negates and is itself
  added (SUPERSEDE); a neighbour that already says the same change is left alone (NOOP);
- a candidate that says everything a neighbour says and more replaces it as a new version (UPDATE).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from remem.write.candidates import Candidate
from remem.write.reconcile import Neighbour, Verdict, normalise
from remem.write.rules import NEGATION, STATE_NEGATES, content_words

DUPLICATE_AT = 0.93  # cosine above which two memories of one kind say the same thing
RELATED_AT = 0.45  # cosine above which a memory can be the thing a negation or forget refers to
FACT_KINDS = ("fact", "preference", "event", "note")
# Words a negation shares with what it negates once tense and form are set aside.
_STEMS = {
    "eating": "eat",
    "eats": "eat",
    "ate": "eat",
    "eaten": "eat",
    "smoking": "smoke",
    "smokes": "smoke",
    "drinking": "drink",
    "drinks": "drink",
    "vegetarian": "meat",
    "vegan": "meat",
    "steak": "meat",
    "beef": "meat",
    "chicken": "meat",
    "pork": "meat",
    "playing": "play",
    "plays": "play",
    "working": "work",
    "works": "work",
    "living": "live",
    "lives": "live",
}


def _stems(text: str) -> set[str]:
    return {_STEMS.get(w, w) for w in content_words(text)}


def _is_change(text: str) -> bool:
    """Whether a memory itself reports a stop or a change of state ("no longer", "is vegan now")."""
    return bool(NEGATION.search(text)) or any(re.search(rf"\b{state}\b", text, re.I) for state in STATE_NEGATES)


class RuleReconciler:
    """ADD, NOOP, UPDATE, SUPERSEDE or PURGE by the rules above; deterministic, no LLM."""

    name = "rules"

    def reconcile(self, candidate: Candidate, neighbours: Sequence[Neighbour]) -> Verdict:
        if candidate.kind == "turn":
            return Verdict("ADD", None, candidate.text, "a turn is kept verbatim")
        facts = [n for n in neighbours if n.memory.kind in FACT_KINDS and n.memory.valid_to is None]
        if candidate.forget:
            wanted = _stems(candidate.text)
            for n in facts:
                if n.similarity >= RELATED_AT and len(wanted & _stems(n.memory.text)) >= max(1, len(wanted) // 2):
                    return Verdict("PURGE", n.memory.id, n.memory.text, f"the user asked to forget: {candidate.text}")
            return Verdict("NOOP", None, candidate.text, "asked to forget something not remembered")
        for n in facts:
            same_kind = n.memory.kind == candidate.kind
            if same_kind and (normalise(n.memory.text) == normalise(candidate.text) or n.similarity >= DUPLICATE_AT):
                return Verdict(
                    "NOOP", n.memory.id, n.memory.text, f"restates {n.memory.id} (similarity {n.similarity:.3f})"
                )
        attribute = candidate.metadata.get("attribute")
        speaker = candidate.metadata.get("speaker")
        if attribute:
            for n in facts:
                same = n.memory.metadata.get("attribute") == attribute and n.memory.metadata.get("speaker") == speaker
                if same and n.memory.metadata.get("value") != candidate.metadata.get("value"):
                    return Verdict(
                        "UPDATE",
                        n.memory.id,
                        candidate.text,
                        f"{attribute} changed from {n.memory.metadata.get('value')} to "
                        f"{candidate.metadata.get('value')}",
                        temporal=True,
                    )
        if candidate.negates:
            negated = _stems(candidate.negates)
            for n in facts:
                if n.memory.metadata.get("speaker") != speaker or n.similarity < RELATED_AT:
                    continue
                if not negated & _stems(n.memory.text):
                    continue
                if _is_change(n.memory.text):
                    # "stopped eating meat" after "no longer eats meat": the same change, said again.
                    return Verdict("NOOP", n.memory.id, n.memory.text, f"{n.memory.id} already says so")
                return Verdict(
                    "SUPERSEDE",
                    n.memory.id,
                    candidate.text,
                    f"contradicts {n.memory.id} ({n.memory.text.rstrip('.')}): {candidate.negates} no longer holds",
                )
        for n in facts:
            if n.memory.kind != candidate.kind or n.memory.metadata.get("speaker") != speaker:
                continue
            old, new = set(content_words(n.memory.text)), set(content_words(candidate.text))
            if n.similarity >= 0.8 and old and old < new:
                return Verdict("UPDATE", n.memory.id, candidate.text, f"adds detail to {n.memory.id}")
        return Verdict("ADD", None, candidate.text, "new information")
