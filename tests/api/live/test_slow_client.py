"""A client that never reads is dropped, not buffered without bound: its place on the worker is freed
and the client, when it looks again, finds the stream ended (and resumes by Last-Event-ID)."""

from __future__ import annotations

import asyncio
import socket
import uuid

import httpx
import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.events.models import Event
from service.schedule.models import ChangeKind, ScheduleChange
from tests.api.conftest import Conference
from tests.api.live.conftest import WAIT, live_settings
from tests.faults.conftest import serve_in_thread

BIG_VERSION_ROWS = 12_000
"""Rows of one schedule version: about 12 MB of events, more than the sockets between a server
and a client can hold, so the server's writes stall when the client stops reading."""


async def publish_a_big_version(db_session: AsyncSession, event: Event) -> None:
    """A version of the schedule whose events outgrow every buffer (a large import, say)."""
    version = event.schedule_version + 1
    rows = [
        {
            "id": uuid.uuid4(),
            "event_id": event.id,
            "version": version,
            "kind": ChangeKind.RETITLED,
            "talk_id": uuid.uuid4(),
            "slot_id": None,
            "title": "x" * 200,
            "detail": {"from": "y" * 300, "to": "z" * 300},
        }
        for _ in range(BIG_VERSION_ROWS)
    ]
    for start in range(0, len(rows), 2000):
        await db_session.execute(insert(ScheduleChange), rows[start : start + 2000])
    await db_session.execute(update(Event).where(Event.id == event.id).values(schedule_version=version))
    await db_session.commit()


async def bump_version(db_session: AsyncSession, event: Event) -> None:
    next_version = Event.schedule_version + 1
    await db_session.execute(update(Event).where(Event.id == event.id).values(schedule_version=next_version))
    await db_session.commit()


async def new_stream_status(http: httpx.AsyncClient) -> int:
    """Whether the worker takes one more stream (200) or is full (503); the stream is closed at once."""
    async with http.stream("GET", "/events/nlp/live") as response:
        return response.status_code


def stalled_client(base: str) -> socket.socket:
    """A client that asks for the stream, then never reads a byte (a small receive window)."""
    host, port = base.removeprefix("http://").split(":")
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect((host, int(port)))
    client.sendall(b"GET /events/nlp/live HTTP/1.1\r\nHost: test\r\nAccept: text/event-stream\r\n\r\n")
    return client


async def test_a_client_that_never_reads_is_dropped(
    database_url: str, db_session: AsyncSession, conference: Conference
) -> None:
    # One stream per worker, and the hub looks for missed versions every 0.1 s: each look wakes the
    # stalled stream again, until its two pending wake-ups overflow.
    settings = live_settings(database_url, live_max_streams=1, live_queue_size=2, live_heartbeat_seconds=0.1)
    with serve_in_thread(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
            stalled = stalled_client(base)
            try:
                for _ in range(int(WAIT * 20)):  # until the stalled client holds the place
                    if await new_stream_status(http) == 503:
                        break
                    await asyncio.sleep(0.05)
                await publish_a_big_version(db_session, conference.event)
                # One more version: a stream that has sent all it had to waits for news, it does not
                # overflow; this one has news it cannot send.
                await bump_version(db_session, conference.event)
                for _ in range(int(WAIT * 10)):
                    if await new_stream_status(http) == 200:
                        break
                    await asyncio.sleep(0.1)
                else:
                    pytest.fail("the stalled stream still holds its place")
                stalled.settimeout(WAIT)
                received = b""
                while chunk := stalled.recv(1 << 20):  # the server closed the connection
                    received += chunk
                assert b"HTTP/1.1 200" in received
                assert b"\r\n0\r\n\r\n" not in received[-16:]  # cut off, not finished: resume by id
            finally:
                stalled.close()
