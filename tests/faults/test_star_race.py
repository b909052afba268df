"""A fuzzer's race: 20 taps on one star at once gave 500s, and on SQLite held the write lock ~30 s.

Stars are inserted with ON CONFLICT DO NOTHING now. Over a real socket, with real concurrency:
every tap answers 204, one star is stored per occurrence, and the next writers are not kept waiting
by a lock nobody releases.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.attendees.models import Star
from tests.api.conftest import Conference
from tests.faults.conftest import fault_settings, register, serve_in_thread, takeaway_path

TAPS = 20
PROMPTLY = 5.0
"""Seconds within which another attendee's write answers: less than the 5 s a lock would hold it."""


@pytest.fixture
async def http(database_url: str, conference: Conference) -> AsyncIterator[httpx.AsyncClient]:
    with serve_in_thread(create_app(fault_settings(database_url))) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            yield client


class TestConcurrentStars:
    async def test_twenty_taps_on_one_star_all_answer_204_and_store_one_star_per_slot(
        self, http: httpx.AsyncClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        alice = await register(http, "Alice")
        talk = conference.workshop  # two occurrences: each tap inserts two stars

        taps = await asyncio.gather(*(http.put(f"/me/starred/{talk.id}", headers=alice.headers) for _ in range(TAPS)))

        assert [tap.status_code for tap in taps] == [204] * TAPS, [t.text for t in taps if t.status_code != 204]
        stars = await db_session.scalar(
            select(func.count()).select_from(Star).where(Star.attendee_id == uuid.UUID(alice.id))
        )
        assert stars == len(talk.slots)

    async def test_other_attendees_write_promptly_afterwards(
        self, http: httpx.AsyncClient, conference: Conference
    ) -> None:
        alice = await register(http, "Alice")
        await asyncio.gather(
            *(http.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers) for _ in range(TAPS))
        )

        for name in ("Bob", "Carol"):
            start = time.monotonic()
            other = await register(http, name)
            star = await http.put(f"/me/starred/{conference.keynote.id}", headers=other.headers)
            note = await http.post(takeaway_path(conference.keynote.id), json={"text": "ok"}, headers=other.headers)
            assert (star.status_code, note.status_code) == (204, 201), (star.text, note.text)
            assert time.monotonic() - start < PROMPTLY
