"""An event's schedule as a format-neutral document, for the frab XML and C3VOC JSON exports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument
from service.schedule import queries
from service.schedule.models import Room, SlotStatus, Track
from service.schedule.services import ScheduleService


async def export_document(session: AsyncSession, event: Event) -> ScheduleDocument:
    """Every slot, cancelled ones included (marked), with GUID = the slot's id, so it round-trips."""
    rows, speakers_of = await ScheduleService(session=session).fetch(event, queries.schedule_rows(event.id))
    rooms = (await session.scalars(select(Room.name).where(Room.event_id == event.id).order_by(Room.position))).all()
    tracks = (await session.execute(select(Track.name, Track.color).where(Track.event_id == event.id))).all()
    talks = tuple(
        DocTalk(
            guid=row.guid or str(row.id),
            title=row.title,
            start=row.start_at,
            duration=row.end_at - row.start_at,
            room=row.room_name or "",
            subtitle=row.subtitle,
            abstract=row.abstract,
            kind=row.kind.value,
            language=row.language,
            track=row.track_name,
            persons=tuple(
                DocPerson(name=s.name, guid=str(s.id), role=s.role.value) for s in speakers_of.get(row.talk_id, [])
            ),
            links=tuple(DocLink(title=label, url=url) for label, url in (("Slides", row.slides_url),) if url),
            url=row.url,
            recording_url=row.recording_url,
            cancelled=row.status == SlotStatus.CANCELLED,
        )
        for row in rows
    )
    return ScheduleDocument(
        title=event.title,
        acronym=event.slug,
        timezone=event.timezone,
        start_date=event.start_date,
        end_date=event.end_date,
        day_change=event.day_change,
        venue=event.venue,
        city=event.city,
        url=event.website,
        version=f"{event.schedule_version}",
        rooms=tuple(rooms),
        tracks=tuple(DocTrack(name=name, color=color) for name, color in tracks),
        talks=talks,
    )
