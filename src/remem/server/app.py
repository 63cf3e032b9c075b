"""The HTTP API: /v1, JSON in and out, per-space API keys, one error shape, never a 500 for bad input.

Every route under /v1/spaces/{space} checks the caller's key against the space in the path
*before* FastAPI reads or validates the body (see `_guarded_route`): a caller without rights to a
space learns nothing about it, not even whether its own malformed body would have been refused.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

from remem import __version__
from remem.errors import Forbidden, InvalidInput, NotFound
from remem.memory import Memory
from remem.portable import read_lines
from remem.server import docs, errors
from remem.server import responses as out
from remem.server.auth import ALL_SPACES, ApiKey, KeyStore, key_store_for
from remem.server.guard import RequestGuard
from remem.server.responses import documented, without_unused_validation_errors
from remem.server.schemas import (
    AddRequest,
    AskRequest,
    DocumentRequest,
    ForgetRequest,
    KeyRequest,
    SearchRequest,
    UpdateRequest,
)
from remem.timeutil import now
from remem.types import MemoryItem

log = logging.getLogger("remem.server")
Access = Literal["read", "write", "admin", "key"]  # "key": any valid key, no right needed
RIGHT = "x-remem-right"  # the OpenAPI extension naming the right a route needs
UI_DIR = Path(__file__).with_name("ui")  # the memory inspector, served at /ui


@dataclass(frozen=True)
class Limits:
    """What one request may ask for. Memory's own limits (text length, batch, k) still apply beneath."""

    max_body: int = 1_000_000  # bytes, refused with 413 before parsing
    max_document_body: int = 12 * 1024 * 1024  # POST .../documents: 5 MiB of text, JSON-escaped
    max_batch: int = 1_000  # messages in one add
    max_k: int = 200  # results in one search or ask
    max_page: int = 1_000  # memories in one list page
    max_import: int = 10_000  # records in one import
    timeout: float = 30.0  # seconds before the caller gets a 503


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _guarded_route(authorize: Callable[[Request, Access], Awaitable[None]]) -> type[APIRoute]:
    """A route class that authorizes the caller first, then insists on a JSON body where there is one."""

    class GuardedRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            access: Access | None = (self.openapi_extra or {}).get(RIGHT)
            takes_json = self.body_field is not None

            async def guarded(request: Request) -> Response:
                if access is not None:
                    await authorize(request, access)
                content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
                # Refusing other types (rather than guessing) also stops cross-site form posts.
                if takes_json and content_type != "application/json" and request.headers.get("content-length") != "0":
                    raise HTTPException(415, "send the body as JSON with 'Content-Type: application/json'")
                return await handler(request)

            return guarded

    return GuardedRoute


def create_app(
    memory: Memory,
    *,
    admin_key: str | None = None,
    keys: KeyStore | None = None,
    limits: Limits | None = None,
) -> FastAPI:
    """The API over one Memory.

    `admin_key` is a bootstrap token that may manage keys (REMEM_ADMIN_KEY); `keys` defaults to the
    key tables inside the store's own database.
    """
    limits = limits or Limits()
    key_store = keys or key_store_for(memory.settings.database)
    app = FastAPI(
        title="remem",
        version=__version__,
        description="Long-term memory for LLM agents.",
        docs_url=None,  # served by server/docs.py from packaged files, not a CDN
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app)

    def caller(token: str) -> ApiKey:
        if admin_key and token and _same(token, admin_key):
            return ApiKey("bootstrap-admin", "REMEM_ADMIN_KEY", {}, admin=True)
        return key_store.authenticate(token)

    async def authorize(request: Request, access: Access) -> None:
        key = await run_in_threadpool(caller, _bearer(request))  # a database read: off the event loop
        request.state.key = key
        if access == "key":
            return
        if access == "admin":
            if not key.admin:
                raise Forbidden("managing keys needs an admin key")
            return
        space = request.path_params.get("space", "")
        if not key.allows(space, access):
            if access == "write" and key.allows(space, "read"):
                raise Forbidden(f"this key may only read space {space!r}")
            # The same answer whether or not the space exists: nothing to learn from it.
            raise NotFound(f"space {space!r} not found")

    bearer = HTTPBearer(auto_error=False, description="An API key: 'Authorization: Bearer rk_...'")
    # The bearer dependency only documents the scheme in OpenAPI; `authorize` does the checking.
    router = APIRouter(route_class=_guarded_route(authorize), dependencies=[Depends(bearer)])
    read: dict[str, Any] = {"openapi_extra": {RIGHT: "read"}}
    write: dict[str, Any] = {"openapi_extra": {RIGHT: "write"}}
    admin: dict[str, Any] = {"openapi_extra": {RIGHT: "admin"}}
    any_key: dict[str, Any] = {"openapi_extra": {RIGHT: "key"}}

    def actor(request: Request) -> str:
        return f"api:{request.state.key.id}"

    @app.get("/v1/health", operation_id="health")
    def health() -> dict[str, Any]:
        """Liveness; needs no key and says nothing about the store."""
        return {"status": "ok", "version": __version__}

    @router.get("/v1/spaces", **any_key, **documented("list_spaces", out.SpacesResponse))
    def list_spaces(request: Request) -> dict[str, Any]:
        """The spaces this key can read, with their counts; a key for every space ("*") sees every space
        that holds a record. A space granted by name is listed even while it is empty."""
        key: ApiKey = request.state.key
        counts = memory.space_counts()
        named = [s for s in key.spaces if s != ALL_SPACES]
        names = sorted(set(counts) | set(named)) if ALL_SPACES in key.spaces else sorted(named)
        empty = {"episodes": 0, "memories": 0, "current_memories": 0, "pending_jobs": 0, "failed_jobs": 0}
        return {
            "spaces": [
                {"name": s, "right": "write" if key.allows(s, "write") else "read", **counts.get(s, empty)}
                for s in names
            ]
        }

    @router.post("/v1/spaces/{space}/add", **write, **documented("add", out.AddResponse))
    def add(space: str, body: AddRequest, idempotency_key: str | None = Header(default=None)) -> dict[str, Any]:
        """Store messages as episodes (first, always), then extract and reconcile memories.

        With an `Idempotency-Key` header, a retry with the same key and body answers with the first
        call's episodes and job instead of storing them again; the same key with another body is 409."""
        if len(body.messages) > limits.max_batch:
            raise InvalidInput(f"{len(body.messages)} messages in one add; the limit is {limits.max_batch}")
        result = memory.add(
            [m.model_dump(exclude_none=True) for m in body.messages],
            space=space,
            session=body.session,
            at=body.at,
            source=body.source,
            metadata=body.metadata,
            idempotency_key=idempotency_key,
        )
        return result.to_dict()

    def _k(k: int) -> int:
        if k > limits.max_k:
            raise InvalidInput(f"k must be between 1 and {limits.max_k}, not {k}")
        return k

    @router.post("/v1/spaces/{space}/search", **read, **documented("search", out.SearchResponse))
    def search(space: str, body: SearchRequest) -> dict[str, Any]:
        """Hybrid search with filters, `as_of` and `mode`; hits carry scores and provenance."""
        hits = memory.search(
            body.query,
            space=space,
            k=_k(body.k),
            session=body.session,
            kinds=body.kinds,
            tags=body.tags,
            since=body.since,
            until=body.until,
            as_of=body.as_of,
            include_expired=body.include_expired,
            mode=body.mode,
            expand_links=body.expand_links,
            neighbours=body.neighbours,
            min_score=body.min_score,
        )
        return {"hits": [h.to_dict() for h in hits]}

    @router.post("/v1/spaces/{space}/documents", **write, **documented("add_document"))
    def add_document(space: str, body: DocumentRequest) -> dict[str, Any]:
        """Store a long text as passages of whole sentences, each a searchable memory of kind `document` with its
        document id, name, index and character offsets; no fact extraction. Up to 5 MiB of text (413 past it)."""
        return memory.add_document(
            body.text, space=space, name=body.name, session=body.session, at=body.at, metadata=body.metadata
        ).to_dict()

    @router.post("/v1/spaces/{space}/ask", **read, **documented("ask", out.AskResponse))
    def ask(space: str, body: AskRequest) -> dict[str, Any]:
        """Answer from memory, citing memory ids."""
        answer: Any = memory.ask(body.question, space=space, k=_k(body.k), as_of=body.as_of, min_score=body.min_score)
        return dict(answer.to_dict())

    @router.get("/v1/spaces/{space}/memories", **read, **documented("list_memories", out.MemoryPage))
    def list_memories(
        space: str,
        limit: int = 50,
        offset: int = 0,
        session: str | None = None,
        kind: str | None = None,
        include_expired: bool = False,
        tag: str | None = None,
        since: str | None = None,
        until: str | None = None,
        state: Literal["current", "closed", "all"] | None = None,
    ) -> dict[str, Any]:
        """A page of memories, newest first; `next_offset` is null on the last page.

        `state` (current, closed or all) overrides `include_expired`; `since`/`until` bound the time a
        memory became true (else was recorded); `tag` keeps memories carrying it."""
        if not 1 <= limit <= limits.max_page or not 0 <= offset <= 2**62:
            raise InvalidInput(f"limit must be 1..{limits.max_page} and offset a non-negative integer")

        def page(start: int, size: int) -> list[MemoryItem]:
            return memory.list(
                space=space,
                session=session,
                kinds=[kind] if kind else None,
                tags=[tag] if tag else None,
                since=since or None,
                until=until or None,
                include_expired=include_expired if state is None else state != "current",
                limit=size,
                offset=start,
            )

        if state != "closed":
            items = page(offset, limit + 1)  # one more than asked: tells whether there is a next page
            more = len(items) > limit
            return {"items": [m.to_dict() for m in items[:limit]], "next_offset": offset + limit if more else None}
        # Closed memories are the expired ones among all: read pages of all until this page is full
        # (and one more is found); next_offset counts in that list of all.
        moment, found, position = now(), list[MemoryItem](), offset
        while len(found) <= limit:
            batch = page(position, limits.max_page)
            for item in batch:
                if item.valid_to is not None and item.valid_to <= moment:
                    if len(found) == limit:
                        return {"items": [m.to_dict() for m in found], "next_offset": position}
                    found.append(item)
                position += 1
            if len(batch) < limits.max_page:
                break
        return {"items": [m.to_dict() for m in found], "next_offset": None}

    @router.get("/v1/spaces/{space}/memories/{memory_id}", **read, **documented("get", out.MemoryWithEpisodes))
    def get(space: str, memory_id: str) -> dict[str, Any]:
        """One memory with its source episodes."""
        item, episodes = memory.get(memory_id, space=space, with_episodes=True)
        return {**item.to_dict(), "episodes": [e.to_dict() for e in episodes]}

    @router.patch("/v1/spaces/{space}/memories/{memory_id}", **write, **documented("update", out.MemoryOut))
    def update(space: str, memory_id: str, body: UpdateRequest, request: Request) -> dict[str, Any]:
        """Change a memory; the old state becomes the previous version."""
        item = memory.update(
            memory_id,
            space=space,
            text=body.text,
            kind=body.kind,
            tags=body.tags,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            reason=body.reason,
            actor=actor(request),
        )
        return item.to_dict()

    @router.delete("/v1/spaces/{space}/memories/{memory_id}", **write, **documented("delete", out.MemoryOut))
    def delete(space: str, memory_id: str, request: Request, reason: str = "deleted over HTTP") -> dict[str, Any]:
        """Retire a memory: no longer valid from now, kept in history and in `as_of` searches."""
        return memory.delete(memory_id, space=space, reason=reason[:1000], actor=actor(request)).to_dict()

    @router.get("/v1/spaces/{space}/memories/{memory_id}/history", **read, **documented("history", out.HistoryResponse))
    def history(space: str, memory_id: str) -> dict[str, Any]:
        """Every version, oldest first, with operation, reason, actor and time."""
        return {"versions": [v.to_dict() for v in memory.history(memory_id, space=space)]}

    @router.get("/v1/spaces/{space}/episodes", **read, **documented("list_episodes"))
    def list_episodes(space: str, session: str | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
        """A page of episodes (raw turns), oldest first, of one session or of the whole space."""
        if not 1 <= limit <= limits.max_page or not 0 <= offset <= 2**62:
            raise InvalidInput(f"limit must be 1..{limits.max_page} and offset a non-negative integer")
        items = memory.episodes(space=space, session=session, limit=limit + 1, offset=offset)
        more = len(items) > limit
        return {"items": [e.to_dict() for e in items[:limit]], "next_offset": offset + limit if more else None}

    @router.post("/v1/spaces/{space}/forget/preview", **read, **documented("forget_preview"))
    def forget_preview(space: str, body: ForgetRequest) -> dict[str, Any]:
        """What the same forget would purge, purging nothing: every memory and episode, and the version count."""
        memories, episodes, versions = memory.forget_preview(
            space=space,
            before=body.before,
            session=body.session,
            ids=body.ids,
            everything=body.everything,
            with_sources=body.with_sources,
        )
        return {
            "memories": [m.to_dict() for m in memories],
            "episodes": [e.to_dict() for e in episodes],
            "versions": versions,
        }

    @router.post("/v1/spaces/{space}/forget", **write, **documented("forget", out.ForgetResponse))
    def forget(space: str, body: ForgetRequest) -> dict[str, Any]:
        """Purge for good: from tables, indexes and history."""
        report = memory.forget(
            space=space,
            before=body.before,
            session=body.session,
            ids=body.ids,
            everything=body.everything,
            with_sources=body.with_sources,
        )
        return {"memories": report.memories, "episodes": report.episodes, "versions": report.versions}

    @router.get("/v1/spaces/{space}/export", **read, **documented("export", response_class=StreamingResponse))
    def export(space: str) -> StreamingResponse:
        """NDJSON: every episode and memory (with its history) of the space."""
        # Read in one go, then stream: a consistent snapshot, and the store's per-thread SQLite
        # connection is never advanced from the other threads a streaming iterator may run on.
        records = list(memory.export(space))

        def lines() -> Iterator[bytes]:
            for record in records:
                try:
                    line = (json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
                except (ValueError, RecursionError) as exc:  # a row the store let through: never cut the stream
                    log.error("export of %s skipped %s: %s", space, ascii(record.get("id"))[:80], exc)
                    continue
                yield line

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @router.post("/v1/spaces/{space}/import", **write, **documented("import"))
    async def import_(space: str, request: Request) -> dict[str, Any]:
        """NDJSON from export (the body, any content type); all records or none."""
        records = read_lines(await request.body(), "the import body (JSON lines from export)")
        if len(records) > limits.max_import:
            raise InvalidInput(f"{len(records)} records in one import; the limit is {limits.max_import}")
        return await run_in_threadpool(memory.import_records, records, space=space)

    @router.get("/v1/spaces/{space}/status", **read, **documented("status"))
    def status(space: str) -> dict[str, Any]:
        """The extraction queue: counts by state and failed jobs."""
        return memory.status(space)

    @router.post("/v1/spaces/{space}/retry", **write, **documented("retry"))
    def retry(space: str) -> dict[str, Any]:
        """Queue the space's failed extraction jobs again and run them now; counts by outcome."""
        requeued = memory.retry(space=space)
        return {"requeued": requeued, **memory.process_pending(space=space)}

    @router.get("/v1/spaces/{space}/stats", **read, **documented("stats"))
    def stats(space: str) -> dict[str, Any]:
        """Counts of episodes, memories and versions."""
        data = memory.stats(space)
        data.pop("path", None)  # where the file lives is the operator's business, not the caller's
        return data

    @router.post("/v1/keys", **admin, **documented("create_key", out.NewKey))
    def create_key(body: KeyRequest) -> dict[str, Any]:
        """Create a key; its token is in this response only."""
        key, token = key_store.create(dict(body.spaces), admin=body.admin, label=body.label, expires=body.expires)
        return {**key.to_dict(), "token": token}

    @router.get("/v1/keys", **admin, **documented("list_keys", out.KeysResponse))
    def list_keys() -> dict[str, Any]:
        """Every key with spaces, rights and state; never a secret."""
        return {"keys": [k.to_dict() for k in key_store.list()]}

    @router.delete("/v1/keys/{key_id}", **admin, **documented("revoke_key", out.KeyOut))
    def revoke_key(key_id: str) -> dict[str, Any]:
        """Revoke a key, from the next request on in every worker."""
        return key_store.revoke(key_id).to_dict()

    app.include_router(router)
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = without_unused_validation_errors(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount("/ui", InspectorFiles(directory=str(UI_DIR), html=True), name="ui")
    app.add_middleware(
        RequestGuard, max_body=limits.max_body, timeout=limits.timeout, max_document_body=limits.max_document_body
    )
    return app


class InspectorFiles(StaticFiles):
    """The memory inspector's files (server/ui/), with headers that keep the page to its own origin."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(
            {
                "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            }
        )
        return response


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def app_from_env() -> FastAPI:
    """The factory each uvicorn worker calls: REMEM_DATABASE, REMEM_ADMIN_KEY, REMEM_MAX_BODY, REMEM_TIMEOUT."""
    from remem.settings import Settings

    settings = Settings.load()
    memory = Memory.open(settings=settings)
    limits = Limits(
        max_body=int(os.environ.get("REMEM_MAX_BODY", Limits.max_body)),
        max_batch=settings.max_batch,
        max_k=settings.max_k,
        timeout=float(os.environ.get("REMEM_TIMEOUT", Limits.timeout)),
    )
    _retry_scrubs(memory, float(os.environ.get("REMEM_SCRUB_RETRY_SECONDS", SCRUB_RETRY_SECONDS)))
    return create_app(memory, admin_key=os.environ.get("REMEM_ADMIN_KEY") or None, limits=limits)


SCRUB_RETRY_SECONDS = 5.0


def _retry_scrubs(memory: Memory, every: float) -> None:
    """Each worker looks for scrubs owed every `every` seconds, so a forget that a reader delayed is
    scrubbed once the reader leaves, even when no write comes after it. A daemon thread: it ends with
    the worker, and its SQLite connection is its own."""

    def loop() -> None:
        while True:
            time.sleep(every)
            try:
                memory.store.finish_scrubs()
            except Exception:  # a busy or damaged file: say so, and look again next time
                log.exception("retrying the scrubs owed after a forget failed")

    threading.Thread(target=loop, name="remem-scrub-retry", daemon=True).start()
