"""Offline sync across devices, and one attendee never reaching another's private data."""

from __future__ import annotations

import uuid

import pytest
from icalendar import Calendar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.api.attendees.conftest import Phone, register
from tests.api.conftest import Conference


async def write(client: AsyncTestClient, conference: Conference, phone: Phone, text: str, **extra: object) -> dict:
    response = await client.post(
        f"/events/nlp/talks/{conference.keynote.id}/takeaways", json={"text": text, **extra}, headers=phone.headers
    )
    assert response.status_code == 201, response.text
    return {**response.json(), "etag": response.headers["etag"]}


class TestSync:
    async def test_a_device_catches_up_on_creates_edits_and_deletes_exactly_once(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        first = await write(client, conference, alice, "one")
        laptop = (await client.get("/me/takeaways", headers=alice.headers)).json()
        assert [t["text"] for t in laptop["items"]] == ["one"]

        # The phone, meanwhile: a new note, an edit, a deletion.
        second = await write(client, conference, alice, "two")
        await client.patch(
            f"/me/takeaways/{first['id']}",
            json={"text": "one, edited"},
            headers={**alice.headers, "If-Match": first["etag"]},
        )
        third = await write(client, conference, alice, "three")
        await client.delete(f"/me/takeaways/{third['id']}", headers=alice.headers)

        delta = (await client.get("/me/takeaways", params={"since": laptop["cursor"]}, headers=alice.headers)).json()
        by_id = {t["id"]: t for t in delta["items"]}
        assert len(delta["items"]) == 3  # each changed note once, in its latest state
        assert by_id[first["id"]]["text"] == "one, edited"
        assert by_id[second["id"]]["text"] == "two"
        assert by_id[third["id"]]["deleted"] is True
        assert by_id[third["id"]]["text"] == ""

        nothing = (await client.get("/me/takeaways", params={"since": delta["cursor"]}, headers=alice.headers)).json()
        assert nothing["items"] == []
        assert nothing["cursor"] == delta["cursor"]

    async def test_two_devices_each_see_the_others_changes(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        phone_cursor = (await client.get("/me/takeaways", headers=alice.headers)).json()["cursor"]
        laptop_cursor = phone_cursor
        from_phone = await write(client, conference, alice, "from the phone")
        from_laptop = await write(client, conference, alice, "from the laptop")

        phone = (await client.get("/me/takeaways", params={"since": phone_cursor}, headers=alice.headers)).json()
        laptop = (await client.get("/me/takeaways", params={"since": laptop_cursor}, headers=alice.headers)).json()
        assert {t["id"] for t in phone["items"]} == {from_phone["id"], from_laptop["id"]}
        assert phone == laptop

    async def test_filters_by_event_and_talk(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        await write(client, conference, alice, "on the keynote")
        await client.post(
            f"/events/nlp/talks/{conference.lunch.id}/takeaways", json={"text": "on lunch"}, headers=alice.headers
        )
        by_talk = (
            await client.get("/me/takeaways", params={"talk": str(conference.lunch.id)}, headers=alice.headers)
        ).json()
        assert [t["text"] for t in by_talk["items"]] == ["on lunch"]
        by_event = (await client.get("/me/takeaways", params={"event": "nlp"}, headers=alice.headers)).json()
        assert len(by_event["items"]) == 2

    @pytest.mark.parametrize("cursor", ["garbage", "djI6NQ", "%00"])
    async def test_a_bad_cursor_is_a_400(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, cursor: str
    ) -> None:
        response = await client.get("/me/takeaways", params={"since": cursor}, headers=alice.headers)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "since"


class TestPrivacy:
    """Bob holds Alice's ids and tries everything: he learns nothing, not even that they exist."""

    async def test_bob_cannot_read_edit_or_delete_alices_notes(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone
    ) -> None:
        note = await write(client, conference, alice, "Alice's private thought")
        target = f"/me/takeaways/{note['id']}"

        assert (
            await client.patch(target, json={"text": "hacked"}, headers={**bob.headers, "If-Match": note["etag"]})
        ).status_code == 404
        assert (await client.delete(target, headers=bob.headers)).status_code == 404
        assert (
            await client.patch(
                f"/me/takeaways/{uuid.uuid4()}", json={"text": "x"}, headers={**bob.headers, "If-Match": '"1"'}
            )
        ).status_code == 404
        assert (await client.get("/me/takeaways", headers=bob.headers)).json()["items"] == []
        assert (
            "Alice's private thought"
            not in (await client.get(f"/events/nlp/talks/{conference.keynote.id}/takeaways")).text
        )
        digest = (await client.get("/me/takeaways/digest.md", headers=bob.headers)).text
        assert "Alice's private thought" not in digest
        # Reusing Alice's client id is Bob's own, separate note, not a way to read hers.
        reused = await client.post(
            f"/events/nlp/talks/{conference.keynote.id}/takeaways",
            json={"text": "mine", "client_id": note["client_id"]},
            headers=bob.headers,
        )
        assert reused.status_code == 201
        assert reused.json()["text"] == "mine"
        items = (await client.get("/me/takeaways", headers=alice.headers)).json()["items"]
        assert [t["text"] for t in items] == ["Alice's private thought"]

    async def test_stars_and_calendars_are_each_their_own(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone
    ) -> None:
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        assert (await client.get("/me/starred", headers=bob.headers)).json() == []
        assert (await client.delete(f"/me/starred/{conference.keynote.id}", headers=bob.headers)).status_code == 204
        assert len((await client.get("/me/starred", headers=alice.headers)).json()) == 1
        bob_feed = Calendar.from_ical((await client.get(bob.calendar["ics"].split("testserver.local")[-1])).content)
        assert list(bob_feed.walk("VEVENT")) == []

    async def test_an_organiser_token_is_not_an_attendee_token(
        self, client: AsyncTestClient, conference: Conference, tokens: object
    ) -> None:
        response = await client.get("/me/takeaways", headers=tokens.organiser)  # type: ignore[attr-defined]
        assert response.status_code == 401

    async def test_every_me_route_needs_a_token(self, client: AsyncTestClient, conference: Conference) -> None:
        for method, path in [
            ("GET", "/me"),
            ("DELETE", "/me"),
            ("GET", "/me/starred"),
            ("GET", "/me/takeaways"),
            ("GET", "/me/takeaways/digest.md"),
            ("POST", "/me/calendar-token"),
            ("PUT", f"/me/starred/{conference.keynote.id}"),
            ("DELETE", f"/me/starred/{conference.keynote.id}"),
            ("PATCH", f"/me/takeaways/{uuid.uuid4()}"),
            ("DELETE", f"/me/takeaways/{uuid.uuid4()}"),
        ]:
            response = await client.request(method, path, json={} if method == "PATCH" else None)
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["content-type"].startswith("application/problem+json")


class TestForgetMe:
    async def test_delete_me_removes_the_attendee_and_everything_they_wrote(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        await write(client, conference, alice, "public goodbye", visibility="public")
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        assert (await client.delete("/me", headers=alice.headers)).status_code == 204
        assert (await client.get("/me", headers=alice.headers)).status_code == 401
        assert (await client.get(f"/events/nlp/talks/{conference.keynote.id}/takeaways")).json()["items"] == []
        assert (await client.get(alice.calendar["ics"].split("testserver.local")[-1])).status_code == 404


class TestRegistration:
    async def test_the_token_is_shown_once_and_works(self, client: AsyncTestClient, conference: Conference) -> None:
        phone = await register(client, "Carol")
        me = (await client.get("/me", headers=phone.headers)).json()
        assert me == {"id": phone.id, "display_name": "Carol", "event": "nlp"}

    async def test_an_unknown_event_is_404(self, client: AsyncTestClient) -> None:
        assert (await client.post("/events/nope/attendees", json={})).status_code == 404

    async def test_a_join_code_is_required_when_the_event_has_one(
        self, client: AsyncTestClient, conference: Conference, tokens: object
    ) -> None:
        await client.patch("/events/nlp", json={"join_code": "cph-2025"}, headers=tokens.organiser)  # type: ignore[attr-defined]
        assert (await client.post("/events/nlp/attendees", json={})).status_code == 403
        assert (await client.post("/events/nlp/attendees", json={"join_code": "wrong"})).status_code == 403
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
