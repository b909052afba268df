"""One shape for times and texts: what the API returns is what it accepts, instants are local."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens, register

INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def instants(value: Any) -> list[str]:
    """Every string in a JSON document that is a date and time."""
    if isinstance(value, dict):
        return [found for item in value.values() for found in instants(item)]
    if isinstance(value, list):
        return [found for item in value for found in instants(item)]
    return [value] if isinstance(value, str) and INSTANT.match(value) else []


class TestDayChange:
    async def test_an_event_is_created_with_day_change_as_it_is_returned(
        self, client: AsyncTestClient, tokens: Tokens
    ) -> None:
        created = await client.post(
            "/events",
            json={
                "slug": "night-conf",
                "title": "Night conference",
                "timezone": "Europe/Berlin",
                "start_date": "2025-09-01",
                "end_date": "2025-09-02",
                "day_change": "04:00",
            },
            headers=tokens.admin,
        )
        assert created.status_code == 201, created.text
        assert created.json()["day_change"] == "04:00"
        event = (await client.get("/events/night-conf")).json()
        assert event["day_change"] == "04:00"

    async def test_day_change_sent_back_unchanged_is_accepted(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        returned = (await client.get("/events/nlp")).json()["day_change"]
        patched = await client.patch("/events/nlp", json={"day_change": returned}, headers=tokens.organiser)
        assert patched.status_code == 200, patched.text
        moved = await client.patch("/events/nlp", json={"day_change": "05:30"}, headers=tokens.organiser)
        assert moved.json()["day_change"] == "05:30"

    async def test_seconds_are_still_accepted(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        patched = await client.patch("/events/nlp", json={"day_change": "03:00:00"}, headers=tokens.organiser)
        assert patched.json()["day_change"] == "03:00"

    async def test_a_time_that_is_not_a_clock_time_is_refused_naming_day_change(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        for bad in ("24:00", "4:00", "04:60", "noon", "04:00+02:00"):
            response = await client.patch("/events/nlp", json={"day_change": bad}, headers=tokens.organiser)
            assert response.status_code == 422, bad
            assert response.json()["errors"][0]["field"] == "day_change"


class TestInstantsAreLocal:
    async def test_every_instant_in_every_response_carries_the_events_offset(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        moved = await client.patch(
            f"/events/nlp/slots/{conference.keynote_slot_id}",
            json={"start": "2025-06-20T16:00:00"},
            headers=tokens.organiser,
        )
        assert moved.status_code == 200
        await client.delete(f"/events/nlp/talks/{conference.lunch.id}", headers=tokens.organiser)
        phone = await register(client, "Ada")
        note = await client.post(
            f"/events/nlp/talks/{conference.side_talk.id}/takeaways",
            json={"text": "Scrape politely.", "visibility": "public"},
            headers=phone.headers,
        )
        assert note.status_code == 201

        documents = {
            path: (await client.get(path, headers=phone.headers)).json()
            for path in (
                "/events/nlp",
                "/events/nlp/schedule",
                "/events/nlp/now?at=2025-06-20T10:00",
                f"/events/nlp/talks/{conference.keynote.id}",
                "/events/nlp/changes?since=0",
                "/me/takeaways",
                "/me/starred",
                f"/events/nlp/talks/{conference.side_talk.id}/takeaways",
            )
        }
        found = {path: instants(body) for path, body in documents.items()}
        assert all(found[path] for path in ("/events/nlp/changes?since=0", "/me/takeaways", "/events/nlp"))
        for path, values in found.items():
            for value in values:
                shown = datetime.datetime.fromisoformat(value)
                assert shown.utcoffset() is not None, f"{path}: {value} has no offset"
                assert shown.utcoffset() == shown.astimezone(COPENHAGEN).utcoffset(), f"{path}: {value}"
                assert not value.endswith("Z"), f"{path}: {value}"


class TestCharset:
    async def test_text_responses_name_their_charset_once(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        phone = await register(client, "Ada")
        for path in ("/events/nlp/calendar.ics", "/me/takeaways/digest.md", "/", phone.calendar["ics"]):
            response = await client.get(path, headers=phone.headers)
            assert response.status_code == 200, path
            assert response.headers["content-type"].count("charset") == 1, path
