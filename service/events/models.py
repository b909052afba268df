"""An event: a conference, symposium or single session, in one IANA time zone."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import DateTimeUTC, UUIDAuditBase

if TYPE_CHECKING:
    from service.schedule.models import Room, Talk, Track


class Event(UUIDAuditBase):
    __tablename__ = "event"

    slug: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64))
    """IANA zone name, e.g. ``Europe/Copenhagen``; all local times of the event are in it."""
    start_date: Mapped[datetime.date] = mapped_column(Date)
    end_date: Mapped[datetime.date] = mapped_column(Date)
    day_change: Mapped[datetime.time] = mapped_column(Time, default=datetime.time(0, 0))
    """Local wall-clock time at which one schedule day ends and the next begins."""
    venue: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    join_code: Mapped[str] = mapped_column(String(64), default="")
    """When set, attendees must give it to register (shared by the organisers at the venue)."""
    schedule_version: Mapped[int] = mapped_column(Integer, default=1)
    """Increases with every change to the schedule; the schedule's ETag follows it."""
    schedule_modified_at: Mapped[datetime.datetime] = mapped_column(
        DateTimeUTC(timezone=True), default=lambda: datetime.datetime.now(datetime.UTC)
    )
    """When the schedule last changed: the ``Last-Modified`` of every schedule response."""

    rooms: Mapped[list[Room]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Room.position", lazy="raise"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Track.name", lazy="raise"
    )
    talks: Mapped[list[Talk]] = relationship(back_populates="event", cascade="all, delete-orphan", lazy="raise")
