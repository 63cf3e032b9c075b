"""Reading LoCoMo-format files (Maharana et al., ACL 2024): conversations, sessions, questions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from remem.errors import InvalidInput

CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}


@dataclass(frozen=True)
class Turn:
    dia_id: str
    speaker: str
    text: str  # what the agent saw: the words, plus a photo's caption when one was shared


@dataclass(frozen=True)
class Session:
    key: str  # "session_3"
    time: datetime
    turns: list[Turn]


@dataclass(frozen=True)
class Question:
    question: str
    answer: str | None  # absent for adversarial questions
    evidence: list[str]
    category: int


@dataclass(frozen=True)
class Conversation:
    sample_id: str
    sessions: list[Session]
    questions: list[Question] = field(default_factory=list)

    @property
    def turns(self) -> int:
        return sum(len(s.turns) for s in self.sessions)


def session_time(text: str) -> datetime:
    """LoCoMo writes session dates as '1:56 pm on 8 May, 2023'."""
    try:
        return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"session date {text!r} is not like '1:56 pm on 8 May, 2023'") from None


def session_of(dia_id: str) -> str:
    """'D3:12' -> 'session_3'."""
    return f"session_{dia_id.split(':')[0].lstrip('D')}"


def load(path: str | Path) -> list[Conversation]:
    try:
        raw = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"cannot read LoCoMo file {path}: {exc}") from None
    if not isinstance(raw, list):
        raise InvalidInput(f"{path} is not a LoCoMo file: expected a JSON list of conversations")
    return [_conversation(sample) for sample in raw]


def _conversation(sample: dict[str, Any]) -> Conversation:
    conv = sample["conversation"]
    keys = sorted(
        (int(key.split("_")[1]), key)
        for key, value in conv.items()
        if key.startswith("session_") and not key.endswith("date_time") and isinstance(value, list)
    )
    sessions = []
    for _, key in keys:
        turns = []
        for turn in conv[key]:
            text = turn["text"]
            if turn.get("blip_caption"):
                text += f" [shares a photo: {turn['blip_caption']}]"
            turns.append(Turn(turn["dia_id"], turn["speaker"], text))
        sessions.append(Session(key, session_time(conv[f"{key}_date_time"]), turns))
    questions = [
        Question(
            question=str(qa["question"]),
            answer=None if qa.get("answer") is None else str(qa["answer"]),
            evidence=[str(e) for e in qa.get("evidence") or []],
            category=int(qa.get("category", 0)),
        )
        for qa in sample.get("qa", [])
    ]
    return Conversation(str(sample["sample_id"]), sessions, questions)


def messages(session: Session) -> list[dict[str, Any]]:
    """A session as remem messages: speaker as name, session time as event time, dia_id kept."""
    return [
        {
            "role": "user",
            "name": t.speaker,
            "content": t.text,
            "at": session.time.isoformat(),
            "metadata": {"dia_id": t.dia_id},
        }
        for t in session.turns
    ]
