"""PostgreSQL refused, silent or cut off: 503s that say when to retry, in seconds, and recovery alone.

One app instance per test talks to PostgreSQL through a proxy the test breaks and heals. The
bounds are the promise (with the default timeouts), not measurements: while the database is
unreachable every request answers within 10 s, ``/ready`` says so, ``/health`` does not; once it
is back the same app answers 200 again within 10 s, with nothing to restart.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.core.errors import database_problem
from service.db.config import sqlalchemy_config
from service.takeaways.models import Takeaway
from tests.api.conftest import Conference
from tests.faults.conftest import (
    Attendee,
    assert_retry_later,
    fault_settings,
    is_postgres,
    register,
    serve_in_thread,
    takeaway_path,
)
from tests.faults.proxy import FaultyProxy

ANSWER_WITHIN = 10.0
"""Seconds any request may take while the database is unreachable (connect timeout 3 s, twice)."""
RECOVER_WITHIN = 10.0
"""Seconds after the database is back until ``/ready`` is 200 again."""


@pytest.fixture
def proxy(database_url: str) -> Iterator[FaultyProxy]:
    if not is_postgres(database_url):
        pytest.skip("PostgreSQL network faults: this run is on SQLite (set PLENARY_TEST_DATABASE_URL)")
    url = make_url(database_url)
    faulty = FaultyProxy(url.host or "127.0.0.1", url.port or 5432)
    yield faulty
    faulty.close()


def through(proxy: FaultyProxy, database_url: str) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture
async def http(proxy: FaultyProxy, database_url: str, conference: Conference) -> AsyncIterator[httpx.AsyncClient]:
    """A client of one app instance whose every database connection goes through the proxy."""
    app = create_app(fault_settings(through(proxy, database_url)))
    with serve_in_thread(app) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            yield client


async def timed(call: Callable[[], Awaitable[httpx.Response]]) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = await call()
    return response, time.monotonic() - start


def note(text: str) -> dict[str, str]:
    return {"text": text, "client_id": str(uuid.uuid4())}


async def assert_unreachable_answers(
    http: httpx.AsyncClient, conference: Conference, alice: Attendee
) -> dict[str, str]:
    """Reads, a write and ``/ready`` each answer 503 with Retry-After in time; ``/health`` stays 200.
    The write's body, for a retry."""
    written = note("written while the database was away")
    calls: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "read": lambda: http.get("/me/takeaways", headers=alice.headers),
        "public read": lambda: http.get(takeaway_path(conference.keynote.id)),
        "write": lambda: http.post(takeaway_path(conference.keynote.id), json=written, headers=alice.headers),
        "ready": lambda: http.get("/ready"),
    }
    for name, call in calls.items():
        response, seconds = await timed(call)
        assert_retry_later(response)
        assert seconds < ANSWER_WITHIN, f"{name} took {seconds:.1f} s"
    health, seconds = await timed(lambda: http.get("/health"))
    assert health.status_code == 200
    assert seconds < 2  # the process is alive: it does not wait on the database
    return written


async def assert_recovers(
    http: httpx.AsyncClient, conference: Conference, alice: Attendee, retried: dict[str, str]
) -> None:
    deadline = time.monotonic() + RECOVER_WITHIN
    while (ready := await http.get("/ready")).status_code != 200:
        assert time.monotonic() < deadline, f"/ready still {ready.status_code} {RECOVER_WITHIN} s after healing"
        await asyncio.sleep(0.2)
    assert (await http.get("/me/takeaways", headers=alice.headers)).status_code == 200
    retry = await http.post(takeaway_path(conference.keynote.id), json=retried, headers=alice.headers)
    assert retry.status_code in {200, 201}, retry.text
    fresh = await http.post(takeaway_path(conference.keynote.id), json=note("after"), headers=alice.headers)
    assert fresh.status_code == 201, fresh.text


async def assert_each_note_once(db_session: AsyncSession, expected: int) -> None:
    counts = (await db_session.execute(select(Takeaway.client_id, func.count()).group_by(Takeaway.client_id))).all()
    assert len(counts) == expected
    assert all(count == 1 for _, count in counts)


class TestPostgresOutages:
    async def test_refused_connections_answer_503_and_the_app_recovers(
        self, http: httpx.AsyncClient, proxy: FaultyProxy, conference: Conference, db_session: AsyncSession
    ) -> None:
        alice = await register(http, "Alice")
        before = await http.post(takeaway_path(conference.keynote.id), json=note("before"), headers=alice.headers)
        assert before.status_code == 201

        proxy.refuse()
        retried = await assert_unreachable_answers(http, conference, alice)
        proxy.heal()

        await assert_recovers(http, conference, alice, retried)
        await assert_each_note_once(db_session, 3)

    async def test_a_database_that_accepts_and_never_answers_is_503_not_a_hang(
        self, http: httpx.AsyncClient, proxy: FaultyProxy, conference: Conference, db_session: AsyncSession
    ) -> None:
        alice = await register(http, "Alice")
        before = await http.post(takeaway_path(conference.keynote.id), json=note("before"), headers=alice.headers)
        assert before.status_code == 201

        proxy.blackhole()
        retried = await assert_unreachable_answers(http, conference, alice)
        proxy.heal()

        await assert_recovers(http, conference, alice, retried)
        await assert_each_note_once(db_session, 3)

    async def test_a_silent_partition_of_pooled_connections_is_503_not_a_hang(
        self, http: httpx.AsyncClient, proxy: FaultyProxy, conference: Conference, db_session: AsyncSession
    ) -> None:
        alice = await register(http, "Alice")
        before = await http.post(takeaway_path(conference.keynote.id), json=note("before"), headers=alice.headers)
        assert before.status_code == 201

        proxy.partition()
        retried = await assert_unreachable_answers(http, conference, alice)
        proxy.heal()

        await assert_recovers(http, conference, alice, retried)
        await assert_each_note_once(db_session, 3)


@pytest.fixture
async def database(proxy: FaultyProxy, database_url: str) -> AsyncIterator[SQLAlchemyAsyncConfig]:
    """The app's own database configuration (pool, timeouts, guards), through the proxy."""
    config = sqlalchemy_config(fault_settings(through(proxy, database_url)))
    yield config
    await config.get_engine().dispose()


class TestStatementsThatDoNotReturn:
    async def test_the_server_cancels_a_statement_at_the_statement_timeout(
        self, database: SQLAlchemyAsyncConfig
    ) -> None:
        start = time.monotonic()
        async with database.get_session() as session:
            with pytest.raises(DBAPIError) as raised:
                await session.execute(text("SELECT pg_sleep(30)"))
        assert time.monotonic() - start < 5 + 2  # PLENARY_DB_STATEMENT_TIMEOUT, then the error
        problem = database_problem(raised.value)
        assert (problem.status_code, problem.extra["code"]) == (503, "database_timeout")
        assert problem.headers is not None
        assert problem.headers["Retry-After"] == "5"

    async def test_a_connection_that_goes_silent_mid_request_is_dropped_and_the_pool_recovers(
        self, database: SQLAlchemyAsyncConfig, proxy: FaultyProxy
    ) -> None:
        async with database.get_session() as session:
            assert await session.scalar(text("SELECT 1")) == 1
            proxy.partition()
            start = time.monotonic()
            with pytest.raises(DBAPIError) as raised:
                await session.execute(text("SELECT 2"))
            assert time.monotonic() - start < 5 + 1 + 2  # the statement timeout, and the client's extra second
            assert raised.value.connection_invalidated
            assert database_problem(raised.value).status_code == 503
            await session.rollback()  # at once: the connection is gone, not waited on
        proxy.heal()
        start = time.monotonic()
        async with database.get_session() as session:
            assert await session.scalar(text("SELECT 3")) == 3
        assert time.monotonic() - start < RECOVER_WITHIN
