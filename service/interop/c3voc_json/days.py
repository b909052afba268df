"""Which calendar date a C3VOC event falls on, and which day change the file's grouping implies.

A classic ``schedule.json`` lists events under days, and those days run past midnight (a congress
day ends at 04:00), but it never says when one day turns into the next: ``day_change`` is a frab
setting the export leaves out. So a ``start`` without a ``date`` is placed by its day's
``day_start``/``day_end``, and the day change is read back from how the events are grouped.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from service.interop.c3voc_json.wire import Day

_DAY = 24 * 60


def after_midnight(day: Day, clock: datetime.time, tz: ZoneInfo) -> bool:
    """Whether a wall time listed under ``day`` falls on the next calendar date: it is earlier than
    the day's start, and not later than its end when that end is on the next date (36C3 lists 10:00
    events under days that "start" at 11:00)."""
    if day.day_start is None:
        return False
    if clock >= _local(day.day_start, tz).time():
        return False
    if day.day_end is not None:
        end = _local(day.day_end, tz)
        if end.date() > day.date and clock > end.time():
            return False
    return True


def day_change_of(
    placed: Sequence[tuple[datetime.date, datetime.datetime]], day_starts: Sequence[datetime.datetime], tz: ZoneInfo
) -> datetime.time | None:
    """The earliest day change that keeps every event (its listed date, its start) on the day the
    file lists it under: 00:00 when none starts on the next date, else the days' common
    ``day_start`` when that fits, else the first whole hour after the latest such start, else the
    minute after it. None when no time fits."""
    earliest, latest = 0, _DAY  # in minutes: the day change lies in [earliest, latest]
    for listed_date, start in placed:
        local = start.astimezone(tz)
        minute = local.hour * 60 + local.minute
        if local.date() == listed_date:
            latest = min(latest, minute)
        elif local.date() == listed_date + datetime.timedelta(days=1):
            earliest = max(earliest, minute + 1)
    if earliest == 0:
        return datetime.time(0, 0)
    if earliest > latest or earliest >= _DAY:
        return None
    starts = {start.astimezone(tz).time() for start in day_starts}
    candidates = [math.ceil(earliest / 60) * 60, earliest]
    if len(starts) == 1:
        (common,) = starts
        candidates.insert(0, common.hour * 60 + common.minute)
    chosen = next(minute for minute in candidates if earliest <= minute <= latest and minute < _DAY)
    return datetime.time(chosen // 60, chosen % 60)


def _local(value: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    return value.astimezone(tz) if value.tzinfo is not None else value.replace(tzinfo=tz)
