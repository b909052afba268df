"""The change log as attendees' apps read it: "what changed since you last looked"."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.schemas import BaseStruct, Page
from service.events.models import Event
from service.schedule.models import ChangeKind, ScheduleChange


class ChangeOut(BaseStruct):
    version: int
    """The schedule version this change produced; ask for ``since`` = the newest you have seen."""
    kind: ChangeKind
    talk_id: uuid.UUID
    slot_id: uuid.UUID | None
    title: str
    detail: dict[str, Any]
    at: datetime.datetime


class ChangeLog(BaseStruct):
    version: int
    """The current schedule version."""
    changes: Page[ChangeOut]


async def changes_since(session: AsyncSession, event: Event, since: int, limit: int, offset: int) -> ChangeLog:
    where = (ScheduleChange.event_id == event.id, ScheduleChange.version > since)
    total = await session.scalar(select(func.count()).select_from(ScheduleChange).where(*where))
    rows = (
        await session.scalars(
            select(ScheduleChange)
            .where(*where)
            .order_by(ScheduleChange.version, ScheduleChange.created_at, ScheduleChange.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    items = [
        ChangeOut(
            version=row.version,
            kind=row.kind,
            talk_id=row.talk_id,
            slot_id=row.slot_id,
            title=row.title,
            detail=row.detail,
            at=row.created_at,
        )
        for row in rows
    ]
    return ChangeLog(
        version=event.schedule_version,
        changes=Page(items=items, total=total or 0, limit=limit, offset=offset),
    )
