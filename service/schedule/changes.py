"""The change log: what the schedule editor (service/schedule/editing/) writes, and what attendees'
apps read from it ("what changed since you last looked") and calendar feeds cancel from it.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.core.schemas import BaseStruct, Page
from service.core.time import zone
from service.events.models import Event
from service.schedule.models import ChangeKind, ScheduleChange, Slot, Talk


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


def instant(value: datetime.datetime) -> str:
    """An instant as the log stores it: ISO 8601 in UTC (shown in the event's zone when read)."""
    return value.astimezone(datetime.UTC).isoformat()


def removal_snapshot(talk: Talk, slot: Slot) -> dict[str, Any]:
    """What a calendar feed needs to cancel a slot that no longer exists, and to filter it."""
    return {
        "start_at": instant(slot.start_at),
        "end_at": instant(slot.end_at),
        "sequence": slot.sequence + 1,
        "room": slot.room.name if slot.room else None,
        "room_slug": slot.room.slug if slot.room else None,
        "track_slug": talk.track.slug if talk.track else None,
        "kind": talk.kind.value,
        "speaker_ids": [str(link.speaker_id) for link in talk.speaker_links],
    }


async def removed_slots(session: AsyncSession, event_id: uuid.UUID) -> Sequence[ScheduleChange]:
    """Every removal logged for an event, oldest first."""
    return (
        await session.scalars(
            select(ScheduleChange)
            .where(ScheduleChange.event_id == event_id, ScheduleChange.kind == ChangeKind.REMOVED)
            .order_by(ScheduleChange.version, ScheduleChange.id)
        )
    ).all()


_INSTANT_KEYS = ("from", "to", "start_at", "end_at")
"""Keys of a change's detail that hold instants (stored in UTC, shown in the event's zone)."""


def localised(kind: ChangeKind, detail: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    if kind not in {ChangeKind.MOVED_TIME, ChangeKind.REMOVED}:
        return detail
    shown = dict(detail)
    for key in _INSTANT_KEYS:
        value = shown.get(key)
        if isinstance(value, str):
            try:
                instant = datetime.datetime.fromisoformat(value)
            except ValueError:
                continue
            if instant.tzinfo is not None:
                shown[key] = instant.astimezone(tz).isoformat()
    return shown


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
    tz = zone(event.timezone)
    items = [
        ChangeOut(
            version=row.version,
            kind=row.kind,
            talk_id=row.talk_id,
            slot_id=row.slot_id,
            title=row.title,
            detail=localised(row.kind, row.detail, tz),
            at=row.created_at.astimezone(tz),
        )
        for row in rows
    ]
    return ChangeLog(
        version=event.schedule_version,
        changes=Page(items=items, total=total or 0, limit=limit, offset=offset),
    )
