"""Registering on a phone, being forgotten, and the write limit per attendee."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Conference, Phone, register
from tests.api.takeaways.test_sync_and_privacy import write
from tests.problems import assert_problem


class TestForgetMe:
    async def test_delete_me_removes_the_attendee_and_everything_they_wrote(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        await write(client, conference, alice, "public goodbye", visibility="public")
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        assert (await client.delete("/me", headers=alice.headers)).status_code == 204
        assert_problem(await client.get("/me", headers=alice.headers), 401, code="unauthenticated")
        assert (await client.get(f"/events/nlp/talks/{conference.keynote.id}/takeaways")).json()["items"] == []
        assert (await client.get(alice.calendar["ics"].split("testserver.local")[-1])).status_code == 404


class TestRegistration:
    async def test_the_token_is_shown_once_and_works(self, client: AsyncTestClient, conference: Conference) -> None:
        phone = await register(client, "Carol")
        me = (await client.get("/me", headers=phone.headers)).json()
        assert me == {"id": phone.id, "display_name": "Carol", "event": "nlp"}

    async def test_an_unknown_event_is_404(self, client: AsyncTestClient) -> None:
        assert_problem(await client.post("/events/nope/attendees", json={}), 404, code="not_found", says="nope")

    async def test_a_join_code_is_required_when_the_event_has_one(
        self, client: AsyncTestClient, conference: Conference, tokens: object
    ) -> None:
        await client.patch("/events/nlp", json={"join_code": "cph-2025"}, headers=tokens.organiser)  # type: ignore[attr-defined]
        for body in ({}, {"join_code": "wrong"}):
            refused = await client.post("/events/nlp/attendees", json=body)
            assert_problem(refused, 403, code="forbidden", field="join_code", says="join code")
        assert (await client.post("/events/nlp/attendees", json={"join_code": "cph-2025"})).status_code == 201

    async def test_a_long_display_name_is_a_422(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.post("/events/nlp/attendees", json={"display_name": "x" * 81})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "display_name"


class TestRateLimit:
    async def test_too_many_writes_get_429_with_retry_after(self, settings: Settings, conference: Conference) -> None:
        limited = Settings(
            **{**{f: getattr(settings, f) for f in settings.__struct_fields__}, "attendee_writes_per_minute": 3}
        )
        async with AsyncTestClient(app=create_app(limited)) as client:
            phone = await register(client, "Dora")  # one write: the registration (by address)
            statuses = []
            for n in range(4):
                response = await client.post(
                    f"/events/nlp/talks/{conference.keynote.id}/takeaways",
                    json={"text": f"note {n}"},
                    headers=phone.headers,
                )
                statuses.append(response.status_code)
            assert statuses == [201, 201, 201, 429]
            assert int(response.headers["retry-after"]) >= 1
            assert response.headers["content-type"].startswith("application/problem+json")
            # Reading is never limited.
            assert (await client.get("/me/takeaways", headers=phone.headers)).status_code == 200
