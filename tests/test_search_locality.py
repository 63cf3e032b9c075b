"""Conversation locality: a reply is found through the turn it answers, and a turn is read with the
turns said around it (remem.search.locality), on a real SQLite store and the real embedder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from remem import Memory
from remem.errors import InvalidInput
from remem.search.locality import (
    AFTER_WEIGHT,
    BEFORE_WEIGHT,
    QUESTION_WEIGHT,
    SESSION_BEST,
    SESSION_WEIGHT,
    TWO_AWAY,
    MemoryReader,
    prefer_local,
)
from remem.types import Filters, MemoryItem

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


QUESTION = ("Ana", "Who sang at your daughter's birthday party last night?")
REPLY = ("Ben", "It was Matt Patterson, what a voice!")


def party(path: Path, turns: list[tuple[str, str]]) -> Memory:
    """Sessions of small talk around the one that matters, said by `turns` (speaker, text)."""
    mem = Memory.open(path, extractor="turns")
    for n, line in enumerate(CHATTER):
        mem.add([{"role": "user", "name": "Ana", "content": line}], space="s", session=f"talk-{n}")
    said = [{"role": "user", "name": name, "content": text} for name, text in turns]
    mem.add(said, space="s", session="party")
    return mem


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Memory]:
    path: Path = tmp_path_factory.mktemp("locality") / "memory.db"
    with party(path, [QUESTION, REPLY, ("Ana", "The garden looks lovely this week.")]) as mem:
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


def test_a_reply_gains_more_from_the_turn_it_answers_than_the_turn_before_from_it(tmp_path: Path) -> None:
    before = ("Ben", "We had a party for my daughter, she turned six.")
    with party(tmp_path / "m.db", [before, QUESTION, REPLY]) as mem:
        texts = [h.memory.text for h in mem.search("Who sang at the birthday party?", space="s", k=5)]
    # The answer follows the question: the reply takes 0.7 of the question's score, the turn before
    # it 0.3, so the reply ranks second although the turn before shares more of the question's words.
    assert texts[:2] == [
        "Ana: Who sang at your daughter's birthday party last night?",
        "Ben: It was Matt Patterson, what a voice!",
    ], texts


def day(mem: Memory, *said: str) -> list[str]:
    """One session, "day", of the user and the assistant speaking in turn; its turn memories' ids, in order."""
    roles = ("user", "assistant")
    turns = [{"role": roles[n % 2], "content": text} for n, text in enumerate(said)]
    result = mem.add(turns, space="s", session="day")
    return [d.memory_id for d in result.decisions if d.operation == "ADD"][: len(said)]


def local(
    mem: Memory, ranked: list[tuple[str, float]], worth: Callable[[MemoryItem], float] = lambda _: 1.0
) -> dict[str, float]:
    """prefer_local's scores for `ranked`, in space "s"."""
    return dict(prefer_local(mem.store, "s", ranked, Filters(), MemoryReader(mem.store, "s"), worth=worth))


def test_a_turn_lends_what_it_is_worth_now_and_a_lifted_turn_stays_below_it(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.db", extractor="turns") as mem:
        first, echo, thanks = day(
            mem, "My dentist appointment is on Monday the 12th.", "Noted: Monday the 12th.", "Thanks."
        )
        ranked = [(first, 1.0), (echo, 0.5), (thanks, 0.3)]
        # Worth 1: a turn gains 0.7 of the turn before it, or 0.3 of the turn after it, the larger; and a
        # fifth of its session's strength (the mean of its three best scores). The echo, lifted by the
        # stronger turn it answers to 1.2 and more, stays just below that turn.
        full = local(mem, ranked)
        strength = SESSION_WEIGHT * (1.0 + 0.5 + 0.3) / 3
        assert full[first] == pytest.approx(1.0 + AFTER_WEIGHT * 0.5 + strength)
        assert full[echo] == pytest.approx(full[first] - 1e-6) and full[echo] < full[first]
        assert full[thanks] == pytest.approx(0.3 + BEFORE_WEIGHT * 0.5 + strength)
        # The first turn's value replaced (worth 0.3): it lends 0.3 of its score, and keeps its own.
        stale = local(mem, ranked, lambda item: 0.3 if item.id == first else 1.0)
        strength = SESSION_WEIGHT * (0.5 + 0.3 + 0.3) / 3
        assert stale[echo] == pytest.approx(0.5 + BEFORE_WEIGHT * 0.3 + strength)
        assert stale[first] == pytest.approx(1.0 + AFTER_WEIGHT * 0.5 + strength)


def test_a_reply_to_a_question_gains_all_of_its_score_and_a_reply_to_a_statement_less(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.db", extractor="turns") as mem:
        asked, answer, said, reply = day(
            mem,
            "Where should we eat tonight?",
            "The ramen place on Fifth.",
            "I cooked pasta yesterday.",
            "Sounds tasty.",
        )
        out = local(mem, [(asked, 1.0), (said, 1.0), (answer, 0.1), (reply, 0.1)])
    strength = SESSION_WEIGHT * (1.0 + 1.0 + 0.1) / 3
    assert QUESTION_WEIGHT > BEFORE_WEIGHT
    # The answer takes all of the question's score (0.1 + 1.0), more than the question has with what
    # its answer lends it: it stays just below the question, above every turn the question outranks.
    # The question gains the better of 0.3 of its answer's 0.1 and a fifth of that share of the turn two
    # after it ("I cooked pasta", 1.0): 0.06.
    assert out[asked] == pytest.approx(1.0 + TWO_AWAY * AFTER_WEIGHT * 1.0 + strength)
    assert out[answer] == pytest.approx(out[asked] - 1e-6) and out[answer] < out[asked]
    # A reply to a statement takes 0.7 of it, and ranks well below it.
    assert out[reply] == pytest.approx(0.1 + BEFORE_WEIGHT * 1.0 + strength)
    # "I cooked pasta" gains the better of 0.7 of the answer before it (0.07) and a fifth of that share
    # of the question two before it (0.14).
    assert out[said] == pytest.approx(1.0 + TWO_AWAY * BEFORE_WEIGHT * 1.0 + strength)
    assert sorted(out, key=lambda i: -out[i]) == [said, asked, answer, reply]


def test_a_turn_two_away_gains_a_fifth_of_a_neighbours_share_and_joins_the_candidates(tmp_path: Path) -> None:
    with Memory.open(tmp_path / "m.db", extractor="turns") as mem:
        opener, aside, told, later = day(
            mem,
            "How did the interview go yesterday?",
            "Let me get a coffee first.",
            "They offered me the job, I start in May.",
            "Nice weather today.",
        )
        out = local(mem, [(opener, 1.0)])
    strength = SESSION_WEIGHT * 1.0 / SESSION_BEST
    # Neither retriever found what was told two turns after the question: it joins, and gains a fifth of
    # the share it would have as the reply (0.14 of the question's score); the reply itself gains it all.
    assert out[aside] == pytest.approx(out[opener] - 1e-6)
    assert out[told] == pytest.approx(TWO_AWAY * BEFORE_WEIGHT * 1.0 + strength)
    assert later not in out  # three away: nothing
    assert sorted(out, key=lambda i: -out[i]) == [opener, aside, told]


TRACKING = [
    ("2024-01-08T09:00:00Z", "user",
     "Hi, I'm Ines, a freelance translator in Porto. I track all my jobs in a spreadsheet. "
     "Can you suggest columns?"),
    ("2024-01-08T09:00:30Z", "assistant",
     "Try client, language pair, word count, rate, deadline, invoiced and paid. "
     "A status column with a dropdown helps."),
    ("2024-03-02T10:00:00Z", "user",
     "My cat Pimenta knocked the plant over again. Any tips to keep her off the shelves?"),
    ("2024-03-02T10:00:30Z", "assistant",
     "Double-sided tape on the shelf edge and a cat tree nearby usually work within a couple of weeks."),
    ("2024-06-10T08:00:00Z", "user",
     "I'm on Trello now for my jobs, one card per client. How should I set up the lists?"),
    ("2024-06-10T08:00:30Z", "assistant",
     "Use lists for Inbox, In progress, Review, Delivered and Paid, and labels for each language pair to filter by."),
]  # fmt: skip


def test_the_users_own_words_rank_above_the_assistants_reply_that_borrows_their_score(tmp_path: Path) -> None:
    """The reply to "how should I set up the lists?" is lent that turn's score, but it is advice, not what
    Ines uses: her own statement of it ranks above."""
    with Memory.open(tmp_path / "m.db") as mem:
        for at, role, text in TRACKING:
            named = {"name": "Ines"} if role == "user" else {}
            mem.add([{"role": role, **named, "content": text}], space="s", session=at[:10], at=at)
        texts = [h.memory.text for h in mem.search("What does Ines use to track her jobs?", space="s", k=5)]
    own = next(n for n, t in enumerate(texts) if "Trello" in t)
    reply = next(n for n, t in enumerate(texts) if t.startswith("Use lists"))
    assert own < reply, texts
