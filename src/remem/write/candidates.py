"""What extractors produce and reconcilers judge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
