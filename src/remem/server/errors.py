"""One error shape for every failure, and the one table from error class to HTTP status.

Every error body is `{"error": {"code", "message", "request_id"}}`, whatever raised it: remem's
own errors, FastAPI's validation, Starlette's routing, the body limit, the timeout, or a bug.
"""

from __future__ import annotations

import logging
import sqlite3

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from remem.documents import DocumentTooLarge
from remem.errors import Conflict, Forbidden, InvalidInput, NotFound, RememError, StorageFull, Unavailable
from remem.validate import json_problem

log = logging.getLogger("remem.server")


class Unauthenticated(Forbidden):
    """No key, a malformed key, or a revoked one: the caller is nobody we know."""

    code = "unauthenticated"


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit. An HTTPException so FastAPI's body reader lets it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


# Narrowest first: Unauthenticated is a Forbidden, DocumentTooLarge an InvalidInput.
STATUS: tuple[tuple[type[RememError], int], ...] = (
    (Unauthenticated, 401),
    (DocumentTooLarge, 413),
    (InvalidInput, 400),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unavailable, 503),
    (StorageFull, 507),
)
HTTP_CODES = {
    400: "invalid_input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def request_id_of(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(status: int, code: str, message: str, request_id: str | None) -> JSONResponse:
    headers = {}  # X-Request-ID is added to every response by the RequestGuard
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        {"error": {"code": code, "message": message, "request_id": request_id}}, status_code=status, headers=headers
    )


def status_of(error: RememError) -> int:
    return next((status for cls, status in STATUS if isinstance(error, cls)), 500)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the one error shape."""

    @app.exception_handler(RememError)
    async def remem_error(request: Request, exc: RememError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.error("%s %s: %s", request_id_of(request), type(exc).__name__, exc)
        return error_response(status, exc.code, str(exc), request_id_of(request))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        message = str(exc.detail)
        if exc.status_code == 400 and message == "There was an error parsing the body":
            # FastAPI's words for any parse failure but a syntax error; what failed is the cause it chains.
            message = f"the body cannot be read: {json_problem(exc.__cause__ or exc)}; send UTF-8 JSON"
        return error_response(exc.status_code, code, message, request_id_of(request))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        broken = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if broken is not None:  # FastAPI's own words are "0: JSON decode error"
            where = broken.get("loc", ("body", 0))[-1]
            reason = (broken.get("ctx") or {}).get("error", "JSON decode error")
            message = f"the body is not valid JSON ({reason} at character {where}); send UTF-8 JSON"
            return error_response(400, "invalid_input", message, request_id_of(request))
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body') or 'body'}: {e.get('msg')}"
            for e in exc.errors()
        )
        return error_response(400, "invalid_input", problems or "invalid request", request_id_of(request))

    @app.exception_handler(sqlite3.DatabaseError)
    async def damaged(request: Request, exc: sqlite3.DatabaseError) -> JSONResponse:
        if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError):
            return await bug(request, exc)  # remem broke a constraint or misused the API: a bug
        # Say what happened to the database rather than "internal": busy, full, or damaged.
        log.error("%s database error: %s", request_id_of(request), exc)
        text = str(exc)
        if "locked" in text or "busy" in text:
            return error_response(503, "unavailable", f"the database is busy ({text}); retry", request_id_of(request))
        if "full" in text:
            message = f"the database cannot grow ({text}); nothing was stored, free disk space and retry"
            return error_response(507, "insufficient_storage", message, request_id_of(request))
        message = f"the database cannot be read or written ({text}); the operator must restore it from a backup"
        return error_response(503, "unavailable", message, request_id_of(request))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: the caller gets the request id to report, the log gets the traceback.
        log.exception("%s unhandled %s", request_id_of(request), type(exc).__name__)
        return error_response(500, "internal", "internal error; report this request id", request_id_of(request))
