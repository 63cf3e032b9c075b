"""Reconciliation by a chat model: it chooses the operation and the target, and is checked on both.

The prompt is src/remem/prompts/reconcile.md. Only neighbours about the same subject are shown,
so one person's fact is never offered as another's to overwrite. The answer is validated by a
pydantic model whose target is an enum of the neighbours shown. The model's text is checked: an
UPDATE that loses the candidate's new value becomes SUPERSEDE with the candidate's own text, and
text with words neither the candidate nor the target says is replaced by the candidate's text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from remem.llm.base import LLM, complete_json, fill, load_prompt
from remem.write.candidates import Candidate
from remem.write.llm_checks import (
    choices,
    content_stems,
    date_words,
    same_owner,
    strict_schema,
    strip_date_prefix,
    unsupported_words,
    value_words,
)
from remem.write.reconcile import Neighbour, Verdict
from remem.write.rules_reconcile import RuleReconciler

log = logging.getLogger(__name__)


def _when(moment: datetime | None) -> str:
    return f"[{moment:%Y-%m-%d}] " if moment is not None else ""


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _text_or_empty(value: Any) -> Any:
    return "" if value is None else value


class _Verdict(BaseModel):
    """The reconciler's answer; per call, `target` is narrowed to the numbers of the neighbours shown."""

    model_config = ConfigDict(extra="ignore")

    operation: Annotated[Literal["ADD", "NOOP", "UPDATE", "DELETE"], BeforeValidator(_upper)]
    target: int | None = None
    text: Annotated[str, BeforeValidator(_text_or_empty)] = ""
    temporal: bool = False
    reason: Annotated[str, BeforeValidator(lambda v: "" if v is None else str(v))] = ""


def reconcile_model(neighbours: int) -> type[_Verdict]:
    """A verdict for a call with `neighbours` numbered memories: target is one of 1..neighbours or null."""
    return create_model("Verdict", __base__=_Verdict, target=(choices(neighbours) | None, None))


def reconcile_schema(neighbours: int) -> dict[str, Any]:
    """The JSON schema of a reconciliation answer against `neighbours` numbered memories."""
    return strict_schema(reconcile_model(neighbours))


def _described(text: str, moment: datetime | None, metadata: dict[str, Any]) -> str:
    """A memory as the reconciler sees it: date, text, and whose it is and which property, when known."""
    about = [f"{key}: {metadata[key]}" for key in ("subject", "attribute", "value") if metadata.get(key)]
    return f"{_when(moment)}{text}" + (f"  ({'; '.join(about)})" if about else "")


class LLMReconciler:
    """ADD, NOOP, UPDATE (temporal or not) or DELETE against numbered neighbours, by prompts/reconcile.md.

    Only the neighbours about the same subject are shown. The model's DELETE becomes SUPERSEDE:
    the contradicted memory is closed and the new one, which says what is true now, is added.
    """

    name = "llm"
    inline = False  # a model call: decided before the write transaction, never while holding the lock

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.prompt = load_prompt("reconcile")

    def reconcile(self, candidate: Candidate, neighbours: Sequence[Neighbour]) -> Verdict:
        if candidate.kind == "turn":
            return Verdict("ADD", None, candidate.text, "a turn is kept verbatim")
        facts = [n for n in neighbours if n.memory.kind not in ("turn", "summary") and n.memory.valid_to is None]
        if candidate.forget:
            return RuleReconciler().reconcile(candidate, facts)  # purging is decided by rules, never guessed
        facts = [n for n in facts if same_owner(candidate.metadata, n.memory.metadata)]
        if not facts:
            return Verdict("ADD", None, candidate.text, "nothing similar is remembered about the same subject")
        prompt = fill(
            self.prompt,
            candidate=_described(candidate.text, candidate.valid_from, candidate.metadata),
            neighbours="\n".join(
                f"{i}. {_described(n.memory.text, n.memory.valid_from, n.memory.metadata)}"
                for i, n in enumerate(facts, start=1)
            ),
        )
        model = reconcile_model(len(facts))

        def validate(answer: Any) -> Verdict:
            parsed = model.model_validate(answer)
            if parsed.operation != "ADD" and parsed.target is None:
                raise ValueError(f"{parsed.operation} needs a target, one of 1..{len(facts)}")
            return self._verdict(candidate, facts, parsed)

        messages = [{"role": "user", "content": prompt}]
        return complete_json(self.llm, messages, strict_schema(model), validate=validate)

    def _verdict(self, candidate: Candidate, facts: Sequence[Neighbour], parsed: _Verdict) -> Verdict:
        """The model's choice, checked against what the candidate and its target actually say."""
        operation, target = parsed.operation, parsed.target
        reason = parsed.reason.strip() or operation.lower()
        if operation == "ADD" or target is None:
            return Verdict("ADD", None, candidate.text, reason)
        memory = facts[target - 1].memory
        changed = value_words(candidate, memory) - content_stems(memory.text)
        attribute = candidate.metadata.get("attribute")
        same_attribute = bool(attribute) and attribute == memory.metadata.get("attribute")
        if operation == "NOOP":
            if changed and candidate.metadata.get("value"):
                # "Restates" a memory that lacks the candidate's value: keeping it would lose the value.
                if same_attribute:
                    return Verdict("SUPERSEDE", memory.id, candidate.text, f"{memory.id} held another value: {reason}")
                return Verdict("ADD", None, candidate.text, f"{memory.id} does not say this: {reason}")
            return Verdict("NOOP", memory.id, memory.text, f"restates {memory.id}: {reason}")
        if operation == "DELETE":
            return Verdict("SUPERSEDE", memory.id, candidate.text, f"contradicts {memory.id}: {reason}")
        text = strip_date_prefix(parsed.text) or candidate.text
        lost = value_words(candidate, memory) - content_stems(text)
        if lost:
            # The model saw a change but merged the new value away ("we moved to Utrecht" written
            # into the Rotterdam fact without Utrecht): the candidate replaces the target instead.
            value = candidate.metadata.get("value") or ", ".join(sorted(lost))
            return Verdict(
                "SUPERSEDE", memory.id, candidate.text, f"replaces {memory.id} (its merge lost {value!r}): {reason}"
            )
        invented = unsupported_words(
            text,
            candidate.text,
            memory.text,
            date_words(candidate.valid_from, memory.valid_from),
            " ".join(str(v) for k, v in candidate.metadata.items() if k in ("speaker", "subject")),
        )
        if invented:
            log.warning("the reconciler's text for %s had %d words neither memory says", memory.id, len(invented))
            text = candidate.text
            reason += " (its merged text said what neither memory says; the new memory's text is kept)"
        temporal = parsed.temporal or (same_attribute and bool(changed))
        return Verdict("UPDATE", memory.id, text, f"updates {memory.id}: {reason}", temporal=temporal)
