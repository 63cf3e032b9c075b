"""The LLM seam, and asking for JSON without trusting the answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar, overload

from pydantic import BaseModel, ValidationError

from remem.errors import RememError
from remem.llm.jsonparse import JSONNotFound, JSONTruncated, Kind, extract_json

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# What a validator may raise about bad output. A validator written as plain code (answer["x"],
# answer.get(...) on a list) fails with these; anything else is a bug and should surface as one.
_BAD_OUTPUT = (JSONNotFound, ValueError, TypeError, KeyError, IndexError, AttributeError)
_RAW_ECHO_CHARS = 4_000  # how much of a bad answer goes back to the model in the corrective turn
_PROBLEM_CHARS = 600


class LLM(Protocol):
    """A chat model. `schema`, when given, asks for JSON that follows it (where the backend can)."""

    name: str

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> str:
        """The assistant's reply to `messages`, as text."""
        ...


class LLMOutputError(RememError):
    """The model's answer was not usable JSON even after a corrective retry; `raw` holds the last answer."""

    code = "llm_output"

    def __init__(self, message: str, raw: str, *, problem: str = "", attempts: int = 1) -> None:
        super().__init__(message)
        self.raw = raw
        self.problem = problem
        self.attempts = attempts


PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


@cache
def load_prompt(name: str) -> str:
    """The template in src/remem/prompts/<name>.md (answer, extract, reconcile, summarize), for `fill`."""
    return (PROMPTS / f"{name}.md").read_text(encoding="utf-8")


def fill(template: str, **values: str) -> str:
    """Put values into a prompt's {placeholders}, leaving every other brace (JSON examples) alone."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


@overload
def complete_json(
    llm: LLM,
    messages: list[dict[str, str]],
    schema: dict[str, Any] | None,
    *,
    validate: type[M],
    retries: int = 1,
    max_tokens: int | None = None,
) -> M: ...


@overload
def complete_json(
    llm: LLM,
    messages: list[dict[str, str]],
    schema: dict[str, Any] | None,
    *,
    validate: Callable[[Any], T],
    retries: int = 1,
    max_tokens: int | None = None,
) -> T: ...


@overload
def complete_json(
    llm: LLM,
    messages: list[dict[str, str]],
    schema: dict[str, Any] | None,
    *,
    validate: None = None,
    retries: int = 1,
    max_tokens: int | None = None,
) -> Any: ...


def complete_json(
    llm: LLM,
    messages: list[dict[str, str]],
    schema: dict[str, Any] | None,
    *,
    validate: type[BaseModel] | Callable[[Any], Any] | None = None,
    retries: int = 1,
    max_tokens: int | None = None,
) -> Any:
    """Ask for JSON, parse it tolerantly, validate it; on failure tell the model what was wrong.

    `validate` is a pydantic model class (its JSON schema is used when `schema` is None), a callable
    that returns the value or raises ValueError/TypeError/KeyError, or None to accept any JSON.
    After `retries` corrective turns (one by default) raises LLMOutputError carrying the raw text.
    Errors reaching the model (Unavailable) are not retried here; the client already did.
    """
    if retries < 0:
        raise ValueError("retries must be >= 0")
    check = _validator(validate)
    if schema is None and isinstance(validate, type) and issubclass(validate, BaseModel):
        schema = validate.model_json_schema()
    conversation = list(messages)
    raw, problem = "", ""
    for attempt in range(retries + 1):
        raw = llm.complete(conversation, schema=schema, temperature=0.0, max_tokens=max_tokens)
        try:
            return check(extract_json(raw, expect=_expected_kind(schema)))
        except _BAD_OUTPUT as exc:
            problem = _describe(exc)
            truncated = isinstance(exc, JSONTruncated)
        if attempt < retries:
            conversation = [*messages, *_correction(raw, problem, schema, truncated=truncated)]
    raise LLMOutputError(
        f"{llm.name} gave unusable output after {retries + 1} tries: {problem}",
        raw,
        problem=problem,
        attempts=retries + 1,
    )


def _validator(validate: type[BaseModel] | Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if validate is None:
        return lambda value: value
    if isinstance(validate, type) and issubclass(validate, BaseModel):
        return validate.model_validate
    return validate


def _expected_kind(schema: dict[str, Any] | None) -> Kind | None:
    """The top-level kind the schema asks for, so prose like "[1]" before the object is skipped."""
    kind = (schema or {}).get("type")
    if kind == "object":
        return "object"
    if kind == "array":
        return "array"
    return None


def _describe(exc: BaseException) -> str:
    """A short account of what was wrong, in words the model can act on."""
    if isinstance(exc, ValidationError):
        lines = [
            f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}" for error in exc.errors()[:8]
        ]
        text = "; ".join(lines)
    elif isinstance(exc, KeyError):
        text = f"missing key {exc.args[0]!r}" if exc.args else "a required key is missing"
    else:
        text = str(exc) or type(exc).__name__
    return text[:_PROBLEM_CHARS]


def _correction(raw: str, problem: str, schema: dict[str, Any] | None, *, truncated: bool) -> list[dict[str, str]]:
    """The corrective turn: the bad answer, what was wrong with it, and what to send instead."""
    ask = "Reply again with only the JSON, no prose and no code fence"
    if truncated:
        ask += ", and keep it short enough to finish"
    if schema is not None:
        ask += f". It must follow this JSON schema:\n{json.dumps(schema, separators=(',', ':'))}"
    return [
        {"role": "assistant", "content": raw[:_RAW_ECHO_CHARS]},
        {"role": "user", "content": f"That answer was not valid: {problem}. {ask}"},
    ]
