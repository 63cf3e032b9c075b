"""Rows a store cannot turn back into records are logged and skipped, so one bad row never breaks a space.

Every write is validated first (remem.validate), so such rows come only from older versions or from
outside hands: a lone surrogate inside JSON, a date SQLite's text form cannot parse back, metadata
nested too deep to decode. A read that meets one answers with the rest, never with an error.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from remem.types import Episode, MemoryItem, Version

log = logging.getLogger("remem.store")
Record = TypeVar("Record", Episode, MemoryItem, Version)
READ_DEPTH = 200  # deeper metadata could not be rendered as JSON within Python's recursion limit


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
    """Raise if the record's free-form parts cannot be written as UTF-8 JSON (what every reader gets)."""
    if isinstance(record, MemoryItem):
        parts: list[Any] = [record.text, record.session, record.tags, record.keywords, record.links]
        parts += [record.source_episode_ids, record.strength, record.metadata]
    elif isinstance(record, Episode):
        parts = [record.content, record.session, record.name, record.source, record.metadata]
    else:
        parts = [record.text, record.tags, record.reason, record.actor]
    if _depth(getattr(record, "metadata", None)) > READ_DEPTH:
        raise ValueError(f"metadata is nested more than {READ_DEPTH} levels deep")
    json.dumps(parts, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _depth(value: Any) -> int:
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > READ_DEPTH:
                break
            pending.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest
