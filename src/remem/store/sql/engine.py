"""What an SQL engine supplies to the shared store (its hooks and settings), and the helpers built on them.

SQL in remem.store.sql is written with `%s` placeholders, psycopg's; SQLite's `_q`, `_x` and `_many`
turn them into its `?`. (Not the other way round: `?` is a jsonb operator in PostgreSQL's own queries.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from remem.store.base import Vector
from remem.store.rows import Codec, Record, read_one
from remem.types import MemoryItem


class SQLEngine:
    """The hooks and settings an engine gives; every method here but the helpers is the engine's to write."""

    url: str
    backend: ClassVar[str]  # "sqlite" | "postgres", as stats reports it
    meta_table: ClassVar[str]  # where the embedder binding is kept
    order_column: ClassVar[str]  # the column that orders rows as they were inserted
    id_space: ClassVar[str] = "space"  # how a lookup by ids names the space column (a planner hint on SQLite)
    list_size: ClassVar[int]  # the most values one statement binds as a list
    job_key: ClassVar[str] = "space, id"  # the columns of the jobs table's primary key
    claim_lock: ClassVar[str] = ""  # appended to the claim's inner SELECT
    rows: ClassVar[Codec]
    _dim: int | None

    # -- hooks ------------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[None]:
        """Where a write of one statement runs: a transaction, unless the engine runs such a statement alone."""
        return self.transaction()

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; its rows (none for a statement that returns none)."""
        raise NotImplementedError

    def _x(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        raise NotImplementedError

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement once for each row of parameters."""
        raise NotImplementedError

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """A clause true when `column` is among values (at most list_size of them), and its parameters."""
        raise NotImplementedError

    def _tag_clause(self) -> str:
        """A clause true when memory m holds the tag given as its one parameter."""
        raise NotImplementedError

    def _insert_memory_row(self, item: MemoryItem, vector: Vector) -> None:
        raise NotImplementedError

    def _update_memory_row(self, item: MemoryItem, vector: Vector | None, after: int | None = None) -> int:
        """Write the row's new state (the vector too, when given) and answer the version it held; NotFound
        when it is not in its space. With `after` and another version held, write nothing."""
        raise NotImplementedError

    def _delete_memory_rows(self, space: str, ids: Sequence[str]) -> None:
        """Delete these memories' rows and what the engine keeps beside them (vectors, token counts)."""
        raise NotImplementedError

    def _purged(self, space: str) -> None:
        """Inside a purge's transaction, after its deletes."""

    def _changed(self, space: str) -> None:
        """After a write has committed: forget what was cached about the space."""

    def _record_scrub(self, space: str) -> None:
        """Inside the transaction that forgets words: note that a scrub is owed, so a crash cannot lose it."""

    def _scrub_soon(self) -> None:
        """After words were forgotten: leave no copy of them behind in the engine's files."""

    def pending_scrubs(self) -> list[dict[str, Any]]:
        """Scrubs owed after a forgetting and not yet finished (space, recorded_at, attempts, last_error)."""
        return []

    def finish_scrubs(self) -> int:
        """Run the scrubs owed, if any; the number still owed. An engine with nothing to scrub owes none."""
        return 0

    def _stats_location(self) -> dict[str, Any]:
        return {}

    def _size_bytes(self) -> int:
        raise NotImplementedError

    def _lock_binding(self) -> None:
        """Serialise first bindings of the embedder, inside the binding's transaction."""

    def _index_vectors(self, dim: int) -> None:
        """Prepare the vector index once the dimension is known."""

    # -- helpers ----------------------------------------------------------------------------
    def _chunks(self, items: Sequence[Any]) -> Iterator[list[Any]]:
        """Distinct items, in order, list_size at a time."""
        distinct = list(dict.fromkeys(items))
        for start in range(0, len(distinct), self.list_size):
            yield distinct[start : start + self.list_size]

    def _select_among(self, sql: str, space: str, column: str, values: Sequence[str]) -> list[Any]:
        """The first column of what `sql` (ending in `WHERE space = %s`) selects where `column` is among values."""
        found: list[str] = []
        for chunk in self._chunks(values):
            clause, params = self._in(column, chunk)
            found += [r[0] for r in self._q(f"{sql} AND {clause}", [space, *params])]
        return found

    def _by_ids(
        self, what: str, convert: Callable[[Sequence[Any]], Record], sql: str, space: str, ids: Sequence[str]
    ) -> list[Record]:
        """The records of this space among ids, in the order given; unknown and unreadable ones are skipped.

        `sql` selects the record's columns and ends in WHERE; the space and the ids are added here.
        """
        found: dict[str, Record] = {}
        for chunk in self._chunks(ids):
            where: tuple[str, list[Any]] = self._in("id", chunk)
            for row in self._q(f"{sql} {self.id_space} = %s AND {where[0]}", [space, *where[1]]):
                if (record := read_one(row, convert, what)) is not None:
                    found[row[0]] = record
        return [found[i] for i in ids if i in found]


def marks(count: int) -> str:
    """count placeholders, comma-separated."""
    return ",".join(["%s"] * count)
