"""Schedule days and their bounds in a zone with daylight saving time."""

from __future__ import annotations

import datetime

import pytest

from service.core.time import UnknownTimeZoneError, day_bounds, schedule_day, zone

CPH = zone("Europe/Copenhagen")
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("instant", "day_change", "expected"),
    [
        (datetime.datetime(2025, 6, 20, 23, 30, tzinfo=UTC), datetime.time(0), datetime.date(2025, 6, 21)),
        (datetime.datetime(2025, 6, 20, 23, 30, tzinfo=UTC), datetime.time(4), datetime.date(2025, 6, 20)),
        (datetime.datetime(2025, 6, 21, 1, 59, tzinfo=UTC), datetime.time(4), datetime.date(2025, 6, 20)),
        (datetime.datetime(2025, 6, 21, 2, 0, tzinfo=UTC), datetime.time(4), datetime.date(2025, 6, 21)),
    ],
)
def test_schedule_day_splits_at_the_local_day_change(
    instant: datetime.datetime, day_change: datetime.time, expected: datetime.date
) -> None:
    assert schedule_day(instant, CPH, day_change) == expected


def test_the_autumn_dst_day_is_25_hours_long() -> None:
    start, end = day_bounds(datetime.date(2025, 10, 26), CPH, datetime.time(0))
    assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(hours=25)


def test_the_spring_dst_day_is_23_hours_long() -> None:
    start, end = day_bounds(datetime.date(2025, 3, 30), CPH, datetime.time(0))
    assert end.astimezone(UTC) - start.astimezone(UTC) == datetime.timedelta(hours=23)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", " Europe/Berlin", "europe/berlin"])
def test_names_that_are_not_iana_zones_are_refused(name: str) -> None:
    with pytest.raises(UnknownTimeZoneError):
        zone(name)
