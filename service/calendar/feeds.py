"""Calendar feeds of an event: the whole schedule, a filtered part of it, or one talk."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.calendar.ical import FeedEvent, FeedInfo, render_ical
from service.core.time import schedule_day, zone
from service.events.models import Event
from service.schedule import queries, search
from service.schedule.changes import removed_slots
from service.schedule.identify import no_such_talk, talk_path
from service.schedule.models import ScheduleChange, SlotStatus, Talk
from service.schedule.queries import SlotRow, SpeakersByTalk
from service.schedule.schemas import SpeakerRef
from service.schedule.services import ScheduleFilter, ScheduleService

# Litestar appends "; charset=utf-8" to every text/* type itself.
ICAL_MEDIA_TYPE = "text/calendar"


def _uid(slot_id: uuid.UUID | str) -> str:
    return f"{slot_id}@plenary"


class FeedService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.schedule = ScheduleService(session=session)

    async def event_feed(self, event: Event, wanted: ScheduleFilter, base: str) -> bytes:
        rows, speakers_of = await self.schedule.fetch_filtered(event, wanted)
        removed = [c for c in await removed_slots(self.session, event.id) if _snapshot_matches(c, event, wanted)]
        name = event.title if wanted == ScheduleFilter() else f"{event.title} (selection)"
        return await self._render(event, name, base, rows, speakers_of, removed)

    async def talk_feed(self, event: Event, talk_id: uuid.UUID, base: str) -> bytes:
        rows, speakers_of = await self.schedule.fetch(event, queries.talk_rows(event.id, talk_id))
        removed = [c for c in await removed_slots(self.session, event.id) if c.talk_id == talk_id]
        title = await self.session.scalar(select(Talk.title).where(Talk.id == talk_id, Talk.event_id == event.id))
        if title is None:
            if not removed:
                raise await no_such_talk(self.session, event, talk_id, see=lambda talk: f"{talk_path(event, talk)}.ics")
            title = removed[-1].title
        return await self._render(event, f"{title} ({event.title})", base, rows, speakers_of, removed)

    async def starred_feed(
        self, event: Event, slot_ids: Sequence[uuid.UUID], base: str, alarm_minutes: int | None
    ) -> bytes:
        """An attendee's own calendar: the sessions they starred, exactly as the event feed shows them."""
        rows, speakers_of = await self.schedule.fetch(event, queries.slot_rows(event.id, slot_ids))
        wanted = set(slot_ids)
        removed = [c for c in await removed_slots(self.session, event.id) if c.slot_id in wanted]
        alarm = datetime.timedelta(minutes=alarm_minutes) if alarm_minutes is not None else None
        return await self._render(event, f"{event.title}: my talks", base, rows, speakers_of, removed, alarm)

    async def _render(
        self,
        event: Event,
        name: str,
        base: str,
        rows: Sequence[SlotRow],
        speakers_of: SpeakersByTalk,
        removed: Sequence[ScheduleChange],
        alarm: datetime.timedelta | None = None,
    ) -> bytes:
        tz = zone(event.timezone)
        items = _from_rows(rows, speakers_of, event, base)
        items += [_from_removal(change) for change in removed]
        info = FeedInfo(name=name, timezone=event.timezone, description=event.description, url=event.website)
        # Ten thousand VEVENTs are still a quarter of a second of pure Python; in a thread the
        # worker keeps answering health checks and 304s meanwhile.
        return await asyncio.to_thread(render_ical, info, items, tz, alarm)


def _description(row: SlotRow, speakers: Sequence[SpeakerRef]) -> str:
    parts = [row.subtitle, row.abstract]
    if speakers:
        parts.append("Speakers: " + ", ".join([f"{s.name} ({s.role.value})" for s in speakers]))
    if row.track_name:
        parts.append("Track: " + row.track_name)
    if row.recording_url or row.slides_url or row.url:
        links = [("Recording", row.recording_url), ("Slides", row.slides_url), ("More", row.url)]
        parts.append("\n".join([f"{label}: {url}" for label, url in links if url]))
    return "\n\n".join([part for part in parts if part])


def _from_rows(rows: Sequence[SlotRow], speakers_of: SpeakersByTalk, event: Event, base: str) -> list[FeedEvent]:
    """One FeedEvent per slot. What all slots share is read from the event once, not per row."""
    venue = event.venue
    talks = f"{base}/events/{event.slug}/talks/"
    no_speakers: list[SpeakerRef] = []
    return [
        FeedEvent(
            uid=_uid(row.id),
            start=row.start_at,
            end=row.end_at,
            summary=row.title,
            last_modified=max(row.slot_updated_at, row.talk_updated_at),
            sequence=row.sequence,
            cancelled=row.status == SlotStatus.CANCELLED,
            description=_description(row, speakers_of.get(row.talk_id, no_speakers)),
            location=", ".join([part for part in (row.room_name, venue) if part]),
            url=row.url or f"{talks}{row.talk_id}",
            categories=tuple([part for part in (row.track_name, row.kind.value) if part]),
            attachments=tuple([url for url in (row.recording_url, row.slides_url) if url]),
        )
        for row in rows
    ]


def _from_removal(change: ScheduleChange) -> FeedEvent:
    snapshot = change.detail
    return FeedEvent(
        uid=_uid(change.slot_id or change.talk_id),
        start=datetime.datetime.fromisoformat(snapshot["start_at"]),
        end=datetime.datetime.fromisoformat(snapshot["end_at"]),
        summary=change.title,
        last_modified=change.created_at,
        sequence=int(snapshot.get("sequence", 1)),
        cancelled=True,
        location=snapshot.get("room") or "",
    )


def _snapshot_matches(change: ScheduleChange, event: Event, wanted: ScheduleFilter) -> bool:
    """Apply the feed's filter to a removed slot, so a track's feed cancels only that track's talks."""
    snapshot = change.detail
    start = datetime.datetime.fromisoformat(snapshot["start_at"])
    checks = [
        wanted.day is None or schedule_day(start, zone(event.timezone), event.day_change) == wanted.day,
        wanted.room is None or snapshot.get("room_slug") == wanted.room,
        wanted.track is None or snapshot.get("track_slug") == wanted.track,
        wanted.kind is None or snapshot.get("kind") == wanted.kind.value,
        wanted.speaker is None or str(wanted.speaker) in snapshot.get("speaker_ids", []),
        not wanted.q or search.matches_text(wanted.q, change.title),
    ]
    return all(checks)
