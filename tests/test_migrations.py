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
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from service.attendees.models import Star
from service.db.base import GUID, DateTimeUTC
from service.db.migrate import alembic_config, upgrade
from service.db.registry import metadata
from service.demo.loader import demo_id, load_demo
from service.schedule import search


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
