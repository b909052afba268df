"""Alembic environment: one set of migrations for SQLite and PostgreSQL, run over the async driver."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.db.registry import metadata
from service.schedule import search

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=search.autogenerate_filter(connection.dialect.name),
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        # SQLite reflects types by affinity (a UUID reads back as NUMERIC): compare them on PostgreSQL only.
        compare_type=connection.dialect.name == "postgresql",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = make_url(config.get_main_option("sqlalchemy.url") or "")
    if url.get_backend_name() == "sqlite":
        # SQLite needs no event loop: the standard driver migrates the same file directly,
        # and no aiosqlite worker thread is left behind in the caller's process.
        engine = create_engine(url.set(drivername="sqlite"), poolclass=NullPool)
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
        engine.dispose()
    else:
        asyncio.run(_run_async())
