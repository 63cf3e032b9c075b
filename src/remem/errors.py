"""One exception tree: catch RememError broadly or a subclass narrowly."""

from __future__ import annotations


class RememError(Exception):
    """Base of every error remem raises on purpose."""

    code = "error"


class InvalidInput(RememError, ValueError):
    """The caller sent something remem cannot accept (bad type, empty or oversized text, bad date)."""

    code = "invalid_input"


class NotFound(RememError, KeyError):
    """No such id in this space. Another space's ids are reported the same way, so nothing leaks."""

    code = "not_found"

    def __str__(self) -> str:  # KeyError quotes its message; we do not want that
        return str(self.args[0]) if self.args else "not found"


class Conflict(RememError):
    """The request clashes with the store's state (embedder mismatch, stale version)."""

    code = "conflict"


class Forbidden(RememError):
    """The caller's key does not grant this space or right."""

    code = "forbidden"


class StorageFull(RememError):
    """The disk (or the database's quota) is full: nothing of the refused write was stored."""

    code = "storage_full"


class Unavailable(RememError):
    """A dependency (LLM, embeddings endpoint, database) did not answer in time."""

    code = "unavailable"
