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
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from remem import validate
from remem.errors import InvalidInput
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


def checked_value(value: Any) -> dict[str, Any]:
    """The value of a put, refused (InvalidInput, nothing stored) unless remem can keep and return it exactly."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"an item's value must be a dict (or None to delete it), not {type(value).__name__}")
    return validate.metadata(value, "value")


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


# -- filters on values (the operators LangGraph documents, with its stores' meaning) ----------------
_OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")


def check_filter(spec: Any) -> None:
    """Refuse a filter remem cannot read before anything runs (an unknown operator, a non-dict)."""
    if spec is None:
        return
    if not isinstance(spec, Mapping):
        raise InvalidInput(f"filter must be a dict of field -> value, not {type(spec).__name__}")
    for field, wanted in spec.items():
        if isinstance(wanted, Mapping):
            unknown = [k for k in wanted if isinstance(k, str) and k.startswith("$") and k not in _OPERATORS]
            if unknown:
                raise InvalidInput(f"filter on {field!r}: unknown operator {unknown[0]!r}; use one of {_OPERATORS}")
            check_filter({k: v for k, v in wanted.items() if not str(k).startswith("$")})


def matches(value: Mapping[str, Any], spec: Mapping[str, Any] | None) -> bool:
    return not spec or all(_compare(value.get(field), wanted) for field, wanted in spec.items())


def _compare(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, Mapping):
        if any(str(k).startswith("$") for k in wanted):
            return all(_apply(actual, op, operand) for op, operand in wanted.items())
        return isinstance(actual, Mapping) and all(_compare(actual.get(k), v) for k, v in wanted.items())
    if isinstance(wanted, list | tuple):
        return (
            isinstance(actual, list | tuple)
            and len(actual) == len(wanted)
            and all(_compare(a, w) for a, w in zip(actual, wanted, strict=True))
        )
    return bool(actual == wanted)


def _apply(actual: Any, operator: str, operand: Any) -> bool:
    if operator == "$eq":
        return bool(actual == operand)
    if operator == "$ne":
        return bool(actual != operand)
    left, right = _number(actual), _number(operand)
    if left is None or right is None:
        return False  # a missing or non-numeric field is outside every range, as in PostgreSQL's jsonb
    return {"$gt": left > right, "$gte": left >= right, "$lt": left < right, "$lte": left <= right}[operator]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# -- namespace conditions ---------------------------------------------------------------------------
def namespace_matches(namespace: tuple[str, ...], match_type: str, path: Sequence[str]) -> bool:
    if len(namespace) < len(path):
        return False
    if match_type == "prefix":
        pairs = zip(namespace, path, strict=False)
    elif match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path), strict=False)
    else:
        raise InvalidInput(f"match_type {match_type!r} is not 'prefix' or 'suffix'")
    return all(want == "*" or have == want for have, want in pairs)
