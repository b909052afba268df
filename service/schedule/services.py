"""Reading the schedule: by day, filtered, one talk, and what is on now."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast, overload

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import Select, func, select

from service.core.errors import InvalidParameterError
from service.core.params import plain_text
from service.core.schemas import Page, feed_links
from service.core.time import as_instant, day_bounds, event_days, hh_mm, schedule_day, zone
from service.events.models import Event
from service.schedule import queries, search
from service.schedule.identify import no_such_talk
from service.schedule.models import Room, Slot, Talk, TalkKind, TalkSpeaker, Track
from service.schedule.queries import SlotRow, SlotStatement, SpeakersByTalk
from service.schedule.schemas import (
    Now,
    RoomOut,
    Schedule,
    ScheduleDay,
    ScheduleEntry,
    ScheduleEvent,
    SlotOut,
    SpeakerRef,
    TalkLinks,
    TalkOut,
    TrackOut,
)

MAX_QUERY_LENGTH = 200

M = TypeVar("M")
Out = TypeVar("Out")


@dataclass(frozen=True, slots=True)
class ScheduleFilter:
    """The schedule's filters, as the client gave them (validated against the event by the service)."""

    day: datetime.date | None = None
    room: str | None = None
    track: str | None = None
    speaker: uuid.UUID | None = None
    kind: TalkKind | None = None
    q: str | None = None

    @classmethod
    def checked(cls, **values: Any) -> ScheduleFilter:
        """The filter, refusing text values with control characters before they reach SQL."""
        for name in ("room", "track", "q"):
            if values.get(name) is not None:
                plain_text(values[name], name)
        return cls(**values)


@overload
def room_out(room: Room) -> RoomOut: ...
@overload
def room_out(room: Room | None) -> RoomOut | None: ...
def room_out(room: Room | None) -> RoomOut | None:
    if room is None:
        return None
    return RoomOut(id=room.id, slug=room.slug, name=room.name, position=room.position)


@overload
def track_out(track: Track) -> TrackOut: ...
@overload
def track_out(track: Track | None) -> TrackOut | None: ...
def track_out(track: Track | None) -> TrackOut | None:
    if track is None:
        return None
    return TrackOut(id=track.id, slug=track.slug, name=track.name, color=track.color)


def speaker_refs(talk: Talk) -> list[SpeakerRef]:
    return [
        SpeakerRef(id=link.speaker.id, name=link.speaker.name, affiliation=link.speaker.affiliation, role=link.role)
        for link in talk.speaker_links
    ]


def talk_links(talk: Talk) -> TalkLinks:
    return TalkLinks(url=talk.url or None, recording=talk.recording_url or None, slides=talk.slides_url or None)


def _minutes(slot: Slot) -> int:
    return int(slot.duration.total_seconds() // 60)


_MINUTE = datetime.timedelta(minutes=1)
_NO_LINKS = TalkLinks()
"""Most talks have no links: they share one (Structs are encoded, never changed)."""


class EntryBuilder:
    """Turns slots into schedule entries for one event, sharing the room, track and links objects.

    Many slots start and end at the same instants (every room changes talks on the hour), so
    each instant is converted to local time, and its schedule day found, once.
    """

    def __init__(self, event: Event) -> None:
        self.tz = zone(event.timezone)
        self.day_change = event.day_change
        # Rooms and tracks by slug (unique in the event): a str hashes in C, a uuid.UUID in Python.
        self.rooms: dict[str, RoomOut] = {}
        self.tracks: dict[str, TrackOut] = {}
        self.starts: dict[datetime.datetime, tuple[datetime.datetime, datetime.date]] = {}
        self.ends: dict[datetime.datetime, datetime.datetime] = {}

    def _room(self, row: SlotRow) -> RoomOut | None:
        room_id, slug, name, position = row.room_id, row.room_slug, row.room_name, row.room_position
        if room_id is None or slug is None or name is None or position is None:
            return None
        room = self.rooms.get(slug)
        if room is None:
            room = self.rooms[slug] = RoomOut(id=room_id, slug=slug, name=name, position=position)
        return room

    def _track(self, row: SlotRow) -> TrackOut | None:
        track_id, slug, name, color = row.track_id, row.track_slug, row.track_name, row.track_color
        if track_id is None or slug is None or name is None or color is None:
            return None
        track = self.tracks.get(slug)
        if track is None:
            track = self.tracks[slug] = TrackOut(id=track_id, slug=slug, name=name, color=color)
        return track

    def _start(self, instant: datetime.datetime) -> tuple[datetime.datetime, datetime.date]:
        local = instant.astimezone(self.tz)
        found = self.starts[instant] = (local, schedule_day(local, self.tz, self.day_change))
        return found

    def _end(self, instant: datetime.datetime) -> datetime.datetime:
        local = self.ends[instant] = instant.astimezone(self.tz)
        return local

    def build(self, rows: Sequence[SlotRow], speakers_of: SpeakersByTalk) -> list[ScheduleEntry]:
        starts, ends, rooms, tracks = self.starts, self.ends, self.rooms, self.tracks
        no_speakers: list[SpeakerRef] = []
        entries = []
        with queries.collecting_later():
            for row in rows:
                start, day = starts.get(row.start_at) or self._start(row.start_at)
                room_slug, track_slug = row.room_slug, row.track_slug
                room = None if room_slug is None else rooms.get(room_slug) or self._room(row)
                track = None if track_slug is None else tracks.get(track_slug) or self._track(row)
                links = _NO_LINKS
                if row.url or row.recording_url or row.slides_url:
                    links = TalkLinks(
                        url=row.url or None, recording=row.recording_url or None, slides=row.slides_url or None
                    )
                entries.append(
                    ScheduleEntry(
                        row.id,
                        row.talk_id,
                        row.title,
                        row.subtitle,
                        row.abstract,
                        row.kind,
                        row.language,
                        day,
                        start,
                        ends.get(row.end_at) or self._end(row.end_at),
                        (row.end_at - row.start_at) // _MINUTE,
                        row.status,
                        room,
                        track,
                        speakers_of.get(row.talk_id, no_speakers),
                        links,
                    )
                )
        return entries


def slot_out(slot: Slot, event: Event) -> SlotOut:
    """One occurrence of a talk, in the event's local time."""
    tz = zone(event.timezone)
    return SlotOut(
        id=slot.id,
        day=schedule_day(slot.start_at, tz, event.day_change),
        start=slot.start_at.astimezone(tz),
        end=slot.end_at.astimezone(tz),
        duration_minutes=_minutes(slot),
        status=slot.status,
        room=room_out(slot.room),
    )


class ScheduleService(SQLAlchemyAsyncRepositoryService[Slot]):
    class Repo(SQLAlchemyAsyncRepository[Slot]):
        model_type = Slot

    repository_type = Repo

    async def fetch(self, event: Event, statement: SlotStatement) -> tuple[list[SlotRow], SpeakersByTalk]:
        """The event's slots a statement selects, and each of their talks' speakers in order."""
        return await queries.read_slots(self.repository.session, event.id, statement)

    async def fetch_filtered(self, event: Event, wanted: ScheduleFilter) -> tuple[list[SlotRow], SpeakersByTalk]:
        """The slots a filter selects (``q`` included), with speakers; 400 for values naming nothing."""
        resolved = await self._resolve(event, wanted)
        if wanted.q is not None:
            # Every word of q, as a word prefix, anywhere in the talk's search document; the
            # schedule keeps its time order (see service.schedule.search for the ranked order).
            resolved["talks"] = search.matching_talks(search.dialect_of(self.repository.session), event.id, wanted.q)
        statement = queries.filtered_rows(event.id, **resolved)  # type: ignore[arg-type]
        return await self.fetch(event, statement)

    async def entries_for_slots(self, event: Event, slot_ids: Sequence[uuid.UUID]) -> list[ScheduleEntry]:
        """These slots, in schedule order (an attendee's starred sessions)."""
        return await self._entries(event, queries.slot_rows(event.id, slot_ids))

    async def _entries(self, event: Event, statement: SlotStatement) -> list[ScheduleEntry]:
        rows, speakers_of = await self.fetch(event, statement)
        return EntryBuilder(event).build(rows, speakers_of)

    async def _id_by_slug(self, model: type[Room] | type[Track], event: Event, slug: str, field: str) -> uuid.UUID:
        found = await self.repository.session.scalar(
            select(model.id).where(model.event_id == event.id, model.slug == slug)
        )
        if found is None:
            raise InvalidParameterError(f"{field} '{slug}' is not a {field} of the event '{event.slug}'.", field=field)
        return cast("uuid.UUID", found)

    async def _resolve(self, event: Event, wanted: ScheduleFilter) -> dict[str, object]:
        resolved: dict[str, object] = {"kind": wanted.kind}
        tz = zone(event.timezone)
        if wanted.day is not None:
            if not event.start_date <= wanted.day <= event.end_date:
                raise InvalidParameterError(
                    f"day {wanted.day.isoformat()} is not a day of the event '{event.slug}' "
                    f"({event.start_date.isoformat()} to {event.end_date.isoformat()}).",
                    field="day",
                )
            resolved["start"], resolved["end"] = day_bounds(wanted.day, tz, event.day_change)
        if wanted.room is not None:
            resolved["room_id"] = await self._id_by_slug(Room, event, wanted.room, "room")
        if wanted.track is not None:
            resolved["track_id"] = await self._id_by_slug(Track, event, wanted.track, "track")
        if wanted.speaker is not None:
            speaks_here = await self.repository.session.scalar(
                select(func.count())
                .select_from(TalkSpeaker)
                .join(Talk, Talk.id == TalkSpeaker.talk_id)
                .where(TalkSpeaker.speaker_id == wanted.speaker, Talk.event_id == event.id)
            )
            if not speaks_here:
                raise InvalidParameterError(
                    f"speaker {wanted.speaker} has no talk at the event '{event.slug}'.", field="speaker"
                )
            resolved["speaker_id"] = wanted.speaker
        if wanted.q is not None and len(wanted.q) > MAX_QUERY_LENGTH:
            raise InvalidParameterError(f"q is longer than {MAX_QUERY_LENGTH} characters.", field="q")
        return resolved

    async def schedule(self, event: Event, wanted: ScheduleFilter) -> Schedule:
        rows, speakers_of = await self.fetch_filtered(event, wanted)
        entries = EntryBuilder(event).build(rows, speakers_of)
        return Schedule(
            event=ScheduleEvent(
                slug=event.slug,
                title=event.title,
                timezone=event.timezone,
                day_change=hh_mm(event.day_change),
            ),
            version=event.schedule_version,
            days=self._group_by_day(event, entries, only=wanted.day),
        )

    @staticmethod
    def _group_by_day(event: Event, entries: Iterable[ScheduleEntry], only: datetime.date | None) -> list[ScheduleDay]:
        tz = zone(event.timezone)
        by_day: dict[datetime.date, list[ScheduleEntry]] = (
            {only: []} if only else {day: [] for day in event_days(event)}
        )
        for entry in entries:
            by_day.setdefault(entry.day, []).append(entry)
        days = []
        for day in sorted(by_day):
            start, end = day_bounds(day, tz, event.day_change)
            days.append(ScheduleDay(date=day, start=start, end=end, talks=by_day[day]))
        return days

    async def talk(self, event: Event, talk_id: uuid.UUID, base: str) -> TalkOut:
        talk = await self.repository.session.scalar(queries.talk_with_details(event.id, talk_id))
        if talk is None:
            raise await no_such_talk(self.repository.session, event, talk_id)
        return TalkOut(
            id=talk.id,
            event=event.slug,
            title=talk.title,
            subtitle=talk.subtitle,
            abstract=talk.abstract,
            kind=talk.kind,
            language=talk.language,
            track=track_out(talk.track),
            speakers=speaker_refs(talk),
            links=talk_links(talk),
            calendar=feed_links(base, f"/events/{event.slug}/talks/{talk.id}.ics"),
            slots=[slot_out(slot, event) for slot in talk.slots],
        )

    async def now(self, event: Event, at: datetime.datetime) -> Now:
        instant = as_instant(at, zone(event.timezone))
        return Now(
            at=instant.astimezone(zone(event.timezone)),
            running=await self._entries(event, queries.running_rows(event.id, instant)),
            next=await self._entries(event, queries.next_rows_per_room(event.id, instant)),
        )

    async def rooms(self, event: Event, limit: int, offset: int) -> Page[RoomOut]:
        return await self._page(queries.event_rooms(event.id), room_out, limit, offset)

    async def tracks(self, event: Event, limit: int, offset: int) -> Page[TrackOut]:
        return await self._page(queries.event_tracks(event.id), track_out, limit, offset)

    async def _page(
        self, statement: Select[tuple[M]], shape: Callable[[M], Out | None], limit: int, offset: int
    ) -> Page[Out]:
        session = self.repository.session
        total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        rows = (await session.scalars(statement.limit(limit).offset(offset))).all()
        items = [item for item in map(shape, rows) if item is not None]
        return Page(items=items, total=total or 0, limit=limit, offset=offset)
