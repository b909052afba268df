"""HEAD on every read route, and a front page for a person who opens the service's address."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Conference
from tests.factories import create_event


def test_every_get_route_also_answers_head(settings: Settings) -> None:
    app: Litestar = create_app(settings)
    without_head = [
        route.path for route in app.routes if "GET" in getattr(route, "methods", ()) and "HEAD" not in route.methods
    ]
    assert without_head == []


class TestHead:
    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/health",
            "/ready",
            "/events",
            "/events/nlp",
            "/events/nlp/schedule",
            "/events/nlp/now?at=2025-06-20T10:00",
            "/events/nlp/rooms",
            "/events/nlp/speakers",
            "/events/nlp/changes?since=0",
            "/docs",
            "/docs/openapi.json",
        ],
    )
    async def test_head_gives_the_get_headers_without_a_body(
        self, client: AsyncTestClient, conference: Conference, path: str
    ) -> None:
        got = await client.get(path, headers={"Accept-Encoding": "identity"})
        head = await client.head(path, headers={"Accept-Encoding": "identity"})
        assert head.status_code == got.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("etag") == got.headers.get("etag")


class TestFrontPage:
    async def test_a_browser_gets_a_page_linking_the_docs_and_each_event(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        response = await client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert 'href="http://testserver.local/docs"' in response.text
        assert "http://testserver.local/events/nlp/schedule" in response.text
        assert "webcal://testserver.local/events/nlp/calendar.ics" in response.text

    async def test_event_titles_are_shown_as_text_not_markup(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        await create_event(db_session, slug="xss", title="<script>alert(1)</script> Summit")
        await db_session.commit()
        page = (await client.get("/")).text
        assert "<script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Summit" in page
