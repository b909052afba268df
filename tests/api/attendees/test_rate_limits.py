"""Attendees' writes are limited per token id, else per client address, and no header escapes that.

Each test runs its own app with a limit of three writes a minute. The client address is set with
httpx's ASGI transport (Litestar's test client always says ``testclient``); Litestar's test
client still runs the app's lifespan around it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.stores.memory import MemoryStore

from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Conference

LIMIT = 3


def limited(settings: Settings, **changes: object) -> Settings:
    return msgspec.structs.replace(settings, attendee_writes_per_minute=LIMIT, **changes)


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan (database, stores, the change bus) around requests sent by any client.

    On this test's own event loop: the bus and the webhook worker belong to the loop that started
    them, so requests from another loop's client would wait on them for ever."""
    async with app.lifespan():
        yield


def from_address(app: Litestar, host: str) -> httpx.AsyncClient:
    """A client whose requests reach the app from ``host``, as a server would tell it."""
    transport = httpx.ASGITransport(app=app, client=(host, 50123))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")


async def register(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> httpx.Response:
    return await client.post("/events/nlp/attendees", json={}, headers=headers or {})


async def note(client: httpx.AsyncClient, conference: Conference, authorization: str) -> int:
    response = await client.post(
        f"/events/nlp/talks/{conference.keynote.id}/takeaways",
        json={"text": "A note."},
        headers={"Authorization": authorization},
    )
    return response.status_code


class TestWhoIsCounted:
    async def test_spellings_of_one_token_share_its_bucket(self, settings: Settings, conference: Conference) -> None:
        app = create_app(limited(settings))
        async with serving(app), from_address(app, "203.0.113.10") as client:
            token = (await register(client)).json()["token"]
            spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER  {token}", f" \tBeArEr\t{token}  "]
            statuses = [await note(client, conference, spelling) for spelling in spellings]
        assert statuses == [201, 201, 201, 429]

    async def test_junk_authorization_headers_count_against_the_address(
        self, settings: Settings, conference: Conference
    ) -> None:
        app = create_app(limited(settings))
        junk = ["Basic Zm9vOmJhcg==", "Bearer", "Bearer not-an-id.secret", f"Bearer {uuid.uuid4()}", "Bearer a b"]
        async with serving(app), from_address(app, "203.0.113.11") as client:
            statuses = [await note(client, conference, header) for header in junk]
            # The address's bucket is the one that filled up: registering from it is refused too.
            registration = await register(client)
        assert statuses == [401, 401, 401, 429, 429]
        assert registration.status_code == 429

    async def test_a_made_up_token_buys_no_extra_registrations(
        self, settings: Settings, conference: Conference
    ) -> None:
        app = create_app(limited(settings))
        async with serving(app), from_address(app, "203.0.113.12") as client:
            statuses = [
                (await register(client, {"Authorization": f"Bearer {uuid.uuid4()}.made-up"})).status_code
                for _ in range(LIMIT + 1)
            ]
        assert statuses == [201, 201, 201, 429]

    async def test_a_token_has_its_own_bucket_apart_from_its_address(
        self, settings: Settings, conference: Conference
    ) -> None:
        app = create_app(limited(settings))
        async with serving(app), from_address(app, "203.0.113.13") as client:
            token = (await register(client)).json()["token"]
            for _ in range(LIMIT - 1):
                await register(client)
            assert (await register(client)).status_code == 429  # the address is spent
            assert await note(client, conference, f"Bearer {token}") == 201  # the attendee is not

    async def test_the_store_keeps_the_token_id_never_its_secret(
        self, settings: Settings, conference: Conference
    ) -> None:
        app = create_app(limited(settings))
        async with serving(app), from_address(app, "203.0.113.14") as client:
            token = (await register(client)).json()["token"]
            await note(client, conference, f"Bearer {token}")
            store = app.stores.get("rate_limit")
            assert isinstance(store, MemoryStore)  # no Redis configured: per worker, in memory
            keys = list(store._store)
        token_id, _, secret = token.partition(".")
        assert any(token_id in key for key in keys)
        assert not any(secret in key for key in keys)


class TestForwardedFor:
    def test_a_trusted_proxy_that_is_not_an_address_is_refused_at_start(self, settings: Settings) -> None:
        with pytest.raises(ValueError, match=r"PLENARY_TRUSTED_PROXIES: 'proxy\.internal'"):
            create_app(limited(settings, trusted_proxies="10.0.0.1, proxy.internal"))

    async def test_it_is_ignored_from_a_peer_that_is_not_a_trusted_proxy(
        self, settings: Settings, conference: Conference
    ) -> None:
        app = create_app(limited(settings, trusted_proxies="10.0.0.0/8"))
        async with serving(app), from_address(app, "203.0.113.20") as client:
            statuses = [
                (await register(client, {"X-Forwarded-For": f"198.51.100.{n}"})).status_code for n in range(LIMIT + 1)
            ]
        assert statuses == [201, 201, 201, 429]

    async def test_nothing_is_trusted_by_default(self, settings: Settings, conference: Conference) -> None:
        app = create_app(limited(settings))
        async with serving(app), from_address(app, "127.0.0.1") as client:
            statuses = [
                (await register(client, {"X-Forwarded-For": f"198.51.100.{n}"})).status_code for n in range(LIMIT + 1)
            ]
        assert statuses == [201, 201, 201, 429]

    async def test_a_trusted_proxy_names_the_client(self, settings: Settings, conference: Conference) -> None:
        app = create_app(limited(settings, trusted_proxies="10.0.0.0/8, 192.0.2.1"))
        async with serving(app), from_address(app, "10.1.2.3") as proxy:
            first = [(await register(proxy, {"X-Forwarded-For": "198.51.100.1"})).status_code for _ in range(LIMIT)]
            # Another client behind the same proxy has a bucket of its own.
            other = await register(proxy, {"X-Forwarded-For": "198.51.100.2"})
            # The list is read from the right: what the client wrote itself (the left) proves nothing,
            # and hops that are trusted proxies (192.0.2.1) are skipped.
            spoofed = await register(proxy, {"X-Forwarded-For": "203.0.113.99, 198.51.100.1, 192.0.2.1"})
        assert first == [201, 201, 201]
        assert other.status_code == 201
        assert spoofed.status_code == 429


class TestRefusal:
    async def test_a_refusal_is_problem_json_with_retry_after(self, settings: Settings, conference: Conference) -> None:
        app = create_app(limited(settings))
        async with serving(app), from_address(app, "203.0.113.30") as client:
            for _ in range(LIMIT):
                await register(client)
            response = await register(client)
        assert response.status_code == 429
        assert response.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.json()["status"] == 429
        assert response.headers["x-request-id"]
