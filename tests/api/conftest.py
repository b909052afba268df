"""A small two-room, two-track event used by the schedule tests."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.organisers.services import TokenService
from service.schedule.models import Room, SlotStatus, SpeakerRole, Talk, TalkKind, Track
from service.speakers.models import Speaker
from tests.factories import create_event, create_room, create_speaker, create_talk, create_track


@dataclass
class Conference:
    event: Event
    main: Room
    side: Room
    ml: Track
    data: Track
    ada: Speaker
    bjørn: Speaker
    keynote: Talk
    workshop: Talk
    lunch: Talk
    late: Talk
    cancelled: Talk
    side_talk: Talk

    @property
    def keynote_slot_id(self) -> uuid.UUID:
        return self.keynote.slots[0].id

    @property
    def side_slot_id(self) -> uuid.UUID:
        return self.side_talk.slots[0].id


@pytest.fixture
async def conference(db_session: AsyncSession) -> Conference:
    event = await create_event(
        db_session,
        slug="nlp",
        timezone="Europe/Copenhagen",
        start_date=datetime.date(2025, 6, 20),
        end_date=datetime.date(2025, 6, 21),
        day_change=datetime.time(4, 0),
    )
    main = await create_room(db_session, event, "main", position=0, name="Main hall")
    side = await create_room(db_session, event, "side", position=1, name="Side room")
    ml = await create_track(db_session, event, "ml", color="#ff0000")
    data = await create_track(db_session, event, "data", color="#00ff00")
    ada = await create_speaker(db_session, "Ada Lovelace", affiliation="Analytical Engines")
    bjørn = await create_speaker(db_session, "Bjørn Ærø", affiliation="Københavns Universitet")
    keynote = await create_talk(
        db_session,
        event,
        "Opening keynote",
        start="2025-06-20T09:00",
        minutes=60,
        room=main,
        track=ml,
        kind=TalkKind.KEYNOTE,
        speakers=[(ada, SpeakerRole.SPEAKER), (bjørn, SpeakerRole.MODERATOR)],
        abstract="Why evaluation is hard.",
    )
    side_talk = await create_talk(
        db_session,
        event,
        "Data pipelines",
        start="2025-06-20T09:30",
        minutes=30,
        room=side,
        track=data,
        speakers=[(bjørn, SpeakerRole.SPEAKER)],
        abstract="Scraping the ÆØÅ web.",
    )
    workshop = await create_talk(
        db_session,
        event,
        "Filtering workshop",
        start=["2025-06-20T11:00", "2025-06-21T11:00"],
        minutes=60,
        room=side,
        track=data,
        kind=TalkKind.WORKSHOP,
        speakers=[(ada, SpeakerRole.HOST)],
    )
    lunch = await create_talk(
        db_session, event, "Lunch", start="2025-06-20T12:00", minutes=60, room=main, kind=TalkKind.BREAK
    )
    late = await create_talk(
        db_session, event, "Night owls' session", start="2025-06-21T01:30", minutes=60, room=main, track=ml
    )
    cancelled = await create_talk(
        db_session,
        event,
        "Cancelled talk",
        start="2025-06-20T10:00",
        minutes=30,
        room=main,
        status=SlotStatus.CANCELLED,
    )
    await db_session.commit()
    return Conference(event, main, side, ml, data, ada, bjørn, keynote, workshop, lunch, late, cancelled, side_talk)


@dataclass
class Tokens:
    organiser: dict[str, str]
    other_event: dict[str, str]
    admin: dict[str, str]
    revoked: dict[str, str]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def tokens(db_session: AsyncSession, conference: Conference) -> Tokens:
    await create_event(db_session, slug="elsewhere")
    service = TokenService(db_session)
    _, organiser = await service.create(event_slug="nlp", admin=False)
    _, other = await service.create(event_slug="elsewhere", admin=False)
    _, admin = await service.create(event_slug=None, admin=True)
    revoked_row, revoked = await service.create(event_slug="nlp", admin=False)
    await service.revoke(revoked_row.id)
    await db_session.commit()
    return Tokens(bearer(organiser), bearer(other), bearer(admin), bearer(revoked))


# -- attendees, registered through the API as a phone would ------------------------------------


@dataclass
class Phone:
    id: str
    headers: dict[str, str]
    calendar: dict[str, str]


async def register(client: AsyncTestClient, name: str = "", **extra: Any) -> Phone:
    response = await client.post("/events/nlp/attendees", json={"display_name": name, **extra})
    assert response.status_code == 201, response.text
    body = response.json()
    return Phone(body["id"], {"Authorization": f"Bearer {body['token']}"}, body["calendar"])


@pytest.fixture
async def alice(client: AsyncTestClient, conference: Conference) -> Phone:
    return await register(client, "Alice")


@pytest.fixture
async def bob(client: AsyncTestClient, conference: Conference) -> Phone:
    return await register(client, "Bob")
