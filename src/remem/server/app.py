"""The HTTP API: /v1, JSON in and out, per-space API keys, one error shape, never a 500 for bad input."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from remem import __version__
from remem.errors import Conflict, Forbidden, InvalidInput, NotFound, RememError, Unavailable
from remem.memory import Memory
from remem.server.auth import ApiKey, KeyStore, Right, SQLiteKeyStore
from remem.server.schemas import AddRequest, AskRequest, ForgetRequest, KeyRequest, SearchRequest, UpdateRequest

log = logging.getLogger("remem.server")

STATUS = {InvalidInput: 400, Forbidden: 403, NotFound: 404, Conflict: 409, Unavailable: 503}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _error(status: int, code: str, message: str, request: Request | None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    return JSONResponse(
        {"error": {"code": code, "message": message, "request_id": request_id}},
        status_code=status,
        headers={"X-Request-ID": request_id} if request_id else None,
    )


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, before anything parses them (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _send_json(send, 413, f"body larger than {self.limit} bytes")
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _send_json(send, 413, f"body larger than {self.limit} bytes")


class _TooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": {"code": "too_large", "message": message, "request_id": None}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(
    memory: Memory,
    keys: KeyStore,
    *,
    admin_key: str | None = None,
    max_body: int = 1_000_000,
    timeout: float = 30.0,
) -> FastAPI:
    """The API over one Memory. `admin_key` (a bootstrap token) may manage keys besides admin keys."""
    app = FastAPI(title="remem", version=__version__, description="Long-term memory for LLM agents.")

    @app.middleware("http")
    async def request_id_and_timeout(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        given = request.headers.get("x-request-id", "")
        request.state.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        try:
            response = await asyncio.wait_for(call_next(request), timeout)
        except TimeoutError:
            return _error(503, "timeout", f"the request took longer than {timeout:g} s", request)
        response.headers["X-Request-ID"] = request.state.request_id
        log.info("%s %s %s %s", request.state.request_id, request.method, request.url.path, response.status_code)
        return response

    @app.exception_handler(RememError)
    async def remem_error(request: Request, exc: RememError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 502)
        return _error(status, exc.code, str(exc), request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {400: "invalid_input", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return _error(exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail), request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
            for e in exc.errors()
        )
        return _error(400, "invalid_input", problems or "invalid request", request)

    def caller(request: Request) -> ApiKey:
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        if admin_key and token and _same(token, admin_key):
            return ApiKey("bootstrap-admin", "REMEM_ADMIN_KEY", {}, admin=True)
        return keys.authenticate(token)

    def granted(right: Right) -> Callable[[str, ApiKey], str]:
        def check(space: str, key: ApiKey = Depends(caller)) -> str:  # noqa: B008 - FastAPI's idiom
            if not key.allows(space, right):
                if key.allows(space, "read"):
                    raise Forbidden(f"this key may only read space {space!r}")
                # The same answer whether or not the space exists: nothing to learn from it.
                raise NotFound(f"space {space!r} not found")
            return space

        return check

    def admin(key: ApiKey = Depends(caller)) -> ApiKey:  # noqa: B008
        if not key.admin:
            raise Forbidden("managing keys needs an admin key")
        return key

    reader, writer = Depends(granted("read")), Depends(granted("write"))

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.post("/v1/spaces/{space}/add")
    def add(body: AddRequest, space: str = writer) -> dict[str, Any]:
        result = memory.add(
            [m.model_dump(exclude_none=True) for m in body.messages],
            space=space,
            session=body.session,
            at=body.at,
            source=body.source,
            metadata=body.metadata,
        )
        return result.to_dict()

    @app.post("/v1/spaces/{space}/search")
    def search(body: SearchRequest, space: str = reader) -> dict[str, Any]:
        hits = memory.search(
            body.query,
            space=space,
            k=body.k,
            session=body.session,
            kinds=body.kinds,
            tags=body.tags,
            since=body.since,
            until=body.until,
            as_of=body.as_of,
            include_expired=body.include_expired,
            mode=body.mode,
            expand_links=body.expand_links,
        )
        return {"hits": [h.to_dict() for h in hits]}

    @app.post("/v1/spaces/{space}/ask")
    def ask(body: AskRequest, space: str = reader) -> dict[str, Any]:
        if body.k > memory.settings.max_k:
            raise InvalidInput(f"k must be between 1 and {memory.settings.max_k}, not {body.k}")
        answer: Any = memory.ask(body.question, space=space, k=body.k, as_of=body.as_of)
        return dict(answer.to_dict())

    @app.get("/v1/spaces/{space}/memories")
    def list_memories(
        space: str = reader,
        limit: int = 50,
        offset: int = 0,
        session: str | None = None,
        kind: str | None = None,
        include_expired: bool = False,
    ) -> dict[str, Any]:
        if not 1 <= limit <= 1000 or offset < 0:
            raise InvalidInput("limit must be 1..1000 and offset >= 0")
        items = memory.list(
            space=space,
            session=session,
            kinds=[kind] if kind else None,
            include_expired=include_expired,
            limit=limit + 1,
            offset=offset,
        )
        more = len(items) > limit
        return {"items": [m.to_dict() for m in items[:limit]], "next_offset": offset + limit if more else None}

    @app.get("/v1/spaces/{space}/memories/{memory_id}")
    def get(memory_id: str, space: str = reader) -> dict[str, Any]:
        item = memory.get(memory_id, space=space)
        episodes = memory.store.get_episodes(space, item.source_episode_ids)
        return {**item.to_dict(), "episodes": [e.to_dict() for e in episodes]}

    @app.patch("/v1/spaces/{space}/memories/{memory_id}")
    def update(memory_id: str, body: UpdateRequest, space: str = writer) -> dict[str, Any]:
        item = memory.update(
            memory_id,
            space=space,
            text=body.text,
            kind=body.kind,
            tags=body.tags,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            reason=body.reason,
            actor="api",
        )
        return item.to_dict()

    @app.delete("/v1/spaces/{space}/memories/{memory_id}")
    def delete(memory_id: str, space: str = writer, reason: str = "deleted over HTTP") -> dict[str, Any]:
        return memory.delete(memory_id, space=space, reason=reason[:1000], actor="api").to_dict()

    @app.get("/v1/spaces/{space}/memories/{memory_id}/history")
    def history(memory_id: str, space: str = reader) -> dict[str, Any]:
        return {"versions": [v.to_dict() for v in memory.history(memory_id, space=space)]}

    @app.post("/v1/spaces/{space}/forget")
    def forget(body: ForgetRequest, space: str = writer) -> dict[str, Any]:
        report = memory.forget(
            space=space, before=body.before, session=body.session, ids=body.ids, everything=body.everything
        )
        return {"memories": report.memories, "episodes": report.episodes, "versions": report.versions}

    @app.get("/v1/spaces/{space}/export")
    def export(space: str = reader) -> StreamingResponse:
        records = list(memory.export(space))  # read in one go: a consistent snapshot, then stream

        def lines() -> Iterator[str]:
            for record in records:
                yield json.dumps(record, ensure_ascii=False) + "\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @app.post("/v1/spaces/{space}/import")
    async def import_(request: Request, space: str = writer) -> dict[str, Any]:
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput(f"import body must be UTF-8 JSON lines from export: {exc}") from None
        if len(records) > memory.settings.max_batch * 10:
            raise InvalidInput(f"{len(records)} records in one import; the limit is {memory.settings.max_batch * 10}")
        return await asyncio.to_thread(memory.import_records, records, space=space)

    @app.get("/v1/spaces/{space}/status")
    def status(space: str = reader) -> dict[str, Any]:
        return memory.status(space)

    @app.get("/v1/spaces/{space}/stats")
    def stats(space: str = reader) -> dict[str, Any]:
        data = memory.stats(space)
        data.pop("path", None)  # where the file lives is the operator's business, not the caller's
        return data

    @app.post("/v1/keys")
    def create_key(body: KeyRequest, _: ApiKey = Depends(admin)) -> dict[str, Any]:  # noqa: B008
        key, token = keys.create(dict(body.spaces), admin=body.admin, label=body.label)
        return {"id": key.id, "token": token, "spaces": key.spaces, "admin": key.admin, "label": key.label}

    @app.get("/v1/keys")
    def list_keys(_: ApiKey = Depends(admin)) -> dict[str, Any]:  # noqa: B008
        return {"keys": [vars(k) for k in keys.list()]}

    @app.delete("/v1/keys/{key_id}")
    def revoke_key(key_id: str, _: ApiKey = Depends(admin)) -> dict[str, Any]:  # noqa: B008
        return vars(keys.revoke(key_id))

    app.add_middleware(BodyLimit, limit=max_body)
    return app


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def app_from_env() -> FastAPI:
    """The factory uvicorn's workers call: REMEM_DATABASE, REMEM_ADMIN_KEY, REMEM_KEYS_DB."""
    from remem.settings import Settings

    settings = Settings.load()
    memory = Memory.open(settings=settings)
    keys_db = os.environ.get("REMEM_KEYS_DB") or (
        settings.database if not settings.is_postgres else os.path.expanduser("~/.remem/keys.db")
    )
    return create_app(
        memory,
        SQLiteKeyStore(keys_db),
        admin_key=os.environ.get("REMEM_ADMIN_KEY") or None,
        max_body=int(os.environ.get("REMEM_MAX_BODY", 1_000_000)),
    )
