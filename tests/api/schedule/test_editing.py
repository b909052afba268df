"""Organisers change the schedule: validation, conflicts, stale edits, the change log."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens

PROBLEM = "application/problem+json"


def slot(start: str, minutes: int = 30, room: str | None = "main") -> dict[str, Any]:
    return {"start": start, "duration_minutes": minutes, "room": room}


class TestValidation:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"title": "x", "slots": [slot("2025-06-25T10:00:00")]}, "slots[0].start"),  # outside the event
            ({"title": "x", "slots": [slot("2025-06-20T20:00:00", minutes=0)]}, "slots[0].duration_minutes"),
            ({"title": "x", "slots": [slot("2025-06-20T20:00:00", minutes=24 * 60 + 1)]}, "slots[0].duration_minutes"),
            ({"title": "x" * 301, "slots": [slot("2025-06-20T20:00:00")]}, "title"),
            ({"title": "", "slots": [slot("2025-06-20T20:00:00")]}, "title"),
            ({"title": "x", "slots": []}, "slots"),
            ({"title": "x", "slots": [slot("2025-06-20T20:00:00", room="attic")]}, "slots[0].room"),
            ({"title": "x", "track": "astrology", "slots": [slot("2025-06-20T20:00:00")]}, "track"),
            ({"title": "x", "kind": "party", "slots": [slot("2025-06-20T20:00:00")]}, "kind"),
            (
                {
                    "title": "x",
                    "slots": [slot("2025-06-20T20:00:00")],
                    "speakers": [{"id": "00000000-0000-0000-0000-000000000000"}],
                },
                "speakers[0].id",
            ),
            ({"title": "x", "slots": [slot("2025-06-20T20:00:00")], "surprise": 1}, "surprise"),
        ],
    )
    async def test_bad_talk_is_a_422_naming_the_field_and_changes_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, body: dict[str, Any], field: str
    ) -> None:
        before = (await client.get("/events/nlp/schedule")).json()
        response = await client.post("/events/nlp/talks", json=body, headers=tokens.organiser)

        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["errors"][0]["field"] == field
        assert (await client.get("/events/nlp/schedule")).json() == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"timezone": "Mars/Olympus"}, "timezone"),
            ({"timezone": "GMT+1"}, "timezone"),
            ({"end_date": "2025-06-19"}, "end_date"),
            ({"title": ""}, "title"),
            ({"website": "not a url"}, "website"),
        ],
    )
    async def test_bad_event_edit_is_a_422_naming_the_field(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, body: dict[str, Any], field: str
    ) -> None:
        response = await client.patch("/events/nlp", json=body, headers=tokens.organiser)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
        assert (await client.get("/events/nlp")).json()["timezone"] == "Europe/Copenhagen"

    async def test_a_bad_track_colour_is_refused(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/events/nlp/tracks", json={"slug": "x-y", "name": "X", "color": "red"}, headers=tokens.organiser
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "color"


class TestConflicts:
    async def test_two_confirmed_talks_in_one_room_at_once_is_409_naming_the_other(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = {"title": "Overlap", "slots": [slot("2025-06-20T09:30:00", room="main")]}
        response = await client.post("/events/nlp/talks", json=body, headers=tokens.organiser)

        assert response.status_code == 409
        problem = response.json()
        assert problem["other"]["title"] == "Opening keynote"
        assert problem["other"]["talk_id"] == str(conference.keynote.id)
        assert "Opening keynote" in problem["detail"]

    async def test_a_cancelled_talk_does_not_block_its_room(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = {"title": "In the freed slot", "slots": [slot("2025-06-20T10:00:00", room="main")]}
        assert (await client.post("/events/nlp/talks", json=body, headers=tokens.organiser)).status_code == 201

    async def test_one_speaker_in_two_places_is_409(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = {
            "title": "Ada elsewhere",
            "slots": [slot("2025-06-20T09:15:00", room=None)],
            "speakers": [{"id": str(conference.ada.id), "role": "speaker"}],
        }
        response = await client.post("/events/nlp/talks", json=body, headers=tokens.organiser)
        assert response.status_code == 409
        assert response.json()["other"]["title"] == "Opening keynote"

    async def test_moving_into_an_occupied_room_is_409_and_changes_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.patch(
            f"/events/nlp/slots/{conference.side_slot_id}", json={"room": "main"}, headers=tokens.organiser
        )
        assert response.status_code == 409
        assert response.json()["other"]["title"] == "Opening keynote"
        talk = (await client.get(f"/events/nlp/talks/{conference.side_talk.id}")).json()
        assert talk["slots"][0]["room"]["slug"] == "side"


class TestOptimisticConcurrency:
    async def test_a_stale_if_match_gets_412_and_changes_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        path = f"/events/nlp/talks/{conference.keynote.id}"
        etag = (await client.get(path)).headers["etag"]
        first = await client.patch(path, json={"title": "First edit"}, headers={**tokens.organiser, "If-Match": etag})
        assert first.status_code == 200
        assert first.headers["etag"] != etag

        second = await client.patch(path, json={"title": "Second edit"}, headers={**tokens.organiser, "If-Match": etag})
        assert second.status_code == 412
        assert second.headers["content-type"].startswith(PROBLEM)
        assert (await client.get(path)).json()["title"] == "First edit"

        third = await client.patch(
            path, json={"title": "Third edit"}, headers={**tokens.organiser, "If-Match": first.headers["etag"]}
        )
        assert third.status_code == 200

    async def test_stale_moves_and_deletes_get_412_too(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        etag = (await client.get("/events/nlp/schedule")).headers["etag"]
        await client.patch("/events/nlp", json={"title": "Renamed"}, headers=tokens.organiser)
        stale = {**tokens.organiser, "If-Match": etag}
        assert (
            await client.patch(
                f"/events/nlp/slots/{conference.keynote_slot_id}", json={"start": "2025-06-21T09:00:00"}, headers=stale
            )
        ).status_code == 412
        assert (await client.delete(f"/events/nlp/talks/{conference.late.id}", headers=stale)).status_code == 412
        assert (await client.patch("/events/nlp", json={"city": "Aarhus"}, headers=stale)).status_code == 412


class TestChangeLog:
    async def test_changes_since_a_version(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        start = (await client.get("/events/nlp/changes")).json()
        assert start == {"version": 1, "changes": {"items": [], "total": 0, "limit": 50, "offset": 0}}

        steps: list[tuple[str, str, dict[str, Any] | None]] = [
            (
                "PATCH",
                f"/events/nlp/slots/{conference.keynote_slot_id}",
                {"start": "2025-06-21T09:00:00", "room": "side"},
            ),
            ("POST", f"/events/nlp/talks/{conference.lunch.id}/cancel", None),
            ("PATCH", f"/events/nlp/talks/{conference.side_talk.id}", {"title": "Pipelines"}),
            ("PATCH", f"/events/nlp/talks/{conference.side_talk.id}", {"speakers": [{"id": str(conference.ada.id)}]}),
            ("DELETE", f"/events/nlp/talks/{conference.late.id}", None),
            ("POST", "/events/nlp/talks", {"title": "Added", "slots": [slot("2025-06-21T16:00:00")]}),
        ]
        for method, path, body in steps:
            response = await client.request(method, path, json=body, headers=tokens.organiser)
            assert response.status_code < 300, (path, response.text)

        log = (await client.get("/events/nlp/changes")).json()
        kinds = [(c["version"], c["kind"]) for c in log["changes"]["items"]]
        assert kinds == [
            (2, "moved_time"),
            (2, "moved_room"),
            (3, "cancelled"),
            (4, "retitled"),
            (5, "speakers_changed"),
            (6, "removed"),
            (7, "added"),
        ]
        assert log["version"] == 7
        since = (await client.get("/events/nlp/changes", params={"since": 5})).json()
        assert [c["kind"] for c in since["changes"]["items"]] == ["removed", "added"]
        assert (await client.get("/events/nlp/schedule")).json()["version"] == 7

    async def test_a_rejected_change_leaves_no_trace(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = {"title": "Overlap", "slots": [slot("2025-06-21T15:00:00"), slot("2025-06-20T09:30:00")]}
        assert (await client.post("/events/nlp/talks", json=body, headers=tokens.organiser)).status_code == 409
        log = (await client.get("/events/nlp/changes")).json()
        assert log["version"] == 1
        assert log["changes"]["total"] == 0

    async def test_bad_since_is_a_400(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get("/events/nlp/changes", params={"since": "-1"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "since"
