"""Linked notes (the A-MEM idea): a new memory links to the related memories it lands beside."""

from __future__ import annotations

from collections.abc import Sequence

from remem.store.base import Store
from remem.types import MemoryItem
from remem.write.reconcile import Neighbour

LINK_AT = 0.6  # cosine at which two memories are related enough to be worth following
MAX_LINKS = 8


def link(store: Store, item: MemoryItem, neighbours: Sequence[Neighbour]) -> list[str]:
    """Link `item` both ways with its related neighbours (never raw turns); returns the ids linked."""
    related = [
        n.memory
        for n in neighbours
        if n.similarity >= LINK_AT and n.memory.id != item.id and n.memory.kind not in ("turn", "summary")
    ][:MAX_LINKS]
    if not related:
        return []
    ids = [m.id for m in related]
    store.set_links(item.space, item.id, _merged(item.links, ids))
    for other in related:
        store.set_links(other.space, other.id, _merged(other.links, [item.id]))
    return ids


def _merged(existing: Sequence[str], new: Sequence[str]) -> list[str]:
    # Newest links first, bounded, so a popular memory does not grow without limit.
    return list(dict.fromkeys([*new, *existing]))[: MAX_LINKS * 4]
