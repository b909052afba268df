"""A schedule import (run in a process of its own) reaches open streams once it is committed."""

from __future__ import annotations

import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.organisers.services import TokenService
from tests.api.live.conftest import open_stream
from tests.factories import create_event
from tests.schedule_files import WINTER_OFFSETS_ONLY_XML


async def test_an_import_reaches_an_open_stream(http: httpx.AsyncClient, db_session: AsyncSession) -> None:
    await create_event(
        db_session,
        slug="winter",
        timezone="Europe/Copenhagen",
        start_date=datetime.date(2026, 1, 15),
        end_date=datetime.date(2026, 1, 15),
    )
    _, token = await TokenService(db_session).create(event_slug="winter", admin=False)
    await db_session.commit()
    async with open_stream(http, "/events/winter/live") as stream:
        imported = await http.post(
            "/events/winter/import",
            content=WINTER_OFFSETS_ONLY_XML,
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,  # the import process starts a new interpreter: slow on a loaded machine
        )
        assert imported.status_code == 200, imported.text
        event = await stream.next()
    assert event.id == str(imported.json()["version"])
    assert [(c["kind"], c["title"]) for c in event.data["changes"]] == [("added", "Tokenisers in winter")]
