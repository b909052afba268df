"""Fault tests: the real app over a real socket, on a database that fails the ways databases fail.

The app runs under uvicorn in a thread of the test process (one app instance for the whole test,
with real concurrency), or as a ``plenary serve`` process when the test kills it. Clients are
plain httpx clients with their own timeouts, so a server that hangs fails the test instead of
hanging it.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar

from service.settings import Settings

# The small two-room event of the API tests ("nlp"), arranged through the test's own session.
from tests.api.conftest import conference  # noqa: F401 - a fixture, used by name

PROBLEM = "application/problem+json"
EVENT = "nlp"


def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fault_settings(database_url: str, **overrides: Any) -> Settings:
    """The app's settings for a fault test: our event only, and no rate limit in the way."""
    return Settings(
        database_url=database_url,
        migrate_on_start=False,
        load_demo=False,
        attendee_writes_per_minute=1_000_000,
        **overrides,
    )


@contextmanager
def serve_in_thread(app: Litestar) -> Iterator[str]:
    """Serve ``app`` on a free port from a thread of this process; the base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, log_level="warning", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="plenary-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the app did not start within 30 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Attendee:
    id: str
    headers: dict[str, str]


async def register(http: httpx.AsyncClient, name: str) -> Attendee:
    response = await http.post(f"/events/{EVENT}/attendees", json={"display_name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return Attendee(body["id"], {"Authorization": f"Bearer {body['token']}"})


def takeaway_path(talk_id: uuid.UUID | str) -> str:
    return f"/events/{EVENT}/talks/{talk_id}/takeaways"


def assert_retry_later(response: httpx.Response) -> None:
    """A 503 problem that tells the client when to come back."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert int(response.headers["retry-after"]) >= 1
    assert response.json()["status"] == 503
