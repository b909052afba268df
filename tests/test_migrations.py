"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from service.app import create_app
from service.attendees.models import Star
from service.core.secrets import hash_secret
from service.db.base import GUID, DateTimeUTC
from service.db.migrate import alembic_config, upgrade
from service.db.registry import metadata
from service.demo.loader import demo_id, load_demo
from service.schedule import search
from service.settings import Settings


def test_models_and_migrations_agree(database_url: str) -> None:
    async def differences() -> list[object]:
        engine = create_async_engine(database_url, poolclass=NullPool)
        async with engine.connect() as connection:
            # SQLite reflects column types by affinity (a UUID comes back as NUMERIC), so types
            # are compared on PostgreSQL only; tables, columns, indexes and keys on both.
            compare_types = connection.dialect.name == "postgresql"
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={
                            "compare_type": compare_types,
                            "include_object": search.autogenerate_filter(sync.dialect.name),
                        },
                    ),
                    metadata,
                )
            )
        await engine.dispose()
        return list(diff)

    assert asyncio.run(differences()) == []


def test_a_starred_talk_becomes_a_star_on_each_of_its_sessions(tmp_path: Path) -> None:
    """0007: stars moved from talks to slots; a star of a repeated workshop stars both sessions."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'stars.db'}"
    upgrade(url)
    workshop = demo_id("cph-nlp-2025", "talk", "filter-workshop")
    attendee = demo_id("attendee", "cph-attendee")

    async def load() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with async_sessionmaker(engine)() as session:
            await load_demo(session)
            await session.commit()
        await engine.dispose()

    asyncio.run(load())
    command.downgrade(alembic_config(url), "0006")
    star = sa.table(
        "star",
        sa.column("id", GUID),
        sa.column("attendee_id", GUID),
        sa.column("talk_id", GUID),
        sa.column("created_at", DateTimeUTC),
        sa.column("updated_at", DateTimeUTC),
    )

    async def star_the_workshop_as_before() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as connection:
            now = datetime.datetime.now(datetime.UTC)
            await connection.execute(
                sa.insert(star).values(
                    id=uuid.uuid4(), attendee_id=attendee, talk_id=workshop, created_at=now, updated_at=now
                )
            )
        await engine.dispose()

    asyncio.run(star_the_workshop_as_before())
    upgrade(url)

    async def starred_sessions() -> list[uuid.UUID]:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(Star.slot_id).where(Star.attendee_id == attendee, Star.talk_id == workshop)
            )
            found = sorted(rows.scalars())
        await engine.dispose()
        return found

    assert asyncio.run(starred_sessions()) == sorted(
        [
            demo_id("cph-nlp-2025", "slot", "filter-workshop", "0"),
            demo_id("cph-nlp-2025", "slot", "filter-workshop", "1"),
        ]
    )


def test_a_token_issued_before_devices_keeps_working(tmp_path: Path) -> None:
    """0009: each attendee's token became their first device's, with the attendee's own id."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'devices.db'}"
    upgrade(url)
    event_id = demo_id("event", "cph-nlp-2025")
    attendee_id = uuid.uuid4()
    secret = "a-token-secret-issued-before-pairing-existed"
    attendee = sa.table(
        "attendee",
        sa.column("id", GUID),
        sa.column("event_id", GUID),
        sa.column("display_name", sa.String),
        sa.column("token_hash", sa.String),
        sa.column("feed_token_hash", sa.String),
        sa.column("sync_counter", sa.Integer),
        sa.column("stars_version", sa.Integer),
        sa.column("created_at", DateTimeUTC),
        sa.column("updated_at", DateTimeUTC),
    )

    async def load() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with async_sessionmaker(engine)() as session:
            await load_demo(session)
            await session.commit()
        await engine.dispose()

    asyncio.run(load())
    command.downgrade(alembic_config(url), "0008")

    async def register_as_before() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.begin() as connection:
            now = datetime.datetime.now(datetime.UTC)
            await connection.execute(
                sa.insert(attendee).values(
                    id=attendee_id,
                    event_id=event_id,
                    display_name="Early bird",
                    token_hash=hash_secret(secret),
                    feed_token_hash=hash_secret("feed"),
                    sync_counter=0,
                    stars_version=0,
                    created_at=now,
                    updated_at=now,
                )
            )
        await engine.dispose()

    asyncio.run(register_as_before())
    upgrade(url)

    async def ask_who_i_am() -> tuple[int, object, object]:
        app = create_app(Settings(database_url=url, migrate_on_start=False, load_demo=False))
        headers = {"Authorization": f"Bearer {attendee_id}.{secret}"}
        async with AsyncTestClient(app=app) as client:
            me = await client.get("/me", headers=headers)
            devices = await client.get("/me/devices", headers=headers)
        return me.status_code, me.json(), devices.json()

    status, me, devices = asyncio.run(ask_who_i_am())
    assert status == 200
    assert me == {"id": str(attendee_id), "display_name": "Early bird", "event": "cph-nlp-2025"}
    assert isinstance(devices, list)
    assert [(device["id"], device["this_device"]) for device in devices] == [(str(attendee_id), True)]
