"""What the API shows of an event."""

from __future__ import annotations

import datetime

from service.core.schemas import BaseStruct


class EventLinks(BaseStruct):
    """Where to go next from an event."""

    self: str
    schedule: str
    now: str
    speakers: str
    rooms: str
    tracks: str


class EventOut(BaseStruct):
    slug: str
    title: str
    description: str
    timezone: str
    """IANA zone; every local time of the event is shown in it, with its offset."""
    start_date: datetime.date
    end_date: datetime.date
    day_change: str
    """Local ``HH:MM`` at which one schedule day ends and the next begins."""
    days: list[datetime.date]
    venue: str
    city: str
    website: str
    schedule_version: int
    schedule_modified_at: datetime.datetime
    links: EventLinks
