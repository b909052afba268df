"""Filters that name a part of the event read through it, not through the whole event: they must
still never reach another event's slots. And a schedule too large to ask for its speakers by id
gets every talk's speakers all the same."""

from __future__ import annotations

import datetime
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule import search
from service.schedule.models import SpeakerRole
from service.schedule.queries import SPEAKERS_BY_ID_LIMIT
from tests.api.conftest import Conference
from tests.factories import create_event, create_room, create_speaker, create_talk


def titles(body: dict[str, Any]) -> list[str]:
    return [talk["title"] for day in body["days"] for talk in day["talks"]]


class TestFiltersStayInTheEvent:
    async def test_a_speaker_of_two_events_brings_only_this_events_talks(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        other = await create_event(db_session, slug="other", start_date=datetime.date(2025, 6, 20))
        await create_talk(
            db_session, other, "Elsewhere", start="2025-06-20T10:00", speakers=[(conference.ada, SpeakerRole.SPEAKER)]
        )
        await db_session.commit()

        here = (await client.get("/events/nlp/schedule", params={"speaker": str(conference.ada.id)})).json()
        there = (await client.get("/events/other/schedule", params={"speaker": str(conference.ada.id)})).json()

        assert "Elsewhere" not in titles(here)
        assert titles(there) == ["Elsewhere"]

    async def test_words_and_a_room_find_only_this_events_talks(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        other = await create_event(db_session, slug="other", start_date=datetime.date(2025, 6, 20))
        side = await create_room(db_session, other, "side")
        await create_talk(db_session, other, "Data pipelines, again", start="2025-06-20T10:00", room=side)
        for event in (conference.event, other):
            await search.rebuild_event(db_session, event.id)
        await db_session.commit()

        body = (await client.get("/events/nlp/schedule", params={"q": "data pipelines", "room": "side"})).json()

        assert titles(body) == ["Data pipelines"]

    async def test_a_talks_calendar_is_not_found_through_another_event(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        other = await create_event(db_session, slug="other")
        foreign = await create_talk(db_session, other, "Elsewhere", start="2025-06-20T10:00")
        await db_session.commit()

        assert (await client.get(f"/events/other/talks/{foreign.id}.ics")).status_code == 200
        assert (await client.get(f"/events/nlp/talks/{foreign.id}.ics")).status_code == 404


class TestManySlots:
    async def test_every_talk_has_its_own_speakers_in_order_beyond_the_by_id_limit(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        event = await create_event(
            db_session, slug="big", start_date=datetime.date(2025, 6, 20), end_date=datetime.date(2025, 6, 20)
        )
        ada = await create_speaker(db_session, "Ada Lovelace")
        expected = {}
        for number in range(SPEAKERS_BY_ID_LIMIT + 1):
            guest = await create_speaker(db_session, f"Guest {number}")
            people = (
                [(guest, SpeakerRole.HOST), (ada, SpeakerRole.GUEST)] if number % 2 else [(ada, SpeakerRole.SPEAKER)]
            )
            start = f"2025-06-20T{8 + number // 60:02d}:{number % 60:02d}"
            await create_talk(db_session, event, f"Talk {number}", start=start, minutes=1, speakers=people)
            expected[f"Talk {number}"] = [(speaker.name, role.value) for speaker, role in people]
        await db_session.commit()

        body = (await client.get("/events/big/schedule")).json()

        got = {
            talk["title"]: [(s["name"], s["role"]) for s in talk["speakers"]]
            for day in body["days"]
            for talk in day["talks"]
        }
        assert got == expected
