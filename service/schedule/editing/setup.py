"""Rooms and tracks: the frame the talks hang on (speakers' own verbs: service/speakers/editing.py)."""

from __future__ import annotations

import uuid
from typing import Any

from msgspec import UNSET
from sqlalchemy import select

from service.core.errors import ConflictError, NotFoundError
from service.schedule.editing.talks import ScheduleEditor
from service.schedule.models import Room, Slot, Track
from service.speakers.models import Speaker


class SetupEditor(ScheduleEditor):
    """Every organiser verb on an event's schedule: talks and slots, rooms and tracks."""

    def add_room(self, slug: str, name: str, position: int) -> Room:
        """A new room; its slug must be free (``create_room`` checks, an import picks a free one)."""
        room = Room(id=uuid.uuid4(), event_id=self.event.id, slug=slug, name=name, position=position)
        self.session.add(room)
        self.touch()
        return room

    async def create_room(self, slug: str, name: str, position: int) -> Room:
        await self._unique(Room, slug, "slug")
        room = self.add_room(slug, name, position)
        await self.session.flush()
        return room

    def add_track(self, slug: str, name: str, color: str) -> Track:
        """A new track; its slug must be free (``create_track`` checks, an import picks a free one)."""
        track = Track(id=uuid.uuid4(), event_id=self.event.id, slug=slug, name=name, color=color)
        self.session.add(track)
        self.touch()
        return track

    async def create_track(self, slug: str, name: str, color: str) -> Track:
        await self._unique(Track, slug, "slug")
        track = self.add_track(slug, name, color)
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
