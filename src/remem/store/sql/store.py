"""SQLStore: the Store contract over SQL, written once; remem.store.sql says what an engine adds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from remem.errors import Conflict, NotFound
from remem.store.base import Vector
from remem.store.rows import EPISODE_COLUMNS, MEMORY_COLUMNS, VERSION_COLUMNS, read_one, readable
from remem.store.sql.engine import marks
from remem.store.sql.purge import SQLPurge
from remem.store.sql.queue import SQLQueue
from remem.timeutil import now
from remem.types import Episode, Filters, MemoryItem, Version

REDACTED_REASON = "redacted: the user asked to forget part of it"


class SQLStore(SQLPurge, SQLQueue):
    """Episodes, memories, versions, links, filters, stats and export; the queue and purge come from its bases."""

    # -- embedder binding -------------------------------------------------------------------
    def embedder_binding(self) -> tuple[str, int] | None:
        rows = dict(self._q(f"SELECT key, value FROM {self.meta_table} WHERE key IN ('embedder', 'dim')"))
        return (rows["embedder"], int(rows["dim"])) if "embedder" in rows else None

    def bind_embedder(self, name: str, dim: int) -> None:
        with self.transaction():
            self._lock_binding()
            bound = self.embedder_binding()
            if bound is None:
                self._x(
                    f"INSERT INTO {self.meta_table} (key, value) VALUES ('embedder', %s), ('dim', %s)", (name, str(dim))
                )
                self._index_vectors(dim)
            elif bound != (name, dim):
                raise Conflict(
                    f"this store was built with embedder {bound[0]} ({bound[1]} dims), not {name} "
                    f"({dim} dims); open it with the same embedder or re-embed into a new store"
                )
        self._dim = dim

    # -- episodes ---------------------------------------------------------------------------
    def insert_episodes(self, episodes: Sequence[Episode]) -> None:
        with self.transaction():
            self._many(
                f"INSERT INTO episodes ({EPISODE_COLUMNS}) VALUES ({marks(10)})",
                [self.rows.episode_row(e) for e in episodes],
            )

    def get_episodes(self, space: str, ids: Sequence[str]) -> list[Episode]:
        return self._by_ids("episode", self.rows.episode, f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE", space, ids)

    def list_episodes(self, space: str, session: str | None = None, limit: int = 100, offset: int = 0) -> list[Episode]:
        where, params = "space = %s", [space]
        if session is not None:
            where += " AND session = %s"
            params.append(session)
        rows = self._q(
            f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE {where} "
            f"ORDER BY event_time, {self.order_column} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return readable(rows, self.rows.episode, "episode")

    def last_episodes(self, space: str, session: str, limit: int) -> list[Episode]:
        # Read backwards on the (space, session, event_time) index: a long session costs no more than a short one.
        rows = self._q(
            f"SELECT {EPISODE_COLUMNS} FROM episodes WHERE space = %s AND session = %s "
            f"ORDER BY event_time DESC, {self.order_column} DESC LIMIT %s",
            [space, session, limit],
        )
        return readable(reversed(rows), self.rows.episode, "episode")

    def adjacent_turns(
        self, space: str, ids: Sequence[str], filters: Filters
    ) -> dict[str, tuple[str | None, str | None]]:
        """For each turn memory among ids, the turn memories said just before and just after it in its
        session (by event time, then arrival), where they pass `filters`; ids with neither are left out,
        and so are turns added without a session (remem cannot tell a conversation from separate notes)."""
        beside = self._episodes_beside(space, self._turn_episodes(space, ids))
        turns = self._turns_of(space, [episode for _, _, episode in beside], filters)
        out: dict[str, tuple[str | None, str | None]] = {}
        for memory_id, side, episode in beside:
            if episode in turns:
                previous, following = out.get(memory_id, (None, None))
                out[memory_id] = (turns[episode], following) if side == "<" else (previous, turns[episode])
        return out

    def _turn_episodes(self, space: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """(memory id, session, event time, arrival) of the episode each turn memory among ids came from."""
        by_id = self.id_space.replace("space", "m.space")  # every lookup here is by unique id, never a scan
        said: dict[str, tuple[Any, ...]] = {}  # episode id -> its seed
        for chunk in self._chunks(ids):
            clause, params = self._in("m.id", chunk)
            rows = self._q(
                f"SELECT e.id, m.id, e.session, e.event_time, e.{self.order_column} FROM memories m "
                "JOIN memory_episodes me ON me.space = m.space AND me.memory_id = m.id "
                "JOIN episodes e ON e.space = me.space AND e.id = me.episode_id "
                f"WHERE {by_id} = %s AND m.kind = 'turn' AND {clause}",
                [space, *params],
            )
            said.update((episode, tuple(seed)) for episode, *seed in rows)
        return list(said.values())

    def _episodes_beside(self, space: str, seeds: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """(memory id, '<' or '>', episode id): the episode just before and just after each seed's in its
        session, by event time and then arrival. Each is two index seeks, one statement for all: the
        nearest arrival at the same moment (a chat added in one call shares one), else the nearest
        moment; a row-value comparison would walk every turn told at that moment instead."""
        order, parts, params = self.order_column, list[str](), list[Any]()
        for memory_id, session, at, arrival in seeds:
            if session is None:  # turns added without a session may be separate notes, not a conversation
                continue
            where = "space = %s AND session = %s"
            scope = [space, session]
            for side, direction in (("<", "DESC"), (">", "ASC")):
                parts.append(
                    f"SELECT CAST(%s AS TEXT), '{side}', COALESCE("
                    f"(SELECT id FROM episodes WHERE {where} AND event_time = %s AND {order} {side} %s "
                    f"ORDER BY {order} {direction} LIMIT 1), "
                    f"(SELECT id FROM episodes WHERE {where} AND event_time {side} %s "
                    f"ORDER BY event_time {direction}, {order} {direction} LIMIT 1))"
                )
                params += [memory_id, *scope, at, arrival, *scope, at]
        rows = self._q(" UNION ALL ".join(parts), params) if parts else []
        return [row for row in rows if row[2] is not None]

    def _turns_of(self, space: str, episodes: Sequence[str], filters: Filters) -> dict[str, str]:
        """{episode id: its turn memory} for the episodes whose turn memory passes `filters`."""
        where, filter_params = self._filter_sql(space, filters, among_ids=True)
        turns: dict[str, str] = {}
        for chunk in self._chunks(episodes):
            clause, params = self._in("me.episode_id", chunk)
            sql = (
                "SELECT me.episode_id, m.id FROM memory_episodes me "
                "JOIN memories m ON m.id = me.memory_id "  # in the space by `where`, which says it as a lookup by id
                f"WHERE me.space = %s AND {clause} AND {where} AND m.kind = 'turn'"
            )
            turns.update(self._q(sql, [space, *params, *filter_params]))
        return turns

    # -- memories ---------------------------------------------------------------------------
    def insert_memory(self, item: MemoryItem, vector: Vector, version: Version) -> None:
        with self.transaction():
            self._insert_memory_row(item, vector)
            self._link_sources(item)
            self._insert_version(item.space, version)
        self._changed(item.space)

    def update_memory(
        self, item: MemoryItem, vector: Vector | None, version: Version, *, after: int | None = None
    ) -> None:
        with self.transaction():
            stored = self._update_memory_row(item, vector, after)
            if after is not None and stored != after:
                raise Conflict(f"memory {item.id} changed while this change was made (version {stored}, not {after})")
            self._link_sources(item)
            self._insert_version(item.space, version)
        self._changed(item.space)

    def _link_sources(self, item: MemoryItem) -> None:
        self._many(
            "INSERT INTO memory_episodes (space, memory_id, episode_id) VALUES (%s,%s,%s) ON CONFLICT DO NOTHING",
            [(item.space, item.id, e) for e in item.source_episode_ids],
        )

    def _insert_version(self, space: str, version: Version) -> None:
        self._x(
            f"INSERT INTO memory_versions (space, {VERSION_COLUMNS}) VALUES ({marks(13)})",
            self.rows.version_row(space, version),
        )

    def append_version(self, space: str, version: Version) -> None:
        with self.transaction():
            self.get_memory(space, version.memory_id)
            self._insert_version(space, version)

    def redact(self, space: str, episodes: Mapping[str, str], memories: Mapping[str, str]) -> None:
        """Rewrite episodes' content and every version of memories to redacted text, leaving no copy
        of the words that were there."""
        with self.transaction():
            self._many(
                "UPDATE episodes SET content = %s WHERE space = %s AND id = %s",
                [(content, space, i) for i, content in episodes.items()],
            )
            self._many(
                f"UPDATE memory_versions SET text = %s, reason = '{REDACTED_REASON}' "
                "WHERE space = %s AND memory_id = %s",
                [(text, space, i) for i, text in memories.items()],
            )
            self._record_scrub(space)
        self._changed(space)
        self._scrub_soon()

    def get_memory(self, space: str, memory_id: str) -> MemoryItem:
        rows = self._q(f"SELECT {MEMORY_COLUMNS} FROM memories WHERE space = %s AND id = %s", (space, memory_id))
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        item = read_one(rows[0], self.rows.memory, "memory")
        if item is None:
            raise NotFound(f"memory {memory_id!r} in space {space!r} cannot be read (see the log); forget it")
        return item

    def get_memories(self, space: str, ids: Sequence[str]) -> list[MemoryItem]:
        return self._by_ids("memory", self.rows.memory, f"SELECT {MEMORY_COLUMNS} FROM memories WHERE", space, ids)

    def list_memories(self, space: str, filters: Filters, limit: int = 100, offset: int = 0) -> list[MemoryItem]:
        where, params = self._filter_sql(space, filters)
        rows = self._q(
            f"SELECT {MEMORY_COLUMNS} FROM memories m WHERE {where} "
            f"ORDER BY created_at DESC, {self.order_column} DESC LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return readable(rows, self.rows.memory, "memory")

    def memories_from(self, space: str, episode_ids: Sequence[str], filters: Filters) -> list[MemoryItem]:
        ids = self._select_among(
            "SELECT DISTINCT memory_id FROM memory_episodes WHERE space = %s", space, "episode_id", episode_ids
        )
        # Found by id, not through an index of the space's kinds or sessions (on SQLite: every turn of it).
        where, params = self._filter_sql(space, filters, among_ids=True)
        rows: list[tuple[Any, ...]] = []
        for chunk in self._chunks(ids):
            clause, values = self._in("m.id", chunk)
            rows += self._q(
                f"SELECT {MEMORY_COLUMNS}, m.created_at, m.{self.order_column} FROM memories m "
                f"WHERE {where} AND {clause}",
                [*params, *values],
            )
        rows.sort(key=lambda row: (row[-2], row[-1]), reverse=True)  # list_memories' order
        return readable((row[:-2] for row in rows), self.rows.memory, "memory")

    def count_memories(self, space: str, filters: Filters) -> int:
        where, params = self._filter_sql(space, filters)
        return int(self._q(f"SELECT count(*) FROM memories m WHERE {where}", params)[0][0])

    def history(self, space: str, memory_id: str) -> list[Version]:
        rows = self._q(
            f"SELECT {VERSION_COLUMNS} FROM memory_versions WHERE space = %s AND memory_id = %s ORDER BY seq",
            (space, memory_id),
        )
        if not rows:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")
        return readable(rows, self.rows.version, "version")

    def set_links(self, space: str, memory_id: str, links: Sequence[str]) -> None:
        with self._write():
            changed = self._x(
                "UPDATE memories SET links = %s WHERE space = %s AND id = %s",
                (self.rows.json_out(list(links)), space, memory_id),
            )
        if not changed:
            raise NotFound(f"memory {memory_id!r} not found in space {space!r}")

    def touch(self, space: str, ids: Sequence[str], boost: float, at: datetime) -> None:
        with self.transaction():
            for chunk in self._chunks(ids):
                clause, params = self._in("id", chunk)
                self._x(
                    "UPDATE memories SET strength = CASE WHEN strength + %s < 10.0 THEN strength + %s ELSE 10.0 END, "
                    f"accessed_at = %s WHERE space = %s AND {clause}",
                    [boost, boost, self.rows.time_out(at), space, *params],
                )

    def _filter_sql(self, space: str, f: Filters, *, among_ids: bool = False) -> tuple[str, list[Any]]:
        """WHERE clause over alias m for a space and its filters; parameters only, never user SQL.
        `among_ids`: the caller also names the ids, and the planner should look them up one by one."""
        column = self.id_space.replace("space", "m.space") if among_ids else "m.space"  # SQLite: "+m.space"
        clauses, params = [f"{column} = %s"], list[Any]([space])
        if f.session is not None:
            clauses.append("m.session = %s")
            params.append(f.session)
        if f.kinds:
            clause, values = self._in("m.kind", list(f.kinds))
            clauses.append(clause)
            params.extend(values)
        for tag in f.tags or ():
            clauses.append(self._tag_clause())
            params.append(tag)
        time = self.rows.time_out
        if f.since is not None:
            clauses.append("coalesce(m.valid_from, m.created_at) >= %s")
            params.append(time(f.since))
        if f.until is not None:
            clauses.append("coalesce(m.valid_from, m.created_at) < %s")
            params.append(time(f.until))
        if f.as_of is not None:
            clauses.append("(m.valid_from IS NULL OR m.valid_from <= %s) AND (m.valid_to IS NULL OR m.valid_to > %s)")
            params.extend([time(f.as_of), time(f.as_of)])
        elif not f.include_expired:
            clauses.append("(m.valid_to IS NULL OR m.valid_to > %s)")
            params.append(time(now()))
        return " AND ".join(clauses), params

    # -- inventory --------------------------------------------------------------------------
    def spaces(self) -> list[str]:
        return [r[0] for r in self._q("SELECT space FROM episodes UNION SELECT space FROM memories ORDER BY 1")]

    def space_counts(self) -> dict[str, dict[str, int]]:
        """Per space: episodes, memories (current ones apart) and extraction jobs pending or failed."""
        counts: dict[str, dict[str, int]] = {}

        def fill(field: str, sql: str, params: Sequence[Any] = ()) -> None:
            for space, n in self._q(sql, params):
                row = counts.setdefault(
                    space, {"episodes": 0, "memories": 0, "current_memories": 0, "pending_jobs": 0, "failed_jobs": 0}
                )
                row[field] = int(n)

        fill("episodes", "SELECT space, count(*) FROM episodes GROUP BY space")
        fill("memories", "SELECT space, count(*) FROM memories GROUP BY space")
        fill(
            "current_memories",
            "SELECT space, count(*) FROM memories WHERE valid_to IS NULL OR valid_to > %s GROUP BY space",
            [self.rows.time_out(now())],
        )
        fill("pending_jobs", "SELECT space, count(*) FROM jobs WHERE state IN ('pending', 'running') GROUP BY space")
        fill("failed_jobs", "SELECT space, count(*) FROM jobs WHERE state = 'failed' GROUP BY space")
        return counts

    def stats(self, space: str | None = None) -> dict[str, Any]:
        where, params = ("WHERE space = %s", [space]) if space is not None else ("", [])

        def count(table: str) -> int:
            return int(self._q(f"SELECT count(*) FROM {table} {where}", params)[0][0])

        binding = self.embedder_binding()
        return {
            "backend": self.backend,
            **self._stats_location(),
            "spaces": len(self.spaces()) if space is None else 1,
            "episodes": count("episodes"),
            "memories": count("memories"),
            "versions": count("memory_versions"),
            "kinds": dict(self._q(f"SELECT kind, count(*) FROM memories {where} GROUP BY kind", params)),
            "jobs": dict(self._q(f"SELECT state, count(*) FROM jobs {where} GROUP BY state", params)),
            "embedder": binding[0] if binding else None,
            "dim": binding[1] if binding else None,
            "bytes": self._size_bytes(),
        }

    def iter_space(self, space: str) -> Iterator[dict[str, Any]]:
        """Every episode, then every memory with its versions, oldest first, a page at a time."""
        order = self.order_column
        after = 0
        while rows := self._q(
            f"SELECT {order}, {EPISODE_COLUMNS} FROM episodes WHERE space = %s AND {order} > %s "
            f"ORDER BY {order} LIMIT %s",
            (space, after, self.list_size),
        ):
            for row in rows:
                if (episode := read_one(row[1:], self.rows.episode, "episode")) is not None:
                    yield {"type": "episode", **episode.to_dict()}
            after = rows[-1][0]
        after = 0
        while rows := self._q(
            f"SELECT {order}, {MEMORY_COLUMNS} FROM memories WHERE space = %s AND {order} > %s "
            f"ORDER BY {order} LIMIT %s",
            (space, after, self.list_size),
        ):
            # One query for the page's versions, not one per memory.
            clause, params = self._in("memory_id", [r[1] for r in rows])
            versions: dict[str, list[dict[str, Any]]] = {}
            for version_row in self._q(
                f"SELECT {VERSION_COLUMNS} FROM memory_versions WHERE space = %s AND {clause} ORDER BY seq",
                [space, *params],
            ):
                if (version := read_one(version_row, self.rows.version, "version")) is not None:
                    versions.setdefault(version_row[0], []).append(version.to_dict())
            for row in rows:
                if (item := read_one(row[1:], self.rows.memory, "memory")) is not None:
                    yield {"type": "memory", **item.to_dict(), "versions": versions.get(item.id, [])}
            after = rows[-1][0]
