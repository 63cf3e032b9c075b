"""Questions that name a property prefer the facts that set it, for whom they ask."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from remem import Memory
from remem.search.intent import answers, intent


def test_a_question_names_whose_property_it_asks_for() -> None:
    where = intent("Where does Tomasz live?")
    assert where.names == ("tomasz",) and where.properties == ("residence",)
    wife = intent("What does Daniel's wife do?")
    assert wife.via == "wife" and "partner" not in wife.properties and "title" in wife.properties
    assert not intent("Tell me something nice")
    assert intent("Is Tomasz with anyone at the moment?").primary == ("partner", "relationship")
    assert intent("What pets does Fatima have now?").primary[:2] == ("dog", "cat")
    assert intent("How much is Hoang's rent?").primary == ("money:rent",)
    assert intent("What's left on my car loan?").primary == ("money:loan",)
    user = {"subject": "the user", "claims": {"residence": "Lyon"}}
    assert answers("The user lives in Lyon", user, intent("Where does the user live?"))
    # Newer properties, and questions that name the other person of a relationship.
    assert intent("What city does Marcus live in?").primary == ("residence",)
    assert intent("How much does Carlos pay in rent?").primary == ("money:rent",)
    assert intent("How much does Kemi weigh?").primary == ("weight",)
    assert intent("What dose of sertraline does Kemi take?").primary == ("dose:",)
    assert intent("What is Jon's phone number?").primary == ("phone",)
    married = {"subject": "the user", "claims": {"relationship": "married"}}
    assert answers("We got married on Saturday", married, intent("What is the user's relationship status with Tom?"))
    single = {"subject": "kai", "claims": {"relationship": "single"}}
    assert answers("Ren and I broke up", single, intent("Who is Kai's partner?"))


def test_a_fact_answers_only_for_its_own_subject_and_property() -> None:
    lives = {"subject": "tomasz", "claims": {"residence": "Glasgow"}}
    assert answers("Glasgow is home now", lives, intent("Where does Tomasz live?"))
    assert not answers("Glasgow is home now", lives, intent("Where does Kai live?"))
    assert not answers("Glasgow is home now", lives, intent("Where does Tomasz work?"))
    sister = {"subject": "bex's sister", "claims": {"residence": "Paris"}}
    assert answers("Bex's sister Ruth moved to Paris", sister, intent("Where does Ruth live?"))
    assert not answers("Bex's sister moved to Paris", sister, intent("Where does Bex live?"))
    husband = {"subject": "élodie", "claims": {"partner": "Marc"}}
    assert answers("Élodie's husband Marc", husband, intent("What is Élodie's husband's name?"))


@pytest.fixture
def mem(db_path: Path) -> Iterator[Memory]:
    with Memory.open(db_path, extractor="rules") as memory:
        yield memory


def test_the_fact_that_answers_outranks_facts_that_share_the_question_words(mem: Memory) -> None:
    for text, at in (
        ("hey, I'm Tomasz. I live in Leeds now, Hyde Park area. still living out of boxes lol", "2022-03-04"),
        ("long time no chat! Glasgow is home now, got here at the end of July.", "2023-08-19"),
    ):
        mem.add([{"role": "user", "name": "Tomasz", "content": text}], space="s", session=at, at=at + "T10:00:00Z")
    top = mem.search("Where does Tomasz live?", space="s", k=5)[0].memory.text
    assert "Glasgow" in top
    then = mem.search("Where does Tomasz live?", space="s", k=5, as_of="2022-12-01T00:00:00Z")[0].memory.text
    assert "Leeds" in then


def test_a_name_of_two_words_is_one_person_and_their_relatives_are_others() -> None:
    wanted = intent("What does Fatima Zahra do for work?")
    hers = {"subject": "fatima zahra", "claims": {"title": "French teacher"}}
    brothers = {"subject": "fatima zahra's brother", "claims": {"title": "process engineer", "employer": "OCP"}}
    assert answers("Fatima Zahra is a French teacher at a lycée.", hers, wanted) == 1.0
    assert answers("Fatima Zahra's brother Youssef is a process engineer at OCP.", brothers, wanted) == 0.0


def test_what_someone_is_doing_these_days_asks_for_their_work_and_this_weekend_does_not() -> None:
    assert intent("What is Dana doing these days?").properties == ("title", "employer")
    assert intent("What is Ana doing this weekend?").properties == ()
