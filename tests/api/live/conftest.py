"""Live streams need a real socket: the app is served by uvicorn (in a thread, or as `plenary serve`
processes), and read by httpx as a browser's EventSource would, line by line."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import httpx
import pytest

from service.app import create_app
from service.settings import Settings
from tests.faults.conftest import fault_settings, free_port, serve_in_thread

WAIT = 10.0
"""Seconds to wait for an event that must come (generous: a loaded machine is slow, never wrong)."""


@dataclass
class Event:
    kind: str
    id: str | None
    data: Any


@dataclass
class EventStream:
    """The events of one open stream, parsed as the EventSource specification says."""

    response: httpx.Response
    comments: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lines = self.response.aiter_lines()

    async def _line(self, within: float) -> str:
        line: str = await _wait_for(anext(self._lines), within)
        return line

    async def next(self, within: float = WAIT) -> Event:
        """The next event, waiting at most ``within`` seconds for each line of it."""
        kind, ident, data = "message", None, list[str]()
        while True:
            line = await self._line(within)
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
            elif line == "":
                if data:
                    return Event(kind, ident, json.loads("\n".join(data)))
                kind, ident, data = "message", None, list[str]()
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "event":
                    kind = value
                elif name == "id":
                    ident = value
                elif name == "data":
                    data.append(value)

    async def comment(self, within: float = WAIT) -> str:
        """The next comment line (a heartbeat) after those already seen."""
        seen = len(self.comments)
        while len(self.comments) == seen:
            line = await self._line(within)
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
        return self.comments[-1]


async def _wait_for(awaitable: Any, within: float) -> Any:
    try:
        return await asyncio.wait_for(awaitable, within)
    except TimeoutError:
        pytest.fail(f"nothing arrived on the stream within {within} s")


@asynccontextmanager
async def open_stream(
    http: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None
) -> AsyncIterator[EventStream]:
    async with http.stream("GET", path, headers=headers) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = EventStream(response)
        await stream.comment()  # the stream's opening line: it is listening from here on
        yield stream


def live_settings(database_url: str, **overrides: Any) -> Settings:
    return fault_settings(database_url, **overrides)


@pytest.fixture
def served(database_url: str) -> Iterator[str]:
    """The app on a real socket, in a thread of the test process."""
    with serve_in_thread(create_app(live_settings(database_url))) as base:
        yield base


@pytest.fixture
async def http(served: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served, timeout=httpx.Timeout(WAIT)) as client:
        yield client


@contextmanager
def plenary_serve(database_url: str, **env: str) -> Iterator[str]:
    """A `plenary serve` process on the test database; its base URL."""
    port = free_port()
    process_env = {
        **os.environ,
        "PLENARY_DATABASE_URL": database_url,
        "PLENARY_PORT": str(port),
        "PLENARY_LOAD_DEMO": "false",
        "PLENARY_LOG_LEVEL": "warning",
        "PLENARY_ATTENDEE_WRITES_PER_MINUTE": "1000000",
        **env,
    }
    # A file, not a pipe: a chatty server never blocks on a full pipe.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], env=process_env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield _ready(process, f"http://127.0.0.1:{port}", log)
        finally:
            process.kill()  # open streams would hold a graceful shutdown; this test is not about that
            process.wait(timeout=20)


def _ready(process: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> str:
    """``base`` once the server answers /ready; the test fails with its log if it never does."""
    deadline = time.monotonic() + 180  # a loaded machine starts slowly; a broken one not at all
    while True:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait(timeout=20)
            log.seek(0)
            pytest.fail(f"plenary serve did not start: {log.read().decode(errors='replace')[-2000:]}")
        time.sleep(0.2)
