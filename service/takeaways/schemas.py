"""Takeaways in and out."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from msgspec import UNSET, Meta, UnsetType

from service.core.bounds import LONG_TEXT_PATTERN, Body
from service.core.schemas import BaseStruct
from service.takeaways.models import Visibility

MAX_TEXT = 4000
Text = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=LONG_TEXT_PATTERN,
        description="1 to 4,000 characters, kept as sent; tab and line breaks allowed, no other control characters.",
    ),
]


class TakeawayCreate(Body):
    text: Text
    visibility: Visibility = Visibility.PRIVATE
    client_id: uuid.UUID | None = None
    """Your own id for this note: send the same one on every retry (or an Idempotency-Key header)."""


class TakeawayUpdate(Body):
    text: Text | UnsetType = UNSET
    visibility: Visibility | UnsetType = UNSET


class TakeawayOut(BaseStruct):
    id: uuid.UUID
    client_id: uuid.UUID
    event: str
    talk_id: uuid.UUID
    text: str
    visibility: Visibility
    version: int
    """Send it back as ``If-Match: "<version>"`` when editing."""
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool = False
    """A tombstone: the note was deleted (sync tells devices to drop it)."""


class SyncPage(BaseStruct):
    items: list[TakeawayOut]
    cursor: str
    """Give it back as ``since`` to get only what changed after this page."""
    more: bool
    """True when there is more to fetch right away with the new cursor."""


class PublicTakeaway(BaseStruct):
    id: uuid.UUID
    text: str
    author: str
    """The author's display name only (empty when they gave none)."""
    created_at: datetime.datetime


class TalkInterest(BaseStruct):
    talk_id: uuid.UUID
    title: str
    stars: int
    public_takeaways: int
    private_takeaways: int


class EventStats(BaseStruct):
    attendees: int
    talks: list[TalkInterest]
