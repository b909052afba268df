"""Speakers are global: one person may speak at several events, and every event that shows them
sees an edit at once (a new schedule version and ETag), whichever event's organisers made it."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.schedule.models import SpeakerRole
from service.speakers.models import Speaker
from tests.api.conftest import Conference, Tokens
from tests.factories import create_speaker, create_talk


@pytest.fixture
async def grace(db_session: AsyncSession, tokens: Tokens) -> Speaker:
    """A speaker of the other event ("elsewhere"), not of "nlp"."""
    elsewhere = await db_session.scalar(select(Event).where(Event.slug == "elsewhere"))
    assert elsewhere is not None
    speaker = await create_speaker(db_session, "Grace Hopper")
    await create_talk(
        db_session, elsewhere, "Compilers", start="2025-06-20T15:00", speakers=[(speaker, SpeakerRole.SPEAKER)]
    )
    await db_session.commit()
    return speaker


async def link_to_keynote(client: AsyncTestClient, conference: Conference, tokens: Tokens, speaker: str) -> None:
    response = await client.patch(
        f"/events/nlp/talks/{conference.keynote.id}",
        json={"speakers": [{"id": str(conference.ada.id)}, {"id": speaker}]},
        headers=tokens.organiser,
    )
    assert response.status_code == 200, response.text


class TestSharedSpeaker:
    async def test_another_events_speaker_is_out_of_reach_until_linked(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, grace: Speaker
    ) -> None:
        response = await client.patch(
            f"/events/nlp/speakers/{grace.id}", json={"name": "Rear Admiral Hopper"}, headers=tokens.organiser
        )
        assert response.status_code == 404
        assert response.json()["errors"][0]["field"] == "speaker_id"

    async def test_linking_another_events_speaker_is_allowed(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, grace: Speaker
    ) -> None:
        await link_to_keynote(client, conference, tokens, str(grace.id))
        names = [s["name"] for s in (await client.get("/events/nlp/speakers")).json()["items"]]
        assert "Grace Hopper" in names
        events = {talk["event"]["slug"] for talk in (await client.get(f"/speakers/{grace.id}")).json()["talks"]}
        assert events == {"nlp", "elsewhere"}

    async def test_an_edit_reaches_every_event_the_speaker_appears_at(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, grace: Speaker
    ) -> None:
        await link_to_keynote(client, conference, tokens, str(grace.id))
        before = await client.get("/events/elsewhere/schedule")
        etag = before.headers["etag"]

        response = await client.patch(
            f"/events/nlp/speakers/{grace.id}", json={"name": "Rear Admiral Hopper"}, headers=tokens.organiser
        )
        assert response.status_code == 200, response.text

        # The other event's clients polling with their ETag get the new copy, not a 304.
        after = await client.get("/events/elsewhere/schedule", headers={"If-None-Match": etag})
        assert after.status_code == 200
        assert after.headers["etag"] != etag
        speakers = [s["name"] for day in after.json()["days"] for entry in day["talks"] for s in entry["speakers"]]
        assert speakers == ["Rear Admiral Hopper"]
        assert after.json()["version"] == before.json()["version"] + 1

    async def test_an_edit_that_changes_nothing_bumps_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, grace: Speaker
    ) -> None:
        await link_to_keynote(client, conference, tokens, str(grace.id))
        etag = (await client.get("/events/elsewhere/schedule")).headers["etag"]
        response = await client.patch(
            f"/events/nlp/speakers/{grace.id}", json={"name": "Grace Hopper"}, headers=tokens.organiser
        )
        assert response.status_code == 200
        assert (await client.get("/events/elsewhere/schedule", headers={"If-None-Match": etag})).status_code == 304

    async def test_removing_keeps_them_at_their_other_event(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, grace: Speaker
    ) -> None:
        await link_to_keynote(client, conference, tokens, str(grace.id))
        response = await client.delete(f"/events/nlp/speakers/{grace.id}", headers=tokens.organiser)
        assert response.status_code == 204
        assert (await client.get(f"/speakers/{grace.id}")).status_code == 200
        names = [s["name"] for s in (await client.get("/events/elsewhere/speakers")).json()["items"]]
        assert names == ["Grace Hopper"]
        again = await client.patch(f"/events/nlp/speakers/{grace.id}", json={"bio": "x"}, headers=tokens.organiser)
        assert again.status_code == 404

    async def test_linking_a_speaker_who_does_not_exist_is_422(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.patch(
            f"/events/nlp/talks/{conference.keynote.id}",
            json={"speakers": [{"id": "7d5a3c62-8e40-4c8e-9a4e-1d2b3c4d5e6f"}]},
            headers=tokens.organiser,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "speakers[0].id"


class TestAddedSpeaker:
    async def test_the_event_that_added_a_speaker_can_edit_and_remove_them(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        created = await client.post("/events/nlp/speakers", json={"name": "Grace Hopper"}, headers=tokens.organiser)
        assert created.status_code == 201, created.text
        speaker = created.json()["id"]
        assert "Grace Hopper" in [s["name"] for s in (await client.get("/events/nlp/speakers")).json()["items"]]

        edited = await client.patch(
            f"/events/nlp/speakers/{speaker}", json={"affiliation": "US Navy"}, headers=tokens.organiser
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["affiliation"] == "US Navy"

        removed = await client.delete(f"/events/nlp/speakers/{speaker}", headers=tokens.organiser)
        assert removed.status_code == 204, removed.text
        assert (await client.get(f"/speakers/{speaker}")).status_code == 404
        assert "Grace Hopper" not in [s["name"] for s in (await client.get("/events/nlp/speakers")).json()["items"]]

    async def test_adding_a_speaker_is_a_new_version_of_the_event(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        etag = (await client.get("/events/nlp/speakers")).headers["etag"]
        await client.post("/events/nlp/speakers", json={"name": "Grace Hopper"}, headers=tokens.organiser)
        assert (await client.get("/events/nlp/speakers", headers={"If-None-Match": etag})).status_code == 200

    async def test_other_events_cannot_reach_an_added_speaker(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        created = await client.post("/events/nlp/speakers", json={"name": "Grace Hopper"}, headers=tokens.organiser)
        speaker = created.json()["id"]
        response = await client.patch(
            f"/events/elsewhere/speakers/{speaker}", json={"name": "Someone else"}, headers=tokens.other_event
        )
        assert response.status_code == 404
        assert (
            await client.delete(f"/events/elsewhere/speakers/{speaker}", headers=tokens.other_event)
        ).status_code == 404

    async def test_a_speaker_another_event_took_on_outlives_the_adding_events_removal(
        self, client: AsyncTestClient, db_session: AsyncSession, conference: Conference, tokens: Tokens
    ) -> None:
        created = await client.post("/events/nlp/speakers", json={"name": "Grace Hopper"}, headers=tokens.organiser)
        speaker = created.json()["id"]
        talk = await client.post(
            "/events/elsewhere/talks",
            json={
                "title": "Compilers",
                "slots": [{"start": "2025-06-20T15:00:00", "duration_minutes": 30}],
                "speakers": [{"id": speaker}],
            },
            headers=tokens.other_event,
        )
        assert talk.status_code == 201, talk.text

        assert (await client.delete(f"/events/nlp/speakers/{speaker}", headers=tokens.organiser)).status_code == 204
        assert (await client.get(f"/speakers/{speaker}")).status_code == 200
        assert [s["name"] for s in (await client.get("/events/nlp/speakers")).json()["items"]].count(
            "Grace Hopper"
        ) == 0
        assert [s["name"] for s in (await client.get("/events/elsewhere/speakers")).json()["items"]] == ["Grace Hopper"]
