"""Gathering what the digest shows: the event's talks in schedule order and my notes on them."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.models import Attendee
from service.attendees.services import AttendeeService
from service.core.time import zone
from service.events.models import Event
from service.schedule import queries
from service.schedule.queries import SlotRow
from service.schedule.services import ScheduleService
from service.takeaways.digest import DigestTalk, render_digest
from service.takeaways.services import TakeawayService


async def digest_for(session: AsyncSession, attendee: Attendee, event: Event) -> str:
    notes: dict[uuid.UUID, list[tuple[str, str]]] = {}
    for note in await TakeawayService(session).notes_for_digest(attendee, event):
        notes.setdefault(note.talk_id, []).append((note.visibility.value, note.text))
    rows, speakers_of = await ScheduleService(session=session).fetch(event, queries.schedule_rows(event.id))
    # A talk given more than once is shown at the session the attendee starred, else its first.
    starred = set(await AttendeeService(session).starred_slot_ids(attendee))
    shown: dict[uuid.UUID, tuple[int, SlotRow]] = {}  # talk -> (position in the schedule, slot row)
    for position, row in enumerate(rows):
        if row.talk_id not in shown or (row.id in starred and shown[row.talk_id][1].id not in starred):
            shown[row.talk_id] = (position, row)
    tz, talks, seen = zone(event.timezone), [], set(shown)
    for _, row in sorted(shown.values(), key=lambda placed: placed[0]):
        links = tuple(
            (label, url)
            for label, url in (("Recording", row.recording_url), ("Slides", row.slides_url), ("More", row.url))
            if url
        )
        talks.append(
            DigestTalk(
                talk_id=row.talk_id,
                title=row.title,
                speakers=tuple(s.name for s in speakers_of.get(row.talk_id, [])),
                start=row.start_at.astimezone(tz),
                room=row.room_name or "",
                links=links,
            )
        )
    for talk_id in notes.keys() - seen:  # notes on talks that have since left the schedule
        talks.append(
            DigestTalk(
                talk_id=talk_id, title="A talk no longer on the schedule", speakers=(), start=None, room="", links=()
            )
        )
    return render_digest(event.title, talks, notes)
