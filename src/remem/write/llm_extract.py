"""The write path with an LLM: extraction by a chat model (reconciliation is in llm_reconcile).

Prompts live in src/remem/prompts/. Each answer is validated by a pydantic model built for the
call, whose numbers are enums of the valid choices (the new turns 1..n, the neighbours 1..k); the
JSON schema sent to the model is derived from that same model. A whole answer that is not usable
gets one corrective retry, then LLMOutputError, which fails the job (its episodes stay, `remem
retry` runs it again). One bad item in an otherwise usable answer is dropped with a warning, and
the raw turns are always kept.

The model's words are checked, never trusted: a date prefix copied from the prompt is stripped,
an item from an assistant turn is dropped (the assistant's suggestions are not the user's facts),
and the reconciler's text must be supported by the candidate and its target (it chooses
operations and targets; it does not invent facts).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model

from remem.llm.base import LLM, complete_json, fill, load_prompt
from remem.timeutil import storable
from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.extract import TurnExtractor
from remem.write.llm_checks import canonical_subject, choices, optional_text, strict_schema, strip_date_prefix
from remem.write.llm_reconcile import LLMReconciler, reconcile_schema

log = logging.getLogger(__name__)

KINDS = ("fact", "preference", "event")
CONTEXT_TURNS = 10  # earlier turns shown for context

# -- what the model is shown ---------------------------------------------------------------------


def speaker_label(episode: Episode) -> str:
    """Who said a turn, as the model sees it: a user by name, anyone else with their role too."""
    if episode.role == "user":
        return episode.name or "user"
    return f"{episode.name} ({episode.role})" if episode.name else episode.role


def numbered_turn(number: int, episode: Episode) -> str:
    """A turn as the model sees it: its number, the date it was said, its speaker and words."""
    return f"{number}. [{episode.event_time:%Y-%m-%d}] {speaker_label(episode)}: {episode.content}"


def context_turn(episode: Episode) -> str:
    """An earlier turn, for context only: not numbered, so it cannot be confused with a new one."""
    return f"- [{episode.event_time:%Y-%m-%d}] {speaker_label(episode)}: {episode.content}"


def _date(value: str | None) -> datetime | None:
    if value is None:
        return None
    text = value.strip()[:10]
    if len(text) in (4, 7):
        text = text + "-01-01"[len(text) - 4 :]  # "2023-04" ("last month") is its first day
    try:
        moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return None  # a date the model could not give is the turn's own date, not a lost fact
    return moment if storable(moment) else None  # "0999-01-01" would be stored, then never read back


def _nonempty_text(value: str) -> str:
    value = strip_date_prefix(value)
    if not value:
        raise ValueError("text is empty")
    return value


def _kind(value: Any) -> Any:
    return value if value in KINDS else "fact"


# -- extraction -----------------------------------------------------------------------------------


class _Extracted(BaseModel):
    """One memory as the model gives it; per call, `turn` is narrowed to the numbers of the new turns."""

    model_config = ConfigDict(extra="ignore")

    turn: int  # first, so a model writing left to right commits to its source before its words
    text: Annotated[str, AfterValidator(_nonempty_text)]
    # The schema sent requires every field; a missing one that has a sensible default is not a
    # reason to lose the fact.
    subject: Annotated[str, BeforeValidator(lambda v: "" if v is None else v)] = ""
    attribute: Annotated[str | None, BeforeValidator(optional_text)] = None
    value: Annotated[str | None, BeforeValidator(optional_text)] = None
    kind: Annotated[Literal["fact", "preference", "event"], BeforeValidator(_kind)] = "fact"
    date: Annotated[str | None, BeforeValidator(optional_text)] = None
    negates: Annotated[str | None, BeforeValidator(optional_text)] = None
    keywords: list[str] = []
    forget: bool = False


def extraction_models(turns: int) -> tuple[type[_Extracted], type[BaseModel]]:
    """One memory and the whole answer, for a call with `turns` new turns: turn is one of 1..turns."""
    item = create_model("Memory", __base__=_Extracted, turn=(choices(turns), ...))
    answer = create_model("Memories", memories=(list[item], ...))  # type: ignore[valid-type]
    return item, answer


def extract_schema(turns: int) -> dict[str, Any]:
    """The JSON schema of an extraction answer for `turns` new turns."""
    return strict_schema(extraction_models(turns)[1])


class LLMExtractor:
    """Standalone memories from new turns, by the prompt in prompts/extract.md; plus the turns themselves."""

    name = "llm"

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.prompt = load_prompt("extract")

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]:
        turns = TurnExtractor().extract(episodes, recent)
        if not any(e.role != "assistant" for e in episodes):
            return turns  # nothing an assistant says is a fact about the user: no question to ask
        new_ids = {e.id for e in episodes}
        context = [e for e in recent if e.id not in new_ids][-CONTEXT_TURNS:]
        prompt = fill(
            self.prompt,
            turns="\n".join(numbered_turn(i, e) for i, e in enumerate(episodes, start=1)),
            recent="\n".join(context_turn(e) for e in context) or "(none)",
            count=str(len(episodes)),
        )
        item_model, answer_model = extraction_models(len(episodes))

        def validate(answer: Any) -> list[Candidate]:
            if not isinstance(answer, dict) or not isinstance(answer.get("memories"), list):
                raise ValueError('expected an object {"memories": [...]}')
            out = []
            for raw in answer["memories"]:
                candidate = self._candidate(raw, item_model, episodes)
                if candidate is not None:
                    out.append(candidate)
            return out

        messages = [{"role": "user", "content": prompt}]
        facts = complete_json(self.llm, messages, strict_schema(answer_model), validate=validate)
        return [*turns, *facts]

    def _candidate(self, raw: Any, model: type[_Extracted], episodes: Sequence[Episode]) -> Candidate | None:
        """One item as a candidate, or None (with a warning) when it is unusable."""
        try:
            item = model.model_validate(raw)
        except ValidationError as exc:
            # The problem, not the words: a log must not keep what a user may later ask to forget.
            log.warning("dropped an extracted memory the model got wrong: %s", _problems(exc))
            return None
        episode = episodes[item.turn - 1]
        if episode.role == "assistant":
            log.warning("dropped a memory the model took from assistant turn %d", item.turn)
            return None
        speaker = episode.name or episode.role
        metadata: dict[str, Any] = {"speaker": speaker, "subject": canonical_subject(item.subject, speaker)}
        if item.attribute:
            metadata["attribute"] = " ".join(item.attribute.lower().split())
        if item.value:
            metadata["value"] = strip_date_prefix(item.value)
        return Candidate(
            text=item.text,
            kind=item.kind,
            source_episode_ids=[episode.id],
            session=episode.session,
            valid_from=_date(item.date) or episode.event_time,
            keywords=[str(k).lower() for k in item.keywords][:8],
            negates=item.negates,
            forget=item.forget,
            metadata=metadata,
        )


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'item'}: {e['msg']}" for e in exc.errors()[:4])


__all__ = ["LLMExtractor", "LLMReconciler", "extract_schema", "numbered_turn", "reconcile_schema"]
