"""Conversation locality: a reply is found through the turn it answers, and a turn is read with the
turns said around it (remem.search.locality), on a real SQLite store and the real embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from remem import Memory
from remem.errors import InvalidInput

CHATTER = [
    "I repainted the kitchen a pale green over the weekend.",
    "The tomatoes in the garden finally turned red.",
    "Work has been busy with the quarterly report.",
    "We tried the new ramen place on Fifth Street.",
    "My cousin is visiting from Porto next month.",
    "I have been reading a novel about lighthouse keepers.",
    "The bike needs a new chain before the spring rides.",
    "Our book club picked a mystery for December.",
    "We sang karaoke at the office party on Friday.",  # words of the question, not its answer
    "My birthday is in March, I want a quiet dinner.",
    "The party committee met on Monday about the budget.",
    "The choir sang carols at the market.",
    "A singer from Lisbon played at the wedding.",
]


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Memory]:
    path: Path = tmp_path_factory.mktemp("locality") / "memory.db"
    with Memory.open(path, extractor="turns") as mem:
        for n, line in enumerate(CHATTER):  # sessions of small talk around the one that matters
            mem.add([{"role": "user", "name": "Ana", "content": line}], space="s", session=f"talk-{n}")
        mem.add(
            [
                {"role": "user", "name": "Ana", "content": "Who sang at your daughter's birthday party last night?"},
                {"role": "user", "name": "Ben", "content": "It was Matt Patterson, what a voice!"},
                {"role": "user", "name": "Ana", "content": "The garden looks lovely this week."},
            ],
            space="s",
            session="party",
        )
        yield mem


def test_the_reply_is_found_through_the_question_it_answers(chat: Memory) -> None:
    hits = chat.search("Who sang at the birthday party?", space="s", k=3)
    texts = [h.memory.text for h in hits]
    assert any("Matt Patterson" in t for t in texts), texts  # shares no word with the question
    assert "birthday party" in texts[0]


def test_a_turn_hit_carries_the_turns_said_around_it_in_order(chat: Memory) -> None:
    hit = chat.search("Who sang at the birthday party?", space="s", k=1, neighbours=1)[0]
    assert "birthday party" in hit.memory.text
    assert [m.text for m in hit.context] == [
        "Ana: Who sang at your daughter's birthday party last night?",
        "Ben: It was Matt Patterson, what a voice!",  # the first of its session: nothing before it
    ]
    wide = chat.search("Who sang at the birthday party?", space="s", k=1, neighbours=2)[0]
    assert [m.text.split(":")[0] for m in wide.context] == ["Ana", "Ben", "Ana"]
    assert "garden" in wide.context[-1].text  # two after it, none before; never another session's turn
    plain = chat.search("Who sang at the birthday party?", space="s", k=1)[0]
    assert plain.context == []


def test_neighbours_respect_the_filters_and_are_validated(chat: Memory) -> None:
    hit = chat.search("Who sang at the birthday party?", space="s", k=1, neighbours=1, since="2999-01-01")
    assert hit == []
    with pytest.raises(InvalidInput, match="neighbours"):
        chat.search("party", space="s", neighbours=9)


def test_ask_reads_a_turn_with_the_reply_it_got(chat: Memory) -> None:
    answer = chat.ask("Who sang at the birthday party?", space="s")
    texts = [c["text"] for c in answer.context]
    assert "Ben: It was Matt Patterson, what a voice!" in texts
    assert len(texts) == len(set(texts))  # each turn once
