"""Relative and absolute dates, resolved against the moment they were said (Monday 8 May 2023)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from remem.write.dates import Tense, resolve

MONDAY = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def one(text: str, tense: Tense = None) -> str:
    found = resolve(text, MONDAY, tense)
    assert len(found) == 1, found
    return found[0].describe()


@pytest.mark.parametrize(
    ("text", "tense", "expected"),
    [
        ("I went to a support group yesterday", None, "7 May 2023"),
        ("the day before yesterday", None, "6 May 2023"),
        ("we talked last night", None, "7 May 2023"),
        ("I'm painting today", None, "8 May 2023"),
        ("the race is tomorrow", None, "9 May 2023"),
        ("I ran a race last Saturday", None, "6 May 2023"),
        ("I saw her last Tuesday", None, "2 May 2023"),
        ("last Monday", None, "1 May 2023"),  # said on a Monday: the one a week back, not today
        ("we went camping last weekend", None, "6 May 2023"),
        ("we moved two weeks ago", None, "the week of 24 April 2023"),
        ("I adopted him 3 days ago", None, "5 May 2023"),
        ("I started two years ago", None, "2021"),
        ("a couple of months ago", None, "March 2023"),
        ("in two weeks", None, "the week of 22 May 2023"),
        ("I was busy last week", None, "the week of 1 May 2023"),
        ("next month I travel", None, "June 2023"),
        ("I started last year", None, "2022"),
        ("next year", None, "2024"),
        ("in March", None, "March 2023"),
        ("We went camping in July", None, "July 2022"),  # a July not yet come, told as memory: last year's
        ("We're going camping in July", "future", "July 2023"),
        ("last May", None, "May 2022"),
        ("next March", None, "March 2024"),
        ("in June 2021", None, "June 2021"),
        ("in 2019", None, "2019"),
        ("on 5 May", None, "5 May 2023"),
        ("the 20th of June", "past", "20 June 2022"),
        ("on 20 June", "future", "20 June 2023"),
        ("May 5th, 2021", None, "5 May 2021"),
        ("on Sept 3", "past", "3 September 2022"),
        ("Took Oscar to the vet on Friday", "past", "5 May 2023"),
        ("The party is on Friday", None, "12 May 2023"),
        ("next Friday", None, "12 May 2023"),
        ("this weekend", None, "13 May 2023"),
        ("we're getting married two weeks today", None, "22 May 2023"),
        ("back a week tomorrow", None, "16 May 2023"),
        ("the exam is in a fortnight", None, "22 May 2023"),
        ("interview is two weeks from today", None, "22 May 2023"),
        ("she flies back 10 days from now", None, "18 May 2023"),
        ("a month from now we move", None, "8 June 2023"),
        ("flight to lima this fri", None, "12 May 2023"),
        ("it was last weds", None, "3 May 2023"),
        ("see u next thurs", None, "11 May 2023"),
        ("the appointment is the day after tomorrow", None, "10 May 2023"),
        ("dentist tmrw at 3", None, "9 May 2023"),
        ("saw her yday", None, "7 May 2023"),
        ("rent is due on the 1st", "future", "1 June 2023"),
        ("the package came on the 3rd", "past", "3 May 2023"),
        ("landing on the 20th", None, "20 May 2023"),
        ("we move at the end of the month", None, "31 May 2023"),
        ("starting at the beginning of next month", None, "1 June 2023"),
    ],
)
def test_expressions_resolve_to_the_date_they_name(text: str, tense: Tense, expected: str) -> None:
    assert one(text, tense) == expected


def test_several_expressions_come_back_left_to_right_without_overlap() -> None:
    found = resolve("Last week I booked a trip for next month, on 5 June.", MONDAY, "future")
    assert [(r.phrase, r.grain) for r in found] == [
        ("Last week", "week"),
        ("next month", "month"),
        ("on 5 June", "day"),
    ]
    assert found[2].when == datetime(2023, 6, 5, tzinfo=UTC)


def test_words_that_only_look_like_dates_are_left_alone() -> None:
    assert resolve("I may go to the park", MONDAY) == []  # "may" the verb
    assert resolve("I ran 3 marathons", MONDAY) == []  # "3 mar..." is not March
    assert resolve("on 31 February", MONDAY) == []
    assert resolve("no dates here at all", MONDAY) == []
    assert [r.phrase for r in resolve("the sun sat low on the wed of the river", MONDAY)] == []  # no short day alone
    assert resolve("we live on the 2nd floor", MONDAY) == []  # an ordinal, not a day of the month
    assert resolve("for the 3rd time this week", MONDAY)[0].phrase == "this week"


def test_resolution_is_pure_and_deterministic() -> None:
    assert resolve("two weeks ago, yesterday", MONDAY) == resolve("two weeks ago, yesterday", MONDAY)
    assert resolve("yesterday", datetime(2024, 3, 1, tzinfo=UTC))[0].describe() == "29 February 2024"
    assert resolve("next month", datetime(2023, 1, 31, tzinfo=UTC))[0].describe() == "February 2023"


def test_a_date_no_calendar_holds_is_read_as_words_not_an_error() -> None:
    said = datetime(2024, 1, 1, tzinfo=UTC)
    for text in ("99999 years ago", "in 99999 years", "10000000000 days ago", "in 9999999999 months"):
        assert resolve(text, said) == [], text
    assert [r.when.year for r in resolve("3 years ago", said)] == [2021]
