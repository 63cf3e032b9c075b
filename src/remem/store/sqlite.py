"""The embedded store: one SQLite file in WAL mode holding episodes, memories, versions,
the FTS5 index, the vectors and the extraction queue.

The queries and policy both engines share are in remem.store.sql; here is what is SQLite's own:
connections and WAL, FTS5 and its BM25, and scrubbing the file after a forgetting. Its vectors,
their in-memory index and dense search are in remem.store.sqlite_vectors.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from remem.errors import InvalidInput, NotFound, StorageFull
from remem.search.lexical import BM25, EVERYWHERE_MAX_ROWS, everywhere, prune_common, query_phrases
from remem.store.base import Vector
from remem.store.rows import MEMORY_COLUMNS, MEMORY_UPDATE, Codec, json_text_in
from remem.store.sql import SQLStore
from remem.store.sqlite_schema import migrate
from remem.store.sqlite_vectors import SQLiteVectors
from remem.store.vector_index import SpaceMatrix, to_blob
from remem.timeutil import from_iso, now, to_iso
from remem.types import Filters, MemoryItem

log = logging.getLogger("remem")
_BM25 = f"bm25(memories_fts, {BM25.text_weight}, {BM25.keywords_weight})"
SCRUB_WAIT_MS = 200  # how long a scrub waits for readers to leave the WAL before it is left for later
SCRUB_RETRY_SECONDS = 5.0  # how often writes look for scrubs owed (by this process or another)


class SQLiteStore(SQLiteVectors, SQLStore):
    """Store backed by one SQLite file. Safe across threads (a connection each) and processes (WAL)."""

    backend = "sqlite"
    meta_table = "meta"
    order_column = "rowid"
    id_space = "+space"  # "+space": look rows up by their unique id, not by scanning the space's index
    list_size = 500
    job_key = "id"  # ids are unique in the file
    rows = Codec(json_out=json.dumps, json_in=json_text_in, time_out=to_iso, time_in=from_iso)

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path).expanduser()
        if str(path) != ":memory:":
            _prepare_path(self.path)
        self.url = f"sqlite:{self.path}"
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._matrices: dict[str, SpaceMatrix] = {}
        self._matrices_lock = threading.Lock()
        self._closed = False
        self._dim = None
        self._df_cache: dict[str, dict[str, tuple[int, float]]] = {}  # space -> term -> (count, when)
        self._scrubs_checked = 0.0  # when this store last looked for scrubs owed (monotonic)
        try:
            migrate(self._conn())
            self.finish_scrubs()  # one a crash or a busy reader left behind
        except sqlite3.DatabaseError as exc:
            self.close()
            raise InvalidInput(
                f"cannot use {self.path} as a remem database ({exc}): give the path of a remem database, a new "
                "file in a writable folder, or restore this one from a backup"
            ) from None

    # -- connections and transactions -------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise InvalidInput("this store is closed; open it again")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=self._busy_timeout_ms / 1000,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            # Purged text must not linger in free pages of the file.
            conn.execute("PRAGMA secure_delete = ON")
            self._local.conn = conn
            self._local.depth = 0
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        # IMMEDIATE takes the write lock up front, so busy_timeout applies instead of a
        # deadlock-style SQLITE_BUSY when two writers upgrade from read at once.
        conn.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:  # SQLite may have rolled back already (a full disk does)
                conn.execute("ROLLBACK")
            self._local.scrub = False
            with contextlib.suppress(sqlite3.Error):  # the error that rolled it back is the one to raise
                self._forget_uncommitted_vectors()
            if _disk_full(exc):
                raise StorageFull(
                    f"the disk is full (where {self.path} is), so nothing of this write was stored; free some "
                    "space and try again"
                ) from exc
            raise
        else:
            self._local.depth = 0
            if getattr(self._local, "scrub", False) or time.monotonic() - self._scrubs_checked > SCRUB_RETRY_SECONDS:
                self.finish_scrubs()
        finally:
            self._local.depth = 0

    def close(self) -> None:
        if self._closed:
            return
        with self._connections_lock:
            for conn in self._connections:
                with contextlib.suppress(sqlite3.ProgrammingError):  # closed from its own thread already
                    conn.close()
            self._connections.clear()
        self._closed = True

    # -- the hooks of SQLStore ---------------------------------------------------------------
    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn().execute(sql.replace("%s", "?"), params).fetchall()

    def _x(self, sql: str, params: Sequence[Any] = ()) -> int:
        return int(self._conn().execute(sql.replace("%s", "?"), params).rowcount)

    def _many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._conn().executemany(sql.replace("%s", "?"), rows)

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def _tag_clause(self) -> str:
        return "EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = ?)"

    def _insert_memory_row(self, item: MemoryItem, vector: Vector) -> None:
        conn = self._conn()
        cur = conn.execute(
            f"INSERT INTO memories ({MEMORY_COLUMNS}) VALUES ({','.join('?' * 16)})", self.rows.memory_row(item)
        )
        conn.execute(
            "INSERT INTO memory_vectors (rowid, space, vector) VALUES (?,?,?)",
            (cur.lastrowid, item.space, to_blob(vector)),
        )

    def _update_memory_row(self, item: MemoryItem, vector: Vector | None, after: int | None = None) -> int:
        """Write the row (in the caller's transaction); the version it held. With `after` and another
        version held, nothing is written."""
        conn = self._conn()
        row = conn.execute(
            "SELECT rowid, version FROM memories WHERE space = ? AND id = ?", (item.space, item.id)
        ).fetchone()
        if row is None:
            raise NotFound(f"memory {item.id} not found in space {item.space!r}")
        if after is not None and row[1] != after:
            return int(row[1])
        self._x(f"UPDATE memories SET {MEMORY_UPDATE} WHERE rowid = %s", (*self.rows.memory_update(item), row[0]))
        if vector is not None:
            conn.execute("UPDATE memory_vectors SET vector = ? WHERE rowid = ?", (to_blob(vector), row[0]))
            self._log_vectors(item.space, "SELECT ?, ?", [item.space, row[0]])
        return int(row[1])

    def _delete_memory_rows(self, space: str, ids: Sequence[str]) -> None:
        clause, params = self._in("id", ids)
        self._log_vectors(space, f"SELECT space, rowid FROM memories WHERE space = ? AND {clause}", [space, *params])
        self._x(
            f"DELETE FROM memory_vectors WHERE rowid IN (SELECT rowid FROM memories WHERE space = ? AND {clause})",
            [space, *params],
        )
        self._x(f"DELETE FROM memories WHERE space = ? AND {clause}", [space, *params])

    def _purged(self, space: str) -> None:
        pass  # the purged rows' vectors are in the vector log: each process's index drops them

    def _changed(self, space: str) -> None:
        self._df_cache.pop(space, None)

    def _record_scrub(self, space: str) -> None:
        self._x("INSERT INTO pending_scrubs (space, recorded_at) VALUES (?, ?)", (space, to_iso(now())))
        self._local.scrub = True  # scrub once the outermost transaction commits

    def _scrub_soon(self) -> None:
        if not self._local.depth:
            self.finish_scrubs()

    def _stats_location(self) -> dict[str, Any]:
        return {"path": str(self.path)}

    def _size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())

    # -- search -----------------------------------------------------------------------------
    def lexical_search(self, space: str, terms: Sequence[str], filters: Filters, k: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        # Each word is quoted, so FTS5 syntax in user text (OR, *, NEAR, quotes) is inert; the
        # words are those PostgreSQL searches for too (see remem.search.lexical).
        quoted = ['"' + word.replace('"', '""') + '"' for word, _ in query_phrases(terms)]
        if not quoted:
            return []
        match = " OR ".join(prune_common(quoted, lambda term: self._document_frequency(space, term)))
        if (
            filters.session is None
            and not filters.kinds
            and not filters.tags
            and filters.since is filters.until is None
        ):
            found = self._best_then_filtered(space, match, filters, k)
            if found is not None:
                return found
        where, params = self._filter_sql(space, filters)
        rows = self._q(
            f"SELECT m.id, {_BM25} AS score FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid "
            f"WHERE memories_fts MATCH ? AND {where} ORDER BY score, m.rowid LIMIT ?",
            [match, *params, k],
        )
        return [(r[0], -float(r[1])) for r in rows]  # bm25() is lower-is-better

    def _best_then_filtered(self, space: str, match: str, filters: Filters, k: int) -> list[tuple[str, float]] | None:
        """The k best matches the filters keep, found by ranking every match first and reading the
        memory rows of the best 2k only; None when fewer than k of those pass.

        When only the space and validity narrow (no session, kind, tag or date), most matches pass,
        and reading every match's row to filter it before ranking was half the query (at 100k
        memories: 6-9 ms, against 3-3.5 ms for the ranking alone). The same order, so the same
        result: (score, rowid) ranks both ways, and every passing row ranked above the k-th one kept
        is among the 2k read.
        """
        ranked = self._q(
            f"SELECT rowid, {_BM25} AS score FROM memories_fts WHERE memories_fts MATCH ? "
            "ORDER BY score, rowid LIMIT ?",
            (match, 2 * k),
        )
        where, params = self._filter_sql(space, filters)
        ids: dict[int, str] = {}
        rowids = [rowid for rowid, _ in ranked]
        # The best k and a quarter more first: most matches pass, so the rest is seldom read (each row
        # read here is most of a lookup's cost). Either way the kept are the first k that pass, in order.
        first = k + k // 4
        for part in (rowids[:first], rowids[first:]):
            for chunk in self._chunks(part):
                clause, values = self._in("m.rowid", chunk)
                # NOT INDEXED: by rowid, not by a scan of the space's index.
                ids.update(
                    self._q(
                        f"SELECT m.rowid, m.id FROM memories m NOT INDEXED WHERE {clause} AND {where}",
                        [*values, *params],
                    )
                )
            if len(ids) >= k:
                break
        kept = [(ids[rowid], -float(score)) for rowid, score in ranked if rowid in ids]  # bm25() is lower-is-better
        return kept[:k] if len(kept) >= k or len(ranked) < 2 * k else None

    def common_words(self, space: str, terms: Sequence[str]) -> set[str]:
        """The words of these terms held by most of the space's memories (remem.search.lexical.everywhere)."""
        rows = self._cached(
            space,
            "",  # no quoted term is empty
            lambda: self._count(
                "SELECT count(*) FROM (SELECT 1 FROM memories WHERE space = ? LIMIT ?)",
                (space, EVERYWHERE_MAX_ROWS + 1),
            ),
        )
        words = [word for word, _ in query_phrases(terms)]

        def held(word: str, need: int) -> bool:
            quoted = '"' + word.replace('"', '""') + '"'
            if self._document_frequency(space, quoted) < need:  # the file's count, or the space's: at least the space's
                return False
            return need <= self._cached(space, "\x00" + quoted, lambda: self._space_matches(space, quoted, need))

        return everywhere(words, held, rows)

    def _document_frequency(self, space: str, quoted_term: str) -> int:
        """The space's memories matching the term, counted up to BM25.common_df + 1; where the whole
        file holds no more than BM25.common_df, the file's count (which prunes alike: both are at most that).

        The space's own count, as on PostgreSQL: what another space holds never changes which words
        this one searches for. Cached until a write to the space through this store (and for at most
        BM25.df_seconds, for writes by other processes), so which terms a query keeps follows the data.
        """

        def count() -> int:
            # The term's postings alone first: no memory row is read, and most terms stop there (at 100k,
            # 0.2 ms against 3 ms for a term in 1,250 memories).
            held = self._count(
                "SELECT count(*) FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)",
                (quoted_term, BM25.common_df + 1),
            )
            return self._space_matches(space, quoted_term, BM25.common_df + 1) if held > BM25.common_df else held

        return self._cached(space, quoted_term, count)

    def _space_matches(self, space: str, quoted_term: str, limit: int) -> int:
        """The space's memories matching the term, counted up to `limit`."""
        # CROSS JOIN keeps the term's postings as the outer loop: with a plain JOIN SQLite walked every
        # memory of the space and probed FTS5 for each (100+ ms at 10k).
        return self._count(
            "SELECT count(*) FROM (SELECT 1 FROM memories_fts CROSS JOIN memories m "
            "ON m.rowid = memories_fts.rowid WHERE memories_fts MATCH ? AND m.space = ? LIMIT ?)",
            (quoted_term, space, limit),
        )

    def _count(self, sql: str, params: Sequence[Any]) -> int:
        return int(self._q(sql, params)[0][0])

    def _cached(self, space: str, key: str, count: Callable[[], int]) -> int:
        """count(), kept with the space's document frequencies: until a write to the space through this
        store forgets them, and for at most BM25.df_seconds (writes by other processes)."""
        entries = self._df_cache.setdefault(space, {})
        cached = entries.get(key)
        if cached is not None and time.monotonic() - cached[1] < BM25.df_seconds:
            return cached[0]
        value = count()
        if len(entries) > 10_000:
            entries.clear()
        entries[key] = (value, time.monotonic())
        return value

    # -- scrubbing after a forgetting -------------------------------------------------------
    def pending_scrubs(self) -> list[dict[str, Any]]:
        rows = self._q("SELECT space, recorded_at, attempts, last_error FROM pending_scrubs ORDER BY id")
        return [{"space": r[0], "recorded_at": r[1], "attempts": r[2], "last_error": r[3]} for r in rows]

    def finish_scrubs(self) -> int:
        """Run the scrubs owed, if any; the number still owed (a reader kept the WAL busy: retried later).

        Called on open, after a forgetting commits, and after any write once SCRUB_RETRY_SECONDS have
        passed since the last look, so a scrub a reader delayed completes once the reader is gone.
        """
        self._local.scrub = False
        self._scrubs_checked = time.monotonic()
        conn = self._conn()
        owed = conn.execute("SELECT max(id) FROM pending_scrubs").fetchone()[0]
        if owed is None:
            return 0
        try:
            scrubbed = self._scrub(conn)
        except sqlite3.OperationalError as exc:  # a full disk, most likely: the record stays for a later try
            log.warning("the scrub after a forget could not run (%s); it is retried later", exc)
            return len(self.pending_scrubs())
        if scrubbed:
            conn.execute("DELETE FROM pending_scrubs WHERE id <= ?", (owed,))
            self._checkpoint(conn)  # the delete's own page: no forgotten words, but leave the WAL empty
            return int(conn.execute("SELECT count(*) FROM pending_scrubs").fetchone()[0])
        conn.execute(
            "UPDATE pending_scrubs SET attempts = attempts + 1, last_error = ? WHERE id <= ?",
            ("another connection was reading; retried after the next write or open", owed),
        )
        return int(conn.execute("SELECT count(*) FROM pending_scrubs").fetchone()[0])

    def _scrub(self, conn: sqlite3.Connection) -> bool:
        """Merge the FTS segments so deleted terms leave the index itself, and move the WAL back into
        the main file and truncate it so no copy of purged pages survives there; False when a reader
        kept the WAL from being emptied."""
        conn.execute("INSERT INTO memories_fts (memories_fts) VALUES ('optimize')")
        return self._checkpoint(conn)

    def _checkpoint(self, conn: sqlite3.Connection) -> bool:
        """Checkpoint and truncate the WAL, waiting at most SCRUB_WAIT_MS for readers; True when it is empty.

        TRUNCATE holds the write lock while it waits for readers, so a long wait would stall every writer.
        """
        conn.execute(f"PRAGMA busy_timeout = {SCRUB_WAIT_MS}")
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        return int(busy) == 0

    # -- inventory --------------------------------------------------------------------------
    def ids_held_elsewhere(self, space: str, ids: Sequence[str]) -> set[str]:
        held: set[str] = set()
        for chunk in self._chunks(ids):
            clause, params = self._in("id", chunk)
            rows = self._q(
                f"SELECT id FROM episodes WHERE {clause} AND space != ? "
                f"UNION SELECT id FROM memories WHERE {clause} AND space != ?",
                [*params, space, *params, space],
            )
            held.update(r[0] for r in rows)
        return held


def _disk_full(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and error.sqlite_errorcode == sqlite3.SQLITE_FULL


def _prepare_path(path: Path) -> None:
    """Refuse a path SQLite cannot use, with a message; create at most one missing folder for it.

    One missing folder (~/.remem, .tmp) is what a first run needs; a deeper missing path, or a new
    folder at the filesystem root, is more likely a typo than a wish, and nothing is made for it.
    """
    if path.is_dir():
        raise InvalidInput(f"the database path {path} is a folder; give a file path, such as {path / 'remem.db'}")
    parent = path.absolute().parent
    if parent.is_dir():
        return
    if parent.exists():
        raise InvalidInput(f"the database path {path} is inside {parent}, which is not a folder")
    grandparent = parent.parent
    if not grandparent.is_dir() or grandparent == Path(grandparent.anchor):
        raise InvalidInput(f"the folder {parent} for the database does not exist; create it first")
    try:
        parent.mkdir()
    except OSError as exc:
        raise InvalidInput(f"cannot create the folder {parent} for the database: {exc.strerror}") from None
