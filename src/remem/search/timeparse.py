"""Explicit times in a query ("in July 2023", "on 13 October, 2023", "in June", "in 2022").

They become a soft preference, not a filter: a memory dated inside the window
gets a bonus in ranking. A filter would be wrong too often, because people
talk about things after they happen ("last week I went camping").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from remem.write.dates import MONTHS, month_number

# A month as a query names it: in full or by its first three letters ("Sep."); longest first.
_MONTH_WORDS = sorted({*MONTHS, *(name[:3] for name in MONTHS)}, key=lambda word: (-len(word), word))
_MONTH = r"(?P<month>" + "|".join(_MONTH_WORDS) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.I),  # 13 October 2023, 1 February, 2023
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),  # October 13, 2023
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b", re.I),  # July 2023
    re.compile(rf"\b(?:in|during|since|before|after|of)\s+{_MONTH}(?!\s*\d)\b", re.I),  # in June
    re.compile(rf"\b(?:in|during|of)\s+{_YEAR}\b", re.I),  # in 2023
]


@dataclass(frozen=True)
class TimeWindow:
    """A calendar window; a month without a year matches that month in any year."""

    year: int | None
    month: int | None
    day: int | None

    def contains(self, moment: datetime) -> bool:
        return (
            (self.year is None or moment.year == self.year)
            and (self.month is None or moment.month == self.month)
            and (self.day is None or moment.day == self.day)
        )

    def near(self, moment: datetime, days: int = 7) -> bool:
        """Inside the window, or (for a day) within `days` after it: talk follows events."""
        if self.day is None or self.year is None or self.month is None:
            return self.contains(moment)
        start = datetime(self.year, self.month, self.day, tzinfo=UTC)
        return 0 <= (moment.astimezone(UTC) - start).days <= days


def time_windows(query: str) -> list[TimeWindow]:
    """Every explicit date, month or year the query names; spans already matched are not re-read."""
    found: list[TimeWindow] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(query):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            parts = match.groupdict()
            month = month_number(parts["month"]) if parts.get("month") else None
            day = int(parts["day"]) if parts.get("day") else None
            year = int(parts["year"]) if parts.get("year") else None
            if day is not None and not 1 <= day <= 31:
                continue
            # "may" alone is far more often the verb than the month: only a capitalised "in May" counts.
            bare_may = (parts.get("month") or "").lower() == "may" and year is None and day is None
            if bare_may and not re.search(r"\b(?:in|during|since|before|after|of)\s+May\b", match.group(0)):
                continue
            found.append(TimeWindow(year, month, day))
            taken.append((match.start(), match.end()))
    return found
