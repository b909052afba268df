"""The demo events, loaded on an empty database so a new user sees a real-looking schedule.

Ids are derived from stable keys (uuid5), so the demo's URLs are the same on every machine and
in the README's examples.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.models import Attendee, Star
from service.core.secrets import hash_secret, new_secret
from service.core.time import as_instant, utcnow, zone
from service.events.models import Event
from service.schedule import search
from service.schedule.models import Room, Slot, SpeakerRole, Talk, TalkKind, TalkSpeaker, Track
from service.speakers.models import Speaker
from service.takeaways.models import Takeaway, Visibility

DEMO_NAMESPACE = uuid.UUID("6f1d3a57-2b7c-4c44-9a53-0c1e8f0b7d21")


class _Strict(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class FixtureLink(_Strict):
    title: str
    url: str


class FixtureSpeaker(_Strict):
    key: str
    name: str
    affiliation: str = ""
    bio: str = ""
    links: list[FixtureLink] = []


class FixtureRoom(_Strict):
    slug: str
    name: str


class FixtureTrack(_Strict):
    slug: str
    name: str
    color: str


class FixtureSlot(_Strict):
    start: datetime.datetime
    """Local wall-clock time in the event's zone (no offset)."""
    minutes: int
    room: str | None


class FixtureRole(_Strict):
    speaker: str
    role: SpeakerRole


class FixtureLinks(_Strict):
    url: str = ""
    recording: str = ""
    slides: str = ""


class FixtureTalk(_Strict):
    key: str
    title: str
    kind: TalkKind
    slots: list[FixtureSlot]
    abstract: str = ""
    track: str | None = None
    language: str = "en"
    links: FixtureLinks = msgspec.field(default_factory=FixtureLinks)
    speakers: list[FixtureRole] = []


class FixtureEvent(_Strict):
    slug: str
    title: str
    description: str
    timezone: str
    start_date: datetime.date
    end_date: datetime.date
    day_change: datetime.time
    venue: str
    city: str
    website: str
    rooms: list[FixtureRoom]
    tracks: list[FixtureTrack]
    talks: list[FixtureTalk]


class FixtureTakeaway(_Strict):
    talk: str
    text: str
    visibility: Visibility


class FixtureAttendee(_Strict):
    key: str
    event: str
    display_name: str
    starred: list[str] = []
    takeaways: list[FixtureTakeaway] = []


class DemoFile(_Strict):
    comment: str
    speakers: list[FixtureSpeaker]
    events: list[FixtureEvent]
    attendees: list[FixtureAttendee] = []


def fixtures_dir() -> Path:
    """``service/_fixtures`` in an installed wheel, the repository's ``fixtures/`` in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_fixtures"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "fixtures"


def read_demo(path: Path | None = None) -> DemoFile:
    data = (path or fixtures_dir() / "demo-events.json").read_bytes()
    return msgspec.json.decode(data, type=DemoFile)


def demo_id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, "/".join(parts))


async def load_demo(session: AsyncSession, demo: DemoFile | None = None) -> list[str]:
    """Add the demo events that are not there yet; returns the slugs added."""
    demo = demo or read_demo()
    search.keep_current(session)  # the demo's talks are searchable once flushed
    existing = set((await session.scalars(select(Event.slug))).all())
    speakers: dict[str, Speaker] = {}
    for item in demo.speakers:
        speaker = await session.get(Speaker, demo_id("speaker", item.key))
        if speaker is None:
            speaker = Speaker(
                id=demo_id("speaker", item.key),
                name=item.name,
                affiliation=item.affiliation,
                bio=item.bio,
                links=[msgspec.to_builtins(link) for link in item.links],
            )
            session.add(speaker)
        speakers[item.key] = speaker
    added = []
    for fixture in demo.events:
        if fixture.slug in existing:
            continue
        session.add(_event(fixture, speakers))
        added.append(fixture.slug)
    await session.flush()
    slot_counts = {(event.slug, talk.key): len(talk.slots) for event in demo.events for talk in event.talks}
    for attendee in demo.attendees:
        if attendee.event in added:
            session.add_all(_attendee(attendee, slot_counts))
    await session.flush()
    return added


async def load_demo_if_empty(session: AsyncSession) -> bool:
    if await session.scalar(select(func.count()).select_from(Event)):
        return False
    return bool(await load_demo(session))


def _event(fixture: FixtureEvent, speakers: dict[str, Speaker]) -> Event:
    tz = zone(fixture.timezone)
    event = Event(
        id=demo_id("event", fixture.slug),
        slug=fixture.slug,
        title=fixture.title,
        description=fixture.description,
        timezone=fixture.timezone,
        start_date=fixture.start_date,
        end_date=fixture.end_date,
        day_change=fixture.day_change,
        venue=fixture.venue,
        city=fixture.city,
        website=fixture.website,
        schedule_version=1,
        schedule_modified_at=utcnow(),
    )
    rooms = {
        r.slug: Room(id=demo_id(fixture.slug, "room", r.slug), slug=r.slug, name=r.name, position=i)
        for i, r in enumerate(fixture.rooms)
    }
    tracks = {
        t.slug: Track(id=demo_id(fixture.slug, "track", t.slug), slug=t.slug, name=t.name, color=t.color)
        for t in fixture.tracks
    }
    event.rooms = list(rooms.values())
    event.tracks = list(tracks.values())
    talks = []
    for item in fixture.talks:
        talk = Talk(
            id=demo_id(fixture.slug, "talk", item.key),
            title=item.title,
            abstract=item.abstract,
            kind=item.kind,
            language=item.language,
            track=tracks[item.track] if item.track else None,
            url=item.links.url,
            recording_url=item.links.recording,
            slides_url=item.links.slides,
        )
        talk.speaker_links = [
            TalkSpeaker(speaker=speakers[role.speaker], role=role.role, position=position)
            for position, role in enumerate(item.speakers)
        ]
        talk.slots = []
        for n, slot in enumerate(item.slots):
            start = as_instant(slot.start, tz)
            talk.slots.append(
                Slot(
                    id=demo_id(fixture.slug, "slot", item.key, str(n)),
                    event_id=event.id,
                    room=rooms[slot.room] if slot.room else None,
                    start_at=start,
                    end_at=start + datetime.timedelta(minutes=slot.minutes),
                )
            )
        talks.append(talk)
    event.talks = talks
    return event


def _attendee(fixture: FixtureAttendee, slot_counts: dict[tuple[str, str], int]) -> list[object]:
    """A demo attendee with stars and takeaways. Nobody can sign in as them: they have no device."""
    event_id = demo_id("event", fixture.event)
    attendee = Attendee(
        id=demo_id("attendee", fixture.key),
        event_id=event_id,
        display_name=fixture.display_name,
        feed_token_hash=hash_secret(new_secret()),
        sync_counter=len(fixture.takeaways),
        stars_version=len(fixture.starred),
    )
    rows: list[object] = [attendee]
    rows += [  # a starred talk: each of its occurrences
        Star(
            attendee_id=attendee.id,
            talk_id=demo_id(fixture.event, "talk", key),
            slot_id=demo_id(fixture.event, "slot", key, str(n)),
        )
        for key in fixture.starred
        for n in range(slot_counts[fixture.event, key])
    ]
    for n, note in enumerate(fixture.takeaways, start=1):
        rows.append(
            Takeaway(
                id=demo_id("takeaway", fixture.key, str(n)),
                attendee_id=attendee.id,
                event_id=event_id,
                talk_id=demo_id(fixture.event, "talk", note.talk),
                client_id=demo_id("takeaway-client", fixture.key, str(n)),
                text=note.text,
                visibility=note.visibility,
                sync_seq=n,
            )
        )
    return rows
