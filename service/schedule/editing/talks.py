"""Talks and slots as the API's requests change them: found by id, rooms and tracks named by slug,
every field checked and no room or speaker booked twice; then the writer's verbs make the change.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

from msgspec import UNSET
from sqlalchemy import select, true
from sqlalchemy.orm import selectinload

from service.core.errors import ConflictError, InvalidFieldError
from service.core.time import as_instant, schedule_day, zone
from service.schedule.editing.writer import ScheduleWriter
from service.schedule.identify import no_such_slot, no_such_talk
from service.schedule.inputs import SlotInput, SlotMove, SpeakerPart, TalkCreate, TalkUpdate
from service.schedule.models import Room, Slot, SlotStatus, Talk, TalkSpeaker, Track
from service.speakers.models import Speaker

QUIET_FIELDS = ("subtitle", "abstract", "kind", "language", "url", "recording_url", "slides_url")
"""A talk's fields whose change is a new version but not news for the change log."""


class ScheduleEditor(ScheduleWriter):
    """The organiser's verbs on talks and slots, as requests name them."""

    # -- finding ---------------------------------------------------------------------------------

    async def get_talk(self, talk_id: uuid.UUID) -> Talk:
        """A talk of this event, with what every verb reads of it (slots, rooms, track, speakers)."""
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
        talk = await self.get_talk(talk_id)
        return talk, next(slot for slot in talk.slots if slot.id == slot_id)

    async def _room(self, slug: str | None, field: str) -> Room | None:
        if slug is None:
            return None
        room = await self.session.scalar(select(Room).where(Room.event_id == self.event.id, Room.slug == slug))
        if room is None:
            raise InvalidFieldError(f"{field}: the event has no room '{slug}'.", field=field)
        return room

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

    # -- checking --------------------------------------------------------------------------------

    async def _check_room_free(
        self,
        slot_id: uuid.UUID | None,
        room: Room | None,
        start: datetime.datetime,
        end: datetime.datetime,
        field: str,
    ) -> None:
        if room is None:
            return
        clash = await self.session.execute(
            select(Slot.id, Talk.id, Talk.title)
            .join(Talk, Talk.id == Slot.talk_id)
            .where(
                Slot.room_id == room.id,
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

    async def _check_speakers_exist(self, parts: Sequence[SpeakerPart]) -> None:
        ids = [part.id for part in parts]
        if len(set(ids)) != len(ids):
            raise InvalidFieldError("speakers: a speaker is listed twice.", field="speakers")
        found = set((await self.session.scalars(select(Speaker.id).where(Speaker.id.in_(ids)))).all())
        for n, part in enumerate(parts):
            if part.id not in found:
                raise InvalidFieldError(f"speakers[{n}].id: there is no speaker {part.id}.", field=f"speakers[{n}].id")

    # -- verbs -----------------------------------------------------------------------------------

    async def create_talk(self, data: TalkCreate) -> Talk:
        talk = Talk(
            id=uuid.uuid4(),
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
        await self._check_speakers_exist(data.speakers)
        self.add_talk(talk, data.speakers)
        await self.session.flush()
        speaker_ids = [part.id for part in data.speakers]
        for n, item in enumerate(data.slots):
            self.add_slot(talk, await self._checked_slot(talk, item, n, speaker_ids))
            await self.session.flush()  # the next slot's checks see this one
        return talk

    async def _checked_slot(self, talk: Talk, item: SlotInput, n: int, speaker_ids: Sequence[uuid.UUID]) -> Slot:
        start = self._instant(item.start, f"slots[{n}].start")
        end = start + datetime.timedelta(minutes=item.duration_minutes)
        room = await self._room(item.room, f"slots[{n}].room")
        await self._check_room_free(None, room, start, end, f"slots[{n}].room")
        await self._check_speakers_free(talk.id, speaker_ids, start, end, "speakers")
        return Slot(id=uuid.uuid4(), room_id=room.id if room else None, start_at=start, end_at=end)

    async def update_talk(self, talk_id: uuid.UUID, data: TalkUpdate) -> Talk:
        talk = await self.get_talk(talk_id)
        if data.title is not UNSET:
            self.retitle(talk, data.title)
        quiet = {name: getattr(data, name) for name in QUIET_FIELDS if getattr(data, name) is not UNSET}
        if data.track is not UNSET:
            quiet["track_id"] = await self._track_id(data.track)
        self.edit_talk(talk, quiet)
        if data.speakers is not UNSET:
            await self.set_speakers(talk, data.speakers)
        await self.session.flush()
        return talk

    async def set_speakers(self, talk: Talk, parts: Sequence[SpeakerPart]) -> None:
        """Change a talk's speakers, once each exists and none of them is elsewhere at its times."""
        await self._check_speakers_exist(parts)
        if [(link.speaker_id, link.role) for link in talk.speaker_links] == [(p.id, p.role) for p in parts]:
            return
        for slot in talk.slots:
            if slot.status is SlotStatus.CONFIRMED:
                await self._check_speakers_free(talk.id, [p.id for p in parts], slot.start_at, slot.end_at, "speakers")
        await self.change_speakers(talk, parts)

    async def move_slot(self, slot_id: uuid.UUID, data: SlotMove) -> Slot:
        """Move one occurrence in time and/or room, or change its length; SEQUENCE follows."""
        talk, slot = await self._slot(slot_id)
        start = slot.start_at if data.start is UNSET else self._instant(data.start, "start")
        length = (
            slot.end_at - slot.start_at
            if data.duration_minutes is UNSET
            else datetime.timedelta(minutes=data.duration_minutes)
        )
        room = slot.room if data.room is UNSET else await self._room(data.room, "room")
        end = start + length
        if slot.status is SlotStatus.CONFIRMED:
            await self._check_room_free(slot.id, room, start, end, "room" if data.room is not UNSET else "start")
            speaker_ids = [link.speaker_id for link in talk.speaker_links]
            await self._check_speakers_free(talk.id, speaker_ids, start, end, "start")
        self.reschedule_slot(talk, slot, start, end)
        self.move_slot_to_room(talk, slot, room)
        await self.session.flush()
        return slot

    async def cancel_talk(self, talk_id: uuid.UUID) -> Talk:
        """Cancel every occurrence; the slots stay, marked cancelled, so calendars can say so."""
        talk = await self.get_talk(talk_id)
        for slot in talk.slots:
            self.cancel_slot(talk, slot)
        await self.session.flush()
        return talk

    async def delete_talk(self, talk_id: uuid.UUID) -> None:
        """Remove a talk. Each slot leaves a snapshot in the log, so feeds can cancel it."""
        await self.remove_talk(await self.get_talk(talk_id))
        await self.session.flush()
