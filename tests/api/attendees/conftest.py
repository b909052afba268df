"""Two attendees of the conference, registered through the API as a phone would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference


@dataclass
class Phone:
    id: str
    headers: dict[str, str]
    calendar: dict[str, str]


async def register(client: AsyncTestClient, name: str = "", **extra: Any) -> Phone:
    response = await client.post("/events/nlp/attendees", json={"display_name": name, **extra})
    assert response.status_code == 201, response.text
    body = response.json()
    return Phone(body["id"], {"Authorization": f"Bearer {body['token']}"}, body["calendar"])


@pytest.fixture
async def alice(client: AsyncTestClient, conference: Conference) -> Phone:
    return await register(client, "Alice")


@pytest.fixture
async def bob(client: AsyncTestClient, conference: Conference) -> Phone:
    return await register(client, "Bob")
