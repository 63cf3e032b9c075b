"""remem: local-first long-term memory for LLM agents."""

from remem.errors import Conflict, Forbidden, InvalidInput, NotFound, RememError, StorageFull, Unavailable
from remem.memory import Memory
from remem.settings import Settings
from remem.store.base import PurgeReport
from remem.types import AddResult, Decision, Episode, Filters, Hit, MemoryItem, Version

__version__ = "0.1.0"

__all__ = [
    "AddResult",
    "Conflict",
    "Decision",
    "Episode",
    "Filters",
    "Forbidden",
    "Hit",
    "InvalidInput",
    "Memory",
    "MemoryItem",
    "NotFound",
    "PurgeReport",
    "RememError",
    "Settings",
    "StorageFull",
    "Unavailable",
    "Version",
    "__version__",
]
