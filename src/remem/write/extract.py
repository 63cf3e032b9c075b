"""Extractors: episodes in, candidate memories out. One seam, several implementations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from remem.types import Episode
from remem.write.candidates import Candidate


class Extractor(Protocol):
    """Proposes memories from new episodes; `recent` gives earlier turns of the session for context."""

    name: str

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]: ...


def turn_text(episode: Episode) -> str:
    """How a turn reads as a memory: the speaker's name first, when known."""
    return f"{episode.name}: {episode.content}" if episode.name else episode.content


class TurnExtractor:
    """One memory per turn, verbatim: the finest granularity, and the baseline of every other."""

    name = "turns"

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]:
        return [
            Candidate(
                text=turn_text(e),
                kind="turn",
                source_episode_ids=[e.id],
                session=e.session,
                valid_from=e.event_time,
                metadata={"role": e.role},
            )
            for e in episodes
        ]
