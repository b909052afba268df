"""A worker remembers the devices that wrote notes lately, so that the next note needs no sign-in
query; none of that may change who can write, or what any answer says.

Two apps on one database stand for two workers: each remembers on its own, and a device signed
out (or an attendee forgotten) through either is refused by both at once.
"""

from __future__ import annotations

import asyncio
import datetime
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.attendees import devices
from service.attendees.models import Attendee, AttendeeDevice
from service.settings import Settings
from service.takeaways.models import Takeaway
from tests.api.attendees.test_pairing import pair
from tests.api.conftest import Conference, Phone, register
from tests.factories import create_event
from tests.faults.conftest import serve_in_thread
from tests.problems import assert_problem


def notes_path(talk_id: object, slug: str = "nlp") -> str:
    return f"/events/{slug}/talks/{talk_id}/takeaways"


def device_id(phone: Phone) -> str:
    return phone.headers["Authorization"].removeprefix("Bearer ").split(".")[0]


async def note(client: httpx.AsyncClient, conference: Conference, phone: Phone, text: str) -> dict[str, object]:
    response = await client.post(notes_path(conference.keynote.id), json={"text": text}, headers=phone.headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def stored(db_session: AsyncSession) -> int:
    return int(await db_session.scalar(select(func.count()).select_from(Takeaway)) or 0)


@pytest.fixture
async def other_worker(settings: Settings, client: AsyncTestClient) -> AsyncIterator[AsyncTestClient]:
    """A second app on the same database, with a memory of its own."""
    async with AsyncTestClient(app=create_app(settings)) as second:
        yield second


class TestSignedOutDevices:
    async def test_a_device_signed_out_in_this_worker_cannot_write_its_next_note(
        self, client: AsyncTestClient, db_session: AsyncSession, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        await note(client, conference, laptop, "remembered now")
        assert (await client.delete(f"/me/devices/{device_id(laptop)}", headers=alice.headers)).status_code == 204
        refused = await client.post(notes_path(conference.keynote.id), json={"text": "late"}, headers=laptop.headers)
        assert_problem(refused, 401, code="unauthenticated")
        assert await stored(db_session) == 1

    async def test_a_device_signed_out_in_another_worker_is_refused_here_at_once(
        self,
        client: AsyncTestClient,
        other_worker: AsyncTestClient,
        db_session: AsyncSession,
        conference: Conference,
        alice: Phone,
    ) -> None:
        laptop = await pair(client, alice)
        await note(client, conference, laptop, "remembered by this worker")
        signed_out = await other_worker.delete(f"/me/devices/{device_id(laptop)}", headers=alice.headers)
        assert signed_out.status_code == 204
        for body in ({"text": "late"}, {"text": "late", "client_id": str(uuid.uuid4())}):
            refused = await client.post(notes_path(conference.keynote.id), json=body, headers=laptop.headers)
            assert_problem(refused, 401, code="unauthenticated")
        assert await stored(db_session) == 1
        # The device still signed in writes on, through either worker.
        await note(client, conference, alice, "from the phone")
        await note(other_worker, conference, alice, "from the phone, elsewhere")

    async def test_a_repeat_from_a_signed_out_device_is_refused_too(
        self, client: AsyncTestClient, other_worker: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        body = {"text": "once", "client_id": str(uuid.uuid4())}
        first = await client.post(notes_path(conference.keynote.id), json=body, headers=laptop.headers)
        assert first.status_code == 201
        await other_worker.delete(f"/me/devices/{device_id(laptop)}", headers=alice.headers)
        repeat = await client.post(notes_path(conference.keynote.id), json=body, headers=laptop.headers)
        assert_problem(repeat, 401, code="unauthenticated")

    async def test_an_attendee_forgotten_in_another_worker_writes_nothing_more(
        self,
        client: AsyncTestClient,
        other_worker: AsyncTestClient,
        db_session: AsyncSession,
        conference: Conference,
        alice: Phone,
    ) -> None:
        await note(client, conference, alice, "remembered")
        assert (await other_worker.delete("/me", headers=alice.headers)).status_code == 204
        refused = await client.post(notes_path(conference.keynote.id), json={"text": "x"}, headers=alice.headers)
        assert_problem(refused, 401, code="unauthenticated")
        assert await stored(db_session) == 0

    async def test_a_remembered_device_with_a_wrong_secret_is_401(
        self, client: AsyncTestClient, db_session: AsyncSession, conference: Conference, alice: Phone
    ) -> None:
        await note(client, conference, alice, "remembered")
        forged = {"Authorization": f"Bearer {device_id(alice)}.{'A' * 43}"}
        refused = await client.post(notes_path(conference.keynote.id), json={"text": "forged"}, headers=forged)
        assert_problem(refused, 401, code="unauthenticated")
        assert await stored(db_session) == 1
        # and the forgery made the device no less remembered or signed in
        await note(client, conference, alice, "still mine")


class TestLastUse:
    async def test_a_remembered_device_still_notes_its_use_once_a_minute(
        self,
        client: AsyncTestClient,
        db_session: AsyncSession,
        conference: Conference,
        alice: Phone,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        await note(client, conference, alice, "remembered from here on")
        device = uuid.UUID(device_id(alice))
        long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
        await db_session.execute(
            update(AttendeeDevice).where(AttendeeDevice.id == device).values(last_used_at=long_ago)
        )
        await db_session.commit()
        await note(client, conference, alice, "within the minute: nothing to note")
        assert await last_used(db_session, device) == long_ago

        class TwoMinutesLater:
            @staticmethod
            def monotonic() -> float:
                return time.monotonic() + 120

        monkeypatch.setattr(devices, "time", TwoMinutesLater)
        await note(client, conference, alice, "a minute on: noted")
        assert await last_used(db_session, device) > long_ago + datetime.timedelta(minutes=9)


async def last_used(db_session: AsyncSession, device: uuid.UUID) -> datetime.datetime:
    await db_session.commit()  # a new snapshot: what the app committed since
    used = await db_session.scalar(select(AttendeeDevice.last_used_at).where(AttendeeDevice.id == device))
    assert used is not None
    return used


class TestSameAnswers:
    async def test_a_repeat_is_answered_with_the_note_as_first_answered(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        body = {"text": "Evaluation is hard. Ærø 🧪", "visibility": "public", "client_id": str(uuid.uuid4())}
        first = await client.post(notes_path(conference.keynote.id), json=body, headers=alice.headers)
        repeat = await client.post(notes_path(conference.keynote.id), json=body, headers=alice.headers)
        assert (first.status_code, repeat.status_code) == (201, 200)
        assert repeat.content == first.content
        assert repeat.headers["etag"] == first.headers["etag"] == '"1"'
        synced = (await client.get("/me/takeaways", headers=alice.headers)).json()["items"]
        assert synced == [first.json()]

    async def test_a_repeat_of_a_deleted_note_is_a_409(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        body = {"text": "soon gone", "client_id": str(uuid.uuid4())}
        first = (await client.post(notes_path(conference.keynote.id), json=body, headers=alice.headers)).json()
        assert (await client.delete(f"/me/takeaways/{first['id']}", headers=alice.headers)).status_code == 204
        repeat = await client.post(notes_path(conference.keynote.id), json=body, headers=alice.headers)
        assert_problem(repeat, 409, code="conflict", field="client_id")

    async def test_a_client_id_reused_on_another_talk_is_a_409(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        body = {"text": "same words", "client_id": str(uuid.uuid4())}
        assert (await client.post(notes_path(conference.keynote.id), json=body, headers=alice.headers)).is_success
        elsewhere = await client.post(notes_path(conference.side_talk.id), json=body, headers=alice.headers)
        assert_problem(elsewhere, 409, code="conflict", field="client_id")

    @pytest.mark.parametrize(
        ("path", "status", "field"),
        [
            (lambda c: notes_path(c.keynote.id, "no-such-event"), 404, "slug"),
            (lambda c: notes_path(uuid.uuid4()), 404, "talk_id"),
            (lambda c: notes_path("not-a-uuid"), 400, "talk_id"),
            (lambda c: notes_path("not-a-uuid", "no-such-event"), 404, "slug"),
            (lambda c: notes_path(c.keynote.id, "elsewhere"), 404, "talk_id"),
        ],
        ids=["unknown event", "unknown talk", "malformed talk id", "unknown event first", "another event"],
    )
    async def test_a_remembered_device_gets_the_answer_a_new_one_gets(
        self,
        client: AsyncTestClient,
        db_session: AsyncSession,
        conference: Conference,
        path: object,
        status: int,
        field: str,
    ) -> None:
        await create_event(db_session, slug="elsewhere")
        await db_session.commit()
        url = path(conference)  # type: ignore[operator]
        answers = []
        for remembered in (False, True):
            phone = await register(client, "Eve")
            if remembered:
                await note(client, conference, phone, "now remembered")
            answers.append(assert_problem(await client.post(url, json={"text": "x"}, headers=phone.headers), status))
        first_time, remembered_answer = ({k: v for k, v in a.items() if k != "request_id"} for a in answers)
        assert remembered_answer == first_time
        assert field in [error["field"] for error in remembered_answer["errors"]]  # type: ignore[union-attr]

    async def test_an_attendee_of_another_event_cannot_write_on_this_one(
        self, client: AsyncTestClient, db_session: AsyncSession, conference: Conference
    ) -> None:
        await create_event(db_session, slug="elsewhere")
        await db_session.commit()
        elsewhere = await client.post("/events/elsewhere/attendees", json={"display_name": "Mallory"})
        mallory = {"Authorization": f"Bearer {elsewhere.json()['token']}"}
        for _ in range(2):  # unknown, then remembered
            refused = await client.post(notes_path(conference.keynote.id), json={"text": "x"}, headers=mallory)
            assert_problem(refused, 404, code="not_found", field="talk_id")
        assert await stored(db_session) == 0


class TestNumbering:
    async def test_notes_written_at_once_on_two_devices_are_numbered_one_after_another(
        self, settings: Settings, db_session: AsyncSession, conference: Conference
    ) -> None:
        # Over a real socket: requests from the test client would reach the app one at a time.
        with serve_in_thread(create_app(settings)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                alice = await register(http, "Alice")  # type: ignore[arg-type]
                laptop = await pair(http, alice)  # type: ignore[arg-type]
                await note(http, conference, alice, "first")  # both devices remembered from here on
                await note(http, conference, laptop, "second")
                for burst in range(3):
                    await asyncio.gather(
                        *(note(http, conference, (alice, laptop)[i % 2], f"{burst}.{i}") for i in range(20))
                    )
                synced = (await http.get("/me/takeaways", headers=laptop.headers)).json()["items"]
        positions = (await db_session.scalars(select(Takeaway.sync_seq))).all()
        assert sorted(positions) == list(range(1, 63))
        counter = await db_session.scalar(select(Attendee.sync_counter).where(Attendee.id == uuid.UUID(alice.id)))
        assert counter == 62
        assert len(synced) == 62
