"""How a LangGraph item lives in remem: one memory per (namespace, key), plain functions over plain data.

An item is a memory of kind "note" in the store's space. Its id is derived from (space, namespace,
key), so a get is one primary-key read; its tags name every prefix of its namespace, so a search
under a prefix is a tag filter; its metadata keeps the namespace, the key and the value as JSON
text, so the value comes back exactly as it was put.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from langgraph.store.base import Item, Op, PutOp, SearchItem

from remem import validate
from remem.timeutil import parse_time, to_iso
from remem.types import MemoryItem

ITEM_TAG = "langgraph"  # every item carries it; extracted facts and raw turns do not
META = "langgraph"  # the metadata key that holds an item's namespace, key and value
_TAG_CHARS = 200  # a longer namespace is tagged by its hash, so a tag stays under validate.MAX_NAME_CHARS


def memory_id(space: str, namespace: Sequence[str], key: str) -> str:
    """The memory id of an item: the same (space, namespace, key) always gives the same id, others never do."""
    # NUL cannot occur in a label or a space name, and the JSON list keeps the labels apart.
    digest = hashlib.sha256(f"{space}\x00{json.dumps(list(namespace))}\x00{key}".encode()).hexdigest()
    return f"lg_{digest[:40]}"


def prefix_tag(prefix: Sequence[str]) -> str:
    """The tag every item under `prefix` carries. Labels cannot hold '.', so the joined form is unambiguous."""
    if not prefix:
        return ITEM_TAG
    joined = ".".join(prefix)
    if len(joined) <= _TAG_CHARS:
        return f"lg:{joined}"
    return f"lg#{hashlib.sha256(joined.encode()).hexdigest()}"  # '#' keeps hashed tags apart from readable ones


def namespace_tags(namespace: Sequence[str]) -> list[str]:
    return [ITEM_TAG] + [prefix_tag(namespace[: i + 1]) for i in range(len(namespace))]


def session_of(namespace: Sequence[str]) -> str:
    """The remem session that extracted facts of this namespace's items belong to."""
    joined = "lg:" + ".".join(namespace)
    return joined if len(joined) <= validate.MAX_NAME_CHARS else f"lg#{hashlib.sha256(joined.encode()).hexdigest()}"


def encode_vector(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def decode_vectors(encoded: Sequence[str]) -> np.ndarray | None:
    if not encoded:
        return None
    return np.stack([np.frombuffer(base64.b64decode(e), dtype="<f4") for e in encoded])


def record(item: MemoryItem) -> dict[str, Any] | None:
    """The LangGraph record a memory holds, or None when the memory is not an item (a fact, a turn)."""
    entry = item.metadata.get(META)
    return entry if isinstance(entry, dict) and "value" in entry and "key" in entry else None


def value_of(entry: Mapping[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(entry["value"])
    return loaded


def stamp(entry: Mapping[str, Any], field: str) -> datetime:
    moment = parse_time(entry[field], field)
    assert moment is not None
    return moment


def new_entry(
    namespace: Sequence[str],
    key: str,
    value: Mapping[str, Any],
    *,
    created_at: datetime,
    updated_at: datetime,
    indexed: bool,
    ttl: float | None,
    vectors: Sequence[str],
) -> dict[str, Any]:
    return {
        "namespace": list(namespace),
        "key": key,
        "value": json.dumps(value, ensure_ascii=False),  # text, so key order and number forms come back as put
        "created_at": to_iso(created_at),
        "updated_at": to_iso(updated_at),
        "indexed": indexed,
        "ttl": ttl,
        "vectors": list(vectors),
    }


def readable(value: Mapping[str, Any]) -> str:
    """The words of a value, for remem's write path: its strings (and numbers) in order, one a line."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            if node.strip():
                parts.append(node.strip())
        elif isinstance(node, Mapping):
            for child in node.values():
                walk(child)
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(value)
    return "\n".join(parts)


# -- from memories to LangGraph's items ------------------------------------------------------------
def last_puts(ops: Sequence[Op]) -> list[PutOp]:
    """The puts of a batch, the last one for each (namespace, key) winning, in the order they came."""
    last: dict[tuple[tuple[str, ...], str], PutOp] = {}
    for op in ops:
        if isinstance(op, PutOp):
            last.pop((tuple(op.namespace), op.key), None)
            last[(tuple(op.namespace), op.key)] = op
    return list(last.values())


def unit(vector: Sequence[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(array))
    return array / norm if norm > 0 else array


def entry_of(memory: MemoryItem) -> dict[str, Any]:
    entry = record(memory)
    assert entry is not None
    return entry


def value_in(memory: MemoryItem) -> dict[str, Any]:
    return value_of(entry_of(memory))


def indexed(memory: MemoryItem, caller: bool) -> bool:
    entry = entry_of(memory)
    return bool(entry.get("vectors")) if caller else bool(entry.get("indexed", True))


def to_item(memory: MemoryItem) -> Item:
    entry = entry_of(memory)
    return Item(
        value=value_of(entry),
        key=entry["key"],
        namespace=tuple(entry["namespace"]),
        created_at=stamp(entry, "created_at"),
        updated_at=stamp(entry, "updated_at"),
    )


def to_search_item(memory: MemoryItem, score: float | None) -> SearchItem:
    item = to_item(memory)
    return SearchItem(item.namespace, item.key, item.value, item.created_at, item.updated_at, score)
