"""iCalendar feeds, parsed back and compared slot by slot with the schedule API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from icalendar import Calendar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule.models import SpeakerRole
from tests.api.conftest import Conference
from tests.factories import create_event, create_room, create_speaker, create_talk

ICAL = "text/calendar"


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def instant(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def vevents(calendar: Calendar) -> dict[str, Any]:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


async def assert_feed_matches_schedule(client: AsyncTestClient, slug: str, query: str = "") -> int:
    """Same UIDs, same start and end instants, same status: the promise of a feed."""
    feed = await client.get(f"/events/{slug}/calendar.ics{query}")
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith(ICAL)
    events = vevents(parse(feed.content))
    schedule = (await client.get(f"/events/{slug}/schedule{query}")).json()
    entries = {f"{t['id']}@plenary": t for day in schedule["days"] for t in day["talks"]}

    assert set(events) == set(entries)
    for uid, entry in entries.items():
        event = events[uid]
        # Compared as instants: PEP 495 makes ambiguous local times unequal across zones.
        assert instant(event.decoded("DTSTART")) == instant(datetime.datetime.fromisoformat(entry["start"])), uid
        assert instant(event.decoded("DTEND")) == instant(datetime.datetime.fromisoformat(entry["end"])), uid
        assert str(event["STATUS"]) == entry["status"].upper(), uid
        assert str(event["SUMMARY"]) == entry["title"]
    return len(entries)


class TestEventFeed:
    async def test_unknown_event_is_a_404_problem(self, client: AsyncTestClient) -> None:
        response = await client.get("/events/nope/calendar.ics")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")

    @pytest.mark.parametrize("slug", ["cph-nlp-2025", "ai-startup-school-2025", "mlops-podcast-kilcher"])
    async def test_each_demo_feed_matches_its_schedule(
        self, client: AsyncTestClient, demo: list[str], slug: str
    ) -> None:
        assert await assert_feed_matches_schedule(client, slug) >= 1

    async def test_rfc5545_envelope_and_a_real_vtimezone(self, client: AsyncTestClient, demo: list[str]) -> None:
        body = (await client.get("/events/cph-nlp-2025/calendar.ics")).content
        lines = body.split(b"\r\n")

        assert body.endswith(b"END:VCALENDAR\r\n")
        assert b"\n" not in body.replace(b"\r\n", b"")  # every line ends in CRLF
        assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
        calendar = parse(body)
        assert str(calendar["VERSION"]) == "2.0"
        assert str(calendar["PRODID"]).startswith("-//Plenary//")
        assert str(calendar["X-WR-CALNAME"]) == "Copenhagen NLP Symposium 2025"
        assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Copenhagen"
        assert "REFRESH-INTERVAL" in calendar
        assert "X-PUBLISHED-TTL" in calendar
        (timezone,) = calendar.walk("VTIMEZONE")
        assert str(timezone["TZID"]) == "Europe/Copenhagen"
        assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
        assert b"DTSTART;TZID=Europe/Copenhagen:20250620T103000" in body

    async def test_each_slot_carries_what_a_calendar_shows(self, client: AsyncTestClient, demo: list[str]) -> None:
        body = (await client.get("/events/cph-nlp-2025/calendar.ics")).content
        spike = next(e for e in parse(body).walk("VEVENT") if "Spikes in the loss" in str(e["SUMMARY"]))

        assert str(spike["LOCATION"]) == "Auditorium 1, University of Copenhagen, South Campus"
        description = str(spike["DESCRIPTION"])
        assert "microwavegang" in description
        assert "Kyle Lo (speaker)" in description
        assert [str(c) for c in spike["CATEGORIES"].cats] == ["Data", "talk"]
        assert int(spike["SEQUENCE"]) == 0
        assert "DTSTAMP" in spike
        assert "LAST-MODIFIED" in spike
        assert str(spike["URL"]).endswith(f"/talks/{(await self._talk_id(client))}")

    async def _talk_id(self, client: AsyncTestClient) -> str:
        schedule = (await client.get("/events/cph-nlp-2025/schedule", params={"q": "spikes"})).json()
        return str(schedule["days"][0]["talks"][0]["talk_id"])

    async def test_the_recording_link_is_attached(self, client: AsyncTestClient, demo: list[str]) -> None:
        body = (await client.get("/events/ai-startup-school-2025/calendar.ics")).content
        (keynote,) = parse(body).walk("VEVENT")
        assert str(keynote["ATTACH"]) == "https://youtu.be/LCEmiRjPEtQ"
        assert "Recording: https://youtu.be/LCEmiRjPEtQ" in str(keynote["DESCRIPTION"])
        assert b"DTSTART;TZID=America/Los_Angeles:20250617T103000" in body

    async def test_a_repeated_workshop_has_one_uid_per_occurrence(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get("/events/nlp/calendar.ics", params={"kind": "workshop"})).content
        events = list(parse(body).walk("VEVENT"))
        assert len(events) == 2
        assert len({str(e["UID"]) for e in events}) == 2

    @pytest.mark.parametrize(
        "query", ["?track=ml", "?room=side", "?day=2025-06-21", "?kind=break", f"?q={'bjørn'}", "?kind=keynote"]
    )
    async def test_filtered_feeds_match_the_filtered_schedule(
        self, client: AsyncTestClient, conference: Conference, query: str
    ) -> None:
        await assert_feed_matches_schedule(client, "nlp", query)

    async def test_speaker_filter(self, client: AsyncTestClient, conference: Conference) -> None:
        assert await assert_feed_matches_schedule(client, "nlp", f"?speaker={conference.ada.id}") == 3

    @pytest.mark.parametrize(("param", "value"), [("room", "nowhere"), ("day", "2025-13-01"), ("kind", "party")])
    async def test_bad_filter_is_a_problem_not_a_broken_calendar(
        self, client: AsyncTestClient, conference: Conference, param: str, value: str
    ) -> None:
        response = await client.get("/events/nlp/calendar.ics", params={param: value})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"] == param

    async def test_links_to_the_feed_from_event_and_talk(self, client: AsyncTestClient, conference: Conference) -> None:
        event = (await client.get("/events/nlp")).json()
        assert event["links"]["calendar"]["ics"].endswith("/events/nlp/calendar.ics")
        assert event["links"]["calendar"]["webcal"].startswith("webcal://")
        assert event["links"]["calendar"]["webcal"].endswith("/events/nlp/calendar.ics")
        talk = (await client.get(f"/events/nlp/talks/{conference.keynote.id}")).json()
        assert talk["calendar"]["ics"].endswith(f"/events/nlp/talks/{conference.keynote.id}.ics")
        assert talk["calendar"]["webcal"].startswith("webcal://")


class TestFeedAcrossDst:
    async def test_times_across_the_autumn_change_are_exactly_the_schedules(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        event = await create_event(
            db_session,
            slug="autumn",
            timezone="Europe/Copenhagen",
            start_date=datetime.date(2025, 10, 25),
            end_date=datetime.date(2025, 10, 27),
        )
        room = await create_room(db_session, event, "hall")
        await create_talk(db_session, event, "First 02:30", start="2025-10-26T02:30:00+02:00", minutes=30, room=room)
        await create_talk(db_session, event, "Second 02:30", start="2025-10-26T02:30:00+01:00", minutes=30, room=room)
        await create_talk(db_session, event, "Saturday", start="2025-10-25T10:00", room=room)
        await create_talk(db_session, event, "Monday", start="2025-10-27T10:00", room=room)
        await db_session.commit()

        assert await assert_feed_matches_schedule(client, "autumn") == 4
        body = (await client.get("/events/autumn/calendar.ics")).content
        instants = sorted(e.decoded("DTSTART").astimezone(datetime.UTC) for e in parse(body).walk("VEVENT"))
        assert instants[1:3] == [
            datetime.datetime(2025, 10, 26, 0, 30, tzinfo=datetime.UTC),
            datetime.datetime(2025, 10, 26, 1, 30, tzinfo=datetime.UTC),
        ]
        # The second 02:30 cannot be written as a Copenhagen wall-clock time (RFC 5545 would read it
        # as the first), so it is written in UTC; the first keeps its TZID.
        assert b"DTSTART;TZID=Europe/Copenhagen:20251026T023000" in body
        assert b"DTSTART:20251026T013000Z" in body


class TestEscaping:
    async def test_unicode_long_text_and_special_characters_survive_the_round_trip(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        event = await create_event(db_session, slug="chars", title="Chaos; Bühne, Ü 🎉")
        speaker = await create_speaker(db_session, "Zoë «Ω» Døssing, Jr.")
        abstract = 'Line one;\nline two, with commas\\backslash and "quotes".\n' + "Ünïcødé 🚀 " * 200
        await create_talk(
            db_session,
            event,
            "Semi;colons, commas, and Ümlauts 🚀",
            start="2025-06-20T10:00",
            abstract=abstract,
            speakers=[(speaker, SpeakerRole.GUEST)],
        )
        await db_session.commit()

        body = (await client.get("/events/chars/calendar.ics")).content
        assert all(len(line) <= 75 for line in body.split(b"\r\n"))
        calendar = parse(body)
        (event_component,) = calendar.walk("VEVENT")
        assert str(calendar["X-WR-CALNAME"]) == "Chaos; Bühne, Ü 🎉"
        assert str(event_component["SUMMARY"]) == "Semi;colons, commas, and Ümlauts 🚀"
        assert abstract in str(event_component["DESCRIPTION"])
        assert "Zoë «Ω» Døssing, Jr. (guest)" in str(event_component["DESCRIPTION"])


class TestConditionalFeed:
    async def test_etag_304_and_head(self, client: AsyncTestClient, conference: Conference) -> None:
        first = await client.get("/events/nlp/calendar.ics")
        etag = first.headers["etag"]
        assert "last-modified" in first.headers

        assert (await client.get("/events/nlp/calendar.ics", headers={"If-None-Match": etag})).status_code == 304
        head = await client.head("/events/nlp/calendar.ics")
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["etag"] == etag
        assert head.headers["content-type"].startswith(ICAL)

    async def test_the_feed_is_rendered_once_per_version(self, client: AsyncTestClient, conference: Conference) -> None:
        identity = {"Accept-Encoding": "identity"}
        first = await client.get("/events/nlp/calendar.ics", headers=identity)
        second = await client.get("/events/nlp/calendar.ics", headers=identity)
        assert first.content == second.content
        cache = client.app.state.render_cache
        assert cache.get(first.headers["etag"]) == first.content


class TestTalkFeed:
    async def test_one_talk_with_every_occurrence(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get(f"/events/nlp/talks/{conference.workshop.id}.ics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(ICAL)
        events = list(parse(response.content).walk("VEVENT"))
        assert [str(e["SUMMARY"]) for e in events] == ["Filtering workshop", "Filtering workshop"]
        talk = (await client.get(f"/events/nlp/talks/{conference.workshop.id}")).json()
        assert {str(e["UID"]) for e in events} == {f"{slot['id']}@plenary" for slot in talk["slots"]}

    async def test_talk_feed_answers_304_and_head(self, client: AsyncTestClient, conference: Conference) -> None:
        path = f"/events/nlp/talks/{conference.keynote.id}.ics"
        etag = (await client.get(path)).headers["etag"]
        assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304
        assert (await client.head(path)).status_code == 200

    async def test_unknown_or_malformed_talk_is_a_problem(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        unknown = await client.get("/events/nlp/talks/00000000-0000-0000-0000-000000000000.ics")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"].startswith("application/problem+json")
        malformed = await client.get("/events/nlp/talks/nope.ics")
        assert malformed.status_code == 400
        assert malformed.json()["errors"][0]["field"] == "talk_id"
