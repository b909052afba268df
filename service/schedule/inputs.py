"""What organisers send to change a schedule. Bounds live here, next to the fields they bound."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.schedule.models import SpeakerRole, TalkKind

Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$", examples=["main-hall"])]
Name = Annotated[str, Meta(min_length=1, max_length=200)]
Title = Annotated[str, Meta(min_length=1, max_length=300)]
ShortText = Annotated[str, Meta(max_length=300)]
LongText = Annotated[str, Meta(max_length=20_000)]
Url = Annotated[str, Meta(max_length=500, pattern=r"^(https?://\S+)?$")]
Color = Annotated[str, Meta(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#2ca02c"])]
Language = Annotated[str, Meta(max_length=16)]
MAX_DURATION_MINUTES = 24 * 60
Minutes = Annotated[int, Meta(gt=0, le=MAX_DURATION_MINUTES, description="Length in minutes, at most a day.")]
LocalDateTime = Annotated[
    datetime.datetime,
    Meta(
        description="ISO 8601. Without an offset it is wall-clock time in the event's zone.",
        examples=["2025-06-20T10:30:00+02:00"],
    ),
]


ClockTime = Annotated[
    str,
    Meta(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
        description="Local wall-clock time, ``HH:MM`` as the API returns it (``HH:MM:SS`` also accepted).",
        examples=["04:00"],
    ),
]


class Input(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of request bodies: unknown fields are refused, so a typo is not silently ignored."""


def event_fields(data: EventCreate | EventUpdate) -> dict[str, object]:
    """The fields an event input sets, as the Event model holds them (a clock time as a time)."""
    fields = {name: getattr(data, name) for name in data.__struct_fields__ if getattr(data, name) is not UNSET}
    if isinstance(fields.get("day_change"), str):
        fields["day_change"] = datetime.time.fromisoformat(str(fields["day_change"]))
    return fields


class EventCreate(Input):
    slug: Slug
    title: Name
    timezone: Annotated[str, Meta(max_length=64, examples=["Europe/Copenhagen"])]
    start_date: datetime.date
    end_date: datetime.date
    day_change: ClockTime = "00:00"
    description: LongText = ""
    venue: ShortText = ""
    city: ShortText = ""
    website: Url = ""


class EventUpdate(Input):
    title: Name | UnsetType = UNSET
    join_code: Annotated[str, Meta(max_length=64)] | UnsetType = UNSET
    """Attendees must give it to register; empty means anyone may."""
    timezone: Annotated[str, Meta(max_length=64)] | UnsetType = UNSET
    start_date: datetime.date | UnsetType = UNSET
    end_date: datetime.date | UnsetType = UNSET
    day_change: ClockTime | UnsetType = UNSET
    description: LongText | UnsetType = UNSET
    venue: Name | UnsetType = UNSET
    city: ShortText | UnsetType = UNSET
    website: Url | UnsetType = UNSET


class RoomCreate(Input):
    slug: Slug
    name: Name
    position: Annotated[int, Meta(ge=0, le=10_000)] = 0


class RoomUpdate(Input):
    name: Name | UnsetType = UNSET
    position: Annotated[int, Meta(ge=0, le=10_000)] | UnsetType = UNSET


class TrackCreate(Input):
    slug: Slug
    name: Name
    color: Color = "#808080"


class TrackUpdate(Input):
    name: Name | UnsetType = UNSET
    color: Color | UnsetType = UNSET


class LinkInput(Input):
    title: Name
    url: Url


class SpeakerCreate(Input):
    name: Name
    affiliation: ShortText = ""
    bio: LongText = ""
    links: Annotated[list[LinkInput], Meta(max_length=20)] = []


class SpeakerUpdate(Input):
    name: Name | UnsetType = UNSET
    affiliation: ShortText | UnsetType = UNSET
    bio: LongText | UnsetType = UNSET
    links: Annotated[list[LinkInput], Meta(max_length=20)] | UnsetType = UNSET


class SpeakerPart(Input):
    """A speaker's part in a talk; the list's order is the order shown."""

    id: uuid.UUID
    role: SpeakerRole = SpeakerRole.SPEAKER


class SlotInput(Input):
    start: LocalDateTime
    duration_minutes: Minutes
    room: Slug | None = None


class TalkCreate(Input):
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


class TalkUpdate(Input):
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


class SlotMove(Input):
    """Move an occurrence in time and/or place, or change its length."""

    start: LocalDateTime | UnsetType = UNSET
    duration_minutes: Minutes | UnsetType = UNSET
    room: Slug | UnsetType | None = UNSET
