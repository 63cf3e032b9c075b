"""The write path's vocabulary, in one place.

An Extractor proposes Candidates from new episodes; a Reconciler compares each with its
Neighbours (the memories most like it) and returns a Verdict, whose Operation `pipeline.apply`
carries out as versioned writes; a Summarizer writes a session's coarse memory. Everything the
write path decides is said in these words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from remem.types import Episode, MemoryItem


@dataclass
class Candidate:
    """A memory that extraction proposes, before reconciliation decides its fate."""

    text: str
    kind: str
    source_episode_ids: list[str]
    session: str | None = None
    valid_from: datetime | None = None
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # Set by an extractor that knows the fact negates an earlier one ("I no longer eat meat").
    negates: str | None = None
    # Set when the user asks to forget something explicitly.
    forget: bool = False


class Operation(StrEnum):
    """What a verdict does. A StrEnum, so each is also its plain name ("ADD") in decisions and JSON."""

    ADD = "ADD"  # store the candidate as a new memory
    NOOP = "NOOP"  # nothing new: the target, if any, gains the candidate's turn as evidence
    UPDATE = "UPDATE"  # rewrite the target (temporal: keep its old state as a closed snapshot)
    DELETE = "DELETE"  # close the target: it stays true "as of" the past
    SUPERSEDE = "SUPERSEDE"  # close the target (and `closes`), and add the candidate as what holds now
    PURGE = "PURGE"  # forget the target and the turns it came from, for good


@dataclass(frozen=True)
class Neighbour:
    memory: MemoryItem
    similarity: float


@dataclass(frozen=True)
class Verdict:
    operation: Operation | str  # an Operation; a plain name is read as one
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "operation", Operation(self.operation))  # ValueError on an unknown name


class Extractor(Protocol):
    """Proposes memories from new episodes; `recent` gives earlier turns of the session for context."""

    name: str

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]: ...


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


class Summarizer(Protocol):
    """Writes the coarse memory of a session: one summary that points at all of its turns."""

    name: str

    def summarize(self, episodes: Sequence[Episode]) -> Candidate | None: ...
