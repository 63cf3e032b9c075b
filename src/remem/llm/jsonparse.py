"""Reading JSON out of what a model wrote, without guessing.

Models wrap JSON in code fences, put prose around it, think aloud in <think> blocks, leave a
trailing comma, type smart quotes, or run out of tokens mid-object. `extract_json` copes with the
first five and reports the last as `JSONTruncated`: a cut-off answer is never "repaired" into a
smaller value that looks complete, and a value nested inside a broken one is never returned.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

Kind = Literal["object", "array"]

# Reasoning models (DeepSeek-R1, Qwen3, QwQ) think before answering; some chat templates open the
# block in the prompt, so the answer may hold only the closing tag.
_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.I)
_THINK_CLOSE = re.compile(r"</(think|thinking|reasoning)>", re.I)
_FENCE = re.compile(r"```[ \t]*(?:json5?|javascript|js)?[ \t]*\n?(.*?)```", re.S | re.I)
_FENCE_OPEN = re.compile(r"```[ \t]*(?:json5?|javascript|js)?[ \t]*\n?", re.I)
_OPEN_QUOTES = "\u201c\u201d\u201e\u201f"  # “ ” „ ‟ used as if they were "
_MAX_STARTS = 64  # candidate openings tried per body; model answers are short, prose is bounded
_DECODER = json.JSONDecoder(strict=False)  # strict=False: raw newlines inside strings are common


class JSONNotFound(ValueError):
    """The text holds no usable JSON value; the message says why, in words a model can act on."""


class JSONTruncated(JSONNotFound):
    """The JSON starts but never ends: the answer was cut off (max_tokens, a timeout, a stop word)."""


def extract_json(text: str, *, expect: Kind | None = None) -> Any:
    """The JSON value the model meant, or JSONNotFound / JSONTruncated saying why there is none.

    `expect` ("object" or "array") skips values of the other kind, so "[1] see below {...}" yields
    the object when one is wanted; a value of the wrong kind alone is reported, not unwrapped.
    """
    if not isinstance(text, str) or not text.strip():
        raise JSONNotFound("the answer was empty")
    body = _strip_thinking(text.lstrip("\ufeff"))
    if not body.strip():
        raise JSONNotFound("the answer held only reasoning (<think>...</think>) and no JSON after it")

    failures: list[JSONNotFound] = []
    for candidate, closed in _bodies(body):
        try:
            return _first_value(candidate, expect, closed=closed)
        except JSONTruncated:
            raise
        except JSONNotFound as exc:
            failures.append(exc)
    # The most specific reason wins: "invalid JSON at ..." tells the model more than "none found".
    for failure in failures:
        if not str(failure).startswith("no JSON"):
            raise failure
    raise failures[0] if failures else JSONNotFound("no JSON object or array in the answer")


def _strip_thinking(text: str) -> str:
    text = _THINK_BLOCK.sub("", text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:  # the opening tag was in the prompt: keep what follows the last closing tag
        text = text[closes[-1].end() :]
    opened = _THINK_OPEN.search(text)
    if opened:
        raise JSONTruncated("the answer ended inside a <think> block: the model ran out of tokens while reasoning")
    return text


def _bodies(text: str) -> list[tuple[str, bool]]:
    """Where to look, best first: each closed fence, an unclosed fence's tail, then the whole text.

    The flag says the body is a closed fence: JSON that never ends inside one was abandoned by the
    model (which wrote more after it), not cut off by a token limit.
    """
    bodies = [(match.group(1), True) for match in _FENCE.finditer(text)]
    closed_end = max((match.end() for match in _FENCE.finditer(text)), default=0)
    dangling = _FENCE_OPEN.search(text, closed_end)
    if dangling:  # a fence that never closes: the answer was cut off inside it
        bodies.append((text[dangling.end() :], False))
    bodies.append((text, False))
    return bodies


def _first_value(body: str, expect: Kind | None, *, closed: bool = False) -> Any:
    """The first complete JSON value in `body`, trying each opening bracket outside earlier spans."""
    position, tried = 0, 0
    first_error: str | None = None
    wrong_kind: str | None = None
    while tried < _MAX_STARTS:
        start = _next_opening(body, position)
        if start < 0:
            break
        tried += 1
        end = _span_end(body, start)
        if end is None:
            # Unbalanced to the end of the text. Starting again inside it would return a fragment
            # of the cut-off answer (the first fact of a half-written list): report instead.
            value = _decode(body[start:])  # a smart quote may have unbalanced our count
            if value is _INVALID and closed:
                raise JSONNotFound("invalid JSON: a fenced block opens a value it never closes")
            if value is _INVALID:
                raise JSONTruncated(
                    "the JSON is cut off (it opens but never closes): the answer was probably truncated; "
                    "reply with shorter, complete JSON"
                )
            end = len(body)
        else:
            value = _decode(body[start:end])
        if value is _INVALID:
            first_error = first_error or _describe_error(body[start:end])
        elif expect is None or _kind(value) == expect:
            return value
        else:
            wrong_kind = wrong_kind or _kind(value)
        position = end  # never look inside a span that was complete but unusable
    if wrong_kind is not None and expect is not None:
        raise JSONNotFound(f"expected a JSON {expect} but the answer holds a JSON {wrong_kind}")
    if first_error is not None:
        raise JSONNotFound(first_error)
    raise JSONNotFound("no JSON object or array in the answer")


class _Invalid:
    pass


_INVALID: Any = _Invalid()


def _decode(snippet: str) -> Any:
    """The value of `snippet` as written, else after repairs; _INVALID when neither parses."""
    for attempt in (snippet, _repair(snippet)):
        try:
            value, _ = _DECODER.raw_decode(attempt)
            return value
        except json.JSONDecodeError:
            continue
    return _INVALID


def _describe_error(snippet: str) -> str:
    try:
        _DECODER.raw_decode(_repair(snippet))
    except json.JSONDecodeError as exc:
        around = snippet[max(0, exc.pos - 20) : exc.pos + 20].replace("\n", " ")
        return f"invalid JSON: {exc.msg} at character {exc.pos} (near {around!r})"
    return "invalid JSON"  # pragma: no cover - only called after decoding failed


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__


def _next_opening(text: str, position: int) -> int:
    starts = [i for i in (text.find("{", position), text.find("[", position)) if i >= 0]
    return min(starts, default=-1)


def _span_end(text: str, start: int) -> int | None:
    """Index just past the bracket that closes the one at `start`, or None if it never closes."""
    depth, in_string, escaped = 0, False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _repair(snippet: str) -> str:
    """Smart quotes used as delimiters become ", trailing commas before } or ] go; strings keep content."""
    out: list[str] = []
    closer: str | None = None  # the quote that ends the current string, None outside strings
    escaped = False
    for char in snippet:
        if closer is not None:
            if escaped:
                escaped = False
                out.append(char)
            elif char == "\\":
                escaped = True
                out.append(char)
            elif char == closer or (closer == "smart" and char in _OPEN_QUOTES):
                closer = None
                out.append('"')
            elif closer == "smart" and char == '"':
                out.append('\\"')  # a straight quote inside a smart-quoted string is content
            else:
                out.append(char)
            continue
        if char == '"':
            closer = '"'
            out.append(char)
        elif char in _OPEN_QUOTES:
            closer = "smart"
            out.append('"')
        elif char in "}]":
            _drop_trailing_comma(out)
            out.append(char)
        else:
            out.append(char)
    return "".join(out)


def _drop_trailing_comma(out: list[str]) -> None:
    index = len(out) - 1
    while index >= 0 and out[index].isspace():
        index -= 1
    if index >= 0 and out[index] == ",":
        del out[index]
