"""What the API shows of an event."""

from __future__ import annotations

import datetime
from typing import Annotated

from msgspec import Meta

from service.core.schemas import BaseStruct, FeedLinks


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
