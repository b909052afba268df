"""Webhook deliveries: each schedule change reaches the organisers' receiver, signed per Standard
Webhooks; failures are retried with the same id and logged; a hanging receiver is cut; an endpoint
that keeps failing is disabled. The receiver is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Conference, Tokens

WAIT = 30.0
"""Seconds to wait for something that must happen (generous: a loaded machine is slow, never wrong)."""


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        """Standard Webhooks: any ``v1,<base64 HMAC-SHA256("id.timestamp.body")>`` in the header matches."""
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signed = f"{self.id}.{self.headers['webhook-timestamp']}.".encode() + self.body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        return any(
            hmac.compare_digest(candidate.removeprefix("v1,"), expected)
            for candidate in self.headers["webhook-signature"].split()
        )


@dataclass
class Receiver:
    """Answers each POST with the next of ``answers`` (then ``204``); ``"hang"`` holds the request open."""

    answers: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def answer(self) -> int | str:
        return self.answers.pop(0) if self.answers else 204

    async def wait_for(self, count: int, within: float = WAIT) -> list[Received]:
        async with asyncio.timeout(within):
            while len(self.received) < count:  # noqa: ASYNC110 - filled by the receiver's threads, not this loop
                await asyncio.sleep(0.05)
        return list(self.received)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1, served from threads (so a blocked test loop cannot stall it)."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            answer = state.answer()
            state.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            if answer == "hang":
                state.release.wait(60)
                return
            self.send_response(int(answer))
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/plenary"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


def webhook_settings(database_url: str, **overrides: Any) -> Settings:
    """Quick retries and a short timeout, and the test's receiver allowed (plain http on loopback)."""
    values: dict[str, Any] = {
        "webhook_allow_http": True,
        "webhook_allowed_networks": "127.0.0.0/8",
        "webhook_retry_base_seconds": 0.05,
        "webhook_retry_max_seconds": 0.2,
        "webhook_timeout_seconds": 1.0,
        "webhook_poll_seconds": 0.1,
        **overrides,
    }
    return Settings(database_url=database_url, migrate_on_start=False, load_demo=False, **values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return webhook_settings(database_url)


async def register(client: AsyncTestClient[Litestar], tokens: Tokens, url: str) -> dict[str, Any]:
    response = await client.post("/events/nlp/webhooks", json={"url": url}, headers=tokens.organiser)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def retitle(client: AsyncTestClient[Litestar], tokens: Tokens, conference: Conference, title: str) -> None:
    response = await client.patch(
        f"/events/nlp/talks/{conference.keynote.id}", json={"title": title}, headers=tokens.organiser
    )
    assert response.status_code == 200, response.text


async def delivery_log(client: AsyncTestClient[Litestar], tokens: Tokens, hook: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"/events/nlp/webhooks/{hook['id']}/deliveries", headers=tokens.organiser)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def settled(
    client: AsyncTestClient[Litestar], tokens: Tokens, hook: dict[str, Any], state: str
) -> list[dict[str, Any]]:
    """The delivery log once every message in it reached ``state`` (the log is written after the POST)."""
    async with asyncio.timeout(WAIT):
        while True:
            log = await delivery_log(client, tokens, hook)
            if log and all(item["state"] == state for item in log):
                return log
            await asyncio.sleep(0.05)


class TestDelivery:
    async def test_each_change_arrives_once_signed_as_the_change_log_shows_it(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        hook = await register(client, tokens, receiver.url)
        await retitle(client, tokens, conference, "Opening keynote, revised")
        await retitle(client, tokens, conference, "Opening keynote, final")
        received = await receiver.wait_for(2)
        log = await settled(client, tokens, hook, "delivered")
        assert all(message.signed_with(hook["secret"]) for message in received)
        changes = (await client.get("/events/nlp/changes")).json()
        by_version = {item["version"]: item for item in changes["changes"]["items"]}
        got = sorted((message.json for message in received), key=lambda body: body["data"]["version"])
        assert [body["data"]["change"] for body in got] == [by_version[v] for v in sorted(by_version)][-2:]
        assert {body["data"]["event"] for body in got} == {"nlp"}
        assert [body["type"] for body in got] == ["schedule.changed", "schedule.changed"]
        assert len({message.id for message in received}) == 2
        assert all(message.headers["content-type"] == "application/json" for message in received)
        # One attempt each, logged with its status and duration.
        assert len(log) == 2
        for item in log:
            [attempt] = item["attempts"]
            assert (attempt["number"], attempt["status_code"], attempt["error"]) == (1, 204, None)
            assert attempt["duration_ms"] >= 0
        assert {item["id"] for item in log} == {message.id for message in received}
        await asyncio.sleep(0.5)  # a few more polls: nothing is sent twice
        assert len(receiver.received) == 2

    async def test_a_wrong_secret_does_not_verify(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        first = await register(client, tokens, receiver.url)
        second = await register(client, tokens, receiver.url)
        await retitle(client, tokens, conference, "Two endpoints")
        received = await receiver.wait_for(2)
        secrets = {first["secret"], second["secret"]}
        for message in received:
            assert [message.signed_with(secret) for secret in sorted(secrets)].count(True) == 1

    async def test_another_events_change_is_not_sent(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        response = await client.post(
            "/events/elsewhere/webhooks", json={"url": receiver.url}, headers=tokens.other_event
        )
        assert response.status_code == 201, response.text
        await retitle(client, tokens, conference, "Not theirs")
        await asyncio.sleep(1.0)  # ten polls
        assert receiver.received == []

    async def test_a_disabled_endpoint_is_not_sent_to(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        hook = await register(client, tokens, receiver.url)
        off = await client.patch(
            f"/events/nlp/webhooks/{hook['id']}", json={"enabled": False}, headers=tokens.organiser
        )
        assert off.status_code == 200, off.text
        await retitle(client, tokens, conference, "Nobody listens")
        await asyncio.sleep(1.0)
        assert receiver.received == []
        assert await delivery_log(client, tokens, hook) == []


class TestRetries:
    async def test_a_failing_receiver_is_retried_with_the_same_id(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        receiver.answers = [500, 503]
        hook = await register(client, tokens, receiver.url)
        await retitle(client, tokens, conference, "Third time lucky")
        received = await receiver.wait_for(3)
        [item] = await settled(client, tokens, hook, "delivered")
        assert len({message.id for message in received}) == 1
        assert all(message.signed_with(hook["secret"]) for message in received)
        assert [attempt["status_code"] for attempt in item["attempts"]] == [500, 503, 204]
        assert [attempt["number"] for attempt in item["attempts"]] == [1, 2, 3]
        shown = (await client.get(f"/events/nlp/webhooks/{hook['id']}", headers=tokens.organiser)).json()
        assert (shown["enabled"], shown["consecutive_failures"]) == (True, 0)

    async def test_a_hanging_receiver_is_cut_at_the_timeout_and_retried(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        receiver.answers = ["hang"]
        hook = await register(client, tokens, receiver.url)
        await retitle(client, tokens, conference, "Slow receiver")
        first, second = await receiver.wait_for(2)
        [item] = await settled(client, tokens, hook, "delivered")
        assert first.id == second.id
        cut, answered = item["attempts"]
        assert cut["status_code"] is None
        assert cut["error"].startswith("timeout: no answer within 1 s")
        assert answered["status_code"] == 204

    async def test_a_message_is_given_up_after_the_last_attempt(
        self, database_url: str, conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        receiver.answers = [500] * 10
        async with AsyncTestClient(app=create_app(webhook_settings(database_url, webhook_max_attempts=3))) as client:
            hook = await register(client, tokens, receiver.url)
            await retitle(client, tokens, conference, "Never heard")
            [item] = await settled(client, tokens, hook, "failed")
            assert [attempt["status_code"] for attempt in item["attempts"]] == [500, 500, 500]
            assert item["next_attempt_at"] is None
            await asyncio.sleep(0.5)
            assert len(receiver.received) == 3

    async def test_an_endpoint_that_keeps_failing_is_disabled_and_can_be_resumed(
        self, database_url: str, conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        receiver.answers = [500] * 4
        settings = webhook_settings(database_url, webhook_disable_after_failures=4)
        async with AsyncTestClient(app=create_app(settings)) as client:
            hook = await register(client, tokens, receiver.url)
            path = f"/events/nlp/webhooks/{hook['id']}"
            await retitle(client, tokens, conference, "Receiver down")
            await receiver.wait_for(4)
            async with asyncio.timeout(WAIT):
                while (shown := (await client.get(path, headers=tokens.organiser)).json())["enabled"]:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            assert shown["disabled_reason"] == "disabled after 4 failed attempts in a row"
            await asyncio.sleep(0.5)
            assert len(receiver.received) == 4  # nothing more while disabled
            [item] = await delivery_log(client, tokens, hook)
            assert item["state"] == "pending"

            # The receiver is fixed: the organiser turns the endpoint back on, and the message arrives.
            resumed = await client.patch(path, json={"enabled": True}, headers=tokens.organiser)
            assert resumed.status_code == 200, resumed.text
            assert (resumed.json()["consecutive_failures"], resumed.json()["disabled_reason"]) == (0, None)
            received = await receiver.wait_for(5)
            [item] = await settled(client, tokens, hook, "delivered")
            assert received[-1].id == received[0].id
            assert item["attempts"][-1]["status_code"] == 204


class TestImports:
    async def test_a_change_an_import_makes_is_delivered(
        self, client: AsyncTestClient[Litestar], conference: Conference, tokens: Tokens, receiver: Receiver
    ) -> None:
        hook = await register(client, tokens, receiver.url)
        exported = await client.get("/events/nlp/schedule.xml")
        assert exported.status_code == 200, exported.text
        edited = exported.content.replace(b"Opening keynote", b"Opening keynote (imported)")
        imported = await client.post("/events/nlp/import", content=edited, headers=tokens.organiser)
        assert imported.status_code == 200, imported.text
        received = await receiver.wait_for(1)
        assert any(message.json["data"]["change"]["title"] == "Opening keynote (imported)" for message in received), [
            message.json for message in received
        ]
        assert all(message.signed_with(hook["secret"]) for message in received)
