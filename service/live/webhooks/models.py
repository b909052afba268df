"""An organiser's endpoints, the outbox of messages owed to them, and the log of every attempt."""

from __future__ import annotations

import datetime
import enum
import uuid

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import GUID, DateTimeUTC, UUIDAuditBase


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    """Owed: sent when ``next_attempt_at`` comes (again, if an attempt failed or was interrupted)."""
    DELIVERED = "delivered"
    FAILED = "failed"
    """Given up after the last attempt allowed."""


def _values(kind: type[enum.StrEnum]) -> list[str]:
    return [member.value for member in kind]


class WebhookEndpoint(UUIDAuditBase):
    """An HTTPS URL an event's organisers asked to be told of every schedule change at.

    ``secret`` signs each message. It is kept as issued, not hashed, because signing needs it: the
    database is its trust boundary, as it is for the schedule it describes (see the README).
    """

    __tablename__ = "webhook_endpoint"

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)


class WebhookDelivery(UUIDAuditBase):
    """One message owed to one endpoint (the outbox): written in the transaction of its change.

    Its id is the ``webhook-id`` every attempt sends, so a receiver can drop a repeat. While an
    attempt is in flight ``next_attempt_at`` is its lease: a worker that dies mid-attempt leaves the
    row to be claimed again when the lease runs out.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),)

    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), index=True)
    change_id: Mapped[uuid.UUID] = mapped_column(GUID)
    """The change-log entry this message tells of (no foreign key: the message outlives it)."""
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    """The JSON body, fixed when the change was made, so every attempt sends (and signs) the same bytes."""
    state: Mapped[DeliveryState] = mapped_column(
        Enum(DeliveryState, name="delivery_state", native_enum=False, length=16, values_callable=_values),
        default=DeliveryState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))


class WebhookAttempt(UUIDAuditBase):
    """One POST of a message: written when it starts, completed with its outcome."""

    __tablename__ = "webhook_attempt"

    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
