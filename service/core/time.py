"""Time rules of the schedule: aware UTC in storage, the event's IANA zone on display.

A schedule *day* runs from the event's day-change time on that local date to the same wall-clock
time on the next local date, so a 01:30 talk with a 04:00 day change belongs to the day before.
Boundaries are computed per day in the event's zone, which makes DST days 23 or 25 hours long,
as they really are.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC = datetime.UTC


class UnknownTimeZoneError(ValueError):
    """The name is not an IANA time zone."""


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; refuses aliases that are not real zone names."""
    if not name or name != name.strip() or name not in _zone_names():
        raise UnknownTimeZoneError(f"{name!r} is not an IANA time zone name")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZoneError(f"{name!r} is not an IANA time zone name") from exc


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


class Dated(Protocol):
    """Anything that runs from a first to a last local date (an event)."""

    @property
    def start_date(self) -> datetime.date: ...

    @property
    def end_date(self) -> datetime.date: ...


def event_days(event: Dated) -> list[datetime.date]:
    """Every local date from the first to the last day, both included (none if they are reversed)."""
    count = (event.end_date - event.start_date).days + 1
    return [event.start_date + datetime.timedelta(days=n) for n in range(max(count, 0))]


def hh_mm(value: datetime.time) -> str:
    """A wall-clock time as the API shows it (``04:00``)."""
    return value.strftime("%H:%M")


def to_local(instant: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """``instant`` (aware) as wall-clock time in ``tz``, with its offset."""
    return instant.astimezone(tz)


def _offset(day_change: datetime.time) -> datetime.timedelta:
    return datetime.timedelta(hours=day_change.hour, minutes=day_change.minute, seconds=day_change.second)


def schedule_day(instant: datetime.datetime, tz: ZoneInfo, day_change: datetime.time) -> datetime.date:
    """The schedule day an instant belongs to."""
    wall = instant.astimezone(tz).replace(tzinfo=None)
    return (wall - _offset(day_change)).date()


def day_bounds(
    day: datetime.date, tz: ZoneInfo, day_change: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """The local start and end (exclusive) of a schedule day, aware in ``tz``."""
    start = datetime.datetime.combine(day, day_change, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), day_change, tzinfo=tz)
    return start, end


def as_instant(value: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    """An aware UTC instant; a naive value is read as wall-clock time in ``tz``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(UTC)
