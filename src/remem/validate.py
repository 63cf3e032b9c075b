"""Checks at the front door: every bad input becomes an InvalidInput that says what to fix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from remem.errors import InvalidInput
from remem.timeutil import TimeLike, parse_time

_SPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
ROLES = ("user", "assistant", "system", "tool", "event", "document")
_MESSAGE_KEYS = {"role", "content", "name", "at", "metadata", "source"}


def space_name(space: Any) -> str:
    if not isinstance(space, str) or not _SPACE.match(space):
        raise InvalidInput(
            f"space {space!r} is not a valid name: use 1-128 letters, digits or _.:@- starting with a letter or digit"
        )
    return space


def optional_name(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 256:
        raise InvalidInput(f"{field} must be a non-empty string of at most 256 characters")
    return value


def text(value: Any, field: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInput(f"{field} is empty")
    if len(value) > max_chars:
        raise InvalidInput(f"{field} has {len(value)} characters; the limit is {max_chars} (max_text_chars)")
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character")
    return value


def positive_int(value: Any, field: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be an integer, not {type(value).__name__}")
    if not 1 <= value <= maximum:
        raise InvalidInput(f"{field} must be between 1 and {maximum}, not {value}")
    return value


def string_list(value: Any, field: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or not all(isinstance(v, str) and v for v in value):
        raise InvalidInput(f"{field} must be a list of non-empty strings")
    return tuple(value)


def messages(value: Any, *, max_chars: int, max_batch: int) -> list[dict[str, Any]]:
    """Normalise add() input: a string, one message dict, or a list of strings or message dicts."""
    if isinstance(value, str):
        value = [{"role": "user", "content": value}]
    elif isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        raise InvalidInput("messages must be a string, a message object, or a list of message objects")
    if not value:
        raise InvalidInput("messages is empty; give at least one message")
    if len(value) > max_batch:
        raise InvalidInput(f"{len(value)} messages in one call; the limit is {max_batch} (max_batch)")
    out = []
    for i, message in enumerate(value):
        if isinstance(message, str):
            message = {"role": "user", "content": message}
        if not isinstance(message, Mapping):
            raise InvalidInput(f"messages[{i}] must be an object with role and content")
        unknown = set(message) - _MESSAGE_KEYS
        if unknown:
            raise InvalidInput(f"messages[{i}] has unknown fields {sorted(unknown)}; allowed: {sorted(_MESSAGE_KEYS)}")
        role = message.get("role", "user")
        if role not in ROLES:
            raise InvalidInput(f"messages[{i}].role {role!r} is not one of {', '.join(ROLES)}")
        metadata = message.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            raise InvalidInput(f"messages[{i}].metadata must be an object")
        out.append(
            {
                "role": role,
                "content": text(message.get("content"), f"messages[{i}].content", max_chars),
                "name": optional_name(message.get("name"), f"messages[{i}].name"),
                "at": parse_time(message.get("at"), f"messages[{i}].at"),
                "source": optional_name(message.get("source"), f"messages[{i}].source"),
                "metadata": dict(metadata),
            }
        )
    return out


def time_or_none(value: TimeLike | None, field: str) -> Any:
    return parse_time(value, field)
