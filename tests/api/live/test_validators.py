"""A worker answers 304s and cached bodies from its memory of the event, without the database, and
never from a memory older than the bound (service/live/versions.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.events.models import Event
from service.settings import Settings
from tests.api.conftest import Conference, Tokens
from tests.api.live.conftest import WAIT

SCHEDULE = "/events/nlp/schedule"
CACHED_PATHS = [SCHEDULE, "/events/nlp", "/events/nlp/calendar.ics", "/events/nlp/schedule.xml", "/events/nlp/rooms"]
"""Routes whose ETag is the event's: the schedule, the event, a feed, an export, a list."""


@asynccontextmanager
async def app_remembering(database_url: str, seconds: float) -> AsyncIterator[AsyncTestClient[Any]]:
    """The app, trusting its memory of an event for ``seconds``; nothing else of it polls the database."""
    settings = Settings(
        database_url=database_url,
        migrate_on_start=False,
        load_demo=False,
        event_cache_seconds=seconds,
        webhook_poll_seconds=3600,
        live_heartbeat_seconds=3600,
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine of this process sends while the block runs."""
    sent: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", note)


async def eventually(check: Callable[[], Any], what: str) -> None:
    """Ask until ``check`` returns true; fail after ``WAIT`` seconds (a slow machine is not a wrong one)."""
    for _ in range(int(WAIT / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(what)


@pytest.mark.parametrize("path", CACHED_PATHS)
async def test_a_current_client_and_a_cached_body_cost_no_query(
    database_url: str, conference: Conference, path: str
) -> None:
    async with app_remembering(database_url, 60) as client:
        first = await client.get(path)
        assert first.status_code == 200
        await client.get(path, headers={"If-None-Match": first.headers["etag"]})  # the body is cached by now

        with statements() as sent:
            not_modified = await client.get(path, headers={"If-None-Match": first.headers["etag"]})
            not_modified_since = await client.get(path, headers={"If-Modified-Since": first.headers["last-modified"]})
            again = await client.get(path)

    assert (not_modified.status_code, not_modified.headers["etag"]) == (304, first.headers["etag"])
    assert not_modified_since.status_code == 304
    assert (again.status_code, again.content, again.headers["etag"]) == (200, first.content, first.headers["etag"])
    assert sent == []


async def test_an_edit_through_the_api_is_served_at_once(
    database_url: str, conference: Conference, tokens: Tokens
) -> None:
    async with app_remembering(database_url, 60) as client:
        before = await client.get(SCHEDULE)
        assert (await client.get(SCHEDULE, headers={"If-None-Match": before.headers["etag"]})).status_code == 304

        moved = await client.patch(
            f"/events/nlp/slots/{conference.keynote_slot_id}",
            json={"start": "2025-06-21T16:00:00"},
            headers=tokens.organiser,
        )
        assert moved.status_code == 200, moved.text

        after = await client.get(SCHEDULE, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert "2025-06-21T16:00:00" in after.text
        assert (await client.get(SCHEDULE, headers={"If-None-Match": after.headers["etag"]})).status_code == 304
        cached = await client.get(SCHEDULE)
        assert (cached.content, cached.headers["etag"]) == (after.content, after.headers["etag"])


async def test_an_event_edit_is_served_at_once(database_url: str, conference: Conference, tokens: Tokens) -> None:
    async with app_remembering(database_url, 60) as client:
        before = await client.get("/events/nlp")
        renamed = await client.patch("/events/nlp", json={"title": "NLP Summit"}, headers=tokens.organiser)
        assert renamed.status_code == 200, renamed.text

        after = await client.get("/events/nlp", headers={"If-None-Match": before.headers["etag"]})
        assert (after.status_code, after.json()["title"]) == (200, "NLP Summit")


async def test_an_unknown_event_is_still_not_found(database_url: str, conference: Conference) -> None:
    async with app_remembering(database_url, 60) as client:
        etag = (await client.get(SCHEDULE)).headers["etag"]
        response = await client.get("/events/nope/schedule", headers={"If-None-Match": etag})
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


async def test_a_change_that_sends_no_message_is_served_within_the_bound(
    database_url: str, conference: Conference, db_session: AsyncSession
) -> None:
    async with app_remembering(database_url, 0.5) as client:
        before = await client.get(SCHEDULE)
        # Written as another process would (plenary import, SQL): no message on any bus.
        await db_session.execute(update(Event).where(Event.id == conference.event.id).values(title="Renamed"))
        await db_session.commit()

        async def refetched() -> bool:
            response = await client.get("/events/nlp", headers={"If-None-Match": before.headers["etag"]})
            return response.status_code == 200 and response.json()["title"] == "Renamed"

        await eventually(refetched, "the worker kept answering from its memory past the bound")


async def test_writes_read_the_event_they_change(database_url: str, conference: Conference, tokens: Tokens) -> None:
    async with app_remembering(database_url, 60) as client:
        etag = (await client.get("/events/nlp")).headers["etag"]
        first = await client.patch(
            "/events/nlp", json={"title": "First"}, headers={**tokens.organiser, "If-Match": etag}
        )
        stale = await client.patch(
            "/events/nlp", json={"title": "Second"}, headers={**tokens.organiser, "If-Match": etag}
        )
    assert first.status_code == 200, first.text
    assert stale.status_code == 412
