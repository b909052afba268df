"""The schedule: grouped by local day, in time order, with room, track and speakers embedded."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference

PROBLEM = "application/problem+json"


def titles(body: dict[str, Any]) -> list[list[str]]:
    return [[talk["title"] for talk in day["talks"]] for day in body["days"]]


class TestSchedule:
    async def test_unknown_event_is_404_problem(self, client: AsyncTestClient) -> None:
        response = await client.get("/events/nope/schedule")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)

    async def test_days_split_at_the_day_change_and_talks_in_time_order(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get("/events/nlp/schedule")).json()

        assert [day["date"] for day in body["days"]] == ["2025-06-20", "2025-06-21"]
        # The 01:30 talk on the 21st falls before the 04:00 day change: it belongs to the 20th.
        assert titles(body) == [
            [
                "Opening keynote",
                "Data pipelines",
                "Cancelled talk",
                "Filtering workshop",
                "Lunch",
                "Night owls' session",
            ],
            ["Filtering workshop"],
        ]
        first = body["days"][0]
        assert first["start"] == "2025-06-20T04:00:00+02:00"
        assert first["end"] == "2025-06-21T04:00:00+02:00"

    async def test_entries_embed_room_track_speakers_and_local_times(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get("/events/nlp/schedule")).json()
        keynote = body["days"][0]["talks"][0]

        assert keynote["start"] == "2025-06-20T09:00:00+02:00"
        assert keynote["end"] == "2025-06-20T10:00:00+02:00"
        assert keynote["duration_minutes"] == 60
        assert keynote["kind"] == "keynote"
        assert keynote["room"]["slug"] == "main"
        assert keynote["track"] == {"id": str(conference.ml.id), "slug": "ml", "name": "Ml", "color": "#ff0000"}
        assert [(s["name"], s["role"]) for s in keynote["speakers"]] == [
            ("Ada Lovelace", "speaker"),
            ("Bjørn Ærø", "moderator"),
        ]
        assert body["version"] == 1
        assert body["event"]["timezone"] == "Europe/Copenhagen"

    async def test_a_repeated_workshop_has_one_entry_per_occurrence(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get("/events/nlp/schedule", params={"kind": "workshop"})).json()
        entries = [talk for day in body["days"] for talk in day["talks"]]

        assert len(entries) == 2
        assert entries[0]["talk_id"] == entries[1]["talk_id"] == str(conference.workshop.id)
        assert entries[0]["id"] != entries[1]["id"]

    async def test_cancelled_slots_stay_marked_cancelled(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/schedule")).json()
        statuses = {t["title"]: t["status"] for day in body["days"] for t in day["talks"]}
        assert statuses["Cancelled talk"] == "cancelled"
        assert statuses["Opening keynote"] == "confirmed"


class TestScheduleFilters:
    async def test_day_keeps_only_that_schedule_day(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/schedule", params={"day": "2025-06-21"})).json()
        assert [d["date"] for d in body["days"]] == ["2025-06-21"]
        assert titles(body) == [["Filtering workshop"]]

    async def test_day_includes_talks_after_midnight_before_the_day_change(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        body = (await client.get("/events/nlp/schedule", params={"day": "2025-06-20"})).json()
        assert "Night owls' session" in titles(body)[0]

    async def test_room(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/schedule", params={"room": "side"})).json()
        assert titles(body) == [["Data pipelines", "Filtering workshop"], ["Filtering workshop"]]

    async def test_track(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/schedule", params={"track": "ml"})).json()
        assert titles(body) == [["Opening keynote", "Night owls' session"], []]

    async def test_speaker(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/schedule", params={"speaker": str(conference.bjørn.id)})).json()
        assert titles(body) == [["Opening keynote", "Data pipelines"], []]

    async def test_kind(self, client: AsyncTestClient, conference: Conference) -> None:
        body = (await client.get("/events/nlp/schedule", params={"kind": "break"})).json()
        assert titles(body) == [["Lunch"], []]

    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("KEYNOTE", ["Opening keynote"]),  # title, any case
            ("evaluation", ["Opening keynote"]),  # abstract
            ("bjørn", ["Opening keynote", "Data pipelines"]),  # speaker name, non-ASCII
            ("BJØRN", ["Opening keynote", "Data pipelines"]),  # non-ASCII case folding
            ("æøå", ["Data pipelines"]),
            ("no such words", []),
        ],
    )
    async def test_q_searches_title_abstract_and_speakers_case_insensitively(
        self, client: AsyncTestClient, conference: Conference, q: str, expected: list[str]
    ) -> None:
        body = (await client.get("/events/nlp/schedule", params={"q": q})).json()
        assert [t["title"] for day in body["days"] for t in day["talks"]] == expected

    async def test_filters_combine(self, client: AsyncTestClient, conference: Conference) -> None:
        params = {"room": "side", "day": "2025-06-20", "kind": "workshop"}
        body = (await client.get("/events/nlp/schedule", params=params)).json()
        assert titles(body) == [["Filtering workshop"]]


class TestScheduleBadInput:
    @pytest.mark.parametrize(
        ("param", "value"),
        [
            ("day", "2025-02-30"),
            ("day", "20-06-2025"),
            ("day", "2025-06-25"),  # well-formed, but not a day of the event
            ("room", "nowhere"),
            ("track", "astrology"),
            ("speaker", "not-a-uuid"),
            ("speaker", "00000000-0000-0000-0000-000000000000"),
            ("kind", "party"),
            ("q", ""),
            ("q", "x" * 201),
        ],
    )
    async def test_bad_filter_is_a_400_problem_naming_the_parameter(
        self, client: AsyncTestClient, conference: Conference, param: str, value: str
    ) -> None:
        response = await client.get("/events/nlp/schedule", params={param: value})

        assert response.status_code == 400
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["status"] == 400
        assert body["errors"][0]["field"] == param
        assert param in body["detail"]
