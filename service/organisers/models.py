"""Organiser API tokens: random, shown once, stored only as a hash."""

from __future__ import annotations

import datetime
import uuid

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import DateTimeUTC, UUIDAuditBase


class ApiToken(UUIDAuditBase):
    """A bearer token for one event's organisers, or for an admin (who may create events).

    The token handed out is ``<id>.<secret>``: the id finds the row, and the secret is checked
    against ``secret_hash`` in constant time, so neither a lookup nor a comparison leaks timing.
    """

    __tablename__ = "api_token"

    name: Mapped[str] = mapped_column(String(100), default="")
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the secret, hex. The secret has 256 random bits, so a fast hash is enough."""
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
