"""Changing the schedule as an organiser does: each change bumps the event's schedule version,
bumps the slot's SEQUENCE where calendars need it (time, room, status), and is written to the
change log, all in the caller's transaction.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Sequence
from typing import Any

from msgspec import UNSET
from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.core.errors import ConflictError, InvalidFieldError, NotFoundError
from service.core.time import as_instant, schedule_day, utcnow, zone
from service.events.models import Event
from service.schedule import search
from service.schedule.identify import no_such_slot, no_such_talk
from service.schedule.inputs import SlotInput, SlotMove, SpeakerPart, TalkCreate, TalkUpdate
from service.schedule.models import (
    ChangeKind,
    Room,
    ScheduleChange,
    Slot,
    SlotStatus,
    Talk,
    TalkSpeaker,
    Track,
)
from service.speakers.models import Speaker

logger = logging.getLogger("plenary.schedule")


def _iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


class ScheduleEditor:
    """The organiser's verbs. Services flush; the request (or the caller) commits."""

    def __init__(self, session: AsyncSession, event: Event) -> None:
        self.session = session
        self.event = event
        self._bumped = False
        search.keep_current(session)  # every change made here reaches the search index as it is flushed

    # -- bookkeeping -----------------------------------------------------------------------------

    def _next_version(self) -> int:
        """One version per editing session: a request that changes three things is one step."""
        if not self._bumped:
            self.event.schedule_version += 1
            self.event.schedule_modified_at = utcnow()
            self._bumped = True
            logger.info("schedule change", extra={"event": self.event.slug, "version": self.event.schedule_version})
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
            raise await no_such_talk(self.session, self.event, talk_id)
        return talk

    async def _slot(self, slot_id: uuid.UUID) -> tuple[Talk, Slot]:
        talk_id = await self.session.scalar(
            select(Slot.talk_id).where(Slot.id == slot_id, Slot.event_id == self.event.id)
        )
        if talk_id is None:
            raise await no_such_slot(self.session, self.event, slot_id)
        talk = await self._talk(talk_id)
        return talk, next(slot for slot in talk.slots if slot.id == slot_id)

    # -- verbs -----------------------------------------------------------------------------------

    def touch(self) -> None:
        """A change that alters what clients see without being news (a room renamed, say)."""
        self._next_version()

    async def _room_id(self, slug: str | None, field: str) -> uuid.UUID | None:
        if slug is None:
            return None
        room_id = await self.session.scalar(select(Room.id).where(Room.event_id == self.event.id, Room.slug == slug))
        if room_id is None:
            raise InvalidFieldError(f"{field}: the event has no room '{slug}'.", field=field)
        return room_id

    async def _track_id(self, slug: str | None) -> uuid.UUID | None:
        if slug is None:
            return None
        track_id = await self.session.scalar(
            select(Track.id).where(Track.event_id == self.event.id, Track.slug == slug)
        )
        if track_id is None:
            raise InvalidFieldError(f"track: the event has no track '{slug}'.", field="track")
        return track_id

    def _instant(self, value: datetime.datetime, field: str) -> datetime.datetime:
        start = as_instant(value, zone(self.event.timezone))
        day = schedule_day(start, zone(self.event.timezone), self.event.day_change)
        if not self.event.start_date <= day <= self.event.end_date:
            raise InvalidFieldError(
                f"{field}: {value.isoformat()} falls on {day.isoformat()}, outside the event "
                f"({self.event.start_date.isoformat()} to {self.event.end_date.isoformat()}).",
                field=field,
            )
        return start

    async def _check_room_free(
        self,
        slot_id: uuid.UUID | None,
        room_id: uuid.UUID | None,
        start: datetime.datetime,
        end: datetime.datetime,
        field: str,
    ) -> None:
        if room_id is None:
            return
        clash = await self.session.execute(
            select(Slot.id, Talk.id, Talk.title)
            .join(Talk, Talk.id == Slot.talk_id)
            .where(
                Slot.room_id == room_id,
                Slot.status == SlotStatus.CONFIRMED,
                Slot.start_at < end,
                Slot.end_at > start,
                Slot.id != slot_id if slot_id else true(),
            )
            .limit(1)
        )
        if (row := clash.first()) is not None:
            raise ConflictError(
                f"{field}: the room is taken then by '{row[2]}'.",
                field=field,
                other={"talk_id": str(row[1]), "slot_id": str(row[0]), "title": row[2]},
            )

    async def _check_speakers_free(
        self,
        talk_id: uuid.UUID | None,
        speaker_ids: Sequence[uuid.UUID],
        start: datetime.datetime,
        end: datetime.datetime,
        field: str,
    ) -> None:
        if not speaker_ids:
            return
        clash = await self.session.execute(
            select(Slot.id, Talk.id, Talk.title, Speaker.name)
            .join(Talk, Talk.id == Slot.talk_id)
            .join(TalkSpeaker, TalkSpeaker.talk_id == Talk.id)
            .join(Speaker, Speaker.id == TalkSpeaker.speaker_id)
            .where(
                TalkSpeaker.speaker_id.in_(speaker_ids),
                Slot.status == SlotStatus.CONFIRMED,
                Slot.start_at < end,
                Slot.end_at > start,
                Talk.id != talk_id if talk_id else true(),
            )
            .limit(1)
        )
        if (row := clash.first()) is not None:
            raise ConflictError(
                f"{field}: {row[3]} speaks in '{row[2]}' at the same time.",
                field=field,
                other={"talk_id": str(row[1]), "slot_id": str(row[0]), "title": row[2]},
            )

    async def _speaker_links(self, parts: Sequence[SpeakerPart]) -> list[TalkSpeaker]:
        ids = [part.id for part in parts]
        if len(set(ids)) != len(ids):
            raise InvalidFieldError("speakers: a speaker is listed twice.", field="speakers")
        found = set((await self.session.scalars(select(Speaker.id).where(Speaker.id.in_(ids)))).all())
        for n, part in enumerate(parts):
            if part.id not in found:
                raise InvalidFieldError(f"speakers[{n}].id: there is no speaker {part.id}.", field=f"speakers[{n}].id")
        return [TalkSpeaker(speaker_id=p.id, role=p.role, position=n) for n, p in enumerate(parts)]

    async def _new_slot(self, talk: Talk, item: SlotInput, n: int, speaker_ids: Sequence[uuid.UUID]) -> Slot:
        start = self._instant(item.start, f"slots[{n}].start")
        end = start + datetime.timedelta(minutes=item.duration_minutes)
        room_id = await self._room_id(item.room, f"slots[{n}].room")
        await self._check_room_free(None, room_id, start, end, f"slots[{n}].room")
        await self._check_speakers_free(talk.id, speaker_ids, start, end, "speakers")
        return Slot(
            id=uuid.uuid4(), event_id=self.event.id, talk_id=talk.id, room_id=room_id, start_at=start, end_at=end
        )

    async def create_talk(self, data: TalkCreate) -> Talk:
        talk = Talk(
            id=uuid.uuid4(),
            event_id=self.event.id,
            title=data.title,
            subtitle=data.subtitle,
            abstract=data.abstract,
            kind=data.kind,
            language=data.language,
            track_id=await self._track_id(data.track),
            url=data.url,
            recording_url=data.recording_url,
            slides_url=data.slides_url,
        )
        links = await self._speaker_links(data.speakers)
        self.session.add(talk)
        await self.session.flush()
        for link in links:
            link.talk_id = talk.id
            self.session.add(link)
        speaker_ids = [part.id for part in data.speakers]
        for n, item in enumerate(data.slots):
            slot = await self._new_slot(talk, item, n, speaker_ids)
            self.session.add(slot)
            await self.session.flush()  # the next slot's checks see this one
            self._log(ChangeKind.ADDED, talk, slot)
        await self.session.flush()
        return talk

    async def update_talk(self, talk_id: uuid.UUID, data: TalkUpdate) -> Talk:
        talk = await self._talk(talk_id)
        if data.title is not UNSET and data.title != talk.title:
            self._log(ChangeKind.RETITLED, talk, detail={"from": talk.title, "to": data.title})
            talk.title = data.title
        for name in ("subtitle", "abstract", "kind", "language", "url", "recording_url", "slides_url"):
            value = getattr(data, name)
            if value is not UNSET and value != getattr(talk, name):
                setattr(talk, name, value)
                self.touch()
        if data.track is not UNSET:
            track_id = await self._track_id(data.track)
            if track_id != talk.track_id:
                talk.track_id = track_id
                self.touch()
        if data.speakers is not UNSET:
            await self._replace_speakers(talk, data.speakers)
        await self.session.flush()
        return talk

    async def _replace_speakers(self, talk: Talk, parts: Sequence[SpeakerPart]) -> None:
        new_links = await self._speaker_links(parts)
        before = [(link.speaker_id, link.role) for link in talk.speaker_links]
        after = [(link.speaker_id, link.role) for link in new_links]
        if before == after:
            return
        for slot in talk.slots:
            if slot.status is SlotStatus.CONFIRMED:
                await self._check_speakers_free(talk.id, [p.id for p in parts], slot.start_at, slot.end_at, "speakers")
        for link in list(talk.speaker_links):
            await self.session.delete(link)
        await self.session.flush()
        for link in new_links:
            link.talk_id = talk.id
            self.session.add(link)
        self._log(
            ChangeKind.SPEAKERS_CHANGED,
            talk,
            detail={"from": [str(i) for i, _ in before], "to": [str(i) for i, _ in after]},
        )

    async def move_slot(self, slot_id: uuid.UUID, data: SlotMove) -> Slot:
        """Move one occurrence in time and/or room, or change its length; SEQUENCE follows."""
        talk, slot = await self._slot(slot_id)
        start = slot.start_at if data.start is UNSET else self._instant(data.start, "start")
        length = (
            slot.end_at - slot.start_at
            if data.duration_minutes is UNSET
            else datetime.timedelta(minutes=data.duration_minutes)
        )
        room_id = slot.room_id if data.room is UNSET else await self._room_id(data.room, "room")
        end = start + length
        if slot.status is SlotStatus.CONFIRMED:
            await self._check_room_free(slot.id, room_id, start, end, "room" if data.room is not UNSET else "start")
            speaker_ids = [link.speaker_id for link in talk.speaker_links]
            await self._check_speakers_free(talk.id, speaker_ids, start, end, "start")
        if start != slot.start_at or end != slot.end_at:
            self._log(ChangeKind.MOVED_TIME, talk, slot, {"from": _iso(slot.start_at), "to": _iso(start)})
            slot.start_at, slot.end_at = start, end
            slot.sequence += 1
        if room_id != slot.room_id:
            new_room = await self.session.get(Room, room_id) if room_id else None
            self._log(
                ChangeKind.MOVED_ROOM,
                talk,
                slot,
                {"from": slot.room.slug if slot.room else None, "to": new_room.slug if new_room else None},
            )
            slot.room_id = room_id
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


class SetupEditor(ScheduleEditor):
    """Rooms, tracks and speakers: the frame the talks hang on (speakers' own verbs: service/speakers/editing.py)."""

    async def create_room(self, slug: str, name: str, position: int) -> Room:
        await self._unique(Room, slug, "slug")
        room = Room(event_id=self.event.id, slug=slug, name=name, position=position)
        self.session.add(room)
        self.touch()
        await self.session.flush()
        return room

    async def create_track(self, slug: str, name: str, color: str) -> Track:
        await self._unique(Track, slug, "slug")
        track = Track(event_id=self.event.id, slug=slug, name=name, color=color)
        self.session.add(track)
        self.touch()
        await self.session.flush()
        return track

    async def _unique(self, model: type[Room] | type[Track], slug: str, field: str) -> None:
        taken = await self.session.scalar(select(model.id).where(model.event_id == self.event.id, model.slug == slug))
        if taken is not None:
            kind = model.__tablename__
            raise ConflictError(f"{field}: the event already has a {kind} '{slug}'.", field=field)

    async def get_room(self, room_id: uuid.UUID) -> Room:
        room = await self.session.scalar(select(Room).where(Room.id == room_id, Room.event_id == self.event.id))
        if room is None:
            raise NotFoundError(f"The event '{self.event.slug}' has no room {room_id}.", field="room_id")
        return room

    async def get_track(self, track_id: uuid.UUID) -> Track:
        track = await self.session.scalar(select(Track).where(Track.id == track_id, Track.event_id == self.event.id))
        if track is None:
            raise NotFoundError(f"The event '{self.event.slug}' has no track {track_id}.", field="track_id")
        return track

    def update(self, target: Room | Track | Speaker, changes: dict[str, Any]) -> None:
        """Apply the fields the client sent; any real change is a new schedule version."""
        for name, value in changes.items():
            if value is not UNSET and getattr(target, name) != value:
                setattr(target, name, value)
                self.touch()

    async def delete_room(self, room_id: uuid.UUID) -> None:
        room = await self.get_room(room_id)
        used = await self.session.scalar(select(Slot.id).where(Slot.room_id == room.id).limit(1))
        if used is not None:
            raise ConflictError(f"room: '{room.slug}' still has talks scheduled; move them first.", field="room_id")
        await self.session.delete(room)
        self.touch()
        await self.session.flush()

    async def delete_track(self, track_id: uuid.UUID) -> None:
        track = await self.get_track(track_id)
        await self.session.delete(track)  # talks keep going, without a track (ON DELETE SET NULL)
        self.touch()
        await self.session.flush()
