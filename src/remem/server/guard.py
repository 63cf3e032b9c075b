"""The outermost layer: a request id for every request, a body limit, a time limit, one log line.

A plain ASGI middleware rather than FastAPI's `@app.middleware("http")`: it sees the body as it
streams in, so an oversized body is refused before anything buffers or parses it, and it can
answer 413 and 503 with the same error shape and request id as the routes do.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from remem.server.errors import BodyTooLarge

log = logging.getLogger("remem.server")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # anything else is not echoed: no header or log injection


class RequestGuard:
    """Request ids, a body limit (413) and a time limit (503) around the whole app."""

    def __init__(self, app: ASGIApp, *, max_body: int, timeout: float, max_document_body: int | None = None) -> None:
        self.app, self.max_body, self.timeout = app, max_body, timeout
        self.max_document_body = max_document_body or max_body  # POST .../documents takes a longer text

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # read back as request.state.request_id
        started, status = time.perf_counter(), 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        limit = self.max_document_body if scope["path"].endswith("/documents") else self.max_body
        try:
            declared = headers.get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                # Refused on the header alone: the body is never read.
                await _reply(send_with_id, 413, "too_large", BodyTooLarge(limit).detail, request_id)
                return
            seen = 0

            async def limited() -> Message:
                nonlocal seen
                message = await receive()
                seen += len(message.get("body", b""))
                if seen > limit:  # a chunked body with no length, or a lying one
                    raise BodyTooLarge(limit)
                return message

            try:
                await asyncio.wait_for(self.app(scope, limited, send_with_id), self.timeout)
            except TimeoutError:
                # The caller is told now. Work already running in a worker thread cannot be
                # interrupted; it finishes (or fails) on its own, and a write it makes still counts.
                if status == 0:
                    await _reply(send_with_id, 503, "timeout", f"the request took over {self.timeout:g} s", request_id)
            except BodyTooLarge as exc:
                if status == 0:
                    await _reply(send_with_id, 413, "too_large", exc.detail, request_id)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %s %.1fms", request_id, scope["method"], printable(scope["path"]), status, elapsed)


def printable(text: str) -> str:
    """Text safe for one log line: control and other unprintable characters (a decoded %0A or %00 in a
    path) are written as escapes, so a request can neither forge a line nor write NUL to the log."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


async def _reply(send: Send, status: int, code: str, message: str, request_id: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "request_id": request_id}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
