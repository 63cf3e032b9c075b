"""A client for any OpenAI-compatible chat endpoint: OpenAI, vLLM, Ollama, llama.cpp's server.

`post_with_retries` is the one place that turns HTTP trouble into remem errors; the embeddings
client (remem.embed.openai_compat) uses it too, so both fail the same way with the same words.
"""

from __future__ import annotations

import contextlib
import json
import time
from types import TracebackType
from typing import Any, Literal

import httpx

from remem.errors import InvalidInput, Unavailable
from remem.llm.base import LLM
from remem.settings import Settings

Format = Literal["json_schema", "json_object", "none"]

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_BACKOFF_S = 0.25  # first pause; doubles per retry, always within the caller's time budget
_SNIPPET = 300  # characters of a server's error body quoted in our messages
# Words servers use when they reject a structured-output request (OpenAI, vLLM, llama.cpp, LM Studio).
_FORMAT_WORDS = ("response_format", "response format", "json_schema", "json_object", "schema", "grammar")


def post_with_retries(
    client: httpx.Client,
    url: str,
    body: dict[str, Any],
    *,
    timeout: float,
    retries: int = 2,
    key_setting: str = "llm_api_key",
    deadline: float | None = None,
) -> httpx.Response:
    """POST `body` within `timeout` seconds in all, retrying 429, 5xx and dropped connections.

    Returns any other response (2xx, 4xx) for the caller to read. Raises Unavailable naming the URL
    and what happened: a timeout, no connection, a refused key (mentioning `key_setting`), or a
    server still failing after `retries` retries. `deadline` (time.monotonic()) lets a caller
    share one budget across several posts; it defaults to now + timeout.
    """
    if deadline is None:
        deadline = time.monotonic() + timeout
    for attempt in range(retries + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Unavailable(f"{url} did not answer within {timeout:g} s")
        try:
            response = client.post(url, json=body, timeout=remaining)
        except httpx.TimeoutException:
            raise Unavailable(f"{url} did not answer within {timeout:g} s") from None
        except httpx.TransportError as exc:
            problem = f"cannot reach {url}: {type(exc).__name__}: {exc}"
            if attempt == retries or not _pause(attempt, None, deadline):
                raise Unavailable(problem) from None
            continue
        if response.status_code in (401, 403):
            raise Unavailable(
                f"{url} refused the credentials ({response.status_code} {_snippet(response)}): check {key_setting}"
            )
        if response.status_code not in RETRY_STATUS:
            return response
        if attempt == retries or not _pause(attempt, response.headers.get("Retry-After"), deadline):
            what = "is rate-limiting us" if response.status_code == 429 else "is failing"
            raise Unavailable(
                f"{url} {what}: answered {response.status_code} to {attempt + 1} tries ({_snippet(response)})"
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _pause(attempt: int, retry_after: str | None, deadline: float) -> bool:
    """Sleep before the next try; False when the budget cannot cover the pause and another try."""
    pause = _BACKOFF_S * 2**attempt
    if retry_after is not None:
        with contextlib.suppress(ValueError):  # an HTTP date: the exponential pause is good enough
            pause = max(pause, float(retry_after))
    if time.monotonic() + pause >= deadline:
        return False
    time.sleep(pause)
    return True


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")


class OpenAICompatLLM:
    """POST {base_url}/chat/completions.

    With a `schema`, asks for json_schema output; when the server refuses that response_format
    (400/422 naming it), steps down to json_object and then to plain text, putting the schema in
    the prompt instead, and remembers the step for later calls. One `timeout` bounds each call,
    retries and step-downs included.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 60.0,
        use_json_schema: bool = True,
        retries: int = 2,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self.model = model
        self.name = f"openai-compat:{model}"
        self.timeout = timeout
        self.retries = retries
        self.formats: list[Format] = ["json_schema", "json_object", "none"]
        if not use_json_schema:
            self.formats.remove("json_schema")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    @property
    def json_format(self) -> Format:
        """The structured-output mode this server is asked for (learned from its refusals)."""
        return self.formats[0]

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> str:
        """The assistant's reply; raises Unavailable when the server cannot give one."""
        deadline = time.monotonic() + self.timeout
        while True:
            fmt: Format = self.formats[0] if schema is not None else "none"
            body = self._body(messages, schema, fmt, temperature, max_tokens)
            response = post_with_retries(
                self._client, self.url, body, timeout=self.timeout, retries=self.retries, deadline=deadline
            )
            if fmt != "none" and response.status_code in (400, 422) and _mentions_format(response):
                # Drop only this mode; a server without json_schema may still do json_object.
                if self.formats[0] == fmt and len(self.formats) > 1:
                    self.formats.pop(0)
                continue
            if response.status_code == 404:
                raise Unavailable(
                    f"{self.url} answered 404 ({_snippet(response)}): check llm_url and llm_model ({self.model!r})"
                )
            if response.status_code >= 400:
                raise Unavailable(f"{self.url} rejected the request: {response.status_code} {_snippet(response)}")
            return _content(response, self.url)

    def _body(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any] | None,
        fmt: Format,
        temperature: float,
        max_tokens: int | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        if schema is None:
            return body
        if fmt == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": True},
            }
            return body
        # Without json_schema the server never sees the schema, so the prompt must carry it. It goes
        # into the last user turn: some chat templates reject a system turn that is not first.
        # (OpenAI's json_object mode also requires the word "JSON" in the messages.)
        if fmt == "json_object":
            body["response_format"] = {"type": "json_object"}
        body["messages"] = _with_schema_instruction(messages, schema)
        return body

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> OpenAICompatLLM:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def _mentions_format(response: httpx.Response) -> bool:
    text = response.text.lower()
    return any(word in text for word in _FORMAT_WORDS)


def _with_schema_instruction(messages: list[dict[str, str]], schema: dict[str, Any]) -> list[dict[str, str]]:
    instruction = (
        "Reply with only a JSON value (no prose, no code fence) that follows this JSON schema:\n"
        + json.dumps(schema, separators=(",", ":"))
    )
    out = [dict(message) for message in messages]
    for message in reversed(out):
        if message.get("role") == "user":
            message["content"] = f"{message.get('content', '')}\n\n{instruction}"
            return out
    return [*out, {"role": "user", "content": instruction}]


def _content(response: httpx.Response, url: str) -> str:
    """The first choice's text. Servers that send content as a list of parts get them joined."""
    try:
        message = response.json()["choices"][0]["message"]
        content = message.get("content")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        raise Unavailable(
            f"{url} answered {response.status_code} without a chat completion: {_snippet(response)}"
        ) from None
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def from_settings(settings: Settings) -> LLM | None:
    """The configured LLM, or None when none is (remem then works without one)."""
    if settings.llm_provider == "local":
        from remem.llm.local import LocalLLM

        return LocalLLM(
            settings.llm_model_path,
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads,
            extra_bufts=settings.llm_extra_bufts,
        )
    if not settings.llm_url:
        return None
    if not settings.llm_model:
        raise InvalidInput("llm_url is set but llm_model is not; set llm_model (REMEM_LLM_MODEL)")
    return OpenAICompatLLM(
        settings.llm_url,
        settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        use_json_schema=settings.llm_json_schema,
    )
