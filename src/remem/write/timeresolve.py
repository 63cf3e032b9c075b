"""Resolving relative time expressions ("yesterday", "last Tuesday", "two weeks ago") against the
moment they were said. Pure functions; the result is a date and how precise it is."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a few": 3,
    "few": 3,
    "a couple of": 2,
    "couple of": 2,
}
_NUM = r"(?P<n>\d+|a couple of|couple of|a few|few|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
_UNIT = r"(?P<unit>day|week|month|year)s?"


@dataclass(frozen=True)
class Resolved:
    """A resolved expression: the phrase as said, the date it names, and its grain (day/week/month/year)."""

    phrase: str
    when: datetime
    grain: str

    def describe(self) -> str:
        if self.grain == "day":
            return f"{self.when.day} {self.when:%B %Y}"
        if self.grain == "week":
            return f"the week of {self.when.day} {self.when:%B %Y}"
        if self.grain == "month":
            return f"{self.when:%B %Y}"
        return f"{self.when:%Y}"


def _shift_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _week_start(moment: datetime) -> datetime:
    return _day(moment) - timedelta(days=moment.weekday())


_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:yesterday|last night)\b", re.I), "yesterday"),
    (re.compile(r"\b(?:today|tonight|this morning|this afternoon|this evening|earlier today)\b", re.I), "today"),
    (re.compile(r"\btomorrow\b", re.I), "tomorrow"),
    (re.compile(rf"\b{_NUM}\s+{_UNIT}\s+ago\b", re.I), "ago"),
    (
        re.compile(r"\blast\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I),
        "last-weekday",
    ),
    (
        re.compile(
            r"\b(?:this|on|next)\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I
        ),
        "this-weekday",
    ),
    (re.compile(r"\blast\s+weekend\b", re.I), "last-weekend"),
    (re.compile(r"\b(?:last|past|previous)\s+(?P<unit>week|month|year)\b", re.I), "last-unit"),
    (re.compile(r"\bnext\s+(?P<unit>week|month|year)\b", re.I), "next-unit"),
    (re.compile(r"\bthis\s+(?P<unit>week|month|year)\b", re.I), "this-unit"),
    (
        re.compile(
            r"\b(?:in|last|this)\s+(?P<month>january|february|march|april|may|june|july|august|september|"
            r"october|november|december)\b",
            re.I,
        ),
        "month",
    ),
]


def resolve(text: str, said_at: datetime, past: bool = False) -> list[Resolved]:
    """Every relative expression in `text`, resolved against `said_at` (left to right, no overlaps).

    `past` says the sentence is about the past, so a bare "on Friday" means the last one.
    """
    found: list[tuple[int, Resolved]] = []
    taken: list[tuple[int, int]] = []
    for pattern, rule in _RULES:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if rule == "month" and match.group("month") == "may":
                continue  # lowercase "may" is the verb; the month is written "May"
            backwards = past and rule == "this-weekday" and match.group(0).lower().startswith("on")
            resolved = _apply("last-weekday" if backwards else rule, match, said_at)
            if resolved is not None:
                found.append((match.start(), resolved))
                taken.append((match.start(), match.end()))
    return [r for _, r in sorted(found, key=lambda pair: pair[0])]


def _apply(rule: str, match: re.Match[str], now: datetime) -> Resolved | None:
    phrase = match.group(0)
    if rule == "yesterday":
        return Resolved(phrase, _day(now - timedelta(days=1)), "day")
    if rule == "today":
        return Resolved(phrase, _day(now), "day")
    if rule == "tomorrow":
        return Resolved(phrase, _day(now + timedelta(days=1)), "day")
    if rule == "ago":
        n = NUMBERS.get(match.group("n").lower()) or int(match.group("n"))
        unit = match.group("unit").lower()
        if unit == "day":
            return Resolved(phrase, _day(now - timedelta(days=n)), "day")
        if unit == "week":
            return Resolved(phrase, _week_start(now - timedelta(weeks=n)), "week")
        if unit == "month":
            return Resolved(phrase, _day(_shift_months(now, -n)).replace(day=1), "month")
        return Resolved(phrase, datetime(now.year - n, 1, 1, tzinfo=UTC), "year")
    if rule == "last-weekday":
        target = WEEKDAYS[match.group("weekday").lower()]
        back = (now.weekday() - target) % 7 or 7
        return Resolved(phrase, _day(now - timedelta(days=back)), "day")
    if rule == "this-weekday":
        target = WEEKDAYS[match.group("weekday").lower()]
        ahead = (target - now.weekday()) % 7
        if phrase.lower().startswith("next"):
            ahead = ahead or 7
        return Resolved(phrase, _day(now + timedelta(days=ahead)), "day")
    if rule == "last-weekend":
        saturday = _day(now) - timedelta(days=(now.weekday() - 5) % 7 or 7)
        return Resolved(phrase, saturday, "day")
    unit = (match.groupdict().get("unit") or "").lower()
    step = {"last-unit": -1, "next-unit": 1, "this-unit": 0}.get(rule)
    if step is not None:
        if unit == "week":
            return Resolved(phrase, _week_start(now + timedelta(weeks=step)), "week")
        if unit == "month":
            return Resolved(phrase, _day(_shift_months(now, step)).replace(day=1), "month")
        return Resolved(phrase, datetime(now.year + step, 1, 1, tzinfo=UTC), "year")
    if rule == "month":
        month = MONTHS[match.group("month").lower()]
        year = now.year if month <= now.month or phrase.lower().startswith("this") else now.year - 1
        return Resolved(phrase, datetime(year, month, 1, tzinfo=UTC), "month")
    return None
