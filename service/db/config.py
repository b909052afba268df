"""The database connection, as advanced-alchemy's Litestar plugin wants it."""

from __future__ import annotations

from typing import Any

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, EngineConfig, SQLAlchemyAsyncConfig
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from service.settings import Settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed while a writer commits (several workers share one file);
    # foreign keys are off by default in SQLite and our cascades depend on them.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def sqlalchemy_config(settings: Settings) -> SQLAlchemyAsyncConfig:
    engine = EngineConfig(connect_args={"timeout": 30}) if settings.is_sqlite else EngineConfig(pool_pre_ping=True)
    config = SQLAlchemyAsyncConfig(
        connection_string=settings.database_url,
        engine_config=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit",
        session_dependency_key="db_session",
        create_all=False,  # the schema comes from Alembic migrations, never from create_all
    )
    if settings.is_sqlite:
        attach_sqlite_pragmas(config.get_engine())
    return config


def attach_sqlite_pragmas(engine: AsyncEngine) -> None:
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
