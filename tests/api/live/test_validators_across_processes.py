"""A worker's memory of an event follows edits made by other processes: at once over the bus, and
within the bound (``PLENARY_EVENT_CACHE_SECONDS``) for a process that sends no message."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from tests.api.conftest import Conference, Tokens
from tests.api.live.conftest import WAIT, plenary_serve
from tests.api.live.test_across_processes import bus_settings
from tests.api.live.test_validators import SCHEDULE, eventually


async def served_then_current(reader: httpx.AsyncClient) -> httpx.Response:
    """The schedule, asked for until the worker answers it from memory (304, then the cached body)."""
    first = await reader.get(SCHEDULE)
    assert first.status_code == 200
    assert (await reader.get(SCHEDULE, headers={"If-None-Match": first.headers["etag"]})).status_code == 304
    assert (await reader.get(SCHEDULE)).content == first.content
    return first


@pytest.mark.parametrize("bus", ["postgres", "redis"])
async def test_an_edit_through_another_process_reaches_the_validators(
    bus: str, database_url: str, conference: Conference, tokens: Tokens
) -> None:
    # The reader trusts its memory for two minutes: only the bus can tell it within the wait.
    env = bus_settings(bus, database_url)
    with (
        plenary_serve(database_url, **env) as editing,
        plenary_serve(database_url, **env, PLENARY_EVENT_CACHE_SECONDS="120") as reading,
    ):
        async with (
            httpx.AsyncClient(base_url=editing, timeout=WAIT) as organiser,
            httpx.AsyncClient(base_url=reading, timeout=WAIT) as reader,
        ):
            before = await served_then_current(reader)
            moved = await organiser.patch(
                f"/events/nlp/slots/{conference.keynote_slot_id}",
                json={"start": "2025-06-21T16:00:00"},
                headers=tokens.organiser,
            )
            assert moved.status_code == 200, moved.text

            async def refetched() -> bool:
                response = await reader.get(SCHEDULE, headers={"If-None-Match": before.headers["etag"]})
                return response.status_code == 200

            await eventually(refetched, "the other process kept answering 304 for the old schedule")
            after = await reader.get(SCHEDULE)
            assert "2025-06-21T16:00:00" in after.text
            assert after.headers["etag"] != before.headers["etag"]
            assert (await reader.get(SCHEDULE, headers={"If-None-Match": after.headers["etag"]})).status_code == 304


async def test_a_process_without_a_bus_is_seen_within_the_bound(
    database_url: str, conference: Conference, db_session: AsyncSession
) -> None:
    with plenary_serve(database_url, PLENARY_EVENT_CACHE_SECONDS="1") as reading:
        async with httpx.AsyncClient(base_url=reading, timeout=WAIT) as reader:
            before = await served_then_current(reader)
            # As `plenary import` or the demo loader in a process of their own: committed, never announced.
            await db_session.execute(
                update(Event)
                .where(Event.id == conference.event.id)
                .values(title="Renamed", schedule_version=Event.schedule_version + 1)
            )
            await db_session.commit()

            async def refetched() -> bool:
                response = await reader.get(SCHEDULE, headers={"If-None-Match": before.headers["etag"]})
                return response.status_code == 200

            await eventually(refetched, "the worker answered from its memory past the bound")
            assert (await reader.get("/events/nlp")).json()["title"] == "Renamed"
