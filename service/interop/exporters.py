"""Every export of an event's schedule: one small shape, one registry entry each.

An ``Exporter`` is ``identifier``, ``media_type``, ``extension`` and ``render``, which turns an
``ExportSource`` (the event, the request's session and, for feeds, the base URL and filters) into
bytes; ``EXPORTERS`` holds one entry per format, so a new format is one entry (pretalx's
``BaseExporter`` plus its registration, as data). The format functions stay pure and know nothing
of the database: ``frab_xml.render(document)``, ``c3voc_json.render(document)`` and
``render_ical`` behind ``FeedService``; an entry only loads their input first. The HTTP route wraps
the bytes with Content-Type and ETag/304 (``event_validators(...).serve``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.calendar.feeds import ICAL_MEDIA_TYPE, FeedService
from service.events.models import Event
from service.interop import c3voc_json, frab_xml
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument
from service.schedule import queries
from service.schedule.models import Room, SlotStatus, Track
from service.schedule.services import ScheduleFilter, ScheduleService


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportSource:
    """What an exporter reads: one event, through the request's session."""

    session: AsyncSession
    event: Event
    base_url: str = ""
    """Where this service is reached, for links back to it (the iCal feed's talk pages)."""
    wanted: ScheduleFilter = field(default_factory=ScheduleFilter)
    """Only this part of the schedule (the iCal feed's filters); the schedule files are always whole."""


@dataclass(frozen=True, slots=True)
class Exporter:
    identifier: str
    media_type: str
    extension: str
    render: Callable[[ExportSource], Awaitable[bytes]]


def _from_document(render: Callable[[ScheduleDocument], bytes]) -> Callable[[ExportSource], Awaitable[bytes]]:
    async def load_and_render(source: ExportSource) -> bytes:
        document = await export_document(source.session, source.event)
        with queries.collecting_later():  # a large document's objects all live on until it is written
            return render(document)

    return load_and_render


async def _ical_feed(source: ExportSource) -> bytes:
    return await FeedService(session=source.session).event_feed(source.event, source.wanted, source.base_url)


EXPORTERS: dict[str, Exporter] = {
    exporter.identifier: exporter
    for exporter in (
        Exporter("frab-xml", "application/xml; charset=utf-8", "xml", _from_document(frab_xml.render)),
        Exporter("c3voc-json", "application/json; charset=utf-8", "json", _from_document(c3voc_json.render)),
        Exporter("ical", ICAL_MEDIA_TYPE, "ics", _ical_feed),
    )
}


async def export_document(session: AsyncSession, event: Event) -> ScheduleDocument:
    """Every slot, cancelled ones included (marked), with GUID = the slot's id, so it round-trips."""
    rows, speakers_of = await ScheduleService(session=session).fetch(event, queries.schedule_rows(event.id))
    rooms = (await session.scalars(select(Room.name).where(Room.event_id == event.id).order_by(Room.position))).all()
    tracks = (await session.execute(select(Track.name, Track.color).where(Track.event_id == event.id))).tuples().all()
    with queries.collecting_later():  # a large document's objects all live on until it is written
        return schedule_document(event, rows, speakers_of, rooms, tracks)


def schedule_document(
    event: Event,
    rows: Sequence[queries.SlotRow],
    speakers_of: queries.SpeakersByTalk,
    rooms: Sequence[str],
    tracks: Sequence[tuple[str, str]],
) -> ScheduleDocument:
    """The document of ``export_document`` from what it read: one pass over the rows."""
    # A talk's people once per talk, however many slots it has.
    persons_of: dict[uuid.UUID, tuple[DocPerson, ...]] = {
        talk_id: tuple([DocPerson(name=s.name, guid=str(s.id), role=s.role.value) for s in speakers])
        for talk_id, speakers in speakers_of.items()
    }
    talks = tuple(
        [
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
                persons=persons_of.get(row.talk_id, ()),
                links=(DocLink(title="Slides", url=row.slides_url),) if row.slides_url else (),
                url=row.url,
                recording_url=row.recording_url,
                cancelled=row.status == SlotStatus.CANCELLED,
            )
            for row in rows
        ]
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
