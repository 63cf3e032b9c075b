"""Ingestion never loses input: episodes commit first, extraction runs from a durable queue."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from remem import Memory, Unavailable
from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.extract import TurnExtractor


class FlakyExtractor:
    """Stands in for an LLM extractor whose endpoint is down for the first `failures` calls."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]:
        if self.failures > 0:
            self.failures -= 1
            raise Unavailable("llm endpoint http://127.0.0.1:9/v1 refused the connection")
        return TurnExtractor().extract(episodes, recent)


def test_an_outage_keeps_the_episodes_and_retry_builds_the_memories(db_path: Path) -> None:
    with Memory.open(db_path, extractor=FlakyExtractor(failures=1)) as mem:
        result = mem.add("I started learning Portuguese.", space="a")

        assert result.status == "failed" and "refused" in (result.error or "")
        assert [e.content for e in mem.episodes(space="a")] == ["I started learning Portuguese."]
        assert mem.list(space="a") == []
        status = mem.status("a")
        assert status["failed"] == 1 and "refused" in status["failed_jobs"][0]["error"]

        assert mem.retry(space="a") == 1
        assert mem.process_pending(space="a") == {"done": 1, "failed": 0, "pending": 0}
        assert [m.text for m in mem.list(space="a")] == ["I started learning Portuguese."]
        assert mem.status("a")["failed"] == 0 and mem.status("a")["done"] == 1


def test_queued_mode_defers_extraction_until_processed(db_path: Path) -> None:
    with Memory.open(db_path, process="queue", extractor="turns") as mem:
        result = mem.add(["first", "second"], space="q")
        assert result.status == "queued" and result.decisions == []
    with Memory.open(db_path, extractor="turns") as mem:
        assert mem.status("q")["pending"] == 1
        assert mem.process_pending(space="q")["done"] == 1
        assert sorted(m.text for m in mem.list(space="q")) == ["first", "second"]


def test_inline_add_leaves_other_pending_jobs_alone(db_path: Path) -> None:
    with Memory.open(db_path, process="queue", extractor="turns") as queued:
        queued.add("waiting in the queue", space="w")
    with Memory.open(db_path, extractor="turns") as mem:
        assert mem.add("processed now", space="w").status == "done"
        assert mem.status("w")["pending"] == 1 and mem.status("w")["running"] == 0
