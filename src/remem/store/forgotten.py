"""What a purge leaves in the histories of the memories that survive it.

A surviving memory's history can quote what is being forgotten: the fact that closed it records
"contradicts mem_x (...): <the forgotten words> no longer holds", and a fact that replaced a
forgotten one names it. Both stores pass the surviving versions of the space through
`quotes_forgotten` and replace the reason of each one it flags.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from remem.ids import ID_CHARS

FORGOTTEN_REASON = "(reason removed: it quoted something that was forgotten)"
MAX_TEXTS = 200  # forgotten texts looked for inside reasons; beyond this, ids and episodes still are
_MIN_TEXT = 12  # shorter texts would match by chance
_MEMORY_ID = re.compile(rf"mem_{ID_CHARS}{{8,}}")


def quotes_forgotten(
    reason: str,
    episode_id: str | None,
    *,
    memories: Collection[str],
    episodes: Collection[str],
    texts: Collection[str],
) -> bool:
    """True when a version's reason comes from a forgotten episode, names a forgotten memory, or quotes one."""
    if reason == FORGOTTEN_REASON:
        return False
    if episode_id is not None and episode_id in episodes:
        return True
    if any(match in memories for match in _MEMORY_ID.findall(reason)):
        return True
    folded = reason.casefold()
    return any(text in folded for text in texts)


def searchable_texts(texts: Collection[str]) -> list[str]:
    """The forgotten texts to look for in reasons: case-folded, without a final period, long enough to mean it."""
    out = [t.strip().rstrip(".").casefold() for t in list(texts)[:MAX_TEXTS]]
    return [t for t in out if len(t) >= _MIN_TEXT]
