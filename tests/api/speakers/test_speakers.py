"""Speakers of an event, and one speaker across events."""

from __future__ import annotations

import datetime
import uuid

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule.models import SpeakerRole
from tests.factories import create_event, create_speaker, create_talk


class TestEventSpeakers:
    async def test_unknown_event_is_404(self, client: AsyncTestClient) -> None:
        assert (await client.get("/events/nope/speakers")).status_code == 404

    async def test_lists_only_people_with_a_part_at_the_event_by_name(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        here = await create_event(db_session, slug="here")
        there = await create_event(db_session, slug="there")
        zoe, adam, eve = [await create_speaker(db_session, n) for n in ("Zoë", "Adam", "Eve")]
        await create_talk(db_session, here, "A", start="2025-06-20T10:00", speakers=[(zoe, SpeakerRole.SPEAKER)])
        await create_talk(
            db_session,
            here,
            "B",
            start="2025-06-20T11:00",
            speakers=[(adam, SpeakerRole.HOST), (zoe, SpeakerRole.GUEST)],
        )
        await create_talk(db_session, there, "C", start="2025-06-20T11:00", speakers=[(eve, SpeakerRole.SPEAKER)])
        await db_session.commit()

        body = (await client.get("/events/here/speakers")).json()
        assert [s["name"] for s in body["items"]] == ["Adam", "Zoë"]
        assert body["total"] == 2

        page = (await client.get("/events/here/speakers", params={"limit": 1, "offset": 1})).json()
        assert [s["name"] for s in page["items"]] == ["Zoë"]

    async def test_bad_paging_is_a_400_problem(self, client: AsyncTestClient, db_session: AsyncSession) -> None:
        await create_event(db_session, slug="here")
        await db_session.commit()
        response = await client.get("/events/here/speakers", params={"offset": "x"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "offset"


class TestSpeaker:
    async def test_talks_across_events_each_in_local_time(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        cph = await create_event(db_session, slug="cph", timezone="Europe/Copenhagen")
        sf = await create_event(
            db_session,
            slug="sf",
            timezone="America/Los_Angeles",
            start_date=datetime.date(2025, 7, 1),
            end_date=datetime.date(2025, 7, 1),
        )
        kyle = await create_speaker(
            db_session, "Kyle Lo", affiliation="Ai2", links=[{"title": "Homepage", "url": "https://kyleclo.com/"}]
        )
        await create_talk(
            db_session, sf, "Later talk", start="2025-07-01T09:00", speakers=[(kyle, SpeakerRole.SPEAKER)]
        )
        await create_talk(
            db_session, cph, "Loss spikes", start="2025-06-20T10:30", speakers=[(kyle, SpeakerRole.SPEAKER)]
        )
        await db_session.commit()

        body = (await client.get(f"/speakers/{kyle.id}")).json()

        assert body["name"] == "Kyle Lo"
        assert body["links"] == [{"title": "Homepage", "url": "https://kyleclo.com/"}]
        assert [(t["event"]["slug"], t["title"], t["slots"][0]["start"]) for t in body["talks"]] == [
            ("cph", "Loss spikes", "2025-06-20T10:30:00+02:00"),
            ("sf", "Later talk", "2025-07-01T09:00:00-07:00"),
        ]

    async def test_unknown_speaker_is_404_problem(self, client: AsyncTestClient) -> None:
        response = await client.get(f"/speakers/{uuid.uuid4()}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_malformed_id_is_400_problem(self, client: AsyncTestClient) -> None:
        response = await client.get("/speakers/kyle")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "speaker_id"
