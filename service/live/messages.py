"""What travels on the change bus: small nudges that name what changed, never the change itself.

A listener that gets one re-reads the details from the database (the change log behind
``GET /events/{slug}/changes``, the takeaway sync behind ``GET /me/takeaways?since=``), so a message
that is lost, duplicated or late costs a re-read, never a wrong answer. Subscribe to
``SCHEDULE_CHANNEL`` for schedule versions (validators, webhooks) and to ``ATTENDEE_CHANNEL`` for one
attendee's own data.
"""

from __future__ import annotations

import uuid

import msgspec

SCHEDULE_CHANNEL = "plenary_schedule"
ATTENDEE_CHANNEL = "plenary_attendees"
CHANNELS = (SCHEDULE_CHANNEL, ATTENDEE_CHANNEL)


class ScheduleChanged(msgspec.Struct, frozen=True, tag="schedule"):
    """An event's schedule reached ``version`` (committed); its change log holds what changed."""

    event_id: uuid.UUID
    version: int


class AttendeeChanged(msgspec.Struct, frozen=True, tag="attendee"):
    """An attendee's stars or takeaways changed (committed); ``position`` is the newest sync
    position written, 0 when only the stars changed."""

    attendee_id: uuid.UUID
    position: int = 0


class Resync(msgspec.Struct, frozen=True, tag="resync"):
    """Something may have been missed (the bus reconnected, or a change named no single event):
    every listener re-reads what it follows."""


Message = ScheduleChanged | AttendeeChanged | Resync

_decoder = msgspec.json.Decoder(Message)


def encode(message: Message) -> bytes:
    return msgspec.json.encode(message)


def decode(payload: bytes) -> Message | None:
    """The message, or None for a payload that is not one of ours (ignored, never fatal)."""
    try:
        return _decoder.decode(payload)
    except msgspec.DecodeError:
        return None


def channel_of(message: Message) -> tuple[str, ...]:
    if isinstance(message, ScheduleChanged):
        return (SCHEDULE_CHANNEL,)
    if isinstance(message, AttendeeChanged):
        return (ATTENDEE_CHANNEL,)
    return CHANNELS
