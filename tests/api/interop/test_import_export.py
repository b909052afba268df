"""Import frab XML and C3VOC JSON over HTTP; export both; round trips; bad files change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.interop import c3voc_json, frab_xml
from service.interop.exporters import EXPORTERS, ExportSource
from tests.api.conftest import Conference, Tokens
from tests.problems import assert_problem

XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<schedule><version>1</version>
<conference><acronym>nlp-demo</acronym><title>NLP</title><start>2025-06-20</start><end>2025-06-21</end>
<days>2</days><time_zone_name>Europe/Copenhagen</time_zone_name></conference>
<day index="1" date="2025-06-20" start="2025-06-20T04:00:00+02:00" end="2025-06-21T04:00:00+02:00">
<room name="Hall A">
<event guid="6f2b1d0e-4a8c-4a53-9f27-4a9d3c1e5b10" id="1"><date>2025-06-20T14:00:00+02:00</date>
<start>14:00</start><duration>00:45</duration><room>Hall A</room><slug>nlp-demo-1-imported</slug>
<title>Imported talk</title><subtitle/><track>Imported track</track><type>lecture</type><language>en</language>
<abstract>From a file.</abstract><description/><persons><person id="7">Grace Hopper</person></persons><links/></event>
<event guid="6f2b1d0e-4a8c-4a53-9f27-4a9d3c1e5b11" id="2"><date>2025-06-20T15:00:00+02:00</date>
<start>15:00</start><duration>00:30</duration><room>Hall A</room><slug>nlp-demo-2-second</slug>
<title>Second imported talk</title><subtitle/><track/><type>lecture</type><language>en</language>
<abstract/><description/><persons/><links/></event>
</room></day></schedule>"""


def entries(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    return [talk for day in schedule["days"] for talk in day["talks"]]


class TestImportPermissions:
    async def test_anonymous_gets_401(self, client: AsyncTestClient, conference: Conference) -> None:
        assert_problem(await client.post("/events/nlp/import", content=XML), 401, code="unauthenticated")

    async def test_another_events_token_gets_403(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        refused = await client.post("/events/nlp/import", content=XML, headers=tokens.other_event)
        assert_problem(refused, 403, code="forbidden", says="may not change the event 'nlp'")


class TestImport:
    async def test_import_adds_talks_rooms_tracks_and_speakers(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post("/events/nlp/import", content=XML, headers=tokens.organiser)
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["format"], report["created"], report["talks_in_file"]) == ("frab-xml", 2, 2)
        # The conference's own talks are not in the file: kept, but cancelled, and the report says so.
        assert report["cancelled"] == 6

        talks = {t["title"]: t for t in entries((await client.get("/events/nlp/schedule")).json())}
        imported = talks["Imported talk"]
        assert imported["start"] == "2025-06-20T14:00:00+02:00"
        assert imported["room"]["name"] == "Hall A"
        assert imported["track"]["name"] == "Imported track"
        assert [s["name"] for s in imported["speakers"]] == ["Grace Hopper"]
        assert talks["Opening keynote"]["status"] == "cancelled"

    async def test_reimporting_the_same_file_changes_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        await client.post("/events/nlp/import", content=XML, headers=tokens.organiser)
        version = (await client.get("/events/nlp/schedule")).json()["version"]
        report = (await client.post("/events/nlp/import", content=XML, headers=tokens.organiser)).json()
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 2)
        assert (await client.get("/events/nlp/schedule")).json()["version"] == version

    async def test_an_updated_file_updates_by_guid_and_logs_it(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        await client.post("/events/nlp/import", content=XML, headers=tokens.organiser)
        since = (await client.get("/events/nlp/changes")).json()["version"]
        moved = (
            XML.replace(b"2025-06-20T14:00:00+02:00", b"2025-06-20T16:00:00+02:00")
            .replace(b"<start>14:00</start>", b"<start>16:00</start>")
            .replace(b"<title>Second imported talk</title>", b"<title>Renamed in the file</title>")
        )
        report = (await client.post("/events/nlp/import", content=moved, headers=tokens.organiser)).json()
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 2, 0)

        kinds = [
            c["kind"]
            for c in (await client.get("/events/nlp/changes", params={"since": since})).json()["changes"]["items"]
        ]
        assert sorted(kinds) == ["moved_time", "retitled"]
        titles = [t["title"] for t in entries((await client.get("/events/nlp/schedule")).json())]
        assert titles.count("Renamed in the file") == 1

    async def test_vanished_talks_can_be_deleted_instead(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/events/nlp/import", params={"vanished": "delete"}, content=XML, headers=tokens.organiser
        )
        assert response.json()["deleted"] == 7
        titles = {t["title"] for t in entries((await client.get("/events/nlp/schedule")).json())}
        assert titles == {"Imported talk", "Second imported talk"}


class TestMalformedImports:
    @pytest.mark.parametrize(
        "body",
        [
            XML[: len(XML) // 2],  # truncated XML
            b'{"schedule": {"conference": {"days": "many"}}}',  # wrong types
            b'{"schedule": ',  # truncated JSON
            XML.replace(b"2025-06-20T14:00:00+02:00", b"2031-06-20T14:00:00+02:00"),  # years off the event
            "<?xml version='1.0' encoding='UTF-8'?><schedule>\u00e9".encode("latin-1"),  # not UTF-8
            b"plain text, not a schedule",
        ],
        ids=[
            "truncated-xml",
            "wrong-types",
            "truncated-json",
            "outside-event",
            "non-utf8",
            "not-a-schedule",
        ],
    )
    async def test_a_bad_file_is_a_422_naming_where_and_changes_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, body: bytes
    ) -> None:
        before = (await client.get("/events/nlp/schedule")).json()
        response = await client.post("/events/nlp/import", content=body, headers=tokens.organiser)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert problem["errors"][0]["field"].startswith(("line", "$", "talks["))
        assert (await client.get("/events/nlp/schedule")).json() == before

    async def test_a_talk_without_a_usable_time_is_skipped_and_reported(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = XML.replace(b"2025-06-20T14:00:00+02:00", b"2025-06-20T99:00:00+02:00").replace(
            b"<start>14:00</start>", b"<start>99:00</start>"
        )
        report = (await client.post("/events/nlp/import", content=body, headers=tokens.organiser)).json()
        assert (report["talks_in_file"], report["created"]) == (1, 1)
        assert any("skipped" in w["message"] and w["where"] == "line 7" for w in report["warnings"])

    async def test_a_file_over_50_mb_is_refused_with_413(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        huge = XML + b"<!--" + b"x" * (50 * 1024 * 1024) + b"-->"
        response = await client.post("/events/nlp/import", content=huge, headers=tokens.organiser)
        assert response.status_code == 413
        assert response.headers["content-type"].startswith("application/problem+json")

    async def test_an_unknown_timezone_is_a_422(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/events/nlp/import", params={"timezone": "Moon/Base"}, content=XML, headers=tokens.organiser
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "timezone"


class TestExport:
    @pytest.mark.parametrize(
        ("path", "identifier", "module"),
        [("schedule.xml", "frab-xml", frab_xml), ("schedule.json", "c3voc-json", c3voc_json)],
    )
    async def test_exports_parse_back_to_the_same_schedule(
        self, client: AsyncTestClient, conference: Conference, path: str, identifier: str, module: Any
    ) -> None:
        response = await client.get(f"/events/nlp/{path}")
        assert response.status_code == 200
        assert response.headers["content-type"] == EXPORTERS[identifier].media_type
        document = module.parse(response.content)
        schedule = entries((await client.get("/events/nlp/schedule")).json())
        assert sorted(t.title for t in document.talks) == sorted(t["title"] for t in schedule)
        assert {t.guid for t in document.talks} == {t["id"] for t in schedule}

    async def test_exports_answer_304_and_head(self, client: AsyncTestClient, conference: Conference) -> None:
        for path in ("/events/nlp/schedule.xml", "/events/nlp/schedule.json"):
            first = await client.get(path)
            assert (await client.get(path, headers={"If-None-Match": first.headers["etag"]})).status_code == 304
            assert (await client.head(path)).status_code == 200

    async def test_unknown_event_is_404(self, client: AsyncTestClient) -> None:
        assert (await client.get("/events/nope/schedule.xml")).status_code == 404

    async def test_the_registrys_ical_entry_renders_the_events_calendar_feed(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        """iCal is one more exporter: the registry's entry gives the bytes the feed route serves."""
        served = await client.get("/events/nlp/calendar.ics")
        assert served.status_code == 200
        ical = EXPORTERS["ical"]
        source = ExportSource(session=db_session, event=conference.event, base_url=str(client.base_url).rstrip("/"))
        assert served.headers["content-type"].startswith(ical.media_type)
        assert await ical.render(source) == served.content
