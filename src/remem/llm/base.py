"""The LLM seam, and asking for JSON without trusting the answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from remem.errors import RememError
from remem.llm.jsonparse import JSONNotFound, extract_json

T = TypeVar("T")


class LLM(Protocol):
    """A chat model. `schema`, when given, asks for JSON that follows it (where the server can)."""

    name: str

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> str: ...


def fill(template: str, **values: str) -> str:
    """Put values into a prompt's {placeholders}, leaving every other brace (JSON examples) alone."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


class LLMOutputError(RememError):
    """The model's answer was not usable JSON even after one corrective retry; `raw` holds it."""

    code = "llm_output"

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


def complete_json(
    llm: LLM,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    *,
    validate: Callable[[Any], T],
    retries: int = 1,
) -> T:
    """Ask for JSON, parse it tolerantly, validate it; on failure tell the model what was wrong, once."""
    conversation = list(messages)
    raw = ""
    for attempt in range(retries + 1):
        raw = llm.complete(conversation, schema=schema)
        try:
            return validate(extract_json(raw))
        except (JSONNotFound, ValueError, KeyError, TypeError) as exc:
            problem = str(exc) or type(exc).__name__
            if attempt == retries:
                raise LLMOutputError(
                    f"{llm.name} gave unusable output after {retries + 1} tries: {problem}", raw
                ) from None
            conversation = [
                *messages,
                {"role": "assistant", "content": raw},
                {
                    "role": "user",
                    "content": f"That was not valid: {problem}. Reply with only JSON matching this "
                    f"schema, nothing else:\n{json.dumps(schema)}",
                },
            ]
    raise AssertionError("unreachable")  # pragma: no cover
