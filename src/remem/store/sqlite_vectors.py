"""The SQLite store's dense side: its vectors, the in-memory index that follows the file, and dense search.

The vectors live in the memory_vectors table; each process holds a SpaceMatrix per space
(remem.store.vector_index) and brings it up to date before a search: a new generation (a log
grown too long, a purge of everything) reloads it, rows in vector_log since its last look are
dropped and read again, and rows past the highest rowid it holds are appended.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from remem.store.base import Vector
from remem.store.sql.engine import SQLEngine
from remem.store.vector_index import TRAIN_ROWS, Allowed, SpaceMatrix, from_blobs
from remem.types import Filters

VECTOR_LOG_LIMIT = 50_000  # past this many changed rows a space's log is cleared and every process reloads


class SQLiteVectors(SQLEngine):
    """Dense search and the vector index for SQLiteStore; the index follows the file through vector_log."""

    _matrices: dict[str, SpaceMatrix]
    _matrices_lock: threading.Lock

    if TYPE_CHECKING:  # SQLiteStore's and SQLStore's, beside this class in SQLiteStore's bases
        _filter_sql: Callable[..., tuple[str, list[Any]]]  # (space, filters) -> WHERE over alias m, its parameters

        def embedder_binding(self) -> tuple[str, int] | None: ...
        def _conn(self) -> sqlite3.Connection: ...

    def get_vectors(self, space: str, ids: Sequence[str]) -> dict[str, Vector]:
        out: dict[str, Vector] = {}
        for chunk in self._chunks(ids):
            clause, params = self._in("m.id", chunk)
            for memory_id, blob in self._q(
                "SELECT m.id, v.vector FROM memories m JOIN memory_vectors v ON v.rowid = m.rowid "
                f"WHERE +m.space = ? AND {clause}",
                [space, *params],
            ):
                out[memory_id] = np.frombuffer(blob, dtype=np.float32).copy()
        return out

    def dense_search(self, space: str, vector: Vector, filters: Filters, k: int) -> list[tuple[str, float]]:
        matrix = self._matrix(space)
        # The rows the filters' lookups pass, with their ids and (to be rescored) vectors, read once.
        read: dict[int, tuple[str, bytes | None]] = {}
        with matrix.lock:
            kept = matrix.top(
                vector,
                k,
                lambda rowids: self._vectors_of(rowids, matrix.dim, read),
                Allowed(
                    lambda rowids: self._allowed_rowids(space, rowids, filters, read, matrix.projected),
                    lambda: self._matching_rowids(space, filters),
                    lambda: self._at_most(space, filters),
                ),
            )
        ids = {rowid: read[rowid][0] for rowid, _ in kept if rowid in read}
        ids.update(self._rowid_to_id([rowid for rowid, _ in kept if rowid not in ids]))
        return [(ids[r], s) for r, s in kept if r in ids]

    def _allowed_rowids(
        self,
        space: str,
        rowids: list[int],
        filters: Filters,
        read: dict[int, tuple[str, bytes | None]],
        vectors: bool,
    ) -> set[int]:
        """The rowids among these that pass the filters; `read` gets each one's id, and its vector if `vectors`."""
        where, params = self._filter_sql(space, filters)
        vector = "v.vector" if vectors else "NULL"
        join = "LEFT JOIN memory_vectors v ON v.rowid = m.rowid " if vectors else ""
        allowed: set[int] = set()
        for chunk in self._chunks(rowids):
            clause, values = self._in("m.rowid", chunk)
            # NOT INDEXED: with many ids the planner otherwise scans the space's index.
            sql = f"SELECT m.rowid, m.id, {vector} FROM memories m NOT INDEXED {join}WHERE {clause} AND {where}"
            for rowid, memory_id, blob in self._q(sql, [*values, *params]):
                allowed.add(rowid)
                read[rowid] = (memory_id, blob)
        return allowed

    def _matching_rowids(self, space: str, filters: Filters) -> np.ndarray:
        where, params = self._filter_sql(space, filters)
        return np.array([r[0] for r in self._q(f"SELECT m.rowid FROM memories m WHERE {where}", params)], np.int64)

    def _at_most(self, space: str, filters: Filters) -> int | None:
        """How many rows can pass the filters, counted on an index (kinds, or else session); None without either."""
        if filters.kinds:
            clause, values = self._in("kind", list(filters.kinds))
            return int(self._q(f"SELECT count(*) FROM memories WHERE space = ? AND {clause}", [space, *values])[0][0])
        if filters.session is not None:
            count = self._q("SELECT count(*) FROM memories WHERE space = ? AND session = ?", (space, filters.session))
            return int(count[0][0])
        return None

    def _rowid_to_id(self, rowids: list[int]) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for chunk in self._chunks(rowids):
            clause, params = self._in("rowid", chunk)
            out.extend(self._q(f"SELECT rowid, id FROM memories NOT INDEXED WHERE {clause}", params))
        return out

    def _matrix(self, space: str) -> SpaceMatrix:
        """The space's vectors, brought up to date with the file (other processes write too)."""
        with self._matrices_lock:
            matrix = self._matrices.setdefault(space, SpaceMatrix())
        with matrix.lock:
            row = self._q("SELECT generation FROM space_state WHERE space = ?", (space,))
            generation = row[0][0] if row else 0
            seq = int(self._q("SELECT coalesce(max(seq), 0) FROM vector_log WHERE space = ?", (space,))[0][0])
            dim = self._bound_dim()
            if generation != matrix.generation:
                matrix.reset(generation, seq, dim)
                count = int(self._q("SELECT count(*) FROM memory_vectors WHERE space = ?", (space,))[0][0])
                sample = np.zeros((0, dim), dtype=np.float32)
                if count > matrix.exact_rows:  # the projection's sample: every step-th row, read before the rest
                    step = max(1, count // TRAIN_ROWS)
                    rows = self._q("SELECT vector FROM memory_vectors WHERE space = ? AND rowid % ? = 0", (space, step))
                    sample = from_blobs([r[0] for r in rows], dim)
                matrix.load(self._vectors_after(space, 0, dim), count, sample)
                return matrix
            if seq > matrix.log_seq:  # changed or gone since: drop them, and take back those still there
                rows = self._q(
                    "SELECT DISTINCT row FROM vector_log WHERE space = ? AND seq > ? AND seq <= ?",
                    (space, matrix.log_seq, seq),
                )
                changed = np.array([r[0] for r in rows], dtype=np.int64)
                held_up_to = matrix.max_rowid
                matrix.remove(changed)
                if len(changed) and int(changed.max()) >= held_up_to:
                    # The newest rows went: SQLite gives their rowids to the next rows inserted, which
                    # the look past max_rowid below would skip. It looks past the newest row still held.
                    matrix.max_rowid = matrix.newest_held()
                matrix.add(*self._vectors_of(changed[changed <= held_up_to], dim))
                matrix.log_seq = seq
            for rowids, vectors in self._vectors_after(space, matrix.max_rowid, dim):
                matrix.add(rowids, vectors)
        return matrix

    def _forget_uncommitted_vectors(self) -> None:
        """After a rollback: an index that took in rows the rolled-back writes added or changed is read
        again at its next search. Those rowids go to the next rows inserted, which it would never take in."""
        with self._matrices_lock:
            matrices = list(self._matrices.items())
        for space, matrix in matrices:
            with matrix.lock:
                top = self._q("SELECT coalesce(max(rowid), 0) FROM memory_vectors WHERE space = ?", (space,))[0][0]
                seq = self._q("SELECT coalesce(max(seq), 0) FROM vector_log WHERE space = ?", (space,))[0][0]
                if matrix.max_rowid > int(top) or matrix.log_seq > int(seq):
                    matrix.generation = -1

    def _vectors_after(
        self, space: str, rowid: int, dim: int, chunk: int = 20_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The space's vectors past `rowid`, in rowid order, a chunk at a time (memory stays bounded)."""
        while True:
            rows = self._q(
                "SELECT rowid, vector FROM memory_vectors WHERE space = ? AND rowid > ? ORDER BY rowid LIMIT ?",
                (space, rowid, chunk),
            )
            if not rows:
                return
            rowid = rows[-1][0]
            yield np.array([r[0] for r in rows], dtype=np.int64), from_blobs([r[1] for r in rows], dim)

    def _vectors_of(
        self, rowids: np.ndarray, dim: int, read: dict[int, tuple[str, bytes | None]] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The vectors these rows hold now (rows gone are left out), in the order asked; those in `read`
        (read by this search a moment ago) are not read again."""
        found: dict[int, bytes] = {}
        if read:
            found.update((r, blob) for r in map(int, rowids) if (blob := read.get(r, ("", None))[1]) is not None)
        for chunk in self._chunks([int(r) for r in rowids if int(r) not in found]):
            clause, params = self._in("rowid", chunk)
            found.update(self._q(f"SELECT rowid, vector FROM memory_vectors WHERE {clause}", params))
        held = [int(r) for r in rowids if int(r) in found]
        return np.array(held, dtype=np.int64), from_blobs([found[r] for r in held], dim)

    def _log_vectors(self, space: str, select: str, params: Sequence[Any]) -> None:
        """Record rows whose vector changes or goes; a log grown too long is cleared and every process reloads."""
        cur = self._conn().execute(f"INSERT INTO vector_log (space, row) {select}", params)
        if cur.lastrowid is not None and cur.lastrowid % 1024 < max(cur.rowcount, 1):
            held = self._q("SELECT count(*) FROM vector_log WHERE space = ?", (space,))[0][0]
            if held > VECTOR_LOG_LIMIT:
                self._x("DELETE FROM vector_log WHERE space = ?", (space,))
                self._bump_generation(space)

    def _bound_dim(self) -> int:
        dim = self._dim
        if dim is None:
            bound = self.embedder_binding()
            dim = bound[1] if bound else 0
        return int(dim)

    def _bump_generation(self, space: str) -> None:
        self._conn().execute(
            "INSERT INTO space_state (space, generation) VALUES (?, 1) "
            "ON CONFLICT (space) DO UPDATE SET generation = generation + 1",
            (space,),
        )
