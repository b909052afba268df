"""What the API shows of the schedule. Every time is local to the event, with its offset.

A full schedule holds tens of thousands of these Structs, none of which can take part in a
reference cycle (they hold scalars, or Structs and lists of Structs made for them), so those of
the schedule are not tracked by the garbage collector (``gc=False``): see
``service.schedule.queries.collecting_later`` for what that tracking cost.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from msgspec import Meta

from service.core.schemas import BaseStruct, FeedLinks
from service.schedule.models import SlotStatus, SpeakerRole, TalkKind


class RoomOut(BaseStruct, gc=False):
    id: uuid.UUID
    slug: Annotated[str, Meta(examples=["auditorium"])]
    name: Annotated[str, Meta(examples=["Auditorium 1"])]
    position: int


class TrackOut(BaseStruct, gc=False):
    id: uuid.UUID
    slug: str
    name: str
    color: Annotated[str, Meta(examples=["#2ca02c"])]


class SpeakerRef(BaseStruct, gc=False):
    """A speaker as embedded in a talk: who, and in what role."""

    id: uuid.UUID
    name: str
    affiliation: str
    role: SpeakerRole


class TalkLinks(BaseStruct, gc=False):
    url: str | None = None
    recording: str | None = None
    slides: str | None = None


class ScheduleEntry(BaseStruct, kw_only=False, gc=False):
    """One slot on the schedule: a talk (or break) at one time in one room."""

    # Positional (``kw_only=False``): the schedule builds thousands, and msgspec takes positional
    # arguments four times faster than sixteen keywords.

    id: uuid.UUID
    """The slot's id: stable, one per occurrence, so a repeated workshop appears twice."""
    talk_id: uuid.UUID
    title: Annotated[str, Meta(examples=["Spikes in the loss: looking at the data behind open language models"])]
    subtitle: str
    abstract: str
    kind: TalkKind
    language: Annotated[str, Meta(examples=["en"])]
    day: Annotated[datetime.date, Meta(examples=["2025-06-20"])]
    start: Annotated[datetime.datetime, Meta(examples=["2025-06-20T10:30:00+02:00"])]
    end: Annotated[datetime.datetime, Meta(examples=["2025-06-20T11:15:00+02:00"])]
    duration_minutes: Annotated[int, Meta(examples=[45])]
    status: SlotStatus
    room: RoomOut | None
    track: TrackOut | None
    speakers: list[SpeakerRef]
    links: TalkLinks


class ScheduleDay(BaseStruct):
    date: datetime.date
    start: datetime.datetime
    """Local start of the day (the event's day-change time)."""
    end: datetime.datetime
    talks: list[ScheduleEntry]


class ScheduleEvent(BaseStruct):
    slug: str
    title: str
    timezone: str
    day_change: str


class Schedule(BaseStruct):
    event: ScheduleEvent
    version: int
    days: list[ScheduleDay]


class SlotOut(BaseStruct):
    """One occurrence of a talk, as listed on the talk's page."""

    id: uuid.UUID
    day: datetime.date
    start: datetime.datetime
    end: datetime.datetime
    duration_minutes: int
    status: SlotStatus
    room: RoomOut | None


class TalkOut(BaseStruct):
    id: uuid.UUID
    event: str
    """The event's slug."""
    title: str
    subtitle: str
    abstract: str
    kind: TalkKind
    language: str
    track: TrackOut | None
    speakers: list[SpeakerRef]
    links: TalkLinks
    calendar: FeedLinks
    """This talk as an iCalendar file, for "add to my calendar"."""
    slots: list[SlotOut]


class Now(BaseStruct):
    """The home screen of an attendee app: what is on at ``at``, and what comes next, per room."""

    at: datetime.datetime
    running: list[ScheduleEntry]
    next: list[ScheduleEntry]
    """The next slot to start after ``at`` in each room, in room order."""
