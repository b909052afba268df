"""Done when: an edit made through one `plenary serve` process reaches an SSE client of another.

Two processes on one database, with the bus on PostgreSQL (LISTEN/NOTIFY) or on Redis. The
processes check the database for missed changes only every two minutes here, so an event that
arrives within the wait came over the bus.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.api.conftest import Conference, Tokens
from tests.api.live.conftest import WAIT, open_stream, plenary_serve

REDIS_URL = "redis://127.0.0.1:6379/0"


def bus_settings(bus: str, database_url: str) -> dict[str, str]:
    if bus == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY needs the PostgreSQL run (PLENARY_TEST_DATABASE_URL)")
    env = {"PLENARY_LIVE_HEARTBEAT_SECONDS": "120"}
    if bus == "redis":
        env |= {"PLENARY_REDIS_URL": REDIS_URL, "PLENARY_REDIS_PREFIX": f"live-test-{uuid.uuid4().hex[:8]}"}
    return env


@pytest.mark.parametrize("bus", ["postgres", "redis"])
async def test_an_edit_through_one_process_reaches_a_stream_of_another(
    bus: str, database_url: str, conference: Conference, tokens: Tokens
) -> None:
    env = bus_settings(bus, database_url)
    with plenary_serve(database_url, **env) as editing, plenary_serve(database_url, **env) as streaming:
        async with (
            httpx.AsyncClient(base_url=editing, timeout=WAIT) as organiser,
            httpx.AsyncClient(base_url=streaming, timeout=WAIT) as reader,
            open_stream(reader, "/events/nlp/live") as stream,
        ):
            moved = await organiser.patch(
                f"/events/nlp/slots/{conference.keynote_slot_id}",
                json={"start": "2025-06-21T16:00:00"},
                headers=tokens.organiser,
            )
            assert moved.status_code == 200, moved.text
            event = await stream.next()
    [change] = event.data["changes"]
    assert (change["kind"], change["talk_id"]) == ("moved_time", str(conference.keynote.id))
