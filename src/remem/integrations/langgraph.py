"""remem as LangGraph's long-term store: `RememStore(BaseStore)`, on SQLite or PostgreSQL.

Each item is one remem memory (see `_items`), so it is versioned (every put is a new version, a
delete retires it), searchable by remem's hybrid search, and visible to every other front door
(CLI, HTTP, MCP) in the store's space. With `extract=True`, an item's words also go through remem's
write path, which turns them into facts that stay current as they change.

Needs the `langgraph` extra: `pip install 'remem[langgraph]'`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings
from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
    ensure_embeddings,
    get_text_at_path,
    tokenize_path,
)

from remem import validate
from remem.errors import InvalidInput, NotFound
from remem.integrations import _items
from remem.integrations._checks import check_ops, matches, namespace_matches
from remem.memory import Memory
from remem.timeutil import now
from remem.types import Filters, MemoryItem
from remem.write.extract import index_text
from remem.write.pipeline import version_record

__all__ = ["RememStore"]

_ACTOR = "langgraph"
_PAGE = 10_000  # memories read per page when a listing must see every item under a prefix


class RememStore(BaseStore):
    """A LangGraph `BaseStore` whose items are remem memories in one space.

    `RememStore("agent.db")` or `RememStore("postgresql://...")` opens (creating on demand) a remem
    store; an open `Memory` may be given instead and is then left open on `close()`.

    - `index`: LangGraph's IndexConfig. With an `embed` (LangChain Embeddings or a function, sync
      or async), items are embedded with it per field and a query is scored by its cosine, the best
      field counting (as InMemoryStore does). Without one, a query runs remem's hybrid search (BM25
      plus remem's embedder) over the fields' text. `fields` defaults to the whole value (`["$"]`).
    - `ttl`: LangGraph's TTLConfig. An item with a TTL is valid until then (remem's `valid_to`);
      reads refresh it unless told not to; expired items are never returned; `sweep_ttl()` purges them.
    - `space`: the remem space that holds every item; namespaces become tags inside it.
    - `extract`: also pass each put item's words through remem's write path (facts, versions).
    - `on_delete`: "retire" (default: the item stops being current and stays in its history) or
      "forget" (purged from the tables, the indexes and the file).
    """

    supports_ttl = True

    def __init__(
        self,
        database: str | Path | Memory | None = None,
        *,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        space: str = "langgraph",
        extract: bool = False,
        on_delete: Literal["retire", "forget"] = "retire",
        **settings: Any,
    ) -> None:
        if on_delete not in ("retire", "forget"):
            raise InvalidInput(f"on_delete must be 'retire' or 'forget', not {on_delete!r}")
        if not isinstance(extract, bool):
            raise InvalidInput(f"extract must be true or false, not {extract!r}")
        self.space = validate.space_name(space)
        self.extract = extract
        self.on_delete = on_delete
        self.ttl_config = ttl
        self._owns_memory = not isinstance(database, Memory)
        self.memory = database if isinstance(database, Memory) else Memory.open(database, **settings)
        try:
            self.index_config = dict(index) if index else None
            self.embeddings: Embeddings | None = None
            self._fields: list[tuple[str, Any]] = [("$", "$")]
            if index:
                self._configure_index(index)
        except BaseException:
            self.close()
            raise
        self._sweep_lock = threading.Lock()
        self._last_sweep = time.monotonic()

    @classmethod
    def open(cls, database: str | Path | None = None, **options: Any) -> RememStore:
        """Open (creating on demand) the remem store at `database`, a SQLite path or a postgresql:// URL.

        Options are the constructor's (`index`, `ttl`, `space`, `extract`, `on_delete`) and remem
        settings (e.g. `extractor="turns"`), as `Memory.open` takes them.
        """
        return cls(database, **options)

    def close(self) -> None:
        if self._owns_memory and hasattr(self, "memory"):
            self.memory.close()

    def __enter__(self) -> RememStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def memory_id(self, namespace: Sequence[str], key: str) -> str:
        """The remem memory that holds the item at (namespace, key): for `store.memory.history(...)` and the like."""
        return _items.memory_id(self.space, tuple(namespace), key)

    def _configure_index(self, index: IndexConfig) -> None:
        dims = index.get("dims")
        if index.get("embed") is not None:
            self.embeddings = ensure_embeddings(index["embed"])
        elif dims is not None and dims != self.memory.embedder.dim:
            raise InvalidInput(
                f"index dims {dims} does not match remem's embedder ({self.memory.embedder.name}, "
                f"{self.memory.embedder.dim} dimensions); give an 'embed' of {dims} dimensions or drop 'dims'"
            )
        fields = index.get("fields") or ["$"]
        self._fields = [(path, path if path == "$" else tokenize_path(path)) for path in fields]

    # -- the interface --------------------------------------------------------------------------
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order of results; reads see the store as it was before this batch's puts."""
        ops = list(ops)
        check_ops(ops)
        queries, documents = self._embedding_needs(ops)
        vectors: dict[str, np.ndarray] = {}
        if self.embeddings is not None:
            vectors.update(zip(queries, map(_items.unit, map(self.embeddings.embed_query, queries)), strict=True))
            if documents:
                vectors.update(
                    zip(documents, map(_items.unit, self.embeddings.embed_documents(documents)), strict=True)
                )
        return self._execute(ops, vectors)

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """As `batch`; a caller's async embedder is awaited, remem's own work runs in a worker thread."""
        ops = list(ops)
        check_ops(ops)
        queries, documents = self._embedding_needs(ops)
        vectors: dict[str, np.ndarray] = {}
        if self.embeddings is not None:
            embedded = await asyncio.gather(*(self.embeddings.aembed_query(q) for q in queries))
            vectors.update(zip(queries, map(_items.unit, embedded), strict=True))
            if documents:
                documents_embedded = await self.embeddings.aembed_documents(documents)
                vectors.update(zip(documents, map(_items.unit, documents_embedded), strict=True))
        return await asyncio.to_thread(self._execute, ops, vectors)

    # -- checks before anything runs ------------------------------------------------------------
    def _texts(self, op: PutOp) -> list[str]:
        """The texts of a put item to index: its fields (or the put's own `index` paths), one per match."""
        if op.value is None or op.index is False:
            return []
        fields = self._fields if op.index is None else [(p, p if p == "$" else tokenize_path(p)) for p in op.index]
        return [text for _, path in fields for text in get_text_at_path(dict(op.value), path) if text.strip()]

    def _embedding_needs(self, ops: Sequence[Op]) -> tuple[list[str], list[str]]:
        if self.embeddings is None:
            return [], []
        queries = list(dict.fromkeys(op.query for op in ops if isinstance(op, SearchOp) and op.query))
        documents = list(dict.fromkeys(t for op in _items.last_puts(ops) for t in self._texts(op)))
        return queries, documents

    # -- execution ------------------------------------------------------------------------------
    def _execute(self, ops: Sequence[Op], vectors: dict[str, np.ndarray]) -> list[Result]:
        self._maybe_sweep()
        results: list[Result] = []
        for op in ops:
            if isinstance(op, GetOp):
                results.append(self._get(op))
            elif isinstance(op, SearchOp):
                results.append(self._search(op, vectors))
            elif isinstance(op, ListNamespacesOp):
                results.append(self._list_namespaces(op))
            else:
                results.append(None)
        puts = _items.last_puts(ops)
        if puts:
            self._apply_puts(puts, vectors)
        return results

    def _get(self, op: GetOp) -> Item | None:
        memory = self._current(_items.memory_id(self.space, op.namespace, op.key))
        if memory is None:
            return None
        if op.refresh_ttl:
            memory = self._refresh([memory])[0]
        return _items.to_item(memory)

    def _current(self, memory_id: str) -> MemoryItem | None:
        try:
            memory = self.memory.store.get_memory(self.space, memory_id)
        except NotFound:
            return None
        if _items.record(memory) is None or (memory.valid_to is not None and memory.valid_to <= now()):
            return None
        return memory

    def _items_under(self, prefix: Sequence[str]) -> list[MemoryItem]:
        """Every current item under a namespace prefix, newest first."""
        filters = Filters(tags=(_items.prefix_tag(prefix),))
        found: list[MemoryItem] = []
        while True:
            page = self.memory.store.list_memories(self.space, filters, _PAGE, len(found))
            found.extend(page)
            if len(page) < _PAGE:
                break
        return [
            m
            for m in found
            if (entry := _items.record(m)) and tuple(entry["namespace"][: len(prefix)]) == tuple(prefix)
        ]

    def _search(self, op: SearchOp, vectors: dict[str, np.ndarray]) -> list[SearchItem]:
        prefix = tuple(op.namespace_prefix)
        if not op.query:
            if not op.filter:  # no filter: the store pages
                filters = Filters(tags=(_items.prefix_tag(prefix),))
                page = (
                    self.memory.store.list_memories(self.space, filters, max(op.limit, 1), op.offset)
                    if op.limit
                    else []
                )
                kept = [m for m in page if (e := _items.record(m)) and tuple(e["namespace"][: len(prefix)]) == prefix]
            else:
                matching = [m for m in self._items_under(prefix) if matches(_items.value_in(m), op.filter)]
                kept = matching[op.offset : op.offset + op.limit]
            return [_items.to_search_item(m, None) for m in self._refresh(kept, op.refresh_ttl)]
        if self.embeddings is not None:
            ranked = self._rank_by_caller_cosine(op, vectors[op.query])
        else:
            ranked = self._rank_by_hybrid(op)
        if len(ranked) < op.limit:  # as InMemoryStore: unindexed items fill a short page, unscored
            shown = {m.id for m, _ in ranked}
            unindexed = [
                m
                for m in self._items_under(prefix)
                if m.id not in shown
                and not _items.indexed(m, self.embeddings is not None)
                and matches(_items.value_in(m), op.filter)
            ]
            ranked += [(m, None) for m in unindexed[: op.limit - len(ranked)]]
        refreshed = self._refresh([m for m, _ in ranked], op.refresh_ttl)
        return [_items.to_search_item(m, score) for m, (_, score) in zip(refreshed, ranked, strict=True)]

    def _rank_by_caller_cosine(self, op: SearchOp, query: np.ndarray) -> list[tuple[MemoryItem, float | None]]:
        scored: list[tuple[MemoryItem, float | None]] = []
        for memory in self._items_under(op.namespace_prefix):
            matrix = _items.decode_vectors(_items.entry_of(memory).get("vectors") or [])
            if matrix is not None and matrix.shape[1] == query.shape[0] and matches(_items.value_in(memory), op.filter):
                scored.append((memory, float(np.max(matrix @ query))))
        scored.sort(key=lambda pair: pair[1] or 0.0, reverse=True)
        return scored[op.offset : op.offset + op.limit]

    def _rank_by_hybrid(self, op: SearchOp) -> list[tuple[MemoryItem, float | None]]:
        """remem's hybrid search under the prefix's tag; value filters apply to its hits, so it widens its k
        (up to remem's max_k) until a page is full or there are no more hits."""
        wanted = op.offset + op.limit
        k = min(max(2 * wanted, 20), self.memory.settings.max_k)
        prefix = tuple(op.namespace_prefix)
        while True:
            hits = self.memory.search(op.query or "", space=self.space, k=k, tags=[_items.prefix_tag(prefix)])
            ranked: list[tuple[MemoryItem, float | None]] = [
                (h.memory, h.score)
                for h in hits
                if (entry := _items.record(h.memory))
                and tuple(entry["namespace"][: len(prefix)]) == prefix
                and entry.get("indexed", True)
                and matches(_items.value_in(h.memory), op.filter)
            ]
            if len(ranked) >= wanted or len(hits) < k or k >= self.memory.settings.max_k:
                return ranked[op.offset : wanted]
            k = min(2 * k, self.memory.settings.max_k)

    def _list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        conditions = list(op.match_conditions or ())
        fixed = next((c.path for c in conditions if c.match_type == "prefix" and "*" not in c.path), ())
        namespaces = {tuple(_items.entry_of(m)["namespace"]) for m in self._items_under(tuple(fixed))}
        chosen = [ns for ns in namespaces if all(namespace_matches(ns, c.match_type, c.path) for c in conditions)]
        if op.max_depth is not None:
            chosen = list({ns[: op.max_depth] for ns in chosen})
        return sorted(chosen)[op.offset : op.offset + op.limit]

    # -- writes -----------------------------------------------------------------------------------
    def _apply_puts(self, puts: Sequence[PutOp], vectors: dict[str, np.ndarray]) -> None:
        store, embedder = self.memory.store, self.memory.embedder
        planned = []
        for op in puts:
            texts = self._texts(op)
            text = "\n".join(texts)[: self.memory.settings.max_text_chars] or "/".join((*op.namespace, op.key))
            planned.append((op, texts, text))
        # remem's own vectors first, outside the write lock (the embedder is the slow part)
        remem_vectors = embedder.embed(
            [index_text(t, "note", None, {}) for op, _, t in planned if op.value is not None]
        )
        written: list[tuple[PutOp, str]] = []
        forget: list[str] = []
        with store.transaction():
            row = 0
            for op, texts, text in planned:
                memory_id = _items.memory_id(self.space, op.namespace, op.key)
                if op.value is None:
                    if self._delete(memory_id):
                        forget.append(memory_id)
                    continue
                caller = [_items.encode_vector(vectors[t]) for t in texts] if self.embeddings is not None else []
                self._put(memory_id, op, texts, text, remem_vectors[row], caller)
                row += 1
                written.append((op, text))
        if forget:
            self.memory.forget(space=self.space, ids=forget)
        if self.extract:
            for op, _ in written:
                words = _items.readable(op.value or {})
                if words:
                    self.memory.add(
                        [{"role": "user", "content": words[: self.memory.settings.max_text_chars]}],
                        space=self.space,
                        session=_items.session_of(op.namespace),
                        source="langgraph",
                        metadata={"langgraph_namespace": list(op.namespace), "langgraph_key": op.key},
                    )

    def _put(
        self, memory_id: str, op: PutOp, texts: list[str], text: str, vector: np.ndarray, caller: list[str]
    ) -> None:
        store = self.memory.store
        stamp = now()
        ttl = self._ttl_of(op)
        valid_to = stamp + timedelta(minutes=ttl) if ttl is not None else None
        indexed = bool(texts)
        try:
            current = store.get_memory(self.space, memory_id)
        except NotFound:
            current = None
        previous = _items.record(current) if current is not None else None
        live = current is not None and (current.valid_to is None or current.valid_to > stamp)
        created = _items.stamp(previous, "created_at") if previous and live else stamp
        entry = _items.new_entry(
            op.namespace,
            op.key,
            dict(op.value or {}),
            created_at=created,
            updated_at=stamp,
            indexed=indexed,
            ttl=ttl,
            vectors=caller,
        )
        tags = _items.namespace_tags(op.namespace)
        if current is None:
            item = MemoryItem(
                id=memory_id,
                space=self.space,
                text=text,
                kind="note",
                session=None,
                source_episode_ids=[],
                keywords=[],
                tags=tags,
                links=[],
                valid_from=None,
                valid_to=valid_to,
                strength=1.0,
                version=1,
                created_at=stamp,
                updated_at=stamp,
                metadata={_items.META: entry},
            )
            store.insert_memory(item, vector, version_record(item, "ADD", "put through LangGraph", _ACTOR))
            return
        item = replace(
            current,
            text=text,
            kind="note",
            tags=tags,
            valid_to=valid_to,
            version=current.version + 1,
            updated_at=stamp,
            metadata={**current.metadata, _items.META: entry},
        )
        operation = "UPDATE" if live else "RESTORE"
        store.update_memory(item, vector, version_record(item, operation, "put through LangGraph", _ACTOR))

    def _delete(self, memory_id: str) -> bool:
        """Retire the item (or mark it for forgetting); True when it is to be purged."""
        if self._current(memory_id) is None:
            return False
        if self.on_delete == "forget":
            return True
        self.memory.delete(memory_id, space=self.space, reason="deleted through LangGraph", actor=_ACTOR)
        return False

    # -- time to live -------------------------------------------------------------------------------
    def _ttl_of(self, op: PutOp) -> float | None:
        if op.ttl is not None:
            return float(op.ttl)
        default = (self.ttl_config or {}).get("default_ttl")
        return float(default) if default else None

    def _refresh(self, memories: list[MemoryItem], refresh: bool = True) -> list[MemoryItem]:
        """Push back the end of the items with a TTL that were just read (a new version each, saying why)."""
        if not refresh:
            return memories
        refreshed = []
        for memory in memories:
            ttl = _items.entry_of(memory).get("ttl")
            if ttl:
                memory = replace(
                    memory, valid_to=now() + timedelta(minutes=ttl), version=memory.version + 1, updated_at=now()
                )
                self.memory.store.update_memory(
                    memory, None, version_record(memory, "UPDATE", "TTL refreshed on read", _ACTOR)
                )
            refreshed.append(memory)
        return refreshed

    def sweep_ttl(self) -> int:
        """Purge (forget) the items whose TTL has run out; returns how many went."""
        expired = Filters(tags=(_items.ITEM_TAG,), include_expired=True)
        ids, offset, moment = [], 0, now()
        while True:
            page = self.memory.store.list_memories(self.space, expired, _PAGE, offset)
            ids += [
                m.id
                for m in page
                if _items.record(m)
                and _items.entry_of(m).get("ttl")
                and m.valid_to is not None
                and m.valid_to <= moment
            ]
            offset += len(page)
            if len(page) < _PAGE:
                break
        if ids:
            self.memory.forget(space=self.space, ids=ids)
        return len(ids)

    def _maybe_sweep(self) -> None:
        minutes = (self.ttl_config or {}).get("sweep_interval_minutes")
        if not minutes or time.monotonic() - self._last_sweep < minutes * 60:
            return
        with self._sweep_lock:
            self._last_sweep = time.monotonic()
        self.sweep_ttl()
