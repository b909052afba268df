"""With ``PLENARY_REDIS_URL`` the limit holds across workers and instances; without Redis it
degrades to each worker's memory, and a write is never refused or failed because Redis is down.

These tests need a real Redis (``PLENARY_TEST_REDIS_URL``, by default the local one). When it is
not reachable they skip, saying so, unless ``PLENARY_REQUIRE_REDIS=1`` (as in ``.ci/run``): then
they fail. Each test keeps its keys under a prefix of its own, removed afterwards.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

import msgspec
import pytest
import redis
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.core.limits import SharedStoreWithFallback
from service.settings import Settings
from tests.api.conftest import Conference

LIMIT = 3
REDIS_URL = os.environ.get("PLENARY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        reason = f"Redis is not reachable at {REDIS_URL} ({exc})"
        if os.environ.get("PLENARY_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}, and PLENARY_REQUIRE_REDIS=1 requires it")
        pytest.skip(f"{reason}; set PLENARY_TEST_REDIS_URL, or PLENARY_REQUIRE_REDIS=1 to fail instead")
    yield client
    client.close()


@pytest.fixture
def shared(settings: Settings, redis_client: redis.Redis) -> Iterator[Settings]:
    """Settings for apps sharing the test's Redis, under a key prefix no other test or run uses."""
    prefix = f"plenary-test-{uuid.uuid4().hex}"
    yield msgspec.structs.replace(settings, attendee_writes_per_minute=LIMIT, redis_url=REDIS_URL, redis_prefix=prefix)
    for key in redis_client.scan_iter(match=f"{prefix}*"):
        redis_client.delete(key)


async def register(client: AsyncTestClient) -> int:
    return (await client.post("/events/nlp/attendees", json={})).status_code


class TestSharedLimit:
    async def test_two_instances_count_against_one_limit(self, shared: Settings, conference: Conference) -> None:
        one, two = create_app(shared), create_app(shared)
        async with AsyncTestClient(app=one) as first, AsyncTestClient(app=two) as second:
            statuses = [await register(first), await register(second), await register(first)]
            refused = await second.post("/events/nlp/attendees", json={})
        assert statuses == [201, 201, 201]
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1

    async def test_counts_live_in_redis_under_the_prefix(
        self, shared: Settings, conference: Conference, redis_client: redis.Redis
    ) -> None:
        app = create_app(shared)
        async with AsyncTestClient(app=app) as client:
            assert isinstance(app.stores.get("rate_limit"), SharedStoreWithFallback)
            await register(client)
        assert list(redis_client.scan_iter(match=f"{shared.redis_prefix}:*"))

    async def test_instances_with_other_prefixes_do_not_share(self, shared: Settings, conference: Conference) -> None:
        other = msgspec.structs.replace(shared, redis_prefix=f"{shared.redis_prefix}-other")
        async with AsyncTestClient(app=create_app(shared)) as first, AsyncTestClient(app=create_app(other)) as second:
            for _ in range(LIMIT):
                await register(first)
            assert await register(first) == 429
            assert await register(second) == 201


class TestRedisDown:
    async def test_writes_go_on_limited_per_worker_with_a_warning(
        self, settings: Settings, conference: Conference, caplog: pytest.LogCaptureFixture
    ) -> None:
        down = msgspec.structs.replace(settings, attendee_writes_per_minute=LIMIT, redis_url=UNREACHABLE_REDIS_URL)
        app = create_app(down)
        # Creating an app configures logging afresh, dropping pytest's capture: attach it again.
        limits_logger = logging.getLogger("plenary.limits")
        limits_logger.addHandler(caplog.handler)
        try:
            async with AsyncTestClient(app=app) as client:
                statuses = [await register(client) for _ in range(LIMIT + 1)]
        finally:
            limits_logger.removeHandler(caplog.handler)
        assert statuses == [201, 201, 201, 429]  # never a 500, and still a limit
        warnings = [record for record in caplog.records if record.name == "plenary.limits"]
        assert len(warnings) == 1  # once per outage, not once per request
        assert "unreachable" in warnings[0].getMessage()
