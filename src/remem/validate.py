"""Checks at the front door: every bad input becomes an InvalidInput that says what to fix."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from remem.errors import InvalidInput
from remem.timeutil import TimeLike, parse_time

# fullmatch, not match with "$": "$" also matches before a trailing newline.
SPACE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"  # for documents (OpenAPI); matched with fullmatch
_SPACE = re.compile(SPACE_PATTERN[1:-1])
ROLES = ("user", "assistant", "system", "tool", "event", "document")
_MESSAGE_KEYS = {"role", "content", "name", "at", "metadata", "source"}
MAX_NAME_CHARS = 256  # session, speaker name, source, tag, id
MAX_LIST = 100  # tags or kinds in one call: each becomes a clause of the query
MAX_IDS = 10_000  # ids in one forget
MAX_DEPTH = 32  # nesting of metadata objects and lists
MAX_METADATA_CHARS = 64_000  # metadata as JSON text


def space_name(space: Any) -> str:
    if not isinstance(space, str) or not _SPACE.fullmatch(space):
        raise InvalidInput(
            f"space {shown(space)} is not a valid name: use 1-128 letters, digits or _.:@- starting with a letter "
            "or digit"
        )
    return space


def clean(value: str, field: str) -> str:
    """Refuse what no store can keep and no JSON reader can read back: NUL and lone surrogates."""
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidInput(
                f"{field} contains a lone surrogate (U+{ord(value[exc.start]):04X} at position {exc.start}); "
                "send valid Unicode text"
            ) from None
    return value


def optional_name(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_CHARS:
        raise InvalidInput(f"{field} must be a non-empty string of at most {MAX_NAME_CHARS} characters")
    return clean(value, field)


def identifier(value: Any, field: str = "id") -> str:
    """A memory, episode or key id as the caller gave it: never matched if malformed, but never a crash."""
    if not isinstance(value, str) or not value or len(value) > MAX_NAME_CHARS:
        raise InvalidInput(f"{field} must be a non-empty string of at most {MAX_NAME_CHARS} characters")
    return clean(value, field)


def text(value: Any, field: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidInput(f"{field} is empty")
    if len(value) > max_chars:
        raise InvalidInput(f"{field} has {len(value)} characters; the limit is {max_chars} (max_text_chars)")
    return clean(value, field)


def label(value: Any, field: str, max_chars: int = 1_000) -> str:
    """A short free-text annotation (a reason, an actor); may be empty."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string, not {type(value).__name__}")
    if len(value) > max_chars:
        raise InvalidInput(f"{field} has {len(value)} characters; the limit is {max_chars}")
    return clean(value, field)


def positive_int(value: Any, field: str, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be an integer, not {type(value).__name__}")
    if not 1 <= value <= maximum:
        raise InvalidInput(f"{field} must be between 1 and {maximum}, not {value}")
    return value


def string_list(
    value: Any, field: str, *, max_items: int = MAX_LIST, max_chars: int = MAX_NAME_CHARS
) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise InvalidInput(f"{field} must be a list of non-empty strings")
    items = list(value)
    if len(items) > max_items:
        raise InvalidInput(f"{field} has {len(items)} entries; the limit is {max_items}")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item or len(item) > max_chars:
            raise InvalidInput(f"{field} must be a list of non-empty strings of at most {max_chars} characters")
        clean(item, f"{field}[{i}]")
    return tuple(items)


def metadata(value: Any, field: str, max_chars: int = MAX_METADATA_CHARS) -> dict[str, Any]:
    """A JSON object of bounded depth and size whose strings and numbers every store can keep and return."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{field} must be an object")
    # Iterative, so a deeply nested value is refused rather than exhausting the stack.
    pending: list[tuple[Any, str, int]] = [(value, field, 1)]
    while pending:
        node, path, depth = pending.pop()
        if isinstance(node, Mapping | list | tuple):
            if depth > MAX_DEPTH:
                where = path if len(path) <= 80 else f"{path[:40]}...{path[-30:]}"
                raise InvalidInput(f"{field} is nested more than {MAX_DEPTH} levels deep (at {where})")
            if isinstance(node, Mapping):
                for key, child in node.items():
                    if not isinstance(key, str):
                        raise InvalidInput(f"{path} has a key that is not a string: {shown(key)}")
                    clean(key, f"a key of {path}")
                    pending.append((child, f"{path}.{key[:40]}", depth + 1))
            else:
                pending.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(node))
        elif isinstance(node, str):
            clean(node, path)
        elif isinstance(node, float) and not math.isfinite(node):
            raise InvalidInput(f"{path} is {node}; JSON numbers must be finite")
        elif node is not None and not isinstance(node, bool | int | float):
            raise InvalidInput(
                f"{path} is a {type(node).__name__}; metadata holds JSON values only: "
                "strings, numbers, true/false, null, lists and objects"
            )
    try:
        size = len(json.dumps(value, ensure_ascii=False))
    except ValueError as exc:  # an integer too long to write out
        raise InvalidInput(f"{field} cannot be written as JSON: {exc}") from None
    if size > max_chars:
        raise InvalidInput(f"{field} is {size} characters as JSON; the limit is {max_chars}")
    return dict(value)


def json_problem(error: BaseException) -> str:
    """Why a JSON text could not be parsed, in words a caller can act on (never "set_int_max_str_digits")."""
    if isinstance(error, UnicodeDecodeError):
        return f"it is not UTF-8 (byte {error.start} cannot be decoded)"
    if isinstance(error, json.JSONDecodeError):
        return f"it is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
    if isinstance(error, RecursionError):
        return "it is nested too deeply to read"
    if isinstance(error, ValueError) and "digits" in str(error):  # Python's limit on int(), not a JSON rule
        return f"it has a number of more than {sys.get_int_max_str_digits()} digits"
    return f"it cannot be read as JSON ({type(error).__name__})"


def json_value(text: str | bytes, what: str) -> Any:
    """One JSON text (UTF-8 bytes or str) parsed; any way it can fail is an InvalidInput naming `what`."""
    try:
        return json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise InvalidInput(f"{what} cannot be read: {json_problem(exc)}") from None


def shown(value: Any) -> str:
    """A value for an error message: repr, cut short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
            raise InvalidInput(f"messages[{i}].role {shown(role)} is not one of {', '.join(ROLES)}")
        out.append(
            {
                "role": role,
                "content": text(message.get("content"), f"messages[{i}].content", max_chars),
                "name": optional_name(message.get("name"), f"messages[{i}].name"),
                "at": parse_time(message.get("at"), f"messages[{i}].at"),
                "source": optional_name(message.get("source"), f"messages[{i}].source"),
                "metadata": metadata(message.get("metadata"), f"messages[{i}].metadata"),
            }
        )
    return out


def time_or_none(value: TimeLike | None, field: str) -> Any:
    return parse_time(value, field)
