"""One attendee on several devices: stars and notes seen on each, and each device signed out alone."""

from __future__ import annotations

import datetime
import hashlib
import uuid

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.attendees.models import AttendeeDevice
from tests.api.attendees.test_pairing import pair
from tests.api.conftest import Conference, Phone, register
from tests.api.takeaways.test_sync_and_privacy import write
from tests.problems import assert_problem


def token_of(phone: Phone) -> str:
    return phone.headers["Authorization"].removeprefix("Bearer ")


class TestSyncAcrossDevices:
    async def test_a_star_made_on_one_device_is_seen_on_the_other(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        await client.put(f"/me/starred/{conference.keynote.id}", headers=laptop.headers)
        await client.put(f"/me/starred/slots/{conference.side_slot_id}", headers=alice.headers)
        on_phone = (await client.get("/me/starred", headers=alice.headers)).json()
        on_laptop = (await client.get("/me/starred", headers=laptop.headers)).json()
        assert [entry["talk_id"] for entry in on_phone] == [str(conference.keynote.id), str(conference.side_talk.id)]
        assert on_laptop == on_phone

    async def test_a_note_written_on_one_device_syncs_to_the_other(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        cursor = (await client.get("/me/takeaways", headers=alice.headers)).json()["cursor"]
        note = await write(client, conference, laptop, "written on the laptop")
        delta = (await client.get("/me/takeaways", params={"since": cursor}, headers=alice.headers)).json()
        assert [(item["id"], item["text"]) for item in delta["items"]] == [(note["id"], "written on the laptop")]

    async def test_a_device_polls_its_stars_with_an_etag_and_sees_the_others_change(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        first = await client.get("/me/starred", headers=alice.headers)
        etag = first.headers["etag"]
        unchanged = await client.get("/me/starred", headers={**alice.headers, "If-None-Match": etag})
        assert unchanged.status_code == 304
        assert unchanged.content == b""
        await client.put(f"/me/starred/{conference.keynote.id}", headers=laptop.headers)
        changed = await client.get("/me/starred", headers={**alice.headers, "If-None-Match": etag})
        assert changed.status_code == 200
        assert [entry["talk_id"] for entry in changed.json()] == [str(conference.keynote.id)]
        assert changed.headers["etag"] != etag
        assert "private" in changed.headers["cache-control"]

    async def test_another_attendees_etag_does_not_match_mine(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone
    ) -> None:
        etag = (await client.get("/me/starred", headers=bob.headers)).headers["etag"]
        mine = await client.get("/me/starred", headers={**alice.headers, "If-None-Match": etag})
        assert mine.status_code == 200

    async def test_a_schedule_change_changes_the_etag(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, tokens: object
    ) -> None:
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        etag = (await client.get("/me/starred", headers=alice.headers)).headers["etag"]
        moved = await client.patch(
            f"/events/nlp/talks/{conference.keynote.id}",
            json={"title": "Opening keynote, renamed"},
            headers=tokens.organiser,  # type: ignore[attr-defined]
        )
        assert moved.status_code == 200, moved.text
        after = await client.get("/me/starred", headers={**alice.headers, "If-None-Match": etag})
        assert after.status_code == 200
        assert after.json()[0]["title"] == "Opening keynote, renamed"


class TestListDevices:
    async def test_anonymous_is_401(self, client: AsyncTestClient, conference: Conference) -> None:
        assert_problem(await client.get("/me/devices"), 401, code="unauthenticated")

    async def test_each_device_is_listed_and_knows_which_one_it_is(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        phone = await register(client, "Carol", device_name="Carol's phone")
        laptop = await pair(client, phone, "Carol's laptop")
        listed = (await client.get("/me/devices", headers=laptop.headers)).json()
        assert [(device["name"], device["this_device"]) for device in listed] == [
            ("Carol's phone", False),
            ("Carol's laptop", True),
        ]
        for device in listed:
            created = datetime.datetime.fromisoformat(device["created_at"])
            used = datetime.datetime.fromisoformat(device["last_used_at"])
            assert created.utcoffset() is not None
            assert used.utcoffset() == created.utcoffset()
        assert {device["id"] for device in listed} == {token_of(phone).split(".")[0], token_of(laptop).split(".")[0]}

    async def test_another_attendee_sees_only_their_own(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone
    ) -> None:
        await pair(client, alice)
        listed = (await client.get("/me/devices", headers=bob.headers)).json()
        assert [device["id"] for device in listed] == [token_of(bob).split(".")[0]]

    async def test_registration_names_the_first_device(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.post("/events/nlp/attendees", json={"device_name": "Dora's phone"})
        body = response.json()
        assert body["token"].startswith(f"{body['device_id']}.")
        headers = {"Authorization": f"Bearer {body['token']}"}
        assert [d["name"] for d in (await client.get("/me/devices", headers=headers)).json()] == ["Dora's phone"]
        long_name = await client.post("/events/nlp/attendees", json={"device_name": "x" * 81})
        assert_problem(long_name, 422, field="device_name")


class TestSignOutDevice:
    async def test_anonymous_is_401(self, client: AsyncTestClient, conference: Conference, alice: Phone) -> None:
        device_id = token_of(alice).split(".")[0]
        assert_problem(await client.delete(f"/me/devices/{device_id}"), 401, code="unauthenticated")

    async def test_another_attendee_cannot_sign_out_my_device(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone
    ) -> None:
        device_id = token_of(alice).split(".")[0]
        body = assert_problem(
            await client.delete(f"/me/devices/{device_id}", headers=bob.headers),
            404,
            code="not_found",
            field="device_id",
        )
        assert body["expected"] == "device"
        assert (await client.get("/me", headers=alice.headers)).status_code == 200

    async def test_a_signed_out_device_is_401_at_once_and_the_other_still_works(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        laptop_id = token_of(laptop).split(".")[0]
        assert (await client.delete(f"/me/devices/{laptop_id}", headers=alice.headers)).status_code == 204
        assert_problem(await client.get("/me/starred", headers=laptop.headers), 401, code="unauthenticated")
        assert_problem(await client.put(f"/me/starred/{conference.keynote.id}", headers=laptop.headers), 401)
        assert (await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)).status_code == 204
        listed = (await client.get("/me/devices", headers=alice.headers)).json()
        assert [device["id"] for device in listed] == [token_of(alice).split(".")[0]]
        again = await client.delete(f"/me/devices/{laptop_id}", headers=alice.headers)
        assert_problem(again, 404, code="not_found", field="device_id")

    async def test_signing_out_this_device_is_allowed(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        laptop_id = token_of(laptop).split(".")[0]
        assert (await client.delete(f"/me/devices/{laptop_id}", headers=laptop.headers)).status_code == 204
        assert_problem(await client.get("/me", headers=laptop.headers), 401)
        assert (await client.get("/me", headers=alice.headers)).status_code == 200

    async def test_a_malformed_id_is_400_naming_it(self, client: AsyncTestClient, alice: Phone) -> None:
        assert_problem(await client.delete("/me/devices/nope", headers=alice.headers), 400, field="device_id")

    async def test_forget_me_signs_out_every_device(
        self, client: AsyncTestClient, db_session: AsyncSession, conference: Conference, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        assert (await client.delete("/me", headers=laptop.headers)).status_code == 204
        for device in (alice, laptop):
            assert_problem(await client.get("/me", headers=device.headers), 401)
        assert (await db_session.scalars(select(AttendeeDevice))).all() == []


class TestTokensAtRest:
    async def test_only_a_hash_of_each_token_is_stored(
        self, client: AsyncTestClient, db_session: AsyncSession, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        rows = {row.id: row for row in (await db_session.scalars(select(AttendeeDevice))).all()}
        for device in (alice, laptop):
            device_id, secret = token_of(device).split(".", 1)
            row = rows[uuid.UUID(device_id)]
            assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
            assert all(secret not in str(value) for value in vars(row).values())
            # The calendar's secret is kept sealed, not readable.
            calendar_secret = str(device.calendar["ics"]).rsplit("/", 1)[-1].removesuffix(".ics")
            assert all(calendar_secret not in str(value) for value in vars(row).values())
