"""A real HTTP server on 127.0.0.1 that speaks the OpenAI protocol and replays a script.

    with OpenAIStub() as stub:
        stub.script(reply('{"facts": []}'), status(500), delay(5), raw_body("{not json"))
        stub.default = lambda request: '{"facts": []}'   # when the script is used up
        ... point remem at stub.url (".../v1") ...
        stub.requests  # every request body received, in order

It stands in for an external LLM API in tests; nothing of remem's own is mocked.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest


@dataclass
class Step:
    content: str | None = None
    status: int = 200
    body: str | None = None  # raw body, sent as is
    delay: float = 0.0


def reply(content: str) -> Step:
    return Step(content=content)


def status(code: int, body: str = '{"error": {"message": "scripted failure"}}') -> Step:
    return Step(status=code, body=body)


def delay(seconds: float, content: str = "{}") -> Step:
    return Step(content=content, delay=seconds)


def raw_body(body: str) -> Step:
    return Step(body=body)


class OpenAIStub:
    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.steps: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        self.default: Callable[[dict[str, Any]], str] = lambda request: "{}"
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                request["_path"] = self.path
                request["_auth"] = self.headers.get("Authorization")
                with stub._lock:
                    stub.requests.append(request)
                    step = stub.steps.pop(0) if stub.steps else None
                if self.path.endswith("/embeddings"):
                    self._send(200, json.dumps(stub._embeddings(request)))
                    return
                if step is None:
                    step = Step(content=stub.default(request))
                if step.delay:
                    time.sleep(step.delay)
                if step.body is not None:
                    self._send(step.status, step.body)
                    return
                self._send(
                    step.status,
                    json.dumps(
                        {
                            "id": "chatcmpl-stub",
                            "object": "chat.completion",
                            "model": request.get("model"),
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": step.content},
                                }
                            ],
                        }
                    ),
                )

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

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _embeddings(self, request: dict[str, Any]) -> dict[str, Any]:
        texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
        data = []
        for index, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim)
            data.append({"index": index, "embedding": vector.tolist()})
        return {"object": "list", "data": data, "model": request.get("model")}

    def script(self, *steps: Step) -> None:
        with self._lock:
            self.steps.extend(steps)

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def openai_stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as stub:
        yield stub
