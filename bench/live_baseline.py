"""The server's own cost of an open stream, for comparison with Plenary's (bench/live.py).

Two trivial endpoints of the same shape as ``GET /events/{slug}/live`` (a 200 with
``text/event-stream``, an opening comment, then a keep-alive comment every heartbeat until the
client leaves), each run by uvicorn exactly as ``plenary serve`` runs the app (uvloop, httptools):

- ``raw_app``: a bare ASGI callable, so what it costs per stream is uvicorn's alone (the protocol
  object, its parser, the transport, the request's task);
- ``litestar_app``: a one-route Litestar app returning a ``Stream``, so the difference from
  ``raw_app`` is Litestar's (its request and response objects, the task group with which a streamed
  response listens for the client leaving).

Plenary's streams minus ``litestar_app`` is what the service itself adds per stream.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from pathlib import Path

from litestar import Litestar, get
from litestar.enums import ScopeType
from litestar.response import Stream
from litestar.types import HTTPResponseStartEvent, Receive, Scope, Send

from bench.harness import BenchError, fetch, free_port

HEARTBEAT_SECONDS = 15.0
OPENING = b": heartbeat every 15 s\nretry: 2000\n\n"
KEEP_ALIVE = b": keep-alive\n\n"
HEADERS: list[tuple[bytes, bytes]] = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != ScopeType.HTTP:
        return
    if scope["path"] == "/ready":
        ready: HTTPResponseStartEvent = {"type": "http.response.start", "status": 200, "headers": []}
        await send(ready)
        await send({"type": "http.response.body", "body": b"ok", "more_body": False})
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": OPENING, "more_body": True})
    while True:
        try:
            async with asyncio.timeout(HEARTBEAT_SECONDS):
                if (await receive())["type"] == "http.disconnect":
                    return
        except TimeoutError:
            await send({"type": "http.response.body", "body": KEEP_ALIVE, "more_body": True})


async def _beats() -> AsyncGenerator[bytes]:
    yield OPENING
    while True:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        yield KEEP_ALIVE


@get("/events/{slug:str}/live", media_type="text/event-stream")
async def _live(slug: str) -> Stream:
    return Stream(_beats(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


@get("/ready", media_type="text/plain")
async def _ready() -> str:
    return "ok"


litestar_app = Litestar([_live, _ready], openapi_config=None)


@contextmanager
def baseline_server(app: str, log: Path) -> Iterator[tuple[str, int]]:
    """``uvicorn bench.live_baseline:<app>`` on a free port: (base URL, pid), stopped on exit."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", f"bench.live_baseline:{app}", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log", "--lifespan", "off"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while fetch(base + "/ready", timeout=5).status != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the {app} baseline did not start; its log:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)
