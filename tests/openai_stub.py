"""A real HTTP server on 127.0.0.1 that speaks the OpenAI protocol and replays a script.

It stands in for an external LLM or embeddings API in tests; nothing of remem's own is mocked.

    from tests.openai_stub import OpenAIStub, reply, status, delay, raw_body

    with OpenAIStub(dim=8) as stub:             # or the `openai_stub` pytest fixture below
        stub.script(reply('{"n": 1}'), status(500), delay(5), raw_body("{not json"))
        stub.default = lambda request: "{}"     # chat content once the script is used up
        stub.script_embeddings(status(503))     # embeddings have their own script
        ... point remem at stub.url (".../v1") ...
        stub.requests                           # every request body received, in order

Each recorded request is the JSON body the client sent, plus "_path" (e.g. "/v1/embeddings")
and "_auth" (the Authorization header or None). `chat_requests` and `embedding_requests` filter.

Embeddings are deterministic: each text's vector is seeded by its sha256, `dim` long (settable
between calls to play a model that changed its dimension).

Fixture: conftest.py lists this module in `pytest_plugins`, so any test can ask for `openai_stub`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

Handler = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Step:
    """One scripted answer: chat content, or an HTTP status with a raw body, after an optional delay."""

    content: str | None = None
    status: int = 200
    body: str | None = None  # sent as is, instead of a well-formed completion
    delay: float = 0.0
    finish_reason: str = "stop"


def reply(content: str, *, finish_reason: str = "stop") -> Step:
    """A well-formed chat completion whose message content is `content`."""
    return Step(content=content, finish_reason=finish_reason)


def status(code: int, body: str = '{"error": {"message": "scripted failure"}}', *, after: float = 0.0) -> Step:
    """An HTTP error (or any status) with `body`, sent `after` seconds."""
    return Step(status=code, body=body, delay=after)


def delay(seconds: float, content: str = "{}") -> Step:
    """A completion that arrives only after `seconds`: provokes the client's timeout."""
    return Step(content=content, delay=seconds)


def raw_body(body: str, code: int = 200) -> Step:
    """A response whose body is `body` verbatim (malformed JSON, HTML from a proxy, ...)."""
    return Step(status=code, body=body)


def vector_for(text: str, dim: int) -> list[float]:
    """The stub's embedding of `text`: deterministic, not normalised (the client must normalise)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return [float(x) for x in np.random.default_rng(seed).standard_normal(dim) * 3.0]


class OpenAIStub:
    """The server. Start it with `with`; `url` ends in /v1 like an OpenAI base URL."""

    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.default: Handler = lambda request: "{}"
        self.requests: list[dict[str, Any]] = []
        self._chat_steps: list[Step] = []
        self._embedding_steps: list[Step] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True  # a handler still sleeping in a delay must not block close
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-stub", daemon=True
        )

    def script(self, *steps: Step) -> None:
        """Queue answers for /chat/completions, used in order before `default`."""
        with self._lock:
            self._chat_steps.extend(steps)

    def script_embeddings(self, *steps: Step) -> None:
        """Queue answers for /embeddings; a Step without body/status error gives the usual vectors."""
        with self._lock:
            self._embedding_steps.extend(steps)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["_path"].endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["_path"].endswith("/embeddings")]

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()  # wake handlers sleeping in a scripted delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, path: str, request: dict[str, Any]) -> tuple[int, str]:
        is_embeddings = path.endswith("/embeddings")
        with self._lock:
            queue = self._embedding_steps if is_embeddings else self._chat_steps
            step = queue.pop(0) if queue else None
        if step is not None and step.delay:
            self._closing.wait(step.delay)
        if step is not None and step.body is not None:
            return step.status, step.body
        if is_embeddings:
            return 200, json.dumps(self._embeddings(request))
        if not path.endswith("/chat/completions"):
            return 404, json.dumps({"error": {"message": f"no route {path}"}})
        content = step.content if step is not None else self.default(request)
        finish = step.finish_reason if step is not None else "stop"
        return 200, json.dumps(_completion(request, content, finish))

    def _embeddings(self, request: dict[str, Any]) -> dict[str, Any]:
        texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
        data = [{"object": "embedding", "index": i, "embedding": vector_for(t, self.dim)} for i, t in enumerate(texts)]
        data.reverse()  # the protocol orders by "index", not by position; make clients honour it
        return {"object": "list", "data": data, "model": request.get("model")}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so the client's connection reuse is exercised

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    request = json.loads(raw or b"{}")
                    if not isinstance(request, dict):
                        raise ValueError("body is not an object")
                except ValueError:
                    self._send(400, json.dumps({"error": {"message": "request body is not a JSON object"}}))
                    return
                request["_path"] = self.path
                request["_auth"] = self.headers.get("Authorization")
                with stub._lock:
                    stub.requests.append(request)
                self._send(*stub._answer(self.path, request))

            def _send(self, code: int, body: str) -> None:
                data = body.encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to tell it

        return Handler


def _completion(request: dict[str, Any], content: str | None, finish_reason: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "model": request.get("model"),
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    """A running OpenAIStub (8-dimensional embeddings), closed after the test."""
    with OpenAIStub() as stub:
        yield stub
