"""Organiser tokens: random, shown once, stored only as a hash, revocable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.organisers.models import ApiToken
from service.organisers.services import TokenService
from tests.api.conftest import Conference


async def test_the_secret_is_never_stored(db_session: AsyncSession, conference: Conference) -> None:
    _row, token = await TokenService(db_session).create(event_slug="nlp", admin=False)
    await db_session.commit()
    secret = token.partition(".")[2]

    stored = (await db_session.execute(select(ApiToken.__table__))).mappings().one()
    assert len(secret) >= 40
    assert all(secret not in str(value) for value in stored.values())
    assert stored["secret_hash"] != secret


async def test_two_tokens_are_never_alike(db_session: AsyncSession, conference: Conference) -> None:
    service = TokenService(db_session)
    tokens = {(await service.create(event_slug="nlp", admin=False))[1] for _ in range(20)}
    assert len(tokens) == 20


async def test_a_revoked_token_stops_working(
    client: AsyncTestClient, db_session: AsyncSession, conference: Conference
) -> None:
    service = TokenService(db_session)
    row, token = await service.create(event_slug="nlp", admin=False)
    await db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.patch("/events/nlp", json={"city": "Aarhus"}, headers=headers)).status_code == 200

    await service.revoke(row.id)
    await db_session.commit()
    assert (await client.patch("/events/nlp", json={"city": "Odense"}, headers=headers)).status_code == 401


def test_the_cli_creates_lists_and_revokes(tmp_path: Path) -> None:
    env = {**os.environ, "PLENARY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tokens.db'}"}

    def plenary(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own console script
            [sys.executable, "-m", "service.cli", *args], env=env, capture_output=True, text=True, check=False
        )

    assert plenary("db", "upgrade").returncode == 0  # the data commands never create a database
    assert plenary("load-demo").returncode == 0
    created = plenary("token", "create", "--event", "cph-nlp-2025", "--name", "desk")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    token_id, _, secret = token.partition(".")
    assert "shown this once" in created.stderr

    listed = plenary("token", "list").stdout
    assert token_id in listed
    assert "desk" in listed
    assert secret not in listed

    assert plenary("token", "revoke", token_id).returncode == 0
    assert "revoked" in plenary("token", "list").stdout
    assert plenary("token", "create", "--event", "no-such-event").returncode != 0
