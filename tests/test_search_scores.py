"""Scores that mean something: a relevance comparable across queries, `min_score`, and first hits
that do not depend on k."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mcp import Client

from remem import Memory
from remem.cli import main
from remem.errors import InvalidInput
from remem.mcp_server import build
from remem.search.fuse import relevance
from tests.test_mcp import _payload

PEOPLE = ["Ana", "Ben", "Carla", "Dev", "Eli", "Femi", "Gus", "Hana"]
DOINGS = [
    "brewed a pot of {} tea",
    "bought a {} bicycle",
    "painted the {} fence",
    "planted {} tomatoes",
    "read a book about {} whales",
    "cooked a {} curry",
    "fixed the {} radio",
]
QUALITIES = ["green", "old", "spicy", "tiny", "Japanese"]


@pytest.fixture(scope="module")
def village(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Memory]:
    """280 turns: more than a retriever's 100 candidates, so k=200 reads deeper than k=10."""
    path: Path = tmp_path_factory.mktemp("scores") / "memory.db"
    with Memory.open(path, extractor="turns") as mem:
        turns = [
            {"role": "user", "name": who, "content": f"{who}: Today I {doing.format(quality)}."}
            for who, doing, quality in itertools.product(PEOPLE, DOINGS, QUALITIES)
        ]
        for start in range(0, len(turns), 70):
            mem.add(turns[start : start + 70], space="village")
        mem.add("Ana: I like tea.", space="tea")
        mem.add("Ana: Jasmine tea is my favourite in the evening.", space="tea")
        yield mem


def test_relevance_is_calibrated_not_relative_to_the_other_candidates() -> None:
    assert relevance(None, None) == 0.0
    assert relevance(None, 0.2) == 0.0  # a cosine unrelated sentences reach
    assert relevance(None, 0.5) == pytest.approx(0.5)  # half-way from unrelated (0.25) to the same (0.75)
    assert relevance(None, 0.9) == 1.0
    assert relevance(1.0, None) == pytest.approx(0.5)  # every word of the query, and nothing of its meaning
    assert relevance(0.5, 0.5) == pytest.approx(1 - 0.5 * 0.75)  # half the words, half the meaning


def test_a_query_with_no_related_memory_gets_nothing_above_min_score(village: Memory) -> None:
    unrelated = village.search("What is my bank PIN?", space="tea", k=5)
    assert [h.memory.text for h in unrelated][:1]  # without min_score something always comes back...
    assert all(h.score < 0.3 for h in unrelated), [(h.memory.text, h.score) for h in unrelated]
    assert village.search("What is my bank PIN?", space="tea", k=5, min_score=0.3) == []  # ...with it, nothing
    related = village.search("Which tea does Ana like in the evening?", space="tea", k=5, min_score=0.3)
    assert related and related[0].memory.text == "Ana: Jasmine tea is my favourite in the evening."
    assert related[0].score >= 0.5
    # A score reads the same in another space: no min-max per query lifts the best of a bad lot to the top.
    assert all(h.score < 0.3 for h in village.search("What is my bank PIN?", space="village", k=10))


def test_scores_are_relevance_in_0_1_and_min_score_keeps_the_order(village: Memory) -> None:
    hits = village.search("Who brewed green tea?", space="village", k=50)
    scores = [h.score for h in hits]
    assert len(hits) == 50 and all(0.0 <= s <= 1.0 for s in scores)
    assert "green tea" in hits[0].memory.text and scores[0] >= 0.5
    # A turn about green tea holds every searched word and much of the meaning; one about a radio neither.
    radio = [
        h.score for h in village.search("Who brewed green tea?", space="village", k=200) if "radio" in h.memory.text
    ]
    assert radio and max(radio) < 0.3 <= min(
        s for h, s in zip(hits, scores, strict=True) if "green tea" in h.memory.text
    )
    # min_score leaves hits out, it never reorders the rest.
    cut = village.search("Who brewed green tea?", space="village", k=50, min_score=0.5)
    assert cut and [h.memory.id for h in cut] == [h.memory.id for h in hits if h.score >= 0.5]


@pytest.mark.parametrize("query", ["Who brewed green tea?", "old radio", "Which curry did Femi cook?"])
def test_the_first_ten_hits_do_not_depend_on_k(village: Memory, query: str) -> None:
    first = {k: [(h.memory.id, h.score) for h in village.search(query, space="village", k=k)] for k in (10, 100, 200)}
    assert len(first[10]) == 10 and len(first[100]) == 100 and len(first[200]) == 200
    assert first[100][:10] == first[10] and first[200][:10] == first[10]
    assert first[200][:100] == first[100]


def test_min_score_refuses_what_is_not_a_share(village: Memory) -> None:
    for bad in (1.5, -0.1, "0.3", True):
        with pytest.raises(InvalidInput, match="min_score must be a number from 0 to 1"):
            village.search("tea", space="tea", min_score=bad)  # type: ignore[arg-type]


def test_cli_search_takes_min_score(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "add", "Ana: I like tea.", "--space", "tea"]).exit_code == 0
    kept = runner.invoke(main, ["--db", db, "search", "Which tea does Ana like?", "--space", "tea", "--json"])
    assert kept.exit_code == 0 and "I like tea" in kept.output
    cut = ["--db", db, "search", "What is my bank PIN?", "--space", "tea", "--min-score", "0.3", "--json"]
    result = runner.invoke(main, cut)
    assert result.exit_code == 0 and json.loads(result.output) == []
    refused = runner.invoke(main, [*cut[:-3], "--min-score", "2"])
    assert refused.exit_code == 2 and "--min-score" in refused.output


def test_mcp_recall_and_ask_say_when_nothing_relevant_is_remembered(village: Memory) -> None:
    async def session() -> tuple[Any, Any, Any, Any]:
        async with Client(build(village, "tea")) as client:
            pin = await client.call_tool("recall", {"query": "What is my bank PIN?"})
            everything = await client.call_tool("recall", {"query": "What is my bank PIN?", "min_score": 0})
            tea = await client.call_tool("recall", {"query": "Which tea does Ana like?"})
            asked = await client.call_tool("ask", {"question": "What is my bank PIN?"})
            return _payload(pin), _payload(everything), _payload(tea), _payload(asked)

    pin, everything, tea, asked = asyncio.run(session())
    assert pin == [] and len(everything) == 2  # by default only what is relevant; min_score 0: the best there is
    assert tea and "tea" in tea[0]["text"] and tea[0]["score"] >= 0.3
    assert (asked["answer"], asked["citations"], asked["evidence"]) == ("I have no memory of that.", [], [])
