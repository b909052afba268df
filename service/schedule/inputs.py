"""What organisers send to change a schedule: rooms, tracks, talks and their slots. Bounds live here,
next to the fields they bound, and no string is longer than the column it is stored in
(tests/api/system/test_bounds_declared.py).

Every body and every object nested in one is a ``Body`` (service/core/bounds.py): on top of the
constraints below, strings refuse control characters, integers stay in the database's range and
dates in the years 1900 to 2199, each error naming the field's path.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import Body, anchored
from service.core.fields import Line, LongText, Name, Slug, Url
from service.schedule.models import SpeakerRole, TalkKind

Title = Annotated[Line, Meta(min_length=1, max_length=300)]
ShortText = Annotated[Line, Meta(max_length=300)]
Color = Annotated[str, Meta(pattern=anchored(r"#[0-9a-fA-F]{6}"), examples=["#2ca02c"])]
Language = Annotated[Line, Meta(max_length=16)]
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
Position = Annotated[
    int,
    # The schema's minimum is repeated because Litestar leaves a zero bound out of optional fields.
    Meta(ge=0, le=10_000, extra_json_schema={"extra": {"minimum": 0}}, description="Place in the list, 0 first."),
]


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


class SpeakerPart(Body):
    """A speaker's part in a talk; the list's order is the order shown."""

    nested = True
    id: uuid.UUID
    role: SpeakerRole = SpeakerRole.SPEAKER


class SlotInput(Body):
    nested = True
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
