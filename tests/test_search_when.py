"""A question that asks when prefers the memories that say when."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from remem import Memory
from remem.search.hybrid import _ASKS_WHEN, _SAYS_WHEN, SAYS_WHEN_BONUS, _says_when_first
from remem.types import MemoryItem

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def memory(i: str, text: str) -> MemoryItem:
    return MemoryItem(
        id=i, space="s", text=text, kind="fact", session=None, source_episode_ids=[], keywords=[], tags=[],
        links=[], valid_from=T0, valid_to=None, strength=1.0, version=1, created_at=T0, updated_at=T0,
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["went yesterday", "last Friday", "back in 2019", "on 3 May", "two years ago", "this summer", "over the weekend",
     "next month", "on Tuesday", "in August"],
)  # fmt: skip
def test_a_memory_that_says_when(text: str) -> None:
    assert _SAYS_WHEN.search(text)


@pytest.mark.parametrize("text", ["I may go", "next to the lake", "the last one", "a lovely day out", "Monica"])
def test_a_memory_that_does_not(text: str) -> None:
    assert not _SAYS_WHEN.search(text)


def test_which_questions_ask_when() -> None:
    asks = ["When did Ana go to Porto?", "how long ago was the party?", "What year did she move?", "Since when?"]
    assert all(_ASKS_WHEN.search(q) for q in asks)
    assert not any(_ASKS_WHEN.search(q) for q in ["Where did Ana go?", "What did Ana say when she left?"])


def test_the_memory_that_says_when_gains_the_bonus_and_only_for_a_when_question() -> None:
    items = {"a": memory("a", "Ana loves Porto and its bridges."), "b": memory("b", "Ana went to Porto last weekend.")}
    ranked = [("a", 0.9), ("b", 0.85)]
    assert _says_when_first(ranked, items, "When did Ana go to Porto?") == [("b", 0.85 + SAYS_WHEN_BONUS), ("a", 0.9)]
    assert _says_when_first(ranked, items, "Where did Ana go?") == ranked
    assert _says_when_first([("a", 0.9), ("b", 0.7)], items, "When did Ana go to Porto?") == [
        ("a", 0.9),
        ("b", 0.7 + SAYS_WHEN_BONUS),
    ]  # a bonus, not a trump: a much better match still leads


@pytest.mark.parametrize(
    ("undated", "dated"),
    [
        ("Ana: I go to Porto a lot, Porto is where I go to relax.", "Ana: we drove up to Porto last weekend."),
        ("Ana: Porto! I go there to see the river.", "Ana: I was in Porto in 2019."),
    ],
)
def test_search_puts_the_memory_that_says_when_first(tmp_path: Path, undated: str, dated: str) -> None:
    """The undated memory shares more of the question's words (it is first for "where"); the dated one
    answers "when"."""
    with Memory.open(tmp_path / "m.db", extractor="turns") as mem:
        mem.add(undated, space="s")
        mem.add(dated, space="s")
        assert mem.search("When did Ana go to Porto?", space="s", k=2)[0].memory.text == dated
        assert mem.search("Where did Ana go?", space="s", k=2)[0].memory.text == undated
