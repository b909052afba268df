"""What organisers send to change a schedule. Bounds live here, next to the fields they bound,
and no string is longer than the column it is stored in (tests/api/system/test_bounds_declared.py).

Every body is a ``Body`` and every nested object a ``Part`` (service/core/bounds.py): on top of
the constraints below, strings refuse control characters, integers stay in the database's range
and dates in the years 1900 to 2199, each error naming the field's path.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import LINE_PATTERN, LONG_TEXT_PATTERN, URL_PATTERN, Body, Part, anchored
from service.schedule.models import SpeakerRole, TalkKind

Line = Annotated[str, Meta(pattern=LINE_PATTERN)]
"""One line of text: no control characters (service/core/bounds.py)."""
Slug = Annotated[str, Meta(pattern=anchored(r"[a-z0-9][a-z0-9_-]{0,99}"), examples=["main-hall"])]
EventSlug = Annotated[str, Meta(pattern=anchored(r"[a-z0-9][a-z0-9_-]{0,63}"), examples=["lisbon-ml-2026"])]
Name = Annotated[Line, Meta(min_length=1, max_length=200)]
Title = Annotated[Line, Meta(min_length=1, max_length=300)]
ShortText = Annotated[Line, Meta(max_length=300)]
Venue = Annotated[Line, Meta(max_length=200)]
City = Annotated[Line, Meta(max_length=100)]
Affiliation = Annotated[Line, Meta(max_length=200)]
LongText = Annotated[
    str,
    Meta(
        max_length=20_000,
        pattern=LONG_TEXT_PATTERN,
        description="Up to 20,000 characters; tab and line breaks allowed, no other control characters.",
    ),
]
Url = Annotated[str, Meta(max_length=500, pattern=URL_PATTERN)]
Color = Annotated[str, Meta(pattern=anchored(r"#[0-9a-fA-F]{6}"), examples=["#2ca02c"])]
Language = Annotated[Line, Meta(max_length=16)]
ZoneName = Annotated[Line, Meta(max_length=64, examples=["Europe/Copenhagen"])]
MAX_DURATION_MINUTES = 24 * 60
# ge=1 rather than gt=0: the same for integers, and Litestar drops a zero bound from the OpenAPI schema.
Minutes = Annotated[int, Meta(ge=1, le=MAX_DURATION_MINUTES, description="Length in minutes, at most a day.")]
LocalDateTime = Annotated[
    datetime.datetime,
    Meta(
        description="ISO 8601, in the years 1900 to 2199. Without an offset it is wall-clock time in the event's zone.",
        examples=["2025-06-20T10:30:00+02:00"],
    ),
]
Day = Annotated[datetime.date, Meta(description="A date in the years 1900 to 2199.")]
Position = Annotated[
    int,
    # The schema's minimum is repeated because Litestar leaves a zero bound out of optional fields.
    Meta(ge=0, le=10_000, extra_json_schema={"extra": {"minimum": 0}}, description="Place in the list, 0 first."),
]


ClockTime = Annotated[
    str,
    Meta(
        pattern=anchored(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?"),
        description="Local wall-clock time, ``HH:MM`` as the API returns it (``HH:MM:SS`` also accepted).",
        examples=["04:00"],
    ),
]


def event_fields(data: EventCreate | EventUpdate) -> dict[str, object]:
    """The fields an event input sets, as the Event model holds them (a clock time as a time)."""
    fields = {name: getattr(data, name) for name in data.__struct_fields__ if getattr(data, name) is not UNSET}
    if isinstance(fields.get("day_change"), str):
        fields["day_change"] = datetime.time.fromisoformat(str(fields["day_change"]))
    return fields


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


class RoomCreate(Body):
    slug: Slug
    name: Name
    position: Position = 0


class RoomUpdate(Body):
    name: Name | UnsetType = UNSET
    position: Position | UnsetType = UNSET


class TrackCreate(Body):
    slug: Slug
    name: Name
    color: Color = "#808080"


class TrackUpdate(Body):
    name: Name | UnsetType = UNSET
    color: Color | UnsetType = UNSET


class LinkInput(Part):
    title: Name
    url: Url


class SpeakerCreate(Body):
    name: Name
    affiliation: Affiliation = ""
    bio: LongText = ""
    links: Annotated[list[LinkInput], Meta(max_length=20)] = []


class SpeakerUpdate(Body):
    name: Name | UnsetType = UNSET
    affiliation: Affiliation | UnsetType = UNSET
    bio: LongText | UnsetType = UNSET
    links: Annotated[list[LinkInput], Meta(max_length=20)] | UnsetType = UNSET


class SpeakerPart(Part):
    """A speaker's part in a talk; the list's order is the order shown."""

    id: uuid.UUID
    role: SpeakerRole = SpeakerRole.SPEAKER


class SlotInput(Part):
    start: LocalDateTime
    duration_minutes: Minutes
    room: Slug | None = None


class TalkCreate(Body):
    title: Title
    slots: Annotated[list[SlotInput], Meta(min_length=1, max_length=50)]
    subtitle: ShortText = ""
    abstract: LongText = ""
    kind: TalkKind = TalkKind.TALK
    language: Language = "en"
    track: Slug | None = None
    speakers: Annotated[list[SpeakerPart], Meta(max_length=50)] = []
    url: Url = ""
    recording_url: Url = ""
    slides_url: Url = ""


class TalkUpdate(Body):
    title: Title | UnsetType = UNSET
    subtitle: ShortText | UnsetType = UNSET
    abstract: LongText | UnsetType = UNSET
    kind: TalkKind | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    track: Slug | UnsetType | None = UNSET
    speakers: Annotated[list[SpeakerPart], Meta(max_length=50)] | UnsetType = UNSET
    url: Url | UnsetType = UNSET
    recording_url: Url | UnsetType = UNSET
    slides_url: Url | UnsetType = UNSET


class SlotMove(Body):
    """Move an occurrence in time and/or place, or change its length."""

    start: LocalDateTime | UnsetType = UNSET
    duration_minutes: Minutes | UnsetType = UNSET
    room: Slug | UnsetType | None = UNSET
