"""Tokens for the organiser tests: one for the conference, one for another event, one admin."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.organisers.services import TokenService
from tests.api.conftest import Conference
from tests.factories import create_event


@dataclass
class Tokens:
    organiser: dict[str, str]
    other_event: dict[str, str]
    admin: dict[str, str]
    revoked: dict[str, str]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def tokens(db_session: AsyncSession, conference: Conference) -> Tokens:
    await create_event(db_session, slug="elsewhere")
    service = TokenService(db_session)
    _, organiser = await service.create(event_slug="nlp", admin=False)
    _, other = await service.create(event_slug="elsewhere", admin=False)
    _, admin = await service.create(event_slug=None, admin=True)
    revoked_row, revoked = await service.create(event_slug="nlp", admin=False)
    await service.revoke(revoked_row.id)
    await db_session.commit()
    return Tokens(bearer(organiser), bearer(other), bearer(admin), bearer(revoked))
