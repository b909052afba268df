"""Stars name sessions: one occurrence of a repeated workshop, or every occurrence of a talk."""

from __future__ import annotations

import asyncio

from litestar.testing import AsyncTestClient

from tests.api.attendees.test_personal_calendar import feed
from tests.api.conftest import Conference, Phone, Tokens


def slot_ids(conference: Conference) -> list[str]:
    """The workshop's two sessions, in time order."""
    return [str(slot.id) for slot in sorted(conference.workshop.slots, key=lambda slot: slot.start_at)]


async def starred_slots(client: AsyncTestClient, phone: Phone) -> list[str]:
    return [entry["id"] for entry in (await client.get("/me/starred", headers=phone.headers)).json()]


class TestStarOneSession:
    async def test_anonymous_cannot_star(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.put(f"/me/starred/slots/{slot_ids(conference)[0]}")
        assert response.status_code == 401

    async def test_a_malformed_slot_id_is_a_400_naming_it(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        response = await client.put("/me/starred/slots/not-an-id", headers=alice.headers)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == "slot_id"

    async def test_starring_the_second_session_stars_only_that_one(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        _first, second = slot_ids(conference)
        response = await client.put(f"/me/starred/slots/{second}", headers=alice.headers)
        assert response.status_code == 204
        assert await starred_slots(client, alice) == [second]

    async def test_the_personal_calendar_holds_only_the_starred_session(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        _first, second = slot_ids(conference)
        await client.put(f"/me/starred/slots/{second}", headers=alice.headers)
        uids = [str(event["UID"]) for event in (await feed(client, alice)).walk("VEVENT")]
        assert uids == [f"{second}@plenary"]

    async def test_unstarring_one_session_keeps_the_other(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        first, second = slot_ids(conference)
        await client.put(f"/me/starred/{conference.workshop.id}", headers=alice.headers)
        assert (await client.delete(f"/me/starred/slots/{first}", headers=alice.headers)).status_code == 204
        assert await starred_slots(client, alice) == [second]

    async def test_concurrent_taps_on_one_star_store_it_once(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        path = f"/me/starred/slots/{slot_ids(conference)[0]}"
        statuses = await asyncio.gather(*(client.put(path, headers=alice.headers) for _ in range(10)))
        assert {response.status_code for response in statuses} == {204}
        assert await starred_slots(client, alice) == [slot_ids(conference)[0]]

    async def test_another_events_session_is_not_found(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference, alice: Phone
    ) -> None:
        created = await client.post(
            "/events/elsewhere/talks",
            json={"title": "Elsewhere", "slots": [{"start": "2025-06-20T10:00:00", "duration_minutes": 30}]},
            headers=tokens.other_event,
        )
        assert created.status_code == 201, created.text
        foreign_slot = created.json()["slots"][0]["id"]
        response = await client.put(f"/me/starred/slots/{foreign_slot}", headers=alice.headers)
        assert response.status_code == 404
        assert await starred_slots(client, alice) == []


class TestStarATalk:
    async def test_starring_a_talk_stars_every_session_of_it(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        await client.put(f"/me/starred/{conference.workshop.id}", headers=alice.headers)
        assert await starred_slots(client, alice) == slot_ids(conference)

    async def test_the_digest_shows_the_session_the_attendee_starred(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        _first, second = slot_ids(conference)
        await client.put(f"/me/starred/slots/{second}", headers=alice.headers)
        note = await client.post(
            f"/events/nlp/talks/{conference.workshop.id}/takeaways",
            json={"text": "Filter early.", "visibility": "private"},
            headers=alice.headers,
        )
        assert note.status_code == 201
        digest = (await client.get("/me/takeaways/digest.md", headers=alice.headers)).text
        assert "Saturday 21 June 2025, 11:00" in digest
        assert "Friday 20 June 2025, 11:00" not in digest

    async def test_stats_count_an_attendee_once_per_talk(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference, alice: Phone
    ) -> None:
        await client.put(f"/me/starred/{conference.workshop.id}", headers=alice.headers)
        stats = (await client.get("/events/nlp/stats", headers=tokens.organiser)).json()
        workshop = next(item for item in stats["talks"] if item["talk_id"] == str(conference.workshop.id))
        assert workshop["stars"] == 1


class TestPersonalFeedAfterDeletion:
    async def test_a_deleted_talks_starred_session_is_cancelled_not_dropped(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference, alice: Phone
    ) -> None:
        _first, second = slot_ids(conference)
        await client.put(f"/me/starred/slots/{second}", headers=alice.headers)
        await client.delete(f"/events/nlp/talks/{conference.workshop.id}", headers=tokens.organiser)
        events = list((await feed(client, alice)).walk("VEVENT"))
        assert [(str(event["UID"]), str(event["STATUS"])) for event in events] == [(f"{second}@plenary", "CANCELLED")]
