"""A speaker, who may speak at several events.

Speakers are global: one person, one row, linked to talks of any event (``GET /speakers/{id}``
shows them across events). An event's organisers may link any speaker to their talks, and edit
a speaker who appears at their event (or whom they added and have not linked yet); an edit is a
new schedule version of every event the speaker appears at, so no event's clients keep a stale
copy of them.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db.base import JsonB, UUIDAuditBase

if TYPE_CHECKING:
    from service.schedule.models import TalkSpeaker


class Speaker(UUIDAuditBase):
    __tablename__ = "speaker"

    name: Mapped[str] = mapped_column(String(200), index=True)
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    """``[{"title": ..., "url": ...}]``: homepage, profiles, papers."""
    added_by_event_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True, default=None
    )
    """The event whose organisers added the speaker (``POST /events/{slug}/speakers``): it may edit
    and remove them before any of its talks names them. Empty for imported and demo speakers."""

    talk_links: Mapped[list[TalkSpeaker]] = relationship(back_populates="speaker", lazy="raise")
