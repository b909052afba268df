"""One talk, with every occurrence of it."""

from __future__ import annotations

import uuid

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.conftest import Conference
from tests.factories import create_event, create_talk


class TestGetTalk:
    async def test_unknown_event_is_404(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get(f"/events/nope/talks/{conference.keynote.id}")
        assert response.status_code == 404

    async def test_talk_with_speakers_track_and_every_slot(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get(f"/events/nlp/talks/{conference.workshop.id}")).json()

        assert body["id"] == str(conference.workshop.id)
        assert body["event"] == "nlp"
        assert body["kind"] == "workshop"
        assert body["track"]["slug"] == "data"
        assert [(s["name"], s["role"]) for s in body["speakers"]] == [("Ada Lovelace", "host")]
        assert [(s["day"], s["start"], s["room"]["slug"]) for s in body["slots"]] == [
            ("2025-06-20", "2025-06-20T11:00:00+02:00", "side"),
            ("2025-06-21", "2025-06-21T11:00:00+02:00", "side"),
        ]
        assert len({s["id"] for s in body["slots"]}) == 2

    async def test_unknown_talk_is_404_problem(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get(f"/events/nlp/talks/{uuid.uuid4()}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_malformed_id_is_400_problem_naming_it(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get("/events/nlp/talks/42")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "talk_id"

    async def test_a_talk_is_not_found_through_another_event(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        other = await create_event(db_session, slug="other")
        foreign = await create_talk(db_session, other, "Elsewhere", start="2025-06-20T10:00")
        await db_session.commit()

        assert (await client.get(f"/events/other/talks/{foreign.id}")).status_code == 200
        assert (await client.get(f"/events/nlp/talks/{foreign.id}")).status_code == 404


class TestRoomsAndTracks:
    async def test_rooms_in_the_organisers_order(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/rooms")).json()
        assert [r["slug"] for r in body["items"]] == ["main", "side"]
        assert body["total"] == 2

    async def test_rooms_paginate(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/rooms", params={"limit": 1, "offset": 1})).json()
        assert [r["slug"] for r in body["items"]] == ["side"]
        assert (body["total"], body["limit"], body["offset"]) == (2, 1, 1)

    async def test_tracks_by_name_with_colour(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/tracks")).json()
        assert [(t["slug"], t["color"]) for t in body["items"]] == [("data", "#00ff00"), ("ml", "#ff0000")]

    async def test_bad_paging_is_a_400_problem(self, client: AsyncTestClient, conference: Conference) -> None:
        for path in ("/events/nlp/rooms", "/events/nlp/tracks"):
            response = await client.get(path, params={"limit": "500"})
            assert response.status_code == 400
            assert response.json()["errors"][0]["field"] == "limit"

    async def test_unknown_event_is_404(self, client: AsyncTestClient) -> None:
        assert (await client.get("/events/nope/rooms")).status_code == 404
        assert (await client.get("/events/nope/tracks")).status_code == 404
