"""What is on now, and what comes next in each room."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference


class TestNow:
    async def test_unknown_event_is_404(self, client: AsyncTestClient) -> None:
        assert (await client.get("/events/nope/now")).status_code == 404

    async def test_running_talks_and_next_per_room(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/now", params={"at": "2025-06-20T09:45:00+02:00"})).json()

        assert body["at"] == "2025-06-20T09:45:00+02:00"
        assert [t["title"] for t in body["running"]] == ["Opening keynote", "Data pipelines"]
        # The cancelled 10:00 talk is skipped: Lunch is next in the main hall.
        assert [(t["room"]["slug"], t["title"]) for t in body["next"]] == [
            ("main", "Lunch"),
            ("side", "Filtering workshop"),
        ]

    async def test_a_talk_ends_exclusively_and_starts_inclusively(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        just_before = (await client.get("/events/nlp/now", params={"at": "2025-06-20T09:59:59+02:00"})).json()
        assert [t["title"] for t in just_before["running"]] == ["Opening keynote", "Data pipelines"]

        # Both end at 10:00; the 10:00 talk in the main hall is cancelled, so nothing runs.
        body = (await client.get("/events/nlp/now", params={"at": "2025-06-20T10:00:00+02:00"})).json()
        assert body["running"] == []

        body = (await client.get("/events/nlp/now", params={"at": "2025-06-20T09:00:00+02:00"})).json()
        assert [t["title"] for t in body["running"]] == ["Opening keynote"]

    async def test_without_an_offset_at_is_the_events_local_time(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        local = (await client.get("/events/nlp/now", params={"at": "2025-06-20T12:30"})).json()
        utc = (await client.get("/events/nlp/now", params={"at": "2025-06-20T10:30:00Z"})).json()

        assert [t["title"] for t in local["running"]] == ["Lunch"]
        assert local["running"] == utc["running"]
        assert local["at"] == "2025-06-20T12:30:00+02:00"

    async def test_after_the_last_talk_nothing_runs_and_nothing_is_next(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get("/events/nlp/now", params={"at": "2025-06-22T12:00:00+02:00"})).json()
        assert body["running"] == []
        assert body["next"] == []

    async def test_defaults_to_the_present(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get("/events/nlp/now")
        assert response.status_code == 200
        body = response.json()
        # The demo event is in the past, so at "now" nothing is running or next.
        assert body["running"] == []
        assert body["next"] == []
        assert body["at"].endswith(("+01:00", "+02:00"))

    @pytest.mark.parametrize("value", ["yesterday", "2025-06-20 25:00", "2025-13-01T10:00"])
    async def test_malformed_at_is_a_400_problem(
        self, client: AsyncTestClient, conference: Conference, value: str
    ) -> None:
        response = await client.get("/events/nlp/now", params={"at": value})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == "at"
