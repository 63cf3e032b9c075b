"""The write path with an LLM: extraction and reconciliation by a chat model.

Prompts live in src/remem/prompts/ beside the JSON schema each answer must follow. Output is
parsed tolerantly and validated; a bad answer gets one corrective retry, then LLMOutputError,
which fails the extraction job (its episodes stay, `remem retry` runs it again). Never a crash,
never a silent drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remem.llm.base import LLM, complete_json, fill
from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.extract import TurnExtractor
from remem.write.reconcile import Neighbour, Verdict
from remem.write.rules_reconcile import RuleReconciler

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
KINDS = ("fact", "preference", "event")

EXTRACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "memories": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "turn": {"type": "integer"},
                    "text": {"type": "string"},
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "date": {"type": ["string", "null"]},
                    "keywords": {"type": "array", "items": {"type": "string"}},
                    "negates": {"type": ["string", "null"]},
                    "forget": {"type": "boolean"},
                },
                "required": ["turn", "text", "kind", "date", "keywords", "negates", "forget"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["memories"],
    "additionalProperties": False,
}
RECONCILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operation": {"type": "string", "enum": ["ADD", "UPDATE", "DELETE", "NOOP"]},
        "target": {"type": ["integer", "null"]},
        "text": {"type": "string"},
        "temporal": {"type": "boolean"},
        "reason": {"type": "string"},
    },
    "required": ["operation", "target", "text", "temporal", "reason"],
    "additionalProperties": False,
}


def numbered_turn(number: int, episode: Episode) -> str:
    """A turn as the model sees it: its number, the date it was said, its speaker and words."""
    return f"{number}. [{episode.event_time:%Y-%m-%d}] {episode.name or episode.role}: {episode.content}"


def _when(moment: datetime | None) -> str:
    return f"[{moment:%Y-%m-%d}] " if moment is not None else ""


def _date(value: Any) -> datetime | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none", "unknown")):
        return None
    if not isinstance(value, str):
        raise ValueError(f"date must be a string like 2023-05-07, not {value!r}")
    return datetime.fromisoformat(value[:10]).replace(tzinfo=UTC)


class LLMExtractor:
    """Standalone memories from new turns, by the prompt in prompts/extract.md; plus the turns themselves."""

    name = "llm"

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.prompt = (PROMPTS / "extract.md").read_text()

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]:
        new_ids = {e.id for e in episodes}
        context = [e for e in recent if e.id not in new_ids][-10:]
        prompt = fill(
            self.prompt,
            turns="\n".join(numbered_turn(i, e) for i, e in enumerate(episodes, start=1)),
            recent="\n".join(numbered_turn(i, e) for i, e in enumerate(context, start=1)) or "(none)",
        )

        def validate(answer: Any) -> list[Candidate]:
            if not isinstance(answer, dict) or not isinstance(answer.get("memories"), list):
                raise ValueError('expected an object {"memories": [...]}')
            out = []
            for item in answer["memories"]:
                turn = item.get("turn")
                if not isinstance(turn, int) or not 1 <= turn <= len(episodes):
                    raise ValueError(f"turn {turn!r} is not one of 1..{len(episodes)}")
                text = item.get("text")
                if not isinstance(text, str) or not text.strip():
                    raise ValueError("every memory needs a non-empty text")
                kind = item.get("kind") if item.get("kind") in KINDS else "fact"
                keywords = item.get("keywords") or []
                if not isinstance(keywords, list):
                    raise ValueError("keywords must be a list of strings")
                negates = item.get("negates")
                if negates is not None and not isinstance(negates, str):
                    raise ValueError("negates must be a string or null")
                episode = episodes[turn - 1]
                out.append(
                    Candidate(
                        text=text.strip(),
                        kind=kind,
                        source_episode_ids=[episode.id],
                        session=episode.session,
                        valid_from=_date(item.get("date")) or episode.event_time,
                        keywords=[str(k).lower() for k in keywords][:8],
                        negates=negates or None,
                        forget=bool(item.get("forget")),
                        metadata={"speaker": episode.name or episode.role},
                    )
                )
            return out

        facts = complete_json(self.llm, [{"role": "user", "content": prompt}], EXTRACT_SCHEMA, validate=validate)
        return [*TurnExtractor().extract(episodes, recent), *facts]


class LLMReconciler:
    """ADD, NOOP, UPDATE (temporal or not) or DELETE against numbered neighbours, by prompts/reconcile.md.

    The model's DELETE becomes SUPERSEDE: the contradicted memory is closed and the new one,
    which says what is true now, is added.
    """

    name = "llm"

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.prompt = (PROMPTS / "reconcile.md").read_text()

    def reconcile(self, candidate: Candidate, neighbours: Sequence[Neighbour]) -> Verdict:
        if candidate.kind == "turn":
            return Verdict("ADD", None, candidate.text, "a turn is kept verbatim")
        facts = [n for n in neighbours if n.memory.kind not in ("turn", "summary") and n.memory.valid_to is None]
        if candidate.forget:
            return RuleReconciler().reconcile(candidate, facts)  # purging is decided by rules, never guessed
        if not facts:
            return Verdict("ADD", None, candidate.text, "nothing similar is remembered")
        prompt = fill(
            self.prompt,
            candidate=f"{_when(candidate.valid_from)}{candidate.text}",
            neighbours="\n".join(
                f"{i}. {_when(n.memory.valid_from)}{n.memory.text}" for i, n in enumerate(facts, start=1)
            ),
        )

        def validate(answer: Any) -> Verdict:
            if not isinstance(answer, dict):
                raise ValueError("expected a JSON object")
            operation = answer.get("operation")
            if operation not in ("ADD", "UPDATE", "DELETE", "NOOP"):
                raise ValueError(f"operation {operation!r} is not ADD, UPDATE, DELETE or NOOP")
            reason = str(answer.get("reason") or operation.lower())
            if operation == "ADD":
                return Verdict("ADD", None, candidate.text, reason)
            target = answer.get("target")
            if isinstance(target, str) and target.strip().isdigit():
                target = int(target)  # "2" for 2: a weak model's quoting, not a wrong answer
            if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= len(facts):
                raise ValueError(f"target {target!r} is not one of 1..{len(facts)}")
            memory = facts[target - 1].memory
            if operation == "NOOP":
                return Verdict("NOOP", memory.id, memory.text, f"restates {memory.id}: {reason}")
            if operation == "DELETE":
                return Verdict("SUPERSEDE", memory.id, candidate.text, f"contradicts {memory.id}: {reason}")
            text = str(answer.get("text") or candidate.text).strip()
            temporal = bool(answer.get("temporal"))
            return Verdict("UPDATE", memory.id, text, f"updates {memory.id}: {reason}", temporal=temporal)

        return complete_json(self.llm, [{"role": "user", "content": prompt}], RECONCILE_SCHEMA, validate=validate)
