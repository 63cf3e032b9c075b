"""Explicit times in queries become a soft ranking preference."""

from __future__ import annotations

from datetime import UTC, datetime

from remem import Memory
from remem.search.timeparse import TimeWindow, time_windows


def test_dates_months_and_years_are_read_from_questions() -> None:
    assert time_windows("What painting did she show on October 13, 2023?") == [TimeWindow(2023, 10, 13)]
    assert time_windows("What did Gina find on 1 February, 2023?") == [TimeWindow(2023, 2, 1)]
    assert time_windows("What setback did Melanie face in October 2023?") == [TimeWindow(2023, 10, None)]
    assert time_windows("When did Melanie go camping in June?") == [TimeWindow(None, 6, None)]
    assert time_windows("How many times has she gone to the beach in 2023?") == [TimeWindow(2023, None, None)]
    assert time_windows("I may go to the beach") == []
    assert time_windows("What is her favourite colour?") == []


def test_a_window_contains_its_dates_and_a_day_looks_a_week_ahead() -> None:
    june = TimeWindow(None, 6, None)
    assert june.contains(datetime(2021, 6, 30, tzinfo=UTC)) and not june.contains(datetime(2021, 7, 1, tzinfo=UTC))
    day = TimeWindow(2023, 10, 13)
    assert day.near(datetime(2023, 10, 13, 18, tzinfo=UTC)) and day.near(datetime(2023, 10, 19, tzinfo=UTC))
    assert not day.near(datetime(2023, 10, 12, tzinfo=UTC)) and not day.near(datetime(2023, 10, 25, tzinfo=UTC))


def test_the_memory_from_the_named_month_ranks_first(mem: Memory) -> None:
    mem.add("We went camping by the lake.", space="t", at="2023-06-20")
    mem.add("We went camping in the mountains.", space="t", at="2023-08-02")
    assert mem.search("where did we go camping in August?", space="t", k=2)[0].memory.text.endswith("mountains.")
    assert mem.search("where did we go camping in June?", space="t", k=2)[0].memory.text.endswith("lake.")
