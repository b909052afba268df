"""Attendees register anonymously per event and hold only a bearer token; and the sessions they star."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import GUID, UUIDAuditBase


class Attendee(UUIDAuditBase):
    __tablename__ = "attendee"

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the bearer secret (the token is ``<id>.<secret>``)."""
    feed_token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    """SHA-256 of the personal calendar URL's secret; rotating it replaces this."""
    sync_counter: Mapped[int] = mapped_column(Integer, default=0)
    """Last sync position handed out. Bumped under this row's lock, so one attendee's changes are
    numbered in commit order and a sync cursor never skips one."""
    stars_version: Mapped[int] = mapped_column(Integer, default=0)
    """Changes with every star, so the personal feed's ETag follows the stars."""


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
