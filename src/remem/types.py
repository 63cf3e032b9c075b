"""The plain data that crosses every seam: episodes, memories, versions, hits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from remem.timeutil import to_iso

Operation = Literal["ADD", "UPDATE", "DELETE", "NOOP", "PURGE", "RESTORE"]

#: Kinds of memory. "turn" is one raw conversational turn, "document" a passage of a document;
#: the rest come from extraction.
KINDS = ("turn", "fact", "preference", "event", "summary", "note", "document")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Record:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: datetimes become ISO-8601 UTC strings."""
        return _jsonable(asdict(self))  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True)
class Episode(_Record):
    """One raw input, stored losslessly and never changed."""

    id: str
    space: str
    role: str
    content: str
    session: str | None
    event_time: datetime  # when it happened (given by the caller, else ingest time)
    ingest_time: datetime  # when remem recorded it
    source: str | None = None  # where it came from: "chat", "document", a file name...
    name: str | None = None  # the speaker's name, when the role is not enough
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MemoryItem(_Record):
    """A derived, searchable unit with provenance, validity and a version number."""

    id: str
    space: str
    text: str
    kind: str
    session: str | None
    source_episode_ids: list[str]
    keywords: list[str]
    tags: list[str]
    links: list[str]
    valid_from: datetime | None  # when the fact became true (event time)
    valid_to: datetime | None  # when it stopped being true; None while current
    strength: float
    version: int
    created_at: datetime  # when first recorded
    updated_at: datetime  # when the latest version was recorded
    metadata: dict[str, Any] = field(default_factory=dict)

    def valid_at(self, moment: datetime) -> bool:
        starts = self.valid_from is None or self.valid_from <= moment
        ends = self.valid_to is None or moment < self.valid_to
        return starts and ends


@dataclass(frozen=True)
class Version(_Record):
    """One entry of a memory's history: the state after an operation, and why."""

    memory_id: str
    version: int
    operation: str
    text: str
    kind: str
    tags: list[str]
    valid_from: datetime | None
    valid_to: datetime | None
    reason: str
    actor: str  # "user", "extractor", "reconciler", "api:<key id>", ...
    episode_id: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class Hit(_Record):
    """One search result: the memory, its fused score, and where it came from."""

    memory: MemoryItem
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    episodes: list[Episode]
    via_link: str | None = None  # set when the hit was reached through a link from this memory id
    # search(..., neighbours=n) on a document passage: it and up to n passages each side, in document order
    context: list[MemoryItem] = field(default_factory=list)
    lexical_score: float | None = None  # the BM25 score behind lexical_rank
    dense_score: float | None = None  # the cosine similarity behind dense_rank


@dataclass(frozen=True)
class Decision(_Record):
    """What the write path did with one candidate memory."""

    operation: str  # ADD | UPDATE | DELETE | NOOP
    memory_id: str | None
    text: str
    reason: str


@dataclass(frozen=True)
class AddResult(_Record):
    """What `Memory.add` stored: the episodes (always) and the memory decisions made from them."""

    episodes: list[Episode]
    decisions: list[Decision]
    job_id: str | None = None  # the extraction job for these episodes
    status: str = "done"  # done | queued (process="queue") | failed (episodes kept; retry later)
    error: str | None = None  # why extraction failed, when it did


@dataclass(frozen=True)
class Filters(_Record):
    """Search and list filters; every field narrows, none widens."""

    session: str | None = None
    kinds: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None  # a memory must carry all of these
    since: datetime | None = None  # valid_from (or created_at) at or after
    until: datetime | None = None  # valid_from (or created_at) before
    as_of: datetime | None = None  # only memories valid at this moment
    include_expired: bool = False  # without as_of, expired (valid_to in the past) are hidden
