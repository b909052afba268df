"""Offline sync across devices, and one attendee never reaching another's private data."""

from __future__ import annotations

import uuid

import pytest
from icalendar import Calendar
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Phone
from tests.problems import assert_problem


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

        edit = await client.patch(target, json={"text": "hacked"}, headers={**bob.headers, "If-Match": note["etag"]})
        delete = await client.delete(target, headers=bob.headers)
        unknown = await client.patch(
            f"/me/takeaways/{uuid.uuid4()}", json={"text": "x"}, headers={**bob.headers, "If-Match": '"1"'}
        )
        # Alice's note and a note that never existed are refused alike: Bob cannot even probe for hers.
        for refused in (edit, delete, unknown):
            assert_problem(refused, 404, code="not_found", says="takeaway")
            assert "Alice" not in refused.text
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
        assert_problem(response, 401, code="unauthenticated", says="attendee token is not valid")

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
            assert_problem(response, 401, code="unauthenticated", says="This needs your attendee token")
