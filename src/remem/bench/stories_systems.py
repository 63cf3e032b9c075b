"""The systems `remem bench stories` compares, each opened fresh for one story behind one Protocol.

A system says what it can do (`extracts`, `has_as_of`, `database_files`), so that a check it
cannot answer is reported as n/a rather than passed or failed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any, Protocol

from remem.embed import Embedder
from remem.errors import InvalidInput
from remem.settings import Settings
from remem.timeutil import parse_time

SPACE = "story"
PAGE = 500


@dataclass(frozen=True)
class Stored:
    """One memory as a check sees it."""

    id: str
    text: str
    kind: str
    current: bool  # valid_to unset


class StorySystem(Protocol):
    name: str
    extracts: bool  # writes extracted memories (kinds other than "turn" and "summary")
    has_as_of: bool  # can search what was valid at a past moment

    def add(self, role: str, speaker: str | None, text: str, at: str) -> list[dict[str, Any]]:
        """Store one turn; returns the decisions it caused (operation, memory_id, text, reason)."""
        ...

    def search(
        self, query: str, k: int, *, as_of: str | None = None, include_expired: bool = False
    ) -> list[Stored]: ...

    def memories(self) -> list[Stored]:
        """Every stored memory, closed ones included."""
        ...

    def version_texts(self) -> list[str]:
        """The text of every recorded version of every stored memory."""
        ...

    def database_files(self) -> list[Path] | None:
        """The files that hold everything it stores, or None when there is no such single store."""
        ...

    def close(self) -> None: ...


#: Opens a system's fresh store in the given (empty) folder.
Opener = Callable[[Path], StorySystem]


def session_of(at: str) -> str:
    """The session of a turn: the UTC calendar day of its time, e.g. "2023-01-05"."""
    moment = parse_time(at, "at")
    assert moment is not None
    return moment.astimezone(UTC).date().isoformat()


class RememStories:
    """remem in a fresh SQLite file, with the given extractor (None: the settings' default, auto)."""

    has_as_of = True

    def __init__(self, name: str, folder: Path, embedder: Embedder, extractor: str | None) -> None:
        from remem.memory import Memory

        self.name = name
        self.path = folder / "story.db"
        settings = Settings.load(database=str(self.path), extractor=extractor, process="inline")
        self.mem = Memory.open(settings=settings, embedder=embedder)
        self.extracts = getattr(self.mem.extractor, "name", "") != "turns"

    def add(self, role: str, speaker: str | None, text: str, at: str) -> list[dict[str, Any]]:
        message = {"role": role, "content": text, **({"name": speaker} if speaker else {})}
        result = self.mem.add([message], space=SPACE, session=session_of(at), at=at)
        decisions = [d.to_dict() for d in result.decisions]
        if result.error:
            decisions.append({"operation": "FAILED", "memory_id": None, "text": "", "reason": result.error})
        return decisions

    def search(self, query: str, k: int, *, as_of: str | None = None, include_expired: bool = False) -> list[Stored]:
        hits = self.mem.search(query, space=SPACE, k=k, as_of=as_of, include_expired=include_expired)
        return [_stored(h.memory) for h in hits]

    def memories(self) -> list[Stored]:
        found: list[Stored] = []
        while True:
            page = self.mem.list(space=SPACE, include_expired=True, limit=PAGE, offset=len(found))
            found.extend(_stored(m) for m in page)
            if len(page) < PAGE:
                return found

    def version_texts(self) -> list[str]:
        return [v.text for m in self.memories() for v in self.mem.history(m.id, space=SPACE)]

    def database_files(self) -> list[Path] | None:
        return [self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")]

    def close(self) -> None:
        self.mem.close()


def _stored(memory: Any) -> Stored:
    return Stored(memory.id, memory.text, memory.kind, memory.valid_to is None)


class Mem0Stories:
    """Mem0 with `infer=False` (see `Mem0System` in systems.py): each turn stored raw, as "Speaker: text".

    It extracts nothing and has no notion of time, so checks on extracted memories and `as_of`
    are n/a; it keeps a Qdrant folder and a history database rather than one file, so `raw_gone`
    is n/a too. A request to forget is stored like any other turn.
    """

    name = "mem0"
    extracts = False
    has_as_of = False

    def __init__(self, folder: Path, embedder: Embedder, mem0_memory: Any) -> None:
        from remem.bench.systems import offline_mem0

        self.mem = offline_mem0(mem0_memory, folder, embedder, "story")

    def add(self, role: str, speaker: str | None, text: str, at: str) -> list[dict[str, Any]]:
        message = {"role": role, "content": f"{speaker}: {text}" if speaker else text}
        if speaker:
            message["name"] = speaker
        result = self.mem.add([message], user_id=SPACE, metadata={"at": at}, infer=False)
        return [
            {
                "operation": r.get("event", "ADD"),
                "memory_id": r.get("id"),
                "text": r.get("memory", ""),
                "reason": "infer=False: stored as given",
            }
            for r in result.get("results", [])
        ]

    def search(self, query: str, k: int, *, as_of: str | None = None, include_expired: bool = False) -> list[Stored]:
        if as_of is not None:
            raise InvalidInput("mem0 has no as_of")
        found = self.mem.search(query, filters={"user_id": SPACE}, top_k=k, threshold=0.0)
        return [Stored(str(r["id"]), str(r["memory"]), "turn", True) for r in found["results"]]

    def memories(self) -> list[Stored]:
        found = self.mem.get_all(filters={"user_id": SPACE}, top_k=100_000)
        return [Stored(str(r["id"]), str(r["memory"]), "turn", True) for r in found["results"]]

    def version_texts(self) -> list[str]:
        texts: list[str] = []
        for memory in self.memories():
            for change in self.mem.history(memory.id):
                texts.extend(str(change[key]) for key in ("old_memory", "new_memory") if change.get(key))
        return texts

    def database_files(self) -> list[Path] | None:
        return None

    def close(self) -> None:
        self.mem.vector_store.client.close()
        self.mem.close()


def _mem0_opener(embedder: Embedder, root: Path) -> Opener:
    """Mem0, offline and silent (the same set-up as `Mem0System`); ImportError when not installed."""
    os.environ["MEM0_TELEMETRY"] = "False"  # read when mem0 is imported; the benchmark is offline
    os.environ.setdefault("MEM0_DIR", str(root))  # else it writes ~/.mem0
    for logger in ("mem0", "mem0.utils.spacy_models", "mem0.vector_stores.qdrant"):
        logging.getLogger(logger).setLevel(logging.ERROR)
    import mem0.memory.main
    import mem0.memory.telemetry
    from mem0 import Memory as Mem0Memory

    mem0.memory.telemetry.MEM0_TELEMETRY = False
    mem0.memory.main.MEM0_TELEMETRY = False
    mem0.memory.telemetry.client_telemetry.close()
    return lambda folder: Mem0Stories(folder, embedder, Mem0Memory)


def llm_configured(settings: Settings) -> bool:
    return bool(settings.llm_url and settings.llm_model)


def openers() -> dict[str, Callable[[Embedder, Path], Opener]]:
    """Each system by name: given the shared embedder and a scratch folder, how to open one story's store."""

    def remem(name: str, extractor: str | None) -> Callable[[Embedder, Path], Opener]:
        return lambda embedder, root: lambda folder: RememStories(name, folder, embedder, extractor)

    return {
        "remem": remem("remem", None),
        "remem-turns": remem("remem-turns", "turns"),
        "remem-llm": remem("remem-llm", "llm"),
        "mem0": _mem0_opener,
    }


DESCRIPTIONS = {
    "remem": "remem, default settings (extractor auto: rules offline, the LLM when one is configured)",
    "remem-turns": "remem, one memory per turn (extractor=turns): checks on extracted memories are n/a",
    "remem-llm": "remem with extractor=llm (the configured LLM)",
    "mem0": "Mem0 infer=False (raw turns), the same embedder: as_of, extracted-memory checks, raw_gone n/a",
}
