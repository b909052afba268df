"""Another writer holds the lock too long: writes answer 503 (retry) in bounded time, reads go on.

The holder is not the app: a second process's transaction (a migration, an admin's psql session,
a stuck worker). On SQLite it holds the file's write lock (``BEGIN IMMEDIATE``); on PostgreSQL an
exclusive lock on the takeaway table. A write waits the busy timeout (SQLite) or the statement
timeout (PostgreSQL), 5 s each by default, then answers 503 with Retry-After; it never hangs and
never answers 500. Reads, ``/ready`` and ``/health`` stay 200. Once the lock is gone, writes work.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.app import create_app
from tests.api.conftest import Conference
from tests.faults.conftest import assert_retry_later, fault_settings, is_postgres, register, serve_in_thread
from tests.faults.conftest import takeaway_path as path

WAIT = 5.0
"""The default busy timeout (SQLite) and statement timeout (PostgreSQL)."""


@contextmanager
def sqlite_write_lock(database_url: str) -> Iterator[None]:
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@asynccontextmanager
async def postgres_table_lock(database_url: str) -> AsyncIterator[None]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as holder:
            await holder.execute(text("LOCK TABLE takeaway IN EXCLUSIVE MODE"))  # plain reads still pass
            yield
            await holder.rollback()
    finally:
        await engine.dispose()


@asynccontextmanager
async def someone_else_writing(database_url: str) -> AsyncIterator[None]:
    if is_postgres(database_url):
        async with postgres_table_lock(database_url):
            yield
    else:
        with sqlite_write_lock(database_url):
            yield


@pytest.fixture
async def http(database_url: str, conference: Conference) -> AsyncIterator[httpx.AsyncClient]:
    with serve_in_thread(create_app(fault_settings(database_url))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            yield client


class TestALockHeldElsewhere:
    async def test_writes_answer_503_in_bounded_time_and_reads_go_on(
        self, http: httpx.AsyncClient, conference: Conference, database_url: str
    ) -> None:
        alice = await register(http, "Alice")
        body = {"text": "written while someone else held the lock", "client_id": str(uuid.uuid4())}

        async with someone_else_writing(database_url):
            start = time.monotonic()
            blocked = await http.post(path(conference.keynote.id), json=body, headers=alice.headers)
            assert time.monotonic() - start < WAIT + 3
            assert_retry_later(blocked)
            assert (await http.get("/me/takeaways", headers=alice.headers)).status_code == 200
            assert (await http.get(path(conference.keynote.id))).status_code == 200
            assert (await http.get("/ready")).status_code == 200
            assert (await http.get("/health")).status_code == 200

        start = time.monotonic()
        retried = await http.post(path(conference.keynote.id), json=body, headers=alice.headers)
        assert retried.status_code == 201, retried.text
        assert time.monotonic() - start < WAIT  # not waiting on a lock nobody holds
