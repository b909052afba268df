"""What the API shows of an event, and what organisers send to open or change one.

Bounds live beside the fields they bound, and no string is longer than the column it is stored in
(tests/api/system/test_bounds_declared.py).
"""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import Body, anchored
from service.core.fields import Day, Line, LongText, Name, Url
from service.core.schemas import BaseStruct, FeedLinks

EventSlug = Annotated[str, Meta(pattern=anchored(r"[a-z0-9][a-z0-9_-]{0,63}"), examples=["lisbon-ml-2026"])]
ZoneName = Annotated[Line, Meta(max_length=64, examples=["Europe/Copenhagen"])]
Venue = Annotated[Line, Meta(max_length=200)]
City = Annotated[Line, Meta(max_length=100)]
ClockTime = Annotated[
    str,
    Meta(
        pattern=anchored(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?"),
        description="Local wall-clock time, ``HH:MM`` as the API returns it (``HH:MM:SS`` also accepted).",
        examples=["04:00"],
    ),
]


class EventCreate(Body):
    slug: EventSlug
    title: Name
    timezone: ZoneName
    start_date: Day
    end_date: Day
    day_change: ClockTime = "00:00"
    description: LongText = ""
    venue: Venue = ""
    city: City = ""
    website: Url = ""


class EventUpdate(Body):
    title: Name | UnsetType = UNSET
    join_code: Annotated[Line, Meta(max_length=64)] | UnsetType = UNSET
    """Attendees must give it to register; empty means anyone may."""
    timezone: ZoneName | UnsetType = UNSET
    start_date: Day | UnsetType = UNSET
    end_date: Day | UnsetType = UNSET
    day_change: ClockTime | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    venue: Venue | UnsetType = UNSET
    city: City | UnsetType = UNSET
    website: Url | UnsetType = UNSET


def event_fields(data: EventCreate | EventUpdate) -> dict[str, object]:
    """The fields an event input sets, as the Event model holds them (a clock time as a time)."""
    fields = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not UNSET}
    if isinstance(day_change := fields.get("day_change"), str):
        fields["day_change"] = datetime.time.fromisoformat(day_change)
    return fields


class EventLinks(BaseStruct):
    """Where to go next from an event."""

    self: str
    schedule: str
    now: str
    speakers: str
    rooms: str
    tracks: str
    calendar: FeedLinks
    """The whole event as an iCalendar feed."""


class EventOut(BaseStruct):
    slug: Annotated[str, Meta(examples=["cph-nlp-2025"])]
    title: Annotated[str, Meta(examples=["Copenhagen NLP Symposium 2025"])]
    description: str
    timezone: Annotated[str, Meta(examples=["Europe/Copenhagen"])]
    """IANA zone; every local time of the event is shown in it, with its offset."""
    start_date: datetime.date
    end_date: datetime.date
    day_change: Annotated[str, Meta(examples=["04:00"])]
    """Local ``HH:MM`` at which one schedule day ends and the next begins."""
    days: list[datetime.date]
    venue: Annotated[str, Meta(examples=["University of Copenhagen, South Campus"])]
    city: str
    website: Annotated[str, Meta(examples=["https://cphnlp.github.io/"])]
    schedule_version: int
    schedule_modified_at: datetime.datetime
    links: EventLinks
