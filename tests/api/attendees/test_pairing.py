"""Pairing a second device with a one-time code: same attendee, a token of its own."""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.attendees.models import PairingCode
from service.settings import Settings
from tests.api.conftest import Conference, Phone
from tests.factories import create_event
from tests.problems import assert_problem

SHOWN_CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")


async def new_code(client: AsyncTestClient, phone: Phone) -> str:
    response = await client.post("/me/pairing-code", headers=phone.headers)
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


async def redeem(client: AsyncTestClient, code: str, name: str = "Laptop", slug: str = "nlp") -> dict[str, object]:
    response = await client.post(f"/events/{slug}/devices", json={"code": code, "device_name": name})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def pair(client: AsyncTestClient, phone: Phone, name: str = "Laptop") -> Phone:
    """Sign another device in as ``phone``'s attendee, as the companion does."""
    body = await redeem(client, await new_code(client, phone), name)
    assert isinstance(body["calendar"], dict)
    return Phone(str(body["id"]), {"Authorization": f"Bearer {body['token']}"}, body["calendar"])


def refused(response: object) -> dict[str, object]:
    """The one answer to any code that does not pair: 422 naming ``code``, saying nothing more."""
    return assert_problem(response, 422, code="invalid_pairing_code", field="code")  # type: ignore[arg-type]


class TestPairingCode:
    async def test_anonymous_gets_no_code(self, client: AsyncTestClient, conference: Conference) -> None:
        assert_problem(await client.post("/me/pairing-code"), 401, code="unauthenticated")

    async def test_a_code_is_readable_lasts_ten_minutes_and_links_to_pairing(
        self, client: AsyncTestClient, alice: Phone
    ) -> None:
        before = datetime.datetime.now(datetime.UTC)
        body = (await client.post("/me/pairing-code", headers=alice.headers)).json()
        assert SHOWN_CODE.match(body["code"]), body
        expires_at = datetime.datetime.fromisoformat(body["expires_at"])
        assert expires_at.utcoffset() == ZoneInfo("Europe/Copenhagen").utcoffset(expires_at.replace(tzinfo=None))
        assert before + datetime.timedelta(minutes=9) < expires_at <= before + datetime.timedelta(minutes=11)
        # In the fragment: a browser never sends it to a server, so no access log holds the code.
        assert body["link"] == f"http://testserver.local/e/nlp/pair#{body['code']}"

    async def test_only_a_hash_of_the_code_is_stored(
        self, client: AsyncTestClient, db_session: AsyncSession, alice: Phone
    ) -> None:
        code = await new_code(client, alice)
        row = (await db_session.execute(select(PairingCode))).scalar_one()
        assert row.code_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
        stored = " ".join(str(value) for value in vars(row).values())
        assert code.replace("-", "") not in stored
        assert code not in stored


class TestPairing:
    async def test_the_new_device_is_the_same_attendee_with_a_token_of_its_own(
        self, client: AsyncTestClient, alice: Phone
    ) -> None:
        body = await redeem(client, await new_code(client, alice), "Alice's laptop")
        assert body["id"] == alice.id
        assert body["display_name"] == "Alice"
        assert body["event"] == "nlp"
        assert body["calendar"] == alice.calendar  # the same subscription on every device
        assert body["token"] != alice.headers["Authorization"].removeprefix("Bearer ")
        laptop = {"Authorization": f"Bearer {body['token']}"}
        assert (await client.get("/me", headers=laptop)).json() == (
            await client.get("/me", headers=alice.headers)
        ).json()
        path = str(alice.calendar["ics"]).split("testserver.local")[-1]
        assert (await client.get(path)).status_code == 200

    async def test_the_code_is_accepted_in_any_case_without_the_dash(
        self, client: AsyncTestClient, alice: Phone
    ) -> None:
        code = await new_code(client, alice)
        body = await redeem(client, f" {code.replace('-', '').lower()} ")
        assert body["id"] == alice.id

    async def test_a_code_works_once(self, client: AsyncTestClient, alice: Phone) -> None:
        code = await new_code(client, alice)
        await redeem(client, code)
        again = await client.post("/events/nlp/devices", json={"code": code})
        wrong = await client.post("/events/nlp/devices", json={"code": "ABCD-EFGH"})
        assert refused(again) == refused(wrong)  # a used code is told apart from no code by nothing

    async def test_an_expired_code_is_refused_like_a_wrong_one(
        self, client: AsyncTestClient, db_session: AsyncSession, alice: Phone
    ) -> None:
        code = await new_code(client, alice)
        past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
        await db_session.execute(update(PairingCode).values(expires_at=past))
        await db_session.commit()
        expired = await client.post("/events/nlp/devices", json={"code": code})
        wrong = await client.post("/events/nlp/devices", json={"code": "ABCD-EFGH"})
        assert refused(expired) == refused(wrong)

    async def test_a_code_pairs_only_on_its_own_event_and_is_not_spent_elsewhere(
        self, client: AsyncTestClient, db_session: AsyncSession, alice: Phone
    ) -> None:
        await create_event(db_session, slug="elsewhere")
        await db_session.commit()
        code = await new_code(client, alice)
        elsewhere = await client.post("/events/elsewhere/devices", json={"code": code})
        wrong = await client.post("/events/elsewhere/devices", json={"code": "ABCD-EFGH"})
        assert refused(elsewhere) == refused(wrong)
        assert (await redeem(client, code))["id"] == alice.id

    async def test_a_new_code_replaces_the_unused_one(self, client: AsyncTestClient, alice: Phone) -> None:
        first = await new_code(client, alice)
        second = await new_code(client, alice)
        refused(await client.post("/events/nlp/devices", json={"code": first}))
        assert (await redeem(client, second))["id"] == alice.id

    async def test_malformed_codes_are_refused_the_same_way(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        wrong = refused(await client.post("/events/nlp/devices", json={"code": "ABCD-EFGH"}))
        for code in ("", "0000-0000", "ABCD-EFG", "ABCD-EFGHJ", "ÄBCD-EFGH"):
            assert refused(await client.post("/events/nlp/devices", json={"code": code})) == wrong

    async def test_a_missing_code_or_a_long_device_name_is_a_422_naming_it(
        self, client: AsyncTestClient, alice: Phone
    ) -> None:
        assert_problem(await client.post("/events/nlp/devices", json={}), 422, says="`code`")
        code = await new_code(client, alice)
        long_name = await client.post("/events/nlp/devices", json={"code": code, "device_name": "x" * 81})
        assert_problem(long_name, 422, field="device_name")
        control = await client.post("/events/nlp/devices", json={"code": code, "device_name": "a\nb"})
        assert_problem(control, 422, field="device_name")
        assert (await redeem(client, code))["id"] == alice.id  # refused bodies spent nothing

    async def test_an_unknown_event_is_404(self, client: AsyncTestClient, conference: Conference) -> None:
        assert_problem(await client.post("/events/nope/devices", json={"code": "ABCD-EFGH"}), 404, code="not_found")

    async def test_a_device_whose_calendar_was_replaced_elsewhere_pairs_with_a_new_working_calendar(
        self, client: AsyncTestClient, alice: Phone
    ) -> None:
        laptop = await pair(client, alice)
        replaced = (await client.post("/me/calendar-token", headers=alice.headers)).json()
        # The laptop cannot open the phone's new calendar URL, so the tablet gets a fresh one.
        tablet = await pair(client, laptop, "Tablet")
        assert tablet.calendar not in (alice.calendar, replaced)
        assert (await client.get(str(tablet.calendar["ics"]).split("testserver.local")[-1])).status_code == 200


class TestGuessing:
    async def test_attempts_are_limited_per_address_whatever_token_is_sent(
        self, settings: Settings, conference: Conference
    ) -> None:
        limited = Settings(
            **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "attendee_writes_per_minute": 3}
        )
        async with AsyncTestClient(app=create_app(limited)) as client:
            statuses = []
            for _ in range(4):
                # A made-up token must not buy a fresh allowance.
                made_up = {"Authorization": f"Bearer {uuid.uuid4()}.guess"}
                response = await client.post("/events/nlp/devices", json={"code": "ABCD-EFGH"}, headers=made_up)
                statuses.append(response.status_code)
            assert statuses == [422, 422, 422, 429]
            assert_problem(response, 429)
