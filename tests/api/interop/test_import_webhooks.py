"""An import leaves the same change log whether or not a webhook hears of the event, and where one
does, every entry it logged is a message in the endpoint's outbox.

(Where no endpoint listens, an import writes its new talks' entries as plain rows; where one does,
as ORM objects, from which the outbox writes its messages as they are flushed.)
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.organisers.services import TokenService
from service.settings import Settings
from tests.api.conftest import bearer
from tests.factories import create_event

HOOK = "https://127.0.0.1:9/plenary"
"""Accepted because this run allows 127.0.0.0/8; nothing is delivered to it (see ``settings``)."""


def schedule_xml(titles: list[str]) -> bytes:
    events = "".join(
        f'<event guid="0d6c2a4e-1f3b-4c5d-8e9f-a0b1c2d3e4{n:02d}" id="{n + 1}">'
        f"<date>2025-06-20T{10 + n:02d}:00:00+02:00</date><start>{10 + n:02d}:00</start><duration>00:45</duration>"
        f"<room>Hall A</room><title>{title}</title><type>lecture</type>"
        f'<persons><person id="{n}">Speaker {n}</person></persons></event>'
        for n, title in enumerate(titles)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><schedule><version>1</version><conference>'
        "<acronym>heard</acronym><title>Heard</title><start>2025-06-20</start><end>2025-06-21</end>"
        "<time_zone_name>Europe/Copenhagen</time_zone_name></conference>"
        f'<day index="1" date="2025-06-20"><room name="Hall A">{events}</room></day></schedule>'
    ).encode()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        migrate_on_start=False,
        load_demo=False,
        webhook_allowed_networks="127.0.0.0/8",
        webhook_poll_seconds=60.0,  # the receiver does not exist: messages stay in the outbox
    )


@pytest.fixture
async def admin(db_session: AsyncSession) -> dict[str, str]:
    await create_event(db_session, slug="heard")
    await create_event(db_session, slug="unheard")
    _, token = await TokenService(db_session).create(event_slug=None, admin=True)
    await db_session.commit()
    return bearer(token)


async def logged(client: AsyncTestClient, slug: str) -> list[dict[str, Any]]:
    log = (await client.get(f"/events/{slug}/changes", params={"since": 0})).json()["changes"]["items"]
    entries = [
        {"version": change["version"], "kind": change["kind"], "title": change["title"], "detail": change["detail"]}
        for change in log
    ]
    return sorted(entries, key=lambda entry: (entry["version"], entry["kind"], entry["title"]))


class TestImportsHeardByWebhooks:
    async def test_the_log_is_the_same_and_each_entry_is_a_message(
        self, client: AsyncTestClient, admin: dict[str, str]
    ) -> None:
        registered = await client.post("/events/heard/webhooks", json={"url": HOOK}, headers=admin)
        assert registered.status_code == 201, registered.text
        first = schedule_xml(["Opening", "Pipelines", "Closing"])
        second = schedule_xml(["Opening", "Pipelines, revised", "Closing", "Encore"])

        for data in (first, second):
            for slug in ("heard", "unheard"):
                response = await client.post(f"/events/{slug}/import", content=data, headers=admin)
                assert response.status_code == 200, (slug, response.text)

        heard, unheard = await logged(client, "heard"), await logged(client, "unheard")
        assert heard == unheard
        assert [entry["kind"] for entry in heard] == ["added"] * 3 + ["added", "retitled"]
        path = f"/events/heard/webhooks/{registered.json()['id']}/deliveries"
        messages = (await client.get(path, params={"limit": 100}, headers=admin)).json()["items"]
        assert sorted(message["version"] for message in messages) == [entry["version"] for entry in heard]
