"""Ids say what they are: a slot's id where a talk's is wanted (or the other way) is a 404 that
names the kind expected and points to the right URL."""

from __future__ import annotations

import uuid

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens, register


def assert_points_to(response_json: dict[str, object], expected: str, url: str) -> None:
    assert response_json["expected"] == expected
    assert response_json["see"] == url
    assert url in str(response_json["detail"])


class TestASlotIdWhereATalkIsWanted:
    async def test_reading_a_talk_by_its_slot_id_points_to_the_talk(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        response = await client.get(f"/events/nlp/talks/{conference.keynote_slot_id}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert_points_to(response.json(), "talk", f"/events/nlp/talks/{conference.keynote.id}")
        assert "is a slot" in response.json()["detail"]

    async def test_the_talks_calendar_file_points_to_the_talks_calendar_file(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        response = await client.get(f"/events/nlp/talks/{conference.keynote_slot_id}.ics")
        assert response.status_code == 404
        assert_points_to(response.json(), "talk", f"/events/nlp/talks/{conference.keynote.id}.ics")

    async def test_starring_a_slot_id_as_a_talk_points_to_the_session_star(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        phone = await register(client, "Ada")
        response = await client.put(f"/me/starred/{conference.keynote_slot_id}", headers=phone.headers)
        assert response.status_code == 404
        assert response.json()["expected"] == "talk"
        assert response.json()["see"] == f"/me/starred/slots/{conference.keynote_slot_id}"

    async def test_editing_a_talk_by_its_slot_id_points_to_the_talk(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        response = await client.patch(
            f"/events/nlp/talks/{conference.keynote_slot_id}", json={"title": "Renamed"}, headers=tokens.organiser
        )
        assert response.status_code == 404
        assert_points_to(response.json(), "talk", f"/events/nlp/talks/{conference.keynote.id}")

    async def test_a_note_on_a_slot_id_points_to_the_talk(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        phone = await register(client, "Ada")
        response = await client.post(
            f"/events/nlp/talks/{conference.keynote_slot_id}/takeaways",
            json={"text": "Noted.", "visibility": "private"},
            headers=phone.headers,
        )
        assert response.status_code == 404
        assert response.json()["expected"] == "talk"
        assert response.json()["see"] == f"/events/nlp/talks/{conference.keynote.id}"


class TestATalkIdWhereASlotIsWanted:
    async def test_moving_a_slot_by_its_talk_id_points_to_the_talk_and_its_slots(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        response = await client.patch(
            f"/events/nlp/slots/{conference.keynote.id}",
            json={"start": "2025-06-20T16:00:00"},
            headers=tokens.organiser,
        )
        assert response.status_code == 404
        assert_points_to(response.json(), "slot", f"/events/nlp/talks/{conference.keynote.id}")
        assert "is a talk" in response.json()["detail"]

    async def test_starring_a_talk_id_as_a_session_points_to_the_talk_star(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        phone = await register(client, "Ada")
        response = await client.put(f"/me/starred/slots/{conference.keynote.id}", headers=phone.headers)
        assert response.status_code == 404
        assert response.json()["expected"] == "slot"
        assert response.json()["see"] == f"/me/starred/{conference.keynote.id}"


class TestIdsOfNothing:
    @pytest.mark.parametrize("path", ["/events/nlp/talks/{id}", "/events/nlp/talks/{id}.ics"])
    async def test_an_unknown_id_names_the_kind_without_pointing_anywhere(
        self, client: AsyncTestClient, conference: Conference, path: str
    ) -> None:
        response = await client.get(path.format(id=uuid.uuid4()))
        assert response.status_code == 404
        assert response.json()["expected"] == "talk"
        assert "see" not in response.json()

    async def test_another_events_slot_is_not_revealed(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        response = await client.get(f"/events/elsewhere/talks/{conference.keynote_slot_id}")
        assert response.status_code == 404
        assert "see" not in response.json()
