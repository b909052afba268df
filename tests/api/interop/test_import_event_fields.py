"""What an import writes on the event itself, the same over HTTP and from the command line: it
fills what the event lacks, never overwrites what an organiser set, and a time zone it had to
assume is a warning that says which and how to set the right one."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.interop.cli import import_file
from service.organisers.services import TokenService
from tests.api.conftest import Conference, Tokens, bearer
from tests.factories import create_event
from tests.schedule_files import WINTER_GUID, WINTER_OFFSETS_ONLY_XML

SCHEDULES = Path(__file__).resolve().parents[3].parent / "shared" / "schedules"
GUID = WINTER_GUID

# frab XML and C3VOC JSON of one winter day, with UTC offsets and no zone name.
XML = WINTER_OFFSETS_ONLY_XML
JSON = {
    "schedule": {
        "version": "1",
        "conference": {
            "acronym": "winter-nlp",
            "title": "Winter NLP",
            "start": "2026-01-15",
            "end": "2026-01-15",
            "daysCount": 1,
            "url": "https://winter-nlp.example.org/",
            "days": [
                {
                    "index": 1,
                    "date": "2026-01-15",
                    "day_start": "2026-01-15T08:00:00+01:00",
                    "day_end": "2026-01-15T20:00:00+01:00",
                    "rooms": {
                        "Aula": [
                            {
                                "guid": GUID,
                                "id": 1,
                                "date": "2026-01-15T10:00:00+01:00",
                                "start": "10:00",
                                "duration": "00:45",
                                "room": "Aula",
                                "title": "Tokenisers in winter",
                                "type": "lecture",
                                "persons": [{"public_name": "Karen Sp\u00e4rck Jones"}],
                            }
                        ]
                    },
                }
            ],
        },
    }
}
JSON_BYTES = json.dumps(JSON).encode()
# The Copenhagen conference's day, with its place named: the zone is the file's own.
NAMED = XML.replace(b"<days>1</days>", b"<days>1</days><time_zone_name>Europe/Berlin</time_zone_name>")
FILLED = ("venue", "city", "website")


def zone_warnings(report: dict[str, Any]) -> list[str]:
    return [w["message"] for w in report["warnings"] if w["where"] == "timezone"]


async def organiser_of(db_session: AsyncSession, slug: str) -> dict[str, str]:
    _, token = await TokenService(db_session).create(event_slug=slug, admin=False)
    await db_session.commit()
    return bearer(token)


@pytest.fixture
async def winter(db_session: AsyncSession) -> dict[str, str]:
    """An event as an organiser creates it (title, zone and days, nothing else); its token."""
    await create_event(
        db_session,
        slug="winter",
        title="Winter NLP (organiser's title)",
        timezone="Europe/Copenhagen",
        start_date=datetime.date(2026, 1, 15),
        end_date=datetime.date(2026, 1, 15),
    )
    return await organiser_of(db_session, "winter")


class TestImportFillsTheEvent:
    async def test_an_http_import_fills_an_empty_venue_city_and_website(
        self, client: AsyncTestClient, winter: dict[str, str]
    ) -> None:
        before = (await client.get("/events/winter")).json()
        assert [before[name] for name in FILLED] == ["", "", ""]

        response = await client.post("/events/winter/import", content=XML, headers=winter)
        assert response.status_code == 200, response.text
        event = (await client.get("/events/winter")).json()
        assert [event[name] for name in FILLED] == ["Aula", "Aarhus", "https://winter-nlp.example.org/"]
        # What the organiser gave when creating it stays.
        assert (event["title"], event["timezone"]) == ("Winter NLP (organiser's title)", "Europe/Copenhagen")
        # The event's description changed, so clients see a new version; the import is one step.
        assert event["schedule_version"] == before["schedule_version"] + 1

    async def test_an_import_never_overwrites_what_the_organiser_set(
        self, client: AsyncTestClient, winter: dict[str, str]
    ) -> None:
        patched = await client.patch("/events/winter", json={"venue": "Store Aula"}, headers=winter)
        assert patched.status_code == 200, patched.text
        await client.post("/events/winter/import", content=XML, headers=winter)
        event = (await client.get("/events/winter")).json()
        assert (event["venue"], event["city"]) == ("Store Aula", "Aarhus")

    async def test_reimporting_changes_nothing_once_filled(
        self, client: AsyncTestClient, winter: dict[str, str]
    ) -> None:
        await client.post("/events/winter/import", content=XML, headers=winter)
        version = (await client.get("/events/winter")).json()["schedule_version"]
        report = (await client.post("/events/winter/import", content=XML, headers=winter)).json()
        assert report["unchanged"] == 1
        assert (await client.get("/events/winter")).json()["schedule_version"] == version

    @pytest.mark.parametrize("body", [XML, JSON_BYTES], ids=["frab-xml", "c3voc-json"])
    async def test_the_command_line_and_http_fill_the_same_fields(
        self, client: AsyncTestClient, db_session: AsyncSession, winter: dict[str, str], body: bytes
    ) -> None:
        await import_file(db_session, body, "from-cli", "Europe/Copenhagen", "cancel")
        await db_session.commit()
        await client.post("/events/winter/import", content=body, headers=winter)

        by_cli = (await client.get("/events/from-cli")).json()
        by_http = (await client.get("/events/winter")).json()
        assert [by_cli[name] for name in FILLED] == [by_http[name] for name in FILLED]
        # The command line created its event, so the file also gave it what HTTP's organiser gave.
        assert (by_cli["title"], by_cli["timezone"], by_cli["start_date"]) == (
            "Winter NLP",
            "Europe/Copenhagen",
            "2026-01-15",
        )


class TestAssumedZone:
    @pytest.mark.parametrize("body", [XML, JSON_BYTES], ids=["frab-xml", "c3voc-json"])
    async def test_a_new_event_from_offsets_only_gets_a_warning_with_the_zone_and_the_fix(
        self, client: AsyncTestClient, db_session: AsyncSession, body: bytes
    ) -> None:
        report = await import_file(db_session, body, "winter-cli", None, "cancel")
        await db_session.commit()
        (warning,) = [w.message for w in report.warnings if w.where == "timezone"]
        assert "Etc/GMT-1 (UTC+01:00 all year, no daylight saving time)" in warning
        assert "--timezone ZONE" in warning
        assert 'PATCH /events/winter-cli with {"timezone": "ZONE"}' in warning
        assert (await client.get("/events/winter-cli")).json()["timezone"] == "Etc/GMT-1"

    async def test_over_http_an_event_with_an_assumed_zone_is_told_how_to_set_it(
        self, client: AsyncTestClient, db_session: AsyncSession, winter: dict[str, str]
    ) -> None:
        await import_file(db_session, XML, "winter-cli", None, "cancel")
        organiser = await organiser_of(db_session, "winter-cli")

        report = (await client.post("/events/winter-cli/import", content=XML, headers=organiser)).json()
        (warning,) = zone_warnings(report)
        assert "Etc/GMT-1" in warning
        assert "?timezone=ZONE" in warning
        assert 'PATCH /events/winter-cli with {"timezone": "ZONE"}' in warning

    async def test_a_zone_given_with_the_import_replaces_an_assumed_one(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        await import_file(db_session, XML, "winter-cli", None, "cancel")
        organiser = await organiser_of(db_session, "winter-cli")
        before = (await client.get("/events/winter-cli/schedule")).json()["days"][0]["talks"][0]["start"]

        response = await client.post(
            "/events/winter-cli/import",
            params={"timezone": "Europe/Copenhagen"},
            content=XML,
            headers=organiser,
        )
        assert response.status_code == 200, response.text
        assert zone_warnings(response.json()) == [
            "the event's zone is now Europe/Copenhagen; it was Etc/GMT-1, a fixed offset assumed earlier"
        ]
        assert (await client.get("/events/winter-cli")).json()["timezone"] == "Europe/Copenhagen"
        after = (await client.get("/events/winter-cli/schedule")).json()["days"][0]["talks"][0]["start"]
        assert before == after == "2026-01-15T10:00:00+01:00"

    async def test_an_organisers_zone_is_never_replaced(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = NAMED.replace(b"2026-01-15", b"2025-06-20").replace(b"+01:00", b"+02:00")
        report = (await client.post("/events/nlp/import", content=body, headers=tokens.organiser)).json()
        (warning,) = zone_warnings(report)
        assert "the file's times are in Europe/Berlin, the event's zone is Europe/Copenhagen" in warning
        assert 'PATCH /events/nlp with {"timezone": "ZONE"}' in warning
        assert (await client.get("/events/nlp")).json()["timezone"] == "Europe/Copenhagen"

    async def test_a_zone_the_organiser_gives_is_no_warning(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        report = await import_file(db_session, XML, "winter-cli", "Europe/Copenhagen", "cancel")
        assert [w for w in report.warnings if w.where == "timezone"] == []

    @pytest.mark.skipif(
        not (SCHEDULES / "ccc-36c3-merged_schedule.json").is_file(), reason=f"the real schedules are not at {SCHEDULES}"
    )
    async def test_a_real_file_without_a_zone_over_http(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        """36C3 (Leipzig, December) names no zone; every time is +01:00. Imported into an event whose
        zone an earlier import assumed, the report says so and how to fix it."""
        data = (SCHEDULES / "ccc-36c3-merged_schedule.json").read_bytes()
        await create_event(
            db_session,
            slug="36c3",
            timezone="Etc/GMT-1",
            start_date=datetime.date(2019, 12, 27),
            end_date=datetime.date(2019, 12, 30),
        )
        organiser = await organiser_of(db_session, "36c3")
        response = await client.post("/events/36c3/import", content=data, headers=organiser)
        assert response.status_code == 200, response.text
        (warning,) = zone_warnings(response.json())
        assert "Etc/GMT-1 (UTC+01:00 all year" in warning
        assert "?timezone=ZONE" in warning
