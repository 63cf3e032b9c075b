"""Request bodies: strict (unknown fields refused), typed, bounded."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

# Documented for clients and generated tests, checked by remem.validate with messages of its own:
# ISO-8601 dates and times (a plain date too), within years 1-9999.
When = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
# 200 is the default REMEM_MAX_K; the server refuses more with 400 and says the configured limit.
K = Annotated[int, Field(ge=1, json_schema_extra={"maximum": 200})]


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped: a typo must not change what a request means."""

    model_config = ConfigDict(extra="forbid")


class Message(Strict):
    """One turn or event to remember."""

    role: Literal["user", "assistant", "system", "tool", "event", "document"] = "user"
    content: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=256)
    at: When | None = Field(default=None, description="Event time, ISO-8601.")
    source: str | None = Field(default=None, max_length=256)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AddRequest(Strict):
    """Messages to store as episodes and turn into memories."""

    messages: list[Message] = Field(min_length=1)
    session: str | None = Field(default=None, max_length=256)
    at: When | None = None
    source: str | None = Field(default=None, max_length=256)
    metadata: dict[str, Any] | None = None


class SearchRequest(Strict):
    """A hybrid search in one space; the query is plain text, never a query language."""

    query: str = Field(min_length=1)
    k: K = 10
    session: str | None = None
    kinds: list[str] | None = None
    tags: list[str] | None = None
    since: When | None = None
    until: When | None = None
    as_of: When | None = None
    include_expired: StrictBool = False
    mode: Literal["hybrid", "lexical", "dense"] = "hybrid"
    expand_links: StrictBool = False
    neighbours: int = Field(
        default=0,
        ge=0,
        le=5,
        description="Turns (in the hit's session) or passages (in its document) to add each side of a "
        "turn or passage hit, as its context.",
    )
    min_score: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Leave out hits less relevant than this (a score is 0 to 1)."
    )


class DocumentRequest(Strict):
    """A long text to store as passages (up to 5 MiB of UTF-8; more is 413)."""

    text: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=256, description="The document's name, e.g. its file name.")
    session: str | None = Field(default=None, max_length=256)
    at: str | None = Field(default=None, description="When the document was written, ISO-8601.")
    metadata: dict[str, Any] | None = None


class AskRequest(Strict):
    """A question answered from memory, with citations."""

    question: str = Field(min_length=1)
    k: K = 10
    as_of: When | None = None
    min_score: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Answer only from hits at least this relevant (0 to 1)."
    )


class UpdateRequest(Strict):
    """Fields to change; the previous state stays in the memory's history."""

    text: str | None = None
    kind: str | None = None
    tags: list[str] | None = None
    valid_from: When | None = None
    valid_to: When | None = None
    reason: str = Field(default="edited over HTTP", max_length=1000)


class ForgetRequest(Strict):
    """What to purge for good: ids, everything before a time, a session, or everything."""

    before: When | None = None
    session: str | None = None
    ids: list[str] | None = None
    everything: StrictBool = False
    with_sources: StrictBool = False  # with ids: also the episodes they came from, and all derived from them


class KeyRequest(Strict):
    """A new API key: spaces with their rights ("*" for every space), and/or the admin right."""

    spaces: dict[str, Literal["read", "write"]] = Field(default_factory=dict)
    admin: StrictBool = False
    label: str = Field(default="", max_length=200)
    expires: str | None = Field(
        default=None, max_length=64, description="When the key stops working: '30d', '12h', '90m' or an ISO-8601 date."
    )
