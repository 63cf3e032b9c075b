"""Import of records written by Memory.export: episodes and memories with their full history.

Every record is checked as add and update check their input (text, names, kinds, dates, metadata),
before anything is written; then all records go in one transaction, or none do.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np

from remem import validate
from remem.embed.base import Embedder
from remem.errors import Conflict, InvalidInput
from remem.ids import new_id
from remem.settings import Settings
from remem.store.base import Store
from remem.timeutil import parse_time
from remem.types import KINDS, Episode, MemoryItem, Version
from remem.write.extract import index_text

OPERATIONS = ("ADD", "UPDATE", "DELETE", "NOOP", "PURGE", "RESTORE")
MAX_VERSION = 2**31 - 1  # PostgreSQL's integer
MAX_REFERENCES = 10_000  # source episodes, links or keywords of one memory; versions of one memory


def read_lines(data: str | bytes, what: str = "the import") -> list[Any]:
    """The values of JSON lines as `export` writes them; a line that cannot be read is an InvalidInput
    naming it. Only "\n" ends a line: export writes U+2028, U+0085 and the like raw inside strings,
    where str.splitlines() would cut a record in two."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{what} cannot be read: {validate.json_problem(exc)}") from None
    return [
        validate.json_value(line, f"line {n} of {what}")
        for n, line in enumerate(data.split("\n"), start=1)
        if line.strip()
    ]


def import_records(
    records: Iterable[Mapping[str, Any]],
    *,
    store: Store,
    embedder: Embedder,
    settings: Settings,
    space: str | None = None,
) -> dict[str, int]:
    """Insert exported records in one transaction; existing ids are refused, nothing half-done.

    Memories are embedded by `embedder` (the store's own model); texts are held to `settings`' limits.

    An id this space already holds is a Conflict. An id another space holds (SQLite keeps ids unique
    per file) is given a fresh one, references included, so the answer is the same whatever other
    spaces hold.
    """
    episodes: list[Episode] = []
    memories: list[tuple[MemoryItem, list[Version]]] = []
    first_seen: dict[str, int] = {}
    for n, record in enumerate(records, start=1):
        if not isinstance(record, Mapping) or record.get("type") not in ("episode", "memory"):
            raise InvalidInput(f"record {n} is not an exported episode or memory")
        target = validate.space_name(space or record.get("space"))
        try:
            if record["type"] == "episode":
                episode = _episode(record, target, settings)
                record_id = episode.id
                episodes.append(episode)
            else:
                item = _memory(record, target, settings)
                record_id = item.id
                memories.append((item, _versions(record.get("versions"), item, settings)))
        except InvalidInput as exc:
            raise InvalidInput(f"record {n}: {exc}; nothing was imported") from None
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise InvalidInput(f"record {n} is malformed ({type(exc).__name__}: {exc}); nothing was imported") from None
        if record_id in first_seen:
            raise InvalidInput(
                f"record {n} has the id {record_id!r} of record {first_seen[record_id]}; ids must be unique "
                "within an import; nothing was imported"
            )
        first_seen[record_id] = n
    texts = [index_text(m.text, m.kind, m.valid_from, m.metadata) for m, _ in memories]
    vectors = embedder.embed(texts) if memories else np.zeros((0, 0))
    with store.transaction():
        for e in episodes:
            if store.get_episodes(e.space, [e.id]):
                raise Conflict(f"episode {e.id} already exists in space {e.space!r}; nothing was imported")
        for item, _ in memories:
            if store.get_memories(item.space, [item.id]):
                raise Conflict(f"memory {item.id} already exists in space {item.space!r}; nothing was imported")
        episodes, memories = _rename_held_elsewhere(store, episodes, memories)
        store.insert_episodes(episodes)
        for (item, versions), vector in zip(memories, vectors, strict=True):
            versions = versions or [_current_as_version(item)]
            store.insert_memory(item, vector, versions[0])
            for version in versions[1:]:
                store.append_version(item.space, version)
    return {"episodes": len(episodes), "memories": len(memories)}


def _rename_held_elsewhere(
    store: Store, episodes: list[Episode], memories: list[tuple[MemoryItem, list[Version]]]
) -> tuple[list[Episode], list[tuple[MemoryItem, list[Version]]]]:
    """Fresh ids for the records whose ids another space holds, and every reference to them rewritten."""
    renamed: dict[str, str] = {}
    by_space: dict[str, list[str]] = {}
    prefixes: dict[str, str] = {}
    for space, record_id, prefix in [
        *((e.space, e.id, "ep") for e in episodes),
        *((m.space, m.id, "mem") for m, _ in memories),
    ]:
        by_space.setdefault(space, []).append(record_id)
        prefixes[record_id] = prefix
    for space, space_ids in by_space.items():
        for held in store.ids_held_elsewhere(space, space_ids):
            renamed[held] = new_id(prefixes[held])
    if not renamed:
        return episodes, memories

    def ids(values: list[str]) -> list[str]:
        return [renamed.get(v, v) for v in values]

    episodes = [replace(e, id=renamed.get(e.id, e.id)) for e in episodes]
    memories = [
        (
            replace(
                item,
                id=renamed.get(item.id, item.id),
                source_episode_ids=ids(item.source_episode_ids),
                links=ids(item.links),
            ),
            [
                replace(
                    v,
                    memory_id=renamed.get(v.memory_id, v.memory_id),
                    episode_id=renamed.get(v.episode_id, v.episode_id) if v.episode_id else None,
                )
                for v in versions
            ],
        )
        for item, versions in memories
    ]
    return episodes, memories


def _required(r: Mapping[str, Any], field: str) -> Any:
    if r.get(field) is None:
        raise InvalidInput(f"{field} is missing")
    return r[field]


def _required_time(r: Mapping[str, Any], field: str) -> datetime:
    moment = parse_time(_required(r, field), field)
    assert moment is not None  # _required refused None
    return moment


def _kind(value: Any) -> str:
    if value not in KINDS:
        raise InvalidInput(f"kind {validate.shown(value)} is not one of {', '.join(KINDS)}")
    return str(value)


def _number(value: Any, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{field} must be a finite number, not {validate.shown(value)}")
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low:g} and {high:g}, not {value:g}")
    return float(value)


def _version_number(value: Any, field: str = "version") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSION:
        raise InvalidInput(f"{field} must be an integer between 1 and {MAX_VERSION}, not {validate.shown(value)}")
    return value


def _episode(r: Mapping[str, Any], space: str, settings: Settings | None = None) -> Episode:
    role = r.get("role", "user")
    if role not in validate.ROLES:
        raise InvalidInput(f"role {validate.shown(role)} is not one of {', '.join(validate.ROLES)}")
    return Episode(
        id=validate.identifier(_required(r, "id"), "id"),
        space=space,
        role=str(role),
        content=validate.text(r.get("content"), "content", _max_chars(settings)),
        session=validate.optional_name(r.get("session"), "session"),
        event_time=_required_time(r, "event_time"),
        ingest_time=_required_time(r, "ingest_time"),
        source=validate.optional_name(r.get("source"), "source"),
        name=validate.optional_name(r.get("name"), "name"),
        # An episode keeps the add's shared metadata merged with its message's, each up to the limit.
        metadata=validate.metadata(r.get("metadata"), "metadata", 2 * validate.MAX_METADATA_CHARS),
    )


def _memory(r: Mapping[str, Any], space: str, settings: Settings | None = None) -> MemoryItem:
    def strings(field: str, max_items: int = MAX_REFERENCES) -> list[str]:
        return list(validate.string_list(r.get(field) or [], field, max_items=max_items) or ())

    valid_from, valid_to = parse_time(r.get("valid_from"), "valid_from"), parse_time(r.get("valid_to"), "valid_to")
    return MemoryItem(
        id=validate.identifier(_required(r, "id"), "id"),
        space=space,
        text=validate.text(r.get("text"), "text", _max_memory_chars(settings)),
        kind=_kind(r.get("kind")),
        session=validate.optional_name(r.get("session"), "session"),
        source_episode_ids=strings("source_episode_ids"),
        keywords=strings("keywords"),
        tags=strings("tags"),
        links=strings("links"),
        valid_from=valid_from,
        valid_to=valid_to,
        strength=_number(r.get("strength", 1.0), "strength", 0.0, 1e6),
        version=_version_number(_required(r, "version")),
        created_at=_required_time(r, "created_at"),
        updated_at=_required_time(r, "updated_at"),
        metadata=validate.metadata(r.get("metadata"), "metadata"),
    )


def _versions(value: Any, item: MemoryItem, settings: Settings) -> list[Version]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_REFERENCES:
        raise InvalidInput(f"versions must be a list of at most {MAX_REFERENCES} exported versions")
    return [_version(r, item.id, settings, f"versions[{i}]") for i, r in enumerate(value)]


def _version(r: Any, memory_id: str | None = None, settings: Settings | None = None, field: str = "version") -> Version:
    if not isinstance(r, Mapping):
        raise InvalidInput(f"{field} must be an object")
    # A version names its own memory: one that named another would outlive that memory's purge.
    if memory_id is not None and r.get("memory_id") != memory_id:
        raise InvalidInput(f"{field}.memory_id must be {memory_id!r}, the id of the memory it belongs to")
    operation = r.get("operation")
    if operation not in OPERATIONS:
        raise InvalidInput(f"{field}.operation {validate.shown(operation)} is not one of {', '.join(OPERATIONS)}")
    episode_id = r.get("episode_id")
    return Version(
        memory_id=validate.identifier(r.get("memory_id"), f"{field}.memory_id"),
        version=_version_number(_required(r, "version"), f"{field}.version"),
        operation=str(operation),
        text=validate.text(r.get("text"), f"{field}.text", _max_memory_chars(settings)),
        kind=_kind(r.get("kind")),
        tags=list(validate.string_list(r.get("tags") or [], f"{field}.tags", max_items=MAX_REFERENCES) or ()),
        valid_from=parse_time(r.get("valid_from"), f"{field}.valid_from"),
        valid_to=parse_time(r.get("valid_to"), f"{field}.valid_to"),
        reason=validate.label(r.get("reason", ""), f"{field}.reason", 4 * _max_chars(settings)),
        actor=validate.label(r.get("actor", "import"), f"{field}.actor", validate.MAX_NAME_CHARS),
        episode_id=None if episode_id is None else validate.identifier(episode_id, f"{field}.episode_id"),
        recorded_at=_required_time(r, "recorded_at"),
    )


def _max_chars(settings: Settings | None) -> int:
    """The text limit of the importing store; a copy between stores (settings None) keeps what the source kept."""
    return settings.max_text_chars if settings is not None else 2**31


def _max_memory_chars(settings: Settings | None) -> int:
    """A memory's text may be longer than any text a caller writes: a turn's carries its speaker's
    name ("Ana: ..."), so a turn at the text limit said by a named speaker exports a text past it."""
    return _max_chars(settings) + validate.MAX_NAME_CHARS + len(": ")


def _current_as_version(item: MemoryItem) -> Version:
    from remem.write.pipeline import version_record

    return version_record(item, "ADD", "imported", "import")
