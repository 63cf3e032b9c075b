"""A client for any OpenAI-compatible chat endpoint: OpenAI, vLLM, Ollama, llama.cpp's server."""

from __future__ import annotations

import time
from typing import Any

import httpx

from remem.errors import Unavailable
from remem.settings import Settings

RETRY_STATUS = {429, 500, 502, 503, 504}


class OpenAICompatLLM:
    """POST {base_url}/chat/completions. Asks for json_schema output, and steps down to json_object
    and then to plain text when the server refuses a response_format, remembering what worked."""

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
        self.model = model
        self.name = f"openai-compat:{model}"
        self.timeout = timeout
        self.retries = retries
        self._formats = ["json_schema", "json_object", "none"] if use_json_schema else ["json_object", "none"]
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        temperature: float = 0.0,
        max_tokens: int | None = None,
    ) -> str:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature}
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        while True:
            fmt = self._formats[0] if schema is not None else "none"
            if fmt == "json_schema":
                body["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": schema, "strict": True},
                }
            elif fmt == "json_object":
                body["response_format"] = {"type": "json_object"}
            else:
                body.pop("response_format", None)
            response = self._post(body)
            if response.status_code == 400 and fmt != "none" and "response_format" in response.text:
                self._formats.pop(0)  # the server does not do this format; step down and remember
                continue
            if response.status_code in (401, 403):
                raise Unavailable(f"{self.base_url} refused the request ({response.status_code}): check llm_api_key")
            if response.status_code >= 400:
                raise Unavailable(f"{self.base_url} answered {response.status_code}: {response.text[:200]}")
            try:
                return str(response.json()["choices"][0]["message"]["content"] or "")
            except (ValueError, KeyError, IndexError, TypeError):
                raise Unavailable(
                    f"{self.base_url} answered 200 without a chat completion: {response.text[:200]}"
                ) from None

    def _post(self, body: dict[str, Any]) -> httpx.Response:
        deadline = time.monotonic() + self.timeout
        for attempt in range(self.retries + 1):
            try:
                response = self._client.post(f"{self.base_url}/chat/completions", json=body)
            except httpx.TimeoutException:
                raise Unavailable(f"{self.base_url} did not answer within {self.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise Unavailable(f"cannot reach {self.base_url}: {exc}") from None
            if response.status_code not in RETRY_STATUS or attempt == self.retries:
                return response
            pause = min(0.2 * 2**attempt, max(0.0, deadline - time.monotonic()))
            if pause <= 0:
                return response
            time.sleep(pause)
        return response  # pragma: no cover

    def close(self) -> None:
        self._client.close()


def from_settings(settings: Settings) -> OpenAICompatLLM | None:
    """The configured LLM, or None when llm_url is unset (remem then works without one)."""
    if not settings.llm_url:
        return None
    if not settings.llm_model:
        from remem.errors import InvalidInput

        raise InvalidInput("llm_url is set but llm_model is not; set REMEM_LLM_MODEL")
    return OpenAICompatLLM(
        settings.llm_url,
        settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        use_json_schema=settings.llm_json_schema,
    )
