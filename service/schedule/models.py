"""What is on the schedule: rooms, tracks, talks and the slots in which talks are held.

A *talk* is the content (title, abstract, speakers); a *slot* is one occurrence of it in time
and place. A workshop held twice is one talk with two slots, and each slot has its own stable id,
so a calendar or an app never merges the two occurrences into one.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import GUID, DateTimeUTC, JsonB, UUIDAuditBase

if TYPE_CHECKING:
    from service.events.models import Event
    from service.speakers.models import Speaker


class TalkKind(enum.StrEnum):
    TALK = "talk"
    KEYNOTE = "keynote"
    PANEL = "panel"
    WORKSHOP = "workshop"
    CONVERSATION = "conversation"
    LIGHTNING = "lightning"
    BREAK = "break"
    SOCIAL = "social"
    OTHER = "other"


class SlotStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class SpeakerRole(enum.StrEnum):
    SPEAKER = "speaker"
    HOST = "host"
    GUEST = "guest"
    MODERATOR = "moderator"


def _enum(kind: type[enum.StrEnum], name: str) -> Enum:
    # Stored as plain strings (no native PostgreSQL ENUM type) so a new kind is a code change,
    # not a migration that has to ALTER TYPE.
    return Enum(kind, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Room(UUIDAuditBase):
    __tablename__ = "room"
    __table_args__ = (UniqueConstraint("event_id", "slug", name="uq_room_event_slug"),)

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Display order: rooms are shown as the organiser lists them, not alphabetically."""

    event: Mapped[Event] = relationship(back_populates="rooms", lazy="raise")


class Track(UUIDAuditBase):
    __tablename__ = "track"
    __table_args__ = (UniqueConstraint("event_id", "slug", name="uq_track_event_slug"),)

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(7), default="#808080")
    """``#rrggbb``, as schedule apps expect it."""

    event: Mapped[Event] = relationship(back_populates="tracks", lazy="raise")


class Talk(UUIDAuditBase):
    __tablename__ = "talk"

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    abstract: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[TalkKind] = mapped_column(_enum(TalkKind, "talk_kind"), default=TalkKind.TALK)
    language: Mapped[str] = mapped_column(String(16), default="en")
    track_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"), index=True)
    url: Mapped[str] = mapped_column(String(500), default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    slides_url: Mapped[str] = mapped_column(String(500), default="")

    event: Mapped[Event] = relationship(back_populates="talks", lazy="raise")
    track: Mapped[Track | None] = relationship(lazy="raise")
    slots: Mapped[list[Slot]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", order_by="Slot.start_at", lazy="raise"
    )
    speaker_links: Mapped[list[TalkSpeaker]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", order_by="TalkSpeaker.position", lazy="raise"
    )


class TalkSpeaker(UUIDAuditBase):
    """A speaker's part in a talk: ordered, with a role (speaker, host, guest, moderator)."""

    __tablename__ = "talk_speaker"
    __table_args__ = (UniqueConstraint("talk_id", "speaker_id", name="uq_talk_speaker"),)

    talk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("speaker.id", ondelete="CASCADE"), index=True)
    role: Mapped[SpeakerRole] = mapped_column(_enum(SpeakerRole, "speaker_role"), default=SpeakerRole.SPEAKER)
    position: Mapped[int] = mapped_column(Integer, default=0)

    talk: Mapped[Talk] = relationship(back_populates="speaker_links", lazy="raise")
    speaker: Mapped[Speaker] = relationship(back_populates="talk_links", lazy="raise")


class Slot(UUIDAuditBase):
    """One occurrence of a talk: when (aware UTC) and where."""

    __tablename__ = "slot"
    __table_args__ = (
        Index("ix_slot_event_start", "event_id", "start_at"),
        UniqueConstraint("event_id", "guid", name="uq_slot_event_guid"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    talk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("room.id", ondelete="SET NULL"), index=True)
    start_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))
    end_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))
    """Stored beside the start (not only a duration) so "what is on now" is one indexed range query."""
    status: Mapped[SlotStatus] = mapped_column(_enum(SlotStatus, "slot_status"), default=SlotStatus.CONFIRMED)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    """Increases whenever time, room or status changes (calendar clients need it)."""
    guid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The GUID of the imported file this slot came from (unique per event), or None when it was
    created here; exports write it back (or the slot id), so re-imports find the same slot."""

    talk: Mapped[Talk] = relationship(back_populates="slots", lazy="raise")
    room: Mapped[Room | None] = relationship(lazy="raise")

    @property
    def duration(self) -> datetime.timedelta:
        return self.end_at - self.start_at


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    MOVED_TIME = "moved_time"
    MOVED_ROOM = "moved_room"
    RETITLED = "retitled"
    SPEAKERS_CHANGED = "speakers_changed"


class ScheduleChange(UUIDAuditBase):
    """One change an attendee would care about, at the schedule version it produced.

    Slot and talk ids are kept without foreign keys: the entry outlives a deleted talk, and for
    a removal ``snapshot`` holds what calendars need to cancel the slot they still show.
    """

    __tablename__ = "schedule_change"
    __table_args__ = (Index("ix_schedule_change_event_version", "event_id", "version"),)

    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind, "change_kind"))
    talk_id: Mapped[uuid.UUID] = mapped_column(GUID)
    slot_id: Mapped[uuid.UUID | None] = mapped_column(GUID, nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    """Before and after values (``{"from": ..., "to": ...}``), or the removed slot's snapshot."""
