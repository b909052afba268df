"""Takeaways: an attendee's notes on a talk, private or public, synced to every device."""

from __future__ import annotations

import datetime
import enum
import uuid

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import GUID, DateTimeUTC, UUIDAuditBase


class Visibility(enum.StrEnum):
    PRIVATE = "private"
    PUBLIC = "public"


class Takeaway(UUIDAuditBase):
    __tablename__ = "takeaway"
    __table_args__ = (
        UniqueConstraint("attendee_id", "client_id", name="uq_takeaway_attendee_client"),
        Index("ix_takeaway_attendee_sync", "attendee_id", "sync_seq"),
        Index("ix_takeaway_talk_public", "talk_id", "visibility", "created_at"),
    )

    attendee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("attendee.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    talk_id: Mapped[uuid.UUID] = mapped_column(GUID)
    """No foreign key: a note outlives a talk that is deleted (the organiser's change is not the
    attendee's loss)."""
    client_id: Mapped[uuid.UUID] = mapped_column(GUID)
    """The client's own id for this note (or derived from Idempotency-Key): retries find it again."""
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(
        Enum(
            Visibility, name="visibility", native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    """Hidden by an organiser from the public list (the author still has it)."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    """For If-Match: each edit increments it."""
    sync_seq: Mapped[int] = mapped_column(Integer, default=0)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
