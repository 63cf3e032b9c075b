"""Parsing and normalising the times remem stores: always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload

from remem.errors import InvalidInput

TimeLike = datetime | date | str

# The times remem accepts, after conversion to UTC: four-digit years, so the stored text form sorts
# as time and parses back, and an offset such as 0001-01-01T00:00:00+01:00 cannot overflow.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)  # datetime's own: 9999-12-31


def storable(moment: datetime) -> bool:
    """Whether a time found in text (not given by a caller, who gets an error) can be stored and read
    back: within EARLIEST and LATEST. "Yesterday" said on 1000-01-01 is not."""
    return EARLIEST <= moment <= LATEST


def now() -> datetime:
    """The time now, to the millisecond: the precision it is stored at (see to_iso)."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def parse_time(value: TimeLike | None, field: str = "time") -> datetime | None:
    """Accept a datetime, a date or an ISO-8601 string; naive values are taken as UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise InvalidInput(f"{field} is empty; give an ISO-8601 date such as 2024-03-02T10:00:00Z")
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            shown = value if len(value) <= 64 else value[:64] + "..."
            raise InvalidInput(
                f"{field} {shown!r} is not an ISO-8601 date; use e.g. 2024-03-02 or 2024-03-02T10:00:00Z"
            ) from None
    else:
        raise InvalidInput(f"{field} must be a datetime or an ISO-8601 string, not {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        dt = dt.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput(_out_of_range(field)) from None
    if dt < EARLIEST:
        raise InvalidInput(_out_of_range(field))
    return dt


def _out_of_range(field: str) -> str:
    return f"{field} must be between 1000-01-01 and 9999-12-31 (UTC); dates outside that range cannot be stored"


@overload
def to_iso(dt: datetime) -> str: ...
@overload
def to_iso(dt: None) -> None: ...
@overload
def to_iso(dt: datetime | None) -> str | None: ...


def to_iso(dt: datetime | None) -> str | None:
    """The stored form: UTC, milliseconds, fixed width so strings sort as times.

    Milliseconds, not microseconds: a time's digits after the seconds are digits no one said, and six of
    them in every row would hold any 4- or 5-digit number by chance now and then (a forgotten PIN or
    postcode, found in the file after its scrub). Three cannot hold one.
    """
    if dt is None:
        return None
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@overload
def from_iso(text: str) -> datetime: ...
@overload
def from_iso(text: None) -> None: ...
@overload
def from_iso(text: str | None) -> datetime | None: ...


def from_iso(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
