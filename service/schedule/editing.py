"""Changing the schedule as an organiser does: each change bumps the event's schedule version,
bumps the slot's SEQUENCE where calendars need it (time, room, status), and is written to the
change log, all in the caller's transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.core.errors import NotFoundError
from service.core.time import utcnow
from service.events.models import Event
from service.schedule.models import ChangeKind, Room, ScheduleChange, Slot, SlotStatus, Talk


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


class ScheduleEditor:
    """The organiser's verbs. Services flush; the request (or the caller) commits."""

    def __init__(self, session: AsyncSession, event: Event) -> None:
        self.session = session
        self.event = event
        self._bumped = False

    # -- bookkeeping -----------------------------------------------------------------------------

    def _next_version(self) -> int:
        """One version per editing session: a request that changes three things is one step."""
        if not self._bumped:
            self.event.schedule_version += 1
            self.event.schedule_modified_at = utcnow()
            self._bumped = True
        return self.event.schedule_version

    def _log(
        self, kind: ChangeKind, talk: Talk, slot: Slot | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        self.session.add(
            ScheduleChange(
                event_id=self.event.id,
                version=self._next_version(),
                kind=kind,
                talk_id=talk.id,
                slot_id=slot.id if slot else None,
                title=talk.title,
                detail=detail or {},
            )
        )

    async def _talk(self, talk_id: uuid.UUID) -> Talk:
        talk = await self.session.scalar(
            select(Talk)
            .where(Talk.id == talk_id, Talk.event_id == self.event.id)
            .options(
                selectinload(Talk.slots).selectinload(Slot.room),
                selectinload(Talk.track),
                selectinload(Talk.speaker_links),
            )
        )
        if talk is None:
            raise NotFoundError(f"The event '{self.event.slug}' has no talk {talk_id}.", field="talk_id")
        return talk

    async def _slot(self, slot_id: uuid.UUID) -> tuple[Talk, Slot]:
        talk_id = await self.session.scalar(
            select(Slot.talk_id).where(Slot.id == slot_id, Slot.event_id == self.event.id)
        )
        if talk_id is None:
            raise NotFoundError(f"The event '{self.event.slug}' has no slot {slot_id}.", field="slot_id")
        talk = await self._talk(talk_id)
        return talk, next(slot for slot in talk.slots if slot.id == slot_id)

    # -- verbs -----------------------------------------------------------------------------------

    async def move_slot(
        self, slot_id: uuid.UUID, *, start: datetime.datetime | None = None, room: Room | None = None
    ) -> Slot:
        """Move one occurrence in time (keeping its length) and/or to another room."""
        talk, slot = await self._slot(slot_id)
        if start is not None and start != slot.start_at:
            length = slot.end_at - slot.start_at
            self._log(ChangeKind.MOVED_TIME, talk, slot, {"from": _iso(slot.start_at), "to": _iso(start)})
            slot.start_at, slot.end_at = start, start + length
            slot.sequence += 1
        if room is not None and room.id != slot.room_id:
            self._log(
                ChangeKind.MOVED_ROOM, talk, slot, {"from": slot.room.slug if slot.room else None, "to": room.slug}
            )
            slot.room_id = room.id
            slot.sequence += 1
        await self.session.flush()
        return slot

    async def cancel_talk(self, talk_id: uuid.UUID) -> Talk:
        """Cancel every occurrence; the slots stay, marked cancelled, so calendars can say so."""
        talk = await self._talk(talk_id)
        for slot in talk.slots:
            if slot.status is not SlotStatus.CANCELLED:
                slot.status = SlotStatus.CANCELLED
                slot.sequence += 1
                self._log(ChangeKind.CANCELLED, talk, slot)
        await self.session.flush()
        return talk

    async def retitle_talk(self, talk_id: uuid.UUID, title: str) -> Talk:
        talk = await self._talk(talk_id)
        if title != talk.title:
            self._log(ChangeKind.RETITLED, talk, detail={"from": talk.title, "to": title})
            talk.title = title
        await self.session.flush()
        return talk

    async def delete_talk(self, talk_id: uuid.UUID) -> None:
        """Remove a talk. Each slot leaves a snapshot in the log, so feeds can cancel it."""
        talk = await self._talk(talk_id)
        for slot in talk.slots:
            self._log(ChangeKind.REMOVED, talk, slot, removal_snapshot(talk, slot))
        await self.session.delete(talk)
        await self.session.flush()


def removal_snapshot(talk: Talk, slot: Slot) -> dict[str, Any]:
    """What a calendar feed needs to cancel a slot that no longer exists, and to filter it."""
    return {
        "start_at": _iso(slot.start_at),
        "end_at": _iso(slot.end_at),
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
