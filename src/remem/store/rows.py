"""Records to rows and back, once for every engine; rows that cannot be read back are logged and skipped.

Each engine keeps JSON and times its own way (SQLite as text, PostgreSQL as jsonb and timestamptz);
a `Codec` holds those four conversions, and every record's columns and converters are written
here once on top of it.

A row a store cannot turn back into a record is logged and skipped, so one bad row never breaks a space.

Every write is validated first (remem.validate), so such rows come only from older versions or from
outside hands: a lone surrogate inside JSON, a date SQLite's text form cannot parse back, metadata
nested too deep to decode. A read that meets one answers with the rest, never with an error.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from remem.store.base import Job
from remem.types import Episode, MemoryItem, Version

log = logging.getLogger("remem.store")
Record = TypeVar("Record", Episode, MemoryItem, Version)
READ_DEPTH = 200  # deeper metadata could not be rendered as JSON within Python's recursion limit

MEMORY_COLUMNS = (
    "id, space, text, kind, session, source_episode_ids, keywords, tags, links, valid_from, valid_to, "
    "strength, version, created_at, updated_at, metadata"
)
#: What an update may change in a memory's row, in the order of Codec.memory_update's values.
MEMORY_UPDATE = (
    "text=%s, kind=%s, session=%s, source_episode_ids=%s, keywords=%s, tags=%s, links=%s, valid_from=%s, "
    "valid_to=%s, strength=%s, version=%s, updated_at=%s, metadata=%s"
)
EPISODE_COLUMNS = "id, space, role, content, session, event_time, ingest_time, source, name, metadata"
VERSION_COLUMNS = (
    "memory_id, version, operation, text, kind, tags, valid_from, valid_to, reason, actor, episode_id, recorded_at"
)
JOB_COLUMNS = "id, space, episode_ids, state, attempts, error, created_at, updated_at, options, worker"


@dataclass(frozen=True)
class Codec:
    """An engine's JSON and time conversions, and every record's row in both directions on top of them."""

    json_out: Callable[[Any], Any]
    json_in: Callable[[Any], Any]
    time_out: Callable[[datetime | None], Any]
    time_in: Callable[[Any], Any]

    def memory_row(self, m: MemoryItem) -> tuple[Any, ...]:
        """The values of MEMORY_COLUMNS."""
        changeable = self.memory_update(m)  # created_at stands between version and updated_at
        return (m.id, m.space, *changeable[:11], self.time_out(m.created_at), *changeable[11:])

    def memory_update(self, m: MemoryItem) -> tuple[Any, ...]:
        """The values of MEMORY_UPDATE."""
        j, t = self.json_out, self.time_out
        return (
            m.text,
            m.kind,
            m.session,
            j(m.source_episode_ids),
            j(m.keywords),
            j(m.tags),
            j(m.links),
            t(m.valid_from),
            t(m.valid_to),
            m.strength,
            m.version,
            t(m.updated_at),
            j(m.metadata),
        )

    def memory(self, r: Sequence[Any]) -> MemoryItem:
        j, t = self.json_in, self.time_in
        return MemoryItem(
            id=r[0],
            space=r[1],
            text=r[2],
            kind=r[3],
            session=r[4],
            source_episode_ids=list(j(r[5])),
            keywords=list(j(r[6])),
            tags=list(j(r[7])),
            links=list(j(r[8])),
            valid_from=t(r[9]),
            valid_to=t(r[10]),
            strength=float(r[11]),
            version=int(r[12]),
            created_at=t(r[13]),
            updated_at=t(r[14]),
            metadata=dict(j(r[15])),
        )

    def episode_row(self, e: Episode) -> tuple[Any, ...]:
        """The values of EPISODE_COLUMNS."""
        t = self.time_out
        return (
            e.id,
            e.space,
            e.role,
            e.content,
            e.session,
            t(e.event_time),
            t(e.ingest_time),
            e.source,
            e.name,
            self.json_out(e.metadata),
        )

    def episode(self, r: Sequence[Any]) -> Episode:
        t = self.time_in
        return Episode(
            id=r[0],
            space=r[1],
            role=r[2],
            content=r[3],
            session=r[4],
            event_time=t(r[5]),
            ingest_time=t(r[6]),
            source=r[7],
            name=r[8],
            metadata=dict(self.json_in(r[9])),
        )

    def version_row(self, space: str, v: Version) -> tuple[Any, ...]:
        """The space, then the values of VERSION_COLUMNS."""
        t = self.time_out
        return (
            space,
            v.memory_id,
            v.version,
            v.operation,
            v.text,
            v.kind,
            self.json_out(v.tags),
            t(v.valid_from),
            t(v.valid_to),
            v.reason,
            v.actor,
            v.episode_id,
            t(v.recorded_at),
        )

    def version(self, r: Sequence[Any]) -> Version:
        t = self.time_in
        return Version(
            memory_id=r[0],
            version=int(r[1]),
            operation=r[2],
            text=r[3],
            kind=r[4],
            tags=list(self.json_in(r[5])),
            valid_from=t(r[6]),
            valid_to=t(r[7]),
            reason=r[8],
            actor=r[9],
            episode_id=r[10],
            recorded_at=t(r[11]),
        )

    def job_row(self, job: Job) -> tuple[Any, ...]:
        """The values of JOB_COLUMNS."""
        j, t = self.json_out, self.time_out
        return (
            job.id,
            job.space,
            j(job.episode_ids),
            job.state,
            job.attempts,
            job.error,
            t(job.created_at),
            t(job.updated_at),
            j(job.options),
            job.worker,
        )

    def job(self, r: Sequence[Any]) -> Job:
        j, t = self.json_in, self.time_in
        return Job(
            id=r[0],
            space=r[1],
            episode_ids=list(j(r[2])),
            state=r[3],
            attempts=int(r[4]),
            error=r[5],
            created_at=t(r[6]),
            updated_at=t(r[7]),
            options=dict(j(r[8])),
            worker=r[9],
        )


_decode = json.JSONDecoder().decode


def json_text_in(text: Any) -> Any:
    """JSON kept as text (SQLite's) to its value: json.loads, with the empty list and object (most of
    a memory's JSON columns) answered without the decoder."""
    if type(text) is str:
        if text == "[]":
            return []
        if text == "{}":
            return {}
        return _decode(text)
    return json.loads(text)


def readable(rows: Iterable[Sequence[Any]], convert: Callable[[Sequence[Any]], Record], what: str) -> list[Record]:
    """convert(row) for every row that converts and renders as JSON; the others are logged and skipped."""
    out: list[Record] = []
    for row in rows:
        record = read_one(row, convert, what)
        if record is not None:
            out.append(record)
    return out


def read_one(row: Sequence[Any], convert: Callable[[Sequence[Any]], Record], what: str) -> Record | None:
    try:
        record = convert(row)
        _check_renderable(record)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:  # UnicodeError is a ValueError
        log.error(
            "skipped %s %s, which cannot be read back (%s: %s); forget it, or restore the store from a backup",
            what,
            ascii(row[0])[:80],
            type(exc).__name__,
            str(exc)[:200],
        )
        return None
    return record


def _check_renderable(record: Episode | MemoryItem | Version) -> None:
    """Raise if the record's free-form parts cannot be written as UTF-8 JSON (what every reader gets).

    Only what was decoded from JSON, and numbers, can fail: JSON text may spell a lone surrogate
    ("\\ud800") or NaN, while a text column is decoded from UTF-8 by the driver, which refuses
    invalid bytes (surrogates included) before a record is made.
    """
    if isinstance(record, MemoryItem):
        parts: list[Any] = [record.tags, record.keywords, record.links, record.source_episode_ids]
        parts += [record.strength, record.metadata]
    elif isinstance(record, Episode):
        parts = [record.metadata]
    else:
        parts = [record.tags]
    if all(_plain(part) for part in parts):
        return
    if _depth(getattr(record, "metadata", None)) > READ_DEPTH:
        raise ValueError(f"metadata is nested more than {READ_DEPTH} levels deep")
    json.dumps(parts, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _plain(part: Any) -> bool:
    """Whether a part certainly renders: ASCII strings, finite numbers, and lists or flat dicts of
    them (nearly every record, checked without encoding it); False means "encode it to know"."""
    kind = type(part)
    if kind is str:
        return part.isascii()  # type: ignore[no-any-return]
    if kind is float:
        return math.isfinite(part)
    if part is None or kind is int or kind is bool:
        return True
    if kind is list:
        return all(type(v) is str and v.isascii() for v in part)
    if kind is dict:
        return all(
            type(k) is str and k.isascii() and (type(v) is str and v.isascii() or v is None or type(v) in (int, bool))
            for k, v in part.items()
        )
    return False


def _depth(value: Any) -> int:
    if isinstance(value, dict) and not any(isinstance(child, dict | list) for child in value.values()):
        return 1  # flat metadata, the usual kind
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > READ_DEPTH:
                break
            pending.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest
