"""GET /me/live: what concerns one attendee (their starred talks, their notes from other devices),
and nothing of anyone else's."""

from __future__ import annotations

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens
from tests.api.live.conftest import open_stream

PROBLEM = "application/problem+json"


async def register(http: httpx.AsyncClient, name: str) -> dict[str, str]:
    response = await http.post("/events/nlp/attendees", json={"display_name": name})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def star(http: httpx.AsyncClient, who: dict[str, str], talk_id: object) -> None:
    response = await http.put(f"/me/starred/{talk_id}", headers=who)
    assert response.status_code in {200, 201, 204}, response.text


async def move(http: httpx.AsyncClient, tokens: Tokens, slot_id: object, start: str) -> None:
    response = await http.patch(f"/events/nlp/slots/{slot_id}", json={"start": start}, headers=tokens.organiser)
    assert response.status_code == 200, response.text


async def write_note(http: httpx.AsyncClient, who: dict[str, str], talk_id: object, text: str) -> None:
    response = await http.post(f"/events/nlp/talks/{talk_id}/takeaways", json={"text": text}, headers=who)
    assert response.status_code == 201, response.text


class TestMyStream:
    async def test_anonymous_gets_401(self, client: AsyncTestClient[Litestar], conference: Conference) -> None:
        response = await client.get("/me/live")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith(PROBLEM)

    async def test_the_move_of_a_starred_talk_and_nothing_else(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        alice = await register(http, "Alice")
        await star(http, alice, conference.keynote.id)
        async with open_stream(http, "/me/live", alice) as stream:
            await move(http, tokens, conference.side_slot_id, "2025-06-21T18:00:00")  # not starred
            await move(http, tokens, conference.keynote_slot_id, "2025-06-21T16:00:00")
            event = await stream.next()
        assert event.kind == "change"
        [change] = event.data["changes"]
        assert (change["kind"], change["talk_id"]) == ("moved_time", str(conference.keynote.id))

    async def test_a_note_from_my_other_device_and_nothing_of_another_attendee(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        alice, bob = await register(http, "Alice"), await register(http, "Bob")
        await star(http, bob, conference.side_talk.id)
        async with open_stream(http, "/me/live", alice) as alices, open_stream(http, "/me/live", bob) as bobs:
            # Alice's second device (a second client with her token) writes a note.
            async with httpx.AsyncClient(base_url=str(http.base_url), timeout=http.timeout) as second_device:
                await write_note(second_device, alice, conference.keynote.id, "Evaluation is hard")
            await star(http, alice, conference.keynote.id)
            await move(http, tokens, conference.side_slot_id, "2025-06-21T18:00:00")  # Bob's star
            notes = await alices.next()
            bobs_first = await bobs.next()
        assert notes.kind == "takeaways"
        assert [note["text"] for note in notes.data["items"]] == ["Evaluation is hard"]
        # The first thing Bob hears of is his own starred talk: nothing of Alice's came before it.
        assert bobs_first.kind == "change"
        assert [c["talk_id"] for c in bobs_first.data["changes"]] == [str(conference.side_talk.id)]

    async def test_resume_by_id_brings_the_notes_written_meanwhile(
        self, http: httpx.AsyncClient, conference: Conference
    ) -> None:
        alice = await register(http, "Alice")
        async with open_stream(http, "/me/live", alice) as stream:
            await write_note(http, alice, conference.keynote.id, "first")
            first = await stream.next()
        await write_note(http, alice, conference.keynote.id, "second")
        async with open_stream(http, "/me/live", {**alice, "Last-Event-ID": str(first.id)}) as stream:
            second = await stream.next()
        assert [note["text"] for note in second.data["items"]] == ["second"]

    async def test_an_id_this_stream_never_sent_is_a_400(
        self, client: AsyncTestClient[Litestar], conference: Conference
    ) -> None:
        registered = await client.post("/events/nlp/attendees", json={"display_name": "Alice"})
        alice = {"Authorization": f"Bearer {registered.json()['token']}"}
        for bad in ("banana", "1", "1.999"):
            response = await client.get("/me/live", headers={**alice, "Last-Event-ID": bad})
            assert response.status_code == 400, bad
            assert response.json()["errors"][0]["field"] == "Last-Event-ID"
