"""A speaker, who may speak at several events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import String, Text
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

    talk_links: Mapped[list[TalkSpeaker]] = relationship(back_populates="speaker", lazy="raise")
