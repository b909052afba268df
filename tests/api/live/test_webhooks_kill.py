"""``kill -9`` of a ``plenary serve`` while a webhook receiver holds its delivery open: a second
server on the same database sends the message again, with the same ``webhook-id`` (at least once)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import Conference, Tokens
from tests.api.live.test_webhooks_delivery import Receiver, running_receiver
from tests.faults.test_kill_during_writes import serving

WAIT = 60.0
"""Seconds for the second server to start and the first one's lease (timeout + 5 s) to run out."""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as state:
        yield state


@pytest.fixture(autouse=True)
def webhook_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the servers read: the test's receiver allowed, a 3 s timeout, quick polls and retries."""
    for name, value in {
        "PLENARY_WEBHOOK_ALLOW_HTTP": "true",
        "PLENARY_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "PLENARY_WEBHOOK_TIMEOUT_SECONDS": "3",
        "PLENARY_WEBHOOK_RETRY_BASE_SECONDS": "0.1",
        "PLENARY_WEBHOOK_POLL_SECONDS": "0.2",
    }.items():
        monkeypatch.setenv(name, value)


async def test_a_delivery_cut_by_a_kill_is_sent_again_with_the_same_id(
    database_url: str,
    conference: Conference,
    tokens: Tokens,
    receiver: Receiver,
    tmp_path: Path,
) -> None:
    receiver.answers = ["hang"]  # the first server's attempt never gets an answer
    log = tmp_path / "serve.log"
    with serving(database_url, log) as first:
        async with httpx.AsyncClient(base_url=first.base, headers=tokens.organiser, timeout=10) as http:
            created = await http.post("/events/nlp/webhooks", json={"url": receiver.url})
            assert created.status_code == 201, created.text
            hook = created.json()
            moved = await http.patch(
                f"/events/nlp/talks/{conference.keynote.id}", json={"title": "Killed mid-delivery"}
            )
            assert moved.status_code == 200, moved.text
        [held] = await receiver.wait_for(1)
        first.kill()

    with serving(database_url, log) as second:
        held_again = (await receiver.wait_for(2, within=WAIT))[1]
        assert held_again.id == held.id
        assert held_again.body == held.body
        assert held_again.signed_with(hook["secret"])
        assert held_again.json["data"]["change"]["detail"]["to"] == "Killed mid-delivery"

        path = f"/events/nlp/webhooks/{hook['id']}/deliveries"
        async with httpx.AsyncClient(base_url=second.base, headers=tokens.organiser, timeout=10) as http:
            for _ in range(int(WAIT / 0.1)):
                [item] = (await http.get(path)).json()["items"]
                if item["state"] == "delivered":
                    break
                await asyncio.sleep(0.1)
        assert item["state"] == "delivered", item
        interrupted, answered = item["attempts"]
        assert interrupted["status_code"] is None
        assert interrupted["error"].startswith("interrupted")
        assert answered["status_code"] == 204
