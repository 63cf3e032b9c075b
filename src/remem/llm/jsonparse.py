"""Reading JSON out of what a model wrote: fences, prose around it, <think> blocks, trailing commas."""

from __future__ import annotations

import json
import re
from typing import Any

_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_SMART = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


class JSONNotFound(ValueError):
    """The text holds no complete JSON value; the message says why (e.g. it was cut off)."""


def extract_json(text: str) -> Any:
    """The first complete JSON object or array in `text`; raises JSONNotFound with a reason."""
    if not isinstance(text, str) or not text.strip():
        raise JSONNotFound("the model returned no text")
    body = _THINK.sub("", text)
    fenced = _FENCE.search(body)
    if fenced:
        body = fenced.group(1)
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise JSONNotFound("no JSON object or array in the model's text")
    candidate = body[start:]
    for attempt in (candidate, candidate.translate(_SMART)):
        try:
            value, _ = json.JSONDecoder().raw_decode(attempt)
            return value
        except json.JSONDecodeError:
            pass
        cleaned = _TRAILING_COMMA.sub(r"\1", attempt)
        try:
            value, _ = json.JSONDecoder().raw_decode(cleaned)
            return value
        except json.JSONDecodeError as exc:
            error = exc
    if _unbalanced(candidate):
        raise JSONNotFound("the JSON is cut off (unbalanced brackets): the answer was probably truncated")
    raise JSONNotFound(f"invalid JSON: {error.msg} at position {error.pos}")


def _unbalanced(text: str) -> bool:
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return False
    return depth > 0 or in_string
