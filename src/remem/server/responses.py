"""Response bodies as the OpenAPI spec documents them, and the links between operations.

The routes return plain dicts (the `to_dict` of remem's types); these models only describe them, so
clients and schemathesis know what comes back. Extra fields are allowed: a response may grow.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from remem.validate import SPACE_PATTERN


class ErrorDetail(BaseModel):
    code: str = Field(description="invalid_input, unauthenticated, forbidden, not_found, conflict, ...")
    message: str = Field(description="What was wrong and what to do.")
    request_id: str | None


class ErrorBody(BaseModel):
    """Every error, whatever raised it."""

    error: ErrorDetail


class EpisodeOut(BaseModel):
    id: str
    space: str
    role: str
    content: str
    session: str | None
    event_time: str
    ingest_time: str
    source: str | None = None
    name: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class MemoryOut(BaseModel):
    id: str
    space: str
    text: str
    kind: str
    session: str | None
    source_episode_ids: list[str]
    keywords: list[str]
    tags: list[str]
    links: list[str]
    valid_from: str | None
    valid_to: str | None
    strength: float
    version: int
    created_at: str
    updated_at: str
    metadata: dict[str, Any] = Field(default_factory=dict)


class MemoryWithEpisodes(MemoryOut):
    episodes: list[EpisodeOut]


class DecisionOut(BaseModel):
    operation: str = Field(description="ADD, UPDATE, DELETE or NOOP")
    memory_id: str | None
    text: str
    reason: str


class AddResponse(BaseModel):
    episodes: list[EpisodeOut]
    decisions: list[DecisionOut]
    job_id: str | None
    status: Literal["done", "queued", "failed"]
    error: str | None


class HitOut(BaseModel):
    memory: MemoryOut
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    episodes: list[EpisodeOut]
    via_link: str | None = None


class SearchResponse(BaseModel):
    hits: list[HitOut]


class AskResponse(BaseModel):
    question: str
    answer: str
    citations: list[str]
    context: list[dict[str, Any]]
    mode: str
    full_context: bool


class MemoryPage(BaseModel):
    items: list[MemoryOut]
    next_offset: int | None


class VersionOut(BaseModel):
    memory_id: str
    version: int
    operation: str
    text: str
    kind: str
    tags: list[str]
    valid_from: str | None
    valid_to: str | None
    reason: str
    actor: str
    episode_id: str | None
    recorded_at: str


class HistoryResponse(BaseModel):
    versions: list[VersionOut]


class ForgetResponse(BaseModel):
    memories: int
    episodes: int
    versions: int


class SpaceOut(BaseModel):
    name: str
    right: Literal["read", "write"] = Field(description="What this key may do in the space.")
    episodes: int
    memories: int
    current_memories: int = Field(description="Memories valid now (not closed or retired).")
    pending_jobs: int = Field(description="Extraction jobs waiting or running.")
    failed_jobs: int


class SpacesResponse(BaseModel):
    spaces: list[SpaceOut]


class KeyOut(BaseModel):
    id: str
    label: str
    spaces: dict[str, str]
    admin: bool
    created_at: str
    revoked: bool
    expires_at: str | None = None


class NewKey(KeyOut):
    token: str = Field(description="Shown in this response only.")


class KeysResponse(BaseModel):
    keys: list[KeyOut]


def _link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters, "description": description}


_SPACE = "$request.path.space"
_FIRST_SPACE = "$response.body#/spaces/0/name"
_DECIDED = "$response.body#/decisions/0/memory_id"

#: OpenAPI links, by the operationId whose 200 response they follow: what a client (or schemathesis)
#: can do next with the values that came back.
LINKS: dict[str, dict[str, Any]] = {
    "list_spaces": {
        name: _link(name, f"{name} in a space this key can read", space=_FIRST_SPACE)
        for name in ("add", "search", "ask", "list_memories", "export", "status", "stats")
    },
    "add": {
        **{
            name: _link(name, f"{name} the memory the first decision made", space=_SPACE, memory_id=_DECIDED)
            for name in ("get", "update", "history", "delete")
        },
        **{name: _link(name, f"{name} in the same space", space=_SPACE) for name in ("search", "list_memories")},
    },
    "search": {
        name: _link(name, f"{name} the first hit", space=_SPACE, memory_id="$response.body#/hits/0/memory/id")
        for name in ("get", "update", "history")
    },
    "list_memories": {
        name: _link(name, f"{name} the first memory of the page", space=_SPACE, memory_id="$response.body#/items/0/id")
        for name in ("get", "update", "history")
    },
    "update": {
        "history": _link("history", "the versions, the new one last", space=_SPACE, memory_id="$response.body#/id"),
        "export": _link("export", "the space with the change", space=_SPACE),
    },
    "history": {"export": _link("export", "the space with this memory's history", space=_SPACE)},
    "create_key": {"revoke_key": _link("revoke_key", "revoke the key just made", key_id="$response.body#/id")},
}


_ERRORS = {
    400: "The input was refused (what was wrong is in the message); nothing was stored.",
    401: "No key, a malformed key, or a revoked or expired one.",
    403: "The key may not do this (a read-only key writing, a non-admin managing keys).",
    404: "No such memory, key, or space this key can read.",
    409: "A conflict: an idempotency key reused for another request, or an import id already taken.",
    413: "The body is larger than the limit.",
    415: "The body was not sent as JSON.",
    503: "Busy or timed out (retry), or the database cannot be read.",
    507: "The disk is full: nothing was stored.",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _ERRORS.items()
}


def documented(operation_id: str, model: type[BaseModel] | None = None, **extra: Any) -> dict[str, Any]:
    """Route keyword arguments: a stable operationId, the 200 body's model and links, and the error bodies.

    `response_model=None`: the route's dict goes out as it is; the model only documents it."""
    ok: dict[str, Any] = {"description": "Success"}
    if model is not None:
        ok["model"] = model
    if operation_id == "export":
        ok["content"] = {"application/x-ndjson": {"schema": {"type": "string", "description": "JSON lines"}}}
    if operation_id in LINKS:
        ok["links"] = LINKS[operation_id]
    return {
        "operation_id": operation_id,
        "response_model": None,
        "responses": {200: ok, **ERROR_RESPONSES},
        **extra,
    }


# What remem.validate checks, told to clients (and to generated tests) on the parameters FastAPI
# documents only as strings and integers; the checks and their messages stay remem's own.
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "space": {"pattern": SPACE_PATTERN, "minLength": 1, "maxLength": 128},
    "limit": {"minimum": 1, "maximum": 1000},
    "offset": {"minimum": 0, "maximum": 2**62},
}


def refined(spec: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's spec, told what remem checks: no 422 (remem answers bad input with 400), and the
    space name's pattern and the paging bounds on the parameters."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            operation.get("responses", {}).pop("422", None)
            for parameter in operation.get("parameters", []):
                if parameter.get("name") in PARAMETER_SCHEMAS and "schema" in parameter:
                    parameter["schema"].update(PARAMETER_SCHEMAS[parameter["name"]])
    schemas = spec.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return spec


def without_unused_validation_errors(spec: dict[str, Any]) -> dict[str, Any]:
    """The name app.py imports `refined` by (it first only dropped the 422s)."""
    return refined(spec)
