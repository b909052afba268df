"""Attendees register anonymously per event; each of their devices holds its own bearer token.
Also the sessions they star, and the one-time codes that pair another device."""

from __future__ import annotations

import datetime
import uuid

from advanced_alchemy.base import UUIDBase
from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.core.time import utcnow
from service.db.base import GUID, DateTimeUTC, UUIDAuditBase


class Attendee(UUIDAuditBase):
    __tablename__ = "attendee"

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    feed_token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    """SHA-256 of the personal calendar URL's secret; rotating it replaces this."""
    sync_counter: Mapped[int] = mapped_column(Integer, default=0)
    """Last sync position handed out. Bumped under this row's lock, so one attendee's changes are
    numbered in commit order and a sync cursor never skips one."""
    stars_version: Mapped[int] = mapped_column(Integer, default=0)
    """Changes with every star, so the personal feed's ETag follows the stars."""


class AttendeeDevice(UUIDBase):
    """A phone, laptop or tablet signed in as an attendee, with a bearer token of its own.

    The token is ``<device id>.<secret>``; revoking a device deletes its row, and only its token
    stops working. Devices from before pairing existed kept their attendee's id as theirs."""

    __tablename__ = "attendee_device"

    attendee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the bearer secret."""
    sealed_feed_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The calendar URL's secret, sealed with this device's bearer secret (see ``sealing.py``), so
    this device can hand the same URL to a device it pairs; empty for a device that never had it."""
    created_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    """When a request last came with this device's token, to the minute or so."""


class PairingCode(UUIDBase):
    """A short-lived, single-use code that signs another device in as the same attendee.

    One per attendee: a new code replaces the previous one. Only its hash is kept."""

    __tablename__ = "pairing_code"

    attendee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attendee.id", ondelete="CASCADE"), unique=True, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    """SHA-256 of the code as normalised (upper case, no dash)."""
    sealed_feed_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The calendar URL's secret, sealed with the code, for the device that redeems it."""
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))


class Star(UUIDAuditBase):
    """A starred occurrence (slot) of a talk; starring a talk stars each of its occurrences.

    Neither id has a foreign key: a star outlives a deleted talk, so the personal feed can still
    cancel it in the attendee's calendar. ``talk_id`` is kept beside ``slot_id`` for that and for
    counting interest per talk."""

    __tablename__ = "star"
    __table_args__ = (UniqueConstraint("attendee_id", "slot_id", name="uq_star_attendee_slot"),)

    attendee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[uuid.UUID] = mapped_column(GUID, index=True)
    slot_id: Mapped[uuid.UUID] = mapped_column(GUID, index=True)
