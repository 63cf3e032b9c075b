"""The offline extractor and the date resolver, unit by unit."""

from __future__ import annotations

from datetime import UTC, datetime

from remem.types import Episode
from remem.write.facts import RuleExtractor, classify, rewrite
from remem.write.timeresolve import resolve

MONDAY = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def said(text: str, name: str = "Caroline") -> list[str]:
    episode = Episode(
        id="ep1", space="s", role="user", content=text, session="s1", event_time=MONDAY, ingest_time=MONDAY, name=name
    )
    return [c.text for c in RuleExtractor().extract([episode], []) if c.kind != "turn"]


def test_relative_dates_resolve_against_when_they_were_said() -> None:
    def one(text: str, past: bool = False) -> str:
        return resolve(text, MONDAY, past=past)[0].describe()

    assert one("I went yesterday") == "7 May 2023"
    assert one("I ran a race last Saturday") == "6 May 2023"
    assert one("we moved two weeks ago") == "the week of 24 April 2023"
    assert one("I started last year") == "2022"
    assert one("next month I travel") == "June 2023"
    assert one("We went camping in July") == "July 2022"  # a July not yet come means last year's
    assert one("I adopted him 3 days ago") == "5 May 2023"
    assert one("Took Oscar to the vet on Friday", past=True) == "5 May 2023"
    assert one("The party is on Friday") == "12 May 2023"
    assert resolve("I may go", MONDAY) == []


def test_first_person_becomes_a_standalone_third_person_statement() -> None:
    assert rewrite("I live in Lisbon.", "Ana") == "Ana lives in Lisbon."
    assert rewrite("I no longer eat meat.", "Ana") == "Ana no longer eats meat."
    assert rewrite("I'm going to a concert with my sister.", "Ana") == "Ana is going to a concert with Ana's sister."
    assert rewrite("I totally agree", "Ana") == "Ana totally agrees"
    assert rewrite("I apply to jobs", "Ana") == "Ana applies to jobs"


def test_what_is_kept_and_what_is_not() -> None:
    assert said("I went to a LGBTQ support group yesterday and it was so powerful.") == [
        "Caroline went to a LGBTQ support group yesterday and it was so powerful (7 May 2023)."
    ]
    assert said("Yeah, I painted that lake sunrise last year!") == [
        "Caroline painted that lake sunrise last year (2022)."
    ]
    assert said("Hey Mel! Good to see you! How have you been?") == []
    assert said("That charity race sounds great, Mel!") == []
    assert said("I'm really proud of you for taking part!") == []
    assert classify("What kinda jobs are you thinkin' of?", "Melanie") is None
    statement = classify("My favourite food is sushi.", "Bo")
    assert (
        statement is not None and statement.kind == "preference" and statement.text == "Bo's favourite food is sushi."
    )
    negation = classify("I no longer eat meat.", "Cy")
    assert negation is not None and negation.negates == "eat meat"
    move = classify("I moved to Porto last week.", "Ana")
    assert move is not None and (move.attribute, move.value) == ("residence", "Porto")
