"""What a LangGraph batch may ask of RememStore: every op is checked before any of it runs, so a bad batch
changes nothing; and the value filters and namespace conditions, with the meaning LangGraph's stores give them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.store.base import (
    GetOp,
    InvalidNamespaceError,
    ListNamespacesOp,
    Op,
    PutOp,
    SearchOp,
    validate_op_namespace,
)

from remem import validate
from remem.errors import InvalidInput


def check_ops(ops: Sequence[Op]) -> None:
    """Refuse a bad batch whole (InvalidNamespaceError or InvalidInput) before it reads or writes anything."""
    for op in ops:
        if not isinstance(op, GetOp | PutOp | SearchOp | ListNamespacesOp):
            raise InvalidInput(
                f"unknown operation {type(op).__name__}; expected GetOp, PutOp, SearchOp or ListNamespacesOp"
            )
        validate_op_namespace(op)
        if isinstance(op, GetOp | PutOp) and not isinstance(op.key, str):
            raise InvalidInput(f"key must be a string, not {type(op.key).__name__}")
        if isinstance(op, PutOp):
            if not op.namespace:  # a root label "langgraph" is refused by put() only, as in LangGraph's stores
                raise InvalidNamespaceError("Namespace cannot be empty.")
            validate.identifier(op.key, "key")
            if op.value is not None:
                checked_value(op.value)
            if op.ttl is not None and (isinstance(op.ttl, bool) or not isinstance(op.ttl, int | float) or op.ttl <= 0):
                raise InvalidInput(f"ttl must be a positive number of minutes or None, not {op.ttl!r}")
            if op.index is not None and op.index is not False and not isinstance(op.index, list):
                raise InvalidInput(f"index must be False, None or a list of field paths, not {op.index!r}")
        if isinstance(op, SearchOp):
            check_filter(op.filter)
            _non_negative(op.offset, "offset")
            _non_negative(op.limit, "limit")
        if isinstance(op, ListNamespacesOp):
            _non_negative(op.offset, "offset")
            _non_negative(op.limit, "limit")
            if op.max_depth is not None:
                _non_negative(op.max_depth, "max_depth")


def checked_value(value: Any) -> dict[str, Any]:
    """The value of a put, refused (InvalidInput, nothing stored) unless remem can keep and return it exactly."""
    if not isinstance(value, Mapping):
        raise InvalidInput(f"an item's value must be a dict (or None to delete it), not {type(value).__name__}")
    return validate.metadata(value, "value")


def _non_negative(value: Any, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{field} must be a non-negative integer, not {value!r}")


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
