"""Small async helpers that put schedule data in the database, with sensible defaults."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from service.core.time import as_instant, zone
from service.events.models import Event
from service.schedule.models import Room, Slot, SlotStatus, SpeakerRole, Talk, TalkKind, TalkSpeaker, Track
from service.speakers.models import Speaker

_counter = itertools.count(1)


async def create_event(session: AsyncSession, **overrides: Any) -> Event:
    n = next(_counter)
    values: dict[str, Any] = {
        "slug": f"event-{n}",
        "title": f"Event {n}",
        "timezone": "Europe/Copenhagen",
        "start_date": datetime.date(2025, 6, 20),
        "end_date": datetime.date(2025, 6, 21),
        "day_change": datetime.time(0, 0),
    }
    values.update(overrides)
    event = Event(**values)
    session.add(event)
    await session.flush()
    return event


async def create_room(session: AsyncSession, event: Event, slug: str, position: int = 0, **overrides: Any) -> Room:
    room = Room(event_id=event.id, slug=slug, name=overrides.pop("name", slug.title()), position=position, **overrides)
    session.add(room)
    await session.flush()
    return room


async def create_track(session: AsyncSession, event: Event, slug: str, color: str = "#123456") -> Track:
    track = Track(event_id=event.id, slug=slug, name=slug.replace("-", " ").title(), color=color)
    session.add(track)
    await session.flush()
    return track


async def create_speaker(session: AsyncSession, name: str, **overrides: Any) -> Speaker:
    speaker = Speaker(name=name, **overrides)
    session.add(speaker)
    await session.flush()
    return speaker


async def create_talk(
    session: AsyncSession,
    event: Event,
    title: str,
    *,
    start: str | Sequence[str],
    minutes: int = 30,
    room: Room | None = None,
    track: Track | None = None,
    kind: TalkKind = TalkKind.TALK,
    speakers: Sequence[tuple[Speaker, SpeakerRole]] = (),
    status: SlotStatus = SlotStatus.CONFIRMED,
    **overrides: Any,
) -> Talk:
    """A talk with one slot per start time. Start times are ISO strings; without an offset
    they are wall-clock times in the event's zone, as an organiser would type them."""
    tz = zone(event.timezone)
    talk = Talk(event_id=event.id, title=title, kind=kind, track_id=track.id if track else None, **overrides)
    session.add(talk)
    await session.flush()
    for position, (speaker, role) in enumerate(speakers):
        session.add(TalkSpeaker(talk_id=talk.id, speaker_id=speaker.id, role=role, position=position))
    for value in [start] if isinstance(start, str) else start:
        begin = as_instant(datetime.datetime.fromisoformat(value), tz)
        session.add(
            Slot(
                event_id=event.id,
                talk_id=talk.id,
                room_id=room.id if room else None,
                start_at=begin,
                end_at=begin + datetime.timedelta(minutes=minutes),
                status=status,
            )
        )
    await session.flush()
    await session.refresh(talk, ["slots"])
    return talk
