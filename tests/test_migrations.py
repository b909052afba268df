"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.db.registry import metadata


def test_models_and_migrations_agree(database_url: str) -> None:
    async def differences() -> list[object]:
        engine = create_async_engine(database_url, poolclass=NullPool)
        async with engine.connect() as connection:
            # SQLite reflects column types by affinity (a UUID comes back as NUMERIC), so types
            # are compared on PostgreSQL only; tables, columns, indexes and keys on both.
            compare_types = connection.dialect.name == "postgresql"
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": compare_types}), metadata
                )
            )
        await engine.dispose()
        return list(diff)

    assert asyncio.run(differences()) == []
