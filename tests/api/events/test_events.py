"""Listing and reading events."""

from __future__ import annotations

import datetime

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_event

PROBLEM = "application/problem+json"


class TestListEvents:
    async def test_empty_database_lists_nothing(self, client: AsyncTestClient) -> None:
        response = await client.get("/events")
        assert response.status_code == 200
        assert response.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}

    async def test_pages_through_events_newest_first(self, client: AsyncTestClient, db_session: AsyncSession) -> None:
        for day in range(1, 6):
            await create_event(
                db_session,
                slug=f"conf-{day}",
                start_date=datetime.date(2025, 1, day),
                end_date=datetime.date(2025, 1, day),
            )
        await db_session.commit()

        first = (await client.get("/events", params={"limit": 2})).json()
        second = (await client.get("/events", params={"limit": 2, "offset": 2})).json()
        last = (await client.get("/events", params={"limit": 2, "offset": 4})).json()

        assert [e["slug"] for e in first["items"]] == ["conf-5", "conf-4"]
        assert [e["slug"] for e in second["items"]] == ["conf-3", "conf-2"]
        assert [e["slug"] for e in last["items"]] == ["conf-1"]
        assert first["total"] == second["total"] == last["total"] == 5

    async def test_limit_out_of_range_is_a_problem_naming_limit(self, client: AsyncTestClient) -> None:
        for bad in ("0", "201", "many"):
            response = await client.get("/events", params={"limit": bad})
            assert response.status_code == 400, bad
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["errors"][0]["field"] == "limit"

    async def test_negative_offset_is_a_problem_naming_offset(self, client: AsyncTestClient) -> None:
        response = await client.get("/events", params={"offset": "-1"})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["errors"][0]["field"] == "offset"


class TestGetEvent:
    async def test_unknown_slug_is_404_problem(self, client: AsyncTestClient) -> None:
        response = await client.get("/events/no-such-event")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["status"] == 404
        assert "no-such-event" in body["detail"]

    async def test_event_shows_zone_days_and_links(self, client: AsyncTestClient, db_session: AsyncSession) -> None:
        await create_event(
            db_session,
            slug="cph",
            title="Copenhagen",
            timezone="Europe/Copenhagen",
            start_date=datetime.date(2025, 6, 20),
            end_date=datetime.date(2025, 6, 22),
            day_change=datetime.time(4, 0),
            venue="South Campus",
        )
        await db_session.commit()

        body = (await client.get("/events/cph")).json()

        assert body["timezone"] == "Europe/Copenhagen"
        assert body["day_change"] == "04:00"
        assert body["days"] == ["2025-06-20", "2025-06-21", "2025-06-22"]
        assert body["venue"] == "South Campus"
        assert body["links"]["schedule"].endswith("/events/cph/schedule")
        assert body["links"]["now"].endswith("/events/cph/now")
