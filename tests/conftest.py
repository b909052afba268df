"""Test harness: the real app, over HTTP, on a real database file (SQLite) or PostgreSQL.

The backend is chosen per run: by default an SQLite file in a temporary folder; with
``PLENARY_TEST_DATABASE_URL`` set (``.ci/run`` sets it), that database, which must be reachable:
an unreachable PostgreSQL fails the run instead of skipping it. The schema is built by the
Alembic migrations, once per run; every test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from service.app import create_app
from service.db.config import attach_sqlite_pragmas
from service.db.migrate import upgrade
from service.db.registry import metadata
from service.demo.loader import load_demo
from service.schedule import search
from service.settings import Settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PLENARY_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'plenary-test.db'}"
    else:
        _reset_postgres(url)
    upgrade(url)
    return url


def _reset_postgres(url: str) -> None:
    """Start the run from an empty schema, so the migrations (not leftovers) define every table."""
    import asyncio

    async def reset() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        except OSError as exc:  # refused connection: fail loudly, never skip
            pytest.exit(f"PostgreSQL at {url} is not reachable: {exc}", returncode=3)
        finally:
            await engine.dispose()

    asyncio.run(reset())


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Tests arrange data behind the app's back (as another process would, without a bus message):
    # the app reads every event from the database, instead of trusting its memory for a second.
    return Settings(database_url=database_url, migrate_on_start=False, load_demo=False, event_cache_seconds=0)


@pytest.fixture
async def db_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session of the test's own, for arranging data; tables are emptied before each test."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    if database_url.startswith("sqlite"):
        attach_sqlite_pragmas(engine)
    tables = [table.name for table in reversed(metadata.sorted_tables)]
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - names from our metadata
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        search.keep_current(session)  # talks the tests arrange are searchable, as the editor's are
        yield session
    await engine.dispose()


@pytest.fixture
async def client(settings: Settings, db_session: AsyncSession) -> AsyncIterator[AsyncTestClient]:
    """The real app, reached over HTTP (ASGI), on the run's database."""
    app = create_app(settings)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def demo(db_session: AsyncSession) -> list[str]:
    """The demo events, loaded as on a fresh install."""
    added = await load_demo(db_session)
    await db_session.commit()
    return added
