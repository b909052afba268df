"""``kill -9`` of a real ``plenary serve`` while several phones write takeaways at once.

What was acknowledged (2xx) is stored, every note exactly once. What was in flight at the kill
may or may not be stored; retried with the same client_id after the restart, it is stored once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.takeaways.models import Takeaway
from tests.api.conftest import Conference
from tests.faults.conftest import EVENT, Attendee, free_port, takeaway_path

PHONES = 6
ACKNOWLEDGED_BEFORE_KILL = 40
"""Kill once this many notes were acknowledged, so the kill lands among writes in full flow."""


@dataclass
class Phone:
    attendee: Attendee
    acknowledged: list[dict[str, str]] = field(default_factory=list)
    unknown: list[dict[str, str]] = field(default_factory=list)
    """Sent, but the answer never came (or was not a 2xx): stored or not, we cannot tell."""


class Server:
    """``plenary serve`` in its own process group, so that kill -9 takes every process it started."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PLENARY_DATABASE_URL": database_url,
            "PLENARY_PORT": str(self.port),
            "PLENARY_LOAD_DEMO": "false",
            "PLENARY_LOG_LEVEL": "warning",
            "PLENARY_ATTENDEE_WRITES_PER_MINUTE": "1000000",
        }
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve"],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(log)

    def _wait_ready(self, log: Path) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"plenary serve exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.base}/ready", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        pytest.fail("plenary serve did not become ready within 60 s")

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@contextmanager
def serving(database_url: str, log: Path) -> Iterator[Server]:
    server = Server(database_url, log)
    try:
        yield server
    finally:
        server.kill()


def register(base: str, name: str) -> Attendee:
    response = httpx.post(f"{base}/events/{EVENT}/attendees", json={"display_name": name}, timeout=10)
    assert response.status_code == 201, response.text
    body = response.json()
    return Attendee(body["id"], {"Authorization": f"Bearer {body['token']}"})


def write_until_stopped(base: str, talk: str, phone: Phone, stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=10) as http:
        while not stop.is_set():
            body = {"text": f"note {uuid.uuid4()}", "client_id": str(uuid.uuid4())}
            try:
                response = http.post(takeaway_path(talk), json=body, headers=phone.attendee.headers)
            except httpx.HTTPError:  # the server died with this one in flight
                phone.unknown.append(body)
                return
            (phone.acknowledged if response.is_success else phone.unknown).append(body)


async def stored(db_session: AsyncSession) -> dict[str, int]:
    rows = await db_session.execute(select(Takeaway.client_id, func.count()).group_by(Takeaway.client_id))
    return {str(client_id): count for client_id, count in rows.all()}


class TestKillNineDuringWrites:
    async def test_every_acknowledged_note_survives_and_retries_never_duplicate(
        self, database_url: str, conference: Conference, db_session: AsyncSession, tmp_path: Path
    ) -> None:
        talk = str(conference.keynote.id)
        log = tmp_path / "serve.log"
        with serving(database_url, log) as server:
            phones = [Phone(register(server.base, f"Phone {n}")) for n in range(PHONES)]
            stop = threading.Event()
            writers = [
                threading.Thread(target=write_until_stopped, args=(server.base, talk, phone, stop)) for phone in phones
            ]
            for writer in writers:
                writer.start()
            deadline = time.monotonic() + 60
            while sum(len(p.acknowledged) for p in phones) < ACKNOWLEDGED_BEFORE_KILL:
                assert time.monotonic() < deadline, "the writers made no progress"
                await asyncio.sleep(0.01)
            server.kill()
            stop.set()
            for writer in writers:
                writer.join(timeout=30)

        acknowledged = {body["client_id"] for phone in phones for body in phone.acknowledged}
        after_kill = await stored(db_session)
        assert acknowledged <= set(after_kill), "an acknowledged note was lost"
        assert set(after_kill.values()) == {1}

        with serving(database_url, log) as server:
            async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
                for phone in phones:
                    for body in phone.unknown + phone.acknowledged:
                        retry = await http.post(takeaway_path(talk), json=body, headers=phone.attendee.headers)
                        assert retry.status_code in {200, 201}, retry.text

        every_note = acknowledged | {body["client_id"] for phone in phones for body in phone.unknown}
        after_retries = await stored(db_session)
        assert set(after_retries) == every_note
        assert set(after_retries.values()) == {1}, "a retry stored a note twice"
