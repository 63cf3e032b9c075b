"""Resolving time expressions ("yesterday", "last Tuesday", "two weeks ago", "on 5 May") against the
moment they were said. Pure functions, deterministic; the result is a date and how precise it is.

A date without a year, or a bare month or weekday, is ambiguous: "in March" said in May is this
March when told as a memory, next March when told as a plan. The caller says which reading the
sentence has with `tense` ("past", "future" or None when unknown).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from remem.timeutil import storable

Tense = Literal["past", "future"] | None

WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
# A month by its name or its usual abbreviation, as a whole word: not "Marchetti", "married" or "Augsburg".
MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?)\b"
)


def _weekday(word: str) -> int:
    """Monday 0 .. Sunday 6, from the name or its short form ("fri", "weds", "thurs")."""
    return next(i for name, i in WEEKDAYS.items() if name.startswith(word.lower()[:3]))


def month_number(word: str) -> int:
    """1-12 for a month name or its usual abbreviation ("Sept", "dec")."""
    word = word.lower()
    return next(number for name, number in MONTHS.items() if name.startswith(word[:3]))


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
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY_SHORT = r"mon|tues?|weds?|thu(?:rs?)?|fri|sat"  # "this fri", "last weds" ("this sun" is the weather)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"


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


def shift_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by whole months, its day kept where the month has it (31 January + 1: 29 February)."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


def _week_start(moment: datetime) -> datetime:
    return _day(moment) - timedelta(days=moment.weekday())


def _shifted(phrase: str, now: datetime, unit: str, n: int) -> Resolved:
    """The day, week, month or year `n` units from `now` ("3 weeks ago", "next month")."""
    if unit == "day":
        return Resolved(phrase, _day(now + timedelta(days=n)), "day")
    if unit == "week":
        return Resolved(phrase, _week_start(now + timedelta(weeks=n)), "week")
    if unit == "month":
        return Resolved(phrase, _day(shift_months(now, n)).replace(day=1), "month")
    return Resolved(phrase, datetime(now.year + n, 1, 1, tzinfo=UTC), "year")


_RULES: list[tuple[re.Pattern[str], str]] = [
    # Absolute dates first, so "on 5 May" is a day and not the bare month "May".
    (re.compile(rf"\b(?:on\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\b{_YEAR}", re.I), "day-month"),
    (re.compile(rf"\b(?:on\s+)?{_MONTH}\.?\s+{_DAY}\b{_YEAR}", re.I), "day-month"),
    # "two weeks today", "a week tomorrow", "a fortnight today": British, and a day, not today.
    (re.compile(rf"\b(?:{_NUM}\s+weeks?|a\s+fortnight)\s+(?P<from>today|tonight|tomorrow)\b", re.I), "weeks-from"),
    # "two weeks from today", "10 days from now": that very day, not today
    (re.compile(rf"\b{_NUM}\s+{_UNIT}\s+from\s+(?:today|tonight|now)\b", re.I), "from-today"),
    (re.compile(r"\b(?:in\s+a\s+fortnight|a\s+fortnight\s+ago)\b", re.I), "fortnight"),
    (re.compile(r"\bthe day before yesterday\b", re.I), "before-yesterday"),
    (re.compile(r"\b(?:the\s+)?day after tomorrow\b|\bovermorrow\b", re.I), "after-tomorrow"),
    (re.compile(r"\b(?:yesterday|yday|yest|last night)\b", re.I), "yesterday"),
    (
        re.compile(r"\b(?:today|tonight|tonite|2day|this morning|this afternoon|this evening|earlier today)\b", re.I),
        "today",
    ),
    (re.compile(r"\b(?:tomorrow|tmrw|tmr|tmw|tmro|2moro|2morrow|tomoz)\b", re.I), "tomorrow"),
    (re.compile(rf"\b{_NUM}\s+{_UNIT}\s+ago\b", re.I), "ago"),
    (re.compile(rf"\bin\s+{_NUM}\s+{_UNIT}\b", re.I), "in-n"),
    (
        re.compile(
            rf"\blast\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday|{_WEEKDAY_SHORT})\b",
            re.I,
        ),
        "last-weekday",
    ),
    (
        re.compile(
            r"\b(?:this|on|next)\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
            rf"{_WEEKDAY_SHORT})\b",
            re.I,
        ),
        "this-weekday",
    ),
    (re.compile(r"\blast\s+weekend\b", re.I), "last-weekend"),
    (re.compile(r"\b(?:this|next)\s+weekend\b", re.I), "next-weekend"),
    (
        re.compile(
            r"\b(?:at\s+|by\s+)?(?:the\s+)?(?P<part>end|start|beginning|middle|mid)(?:\s+of|-)\s*"
            r"(?P<which>the|this|next)\s+month\b",
            re.I,
        ),
        "part-of-this-month",
    ),
    (re.compile(r"\b(?:last|past|previous)\s+(?P<unit>week|month|year)\b", re.I), "last-unit"),
    (re.compile(r"\bnext\s+(?P<unit>week|month|year)\b", re.I), "next-unit"),
    (re.compile(r"\bthis\s+(?P<unit>week|month|year)\b", re.I), "this-unit"),
    (
        re.compile(
            r"\b(?:at\s+|by\s+|since\s+)?(?:the\s+)?(?P<part>end|start|beginning|middle|mid)(?:\s+of|-)\s*"
            r"(?P<month>january|february|march|april|may|june|july|august|september|october|november|december)\b",
            re.I,
        ),
        "part-of-month",
    ),
    (
        re.compile(
            r"\b(?P<lead>in|last|this|next|since|until|by)\s+(?P<month>january|february|march|april|may|june|july|"
            r"august|september|october|november|december)\b(?:\s+(?P<year>(?:19|20)\d\d))?",
            re.I,
        ),
        "month",
    ),
    (re.compile(r"\b(?:in|since|during|back in)\s+(?P<year>(?:19|20)\d\d)\b", re.I), "year"),
    # "on the 21st", "by the 3rd": a day of the month without its month (not "the 2nd floor").
    (
        re.compile(
            r"\b(?:on|by|until|from|before|after|for)\s+the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b"
            r"(?!\s+(?:of\b|time|floor|place|row|grade|round|try|attempt|century|generation|edition|anniversary|birthday))",
            re.I,
        ),
        "day-of-month",
    ),
]


def resolve(text: str, said_at: datetime, tense: Tense = None) -> list[Resolved]:
    """Every time expression in `text`, resolved against `said_at` (left to right, no overlaps).

    `tense` is how the sentence reads: "past" makes a bare "on Friday" or "on 5 May" the latest
    one not after `said_at`, "future" the next one; None keeps the nearest plausible reading.
    """
    found: list[tuple[int, Resolved]] = []
    taken: list[tuple[int, int]] = []
    for pattern, rule in _RULES:
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            if "month" in match.groupdict() and match.group("month") == "may":
                continue  # lowercase "may" is the verb; the month is written "May"
            try:
                resolved = _apply(rule, match, said_at, tense)
            except (ValueError, OverflowError):
                resolved = None  # "99999 years ago" names no date a calendar holds: read as words
            if resolved is not None and not storable(resolved.when):
                resolved = None  # "5 years ago" said in 1002 names a year no store can read back: words too
            if resolved is not None:
                found.append((match.start(), resolved))
                taken.append((match.start(), match.end()))
    return [r for _, r in sorted(found, key=lambda pair: pair[0])]


def _years_apart(month: int, day: int, now: datetime, tense: Tense) -> int:
    """Which year a month (and day) without a year means: this one, or one either side."""
    this_year = (month, day) <= (now.month, now.day)
    if tense == "future":
        return 0 if (month, day) >= (now.month, now.day) else 1
    if tense == "past":
        return 0 if this_year else -1  # told as a memory: the latest one not yet to come
    # Unknown: the nearer reading ("the wedding is on 14 September", said on 1 August, is ahead).
    ahead = 0 if (month, day) >= (now.month, now.day) else 1
    forward = datetime(now.year + ahead, month, min(day, 28), tzinfo=UTC) - now
    backward = now - datetime(now.year + ahead - 1, month, min(day, 28), tzinfo=UTC)
    return ahead if forward <= backward else ahead - 1


def _apply(rule: str, match: re.Match[str], now: datetime, tense: Tense) -> Resolved | None:
    phrase = match.group(0).strip()
    if rule == "day-month":
        month, day = month_number(match.group("month")), int(match.group("day"))
        if not 1 <= day <= calendar.monthrange(now.year, month)[1] and not (month == 2 and day == 29):
            return None  # "the 45 May" is not a date
        given = match.group("year")
        year = int(given) if given else now.year + _years_apart(month, day, now, tense)
        if day > calendar.monthrange(year, month)[1]:
            return None
        return Resolved(phrase, datetime(year, month, day, tzinfo=UTC), "day")
    if rule == "weeks-from":
        n = 2 if "fortnight" in phrase.lower() else NUMBERS.get(match.group("n").lower()) or int(match.group("n"))
        start = now + timedelta(days=1) if match.group("from").lower() == "tomorrow" else now
        return Resolved(phrase, _day(start + timedelta(weeks=n)), "day")
    if rule == "from-today":
        n = NUMBERS.get(match.group("n").lower()) or int(match.group("n"))
        unit = match.group("unit").lower()
        if unit in ("month", "year"):
            return Resolved(phrase, _day(shift_months(now, n * (12 if unit == "year" else 1))), "day")
        return Resolved(phrase, _day(now + timedelta(days=n * (7 if unit == "week" else 1))), "day")
    if rule == "fortnight":
        return Resolved(phrase, _day(now + timedelta(days=-14 if phrase.lower().endswith("ago") else 14)), "day")
    if rule == "before-yesterday":
        return Resolved(phrase, _day(now - timedelta(days=2)), "day")
    if rule == "yesterday":
        return Resolved(phrase, _day(now - timedelta(days=1)), "day")
    if rule == "today":
        return Resolved(phrase, _day(now), "day")
    if rule == "tomorrow":
        return Resolved(phrase, _day(now + timedelta(days=1)), "day")
    if rule == "after-tomorrow":
        return Resolved(phrase, _day(now + timedelta(days=2)), "day")
    if rule == "part-of-this-month":
        first = _day(shift_months(now, 1 if match.group("which").lower() == "next" else 0))
        last = calendar.monthrange(first.year, first.month)[1]
        day = {"end": last, "middle": 15, "mid": 15}.get(match.group("part").lower(), 1)
        return Resolved(phrase, first.replace(day=day), "day")
    if rule == "day-of-month":
        day = int(match.group("day"))
        if not 1 <= day <= 31:
            return None
        past = tense == "past"
        months = 0 if (day >= now.day) != past or day == now.day else (-1 if past else 1)
        first = shift_months(_day(now).replace(day=1), months)
        if day > calendar.monthrange(first.year, first.month)[1]:
            return None
        return Resolved(phrase, first.replace(day=day), "day")
    if rule in ("ago", "in-n"):
        n = NUMBERS.get(match.group("n").lower()) or int(match.group("n"))
        n = -n if rule == "ago" else n
        return _shifted(phrase, now, match.group("unit").lower(), n)
    if rule == "this-weekday":
        target = _weekday(match.group("weekday"))
        if tense == "past" and phrase.lower().startswith("on"):
            rule = "last-weekday"  # "took Oscar to the vet on Friday": the Friday just gone
        else:
            ahead = (target - now.weekday()) % 7
            if phrase.lower().startswith("next"):
                ahead = ahead or 7
            return Resolved(phrase, _day(now + timedelta(days=ahead)), "day")
    if rule == "last-weekday":
        target = _weekday(match.group("weekday"))
        back = (now.weekday() - target) % 7 or 7
        return Resolved(phrase, _day(now - timedelta(days=back)), "day")
    if rule == "last-weekend":
        saturday = _day(now) - timedelta(days=(now.weekday() - 5) % 7 or 7)
        return Resolved(phrase, saturday, "day")
    if rule == "next-weekend":
        return Resolved(phrase, _day(now) + timedelta(days=(5 - now.weekday()) % 7), "day")
    unit = (match.groupdict().get("unit") or "").lower()
    step = {"last-unit": -1, "next-unit": 1, "this-unit": 0}.get(rule)
    if step is not None:
        return _shifted(phrase, now, unit, step)
    if rule == "month":
        month, lead = month_number(match.group("month")), match.group("lead").lower()
        if match.group("year"):
            return Resolved(phrase, datetime(int(match.group("year")), month, 1, tzinfo=UTC), "month")
        if lead == "this":
            year = now.year
        elif lead == "next" or (lead in ("until", "by") and tense != "past"):
            year = now.year + (month <= now.month)
        elif lead == "last":
            year = now.year - (month >= now.month)
        else:
            # A bare month without a tense reads as the past ("went camping in July"); a day is nearest.
            year = now.year + _years_apart(month, 1, now.replace(day=1), tense or "past")
        return Resolved(phrase, datetime(year, month, 1, tzinfo=UTC), "month")
    if rule == "part-of-month":
        month = month_number(match.group("month"))
        part = match.group("part").lower()
        day = {"end": 28, "middle": 15, "mid": 15}.get(part, 1)
        year = now.year + _years_apart(month, day, now, tense)
        return Resolved(phrase, datetime(year, month, day, tzinfo=UTC), "day")
    if rule == "year":
        return Resolved(phrase, datetime(int(match.group("year")), 1, 1, tzinfo=UTC), "year")
    return None
