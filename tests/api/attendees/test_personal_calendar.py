"""Stars, and the personal calendar that follows them."""

from __future__ import annotations

import uuid

from icalendar import Calendar
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Phone, Tokens


def local(url: str) -> str:
    return url.split("testserver.local", 1)[-1]


async def feed(client: AsyncTestClient, phone: Phone, query: str = "") -> Calendar:
    response = await client.get(local(phone.calendar["ics"]) + query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


class TestStars:
    async def test_star_is_idempotent_and_unstar_removes(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        for _ in range(2):
            assert (await client.put(f"/me/starred/{conference.workshop.id}", headers=alice.headers)).status_code == 204
        starred = (await client.get("/me/starred", headers=alice.headers)).json()
        assert [e["title"] for e in starred] == ["Filtering workshop", "Filtering workshop"]  # both occurrences
        assert (await client.delete(f"/me/starred/{conference.workshop.id}", headers=alice.headers)).status_code == 204
        assert (await client.get("/me/starred", headers=alice.headers)).json() == []

    async def test_unknown_or_malformed_talk(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        assert (await client.put(f"/me/starred/{uuid.uuid4()}", headers=alice.headers)).status_code == 404
        response = await client.put("/me/starred/not-an-id", headers=alice.headers)
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "talk_id"


class TestPersonalCalendar:
    async def test_it_follows_stars_and_matches_the_event_feed(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        assert list((await feed(client, alice)).walk("VEVENT")) == []
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        await client.put(f"/me/starred/{conference.workshop.id}", headers=alice.headers)

        mine = {str(e["UID"]): e for e in (await feed(client, alice)).walk("VEVENT")}
        event_feed = Calendar.from_ical((await client.get("/events/nlp/calendar.ics")).content)
        everything = {str(e["UID"]): e for e in event_feed.walk("VEVENT")}
        assert len(mine) == 3
        for uid, event in mine.items():
            assert event.to_ical() == everything[uid].to_ical()  # rendered exactly like the event feed
        assert alice.calendar["webcal"].startswith("webcal://")

    async def test_cancellations_reach_it(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, tokens: Tokens
    ) -> None:
        await client.put(f"/me/starred/{conference.lunch.id}", headers=alice.headers)
        await client.put(f"/me/starred/{conference.late.id}", headers=alice.headers)
        await client.post(f"/events/nlp/talks/{conference.lunch.id}/cancel", headers=tokens.organiser)
        await client.delete(f"/events/nlp/talks/{conference.late.id}", headers=tokens.organiser)

        statuses = {str(e["SUMMARY"]): str(e["STATUS"]) for e in (await feed(client, alice)).walk("VEVENT")}
        assert statuses == {"Lunch": "CANCELLED", "Night owls' session": "CANCELLED"}

    async def test_the_etag_changes_with_the_stars(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        url = local(alice.calendar["ics"])
        etag = (await client.get(url)).headers["etag"]
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 200

    async def test_a_reminder_adds_a_valarm(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        (event,) = (await feed(client, alice, "?alarm=10")).walk("VEVENT")
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm.decoded("TRIGGER").total_seconds() == -600
        bad = await client.get(local(alice.calendar["ics"]) + "?alarm=-5")
        assert bad.status_code == 400

    async def test_rotating_kills_the_old_url(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        old = local(alice.calendar["ics"])
        rotated = (await client.post("/me/calendar-token", headers=alice.headers)).json()
        assert (await client.get(old)).status_code == 404
        assert (await client.get(local(rotated["ics"]))).status_code == 200
        assert rotated["ics"] != alice.calendar["ics"]

    async def test_a_guessed_url_is_404(self, client: AsyncTestClient, conference: Conference) -> None:
        assert (await client.get("/calendar/guess.ics")).status_code == 404
        assert (await client.get("/calendar/guess")).status_code == 404


class TestDigest:
    async def test_markdown_grouped_by_talk_in_schedule_order(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        for talk, text in [
            (conference.lunch, "Good soup"),
            (conference.keynote, "Evaluation is hard"),
            (conference.keynote, "# not a heading"),
        ]:
            await client.post(f"/events/nlp/talks/{talk.id}/takeaways", json={"text": text}, headers=alice.headers)
        response = await client.get("/me/takeaways/digest.md", params={"event": "nlp"}, headers=alice.headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/markdown")
        text = response.text
        assert text.startswith("# Event ")
        assert text.index("## Opening keynote") < text.index("## Lunch")
        assert "Ada Lovelace, Bjørn Ærø" in text
        assert "- Evaluation is hard *(private)*" in text
        assert "- \\# not a heading" in text
        assert "## Data pipelines" not in text  # talks without my notes are left out
