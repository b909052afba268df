"""GET /events/{slug}/live: the schedule's changes pushed as they are committed, resumable by id."""

from __future__ import annotations

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.api.conftest import Conference, Tokens
from tests.api.live.conftest import WAIT, Event, live_settings, open_stream
from tests.faults.conftest import serve_in_thread

PROBLEM = "application/problem+json"
Client = httpx.AsyncClient | AsyncTestClient[Litestar]


async def version(http: Client) -> int:
    return int((await http.get("/events/nlp/changes")).json()["version"])


async def retitle(http: Client, tokens: Tokens, talk_id: object, title: str) -> None:
    response = await http.patch(f"/events/nlp/talks/{talk_id}", json={"title": title}, headers=tokens.organiser)
    assert response.status_code == 200, response.text


def titles(event: Event) -> list[str]:
    """The new titles a batch of retitlings gave."""
    return [change["detail"]["to"] for change in event.data["changes"]]


class TestScheduleStream:
    async def test_an_edit_through_the_api_reaches_an_open_stream(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        before = await version(http)
        async with open_stream(http, "/events/nlp/live") as stream:
            moved = await http.patch(
                f"/events/nlp/slots/{conference.keynote_slot_id}",
                json={"start": "2025-06-21T16:00:00"},
                headers=tokens.organiser,
            )
            assert moved.status_code == 200, moved.text
            event = await stream.next()
        assert event.kind == "change"
        assert event.id == str(before + 1)
        assert event.data["version"] == before + 1
        [change] = event.data["changes"]
        assert change["kind"] == "moved_time"
        assert change["talk_id"] == str(conference.keynote.id)
        assert change["detail"]["to"] == "2025-06-21T16:00:00+02:00"  # the event's zone, as /changes shows it

    async def test_the_items_are_those_of_the_change_log(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        before = await version(http)
        async with open_stream(http, "/events/nlp/live") as stream:
            await retitle(http, tokens, conference.keynote.id, "Opening keynote (updated)")
            event = await stream.next()
        logged = (await http.get("/events/nlp/changes", params={"since": before})).json()["changes"]["items"]
        assert event.data["changes"] == logged

    async def test_an_idle_stream_gets_heartbeats(self, database_url: str, conference: Conference) -> None:
        app = create_app(live_settings(database_url, live_heartbeat_seconds=0.2))
        with serve_in_thread(app) as base:
            async with (
                httpx.AsyncClient(base_url=base, timeout=WAIT) as http,
                open_stream(http, "/events/nlp/live") as stream,
            ):
                assert stream.comments == ["heartbeat every 0.2 s"]
                assert await stream.comment() == "keep-alive"
                assert await stream.comment() == "keep-alive"


class TestResume:
    async def test_last_event_id_resumes_with_no_gap_and_no_duplicate(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        async with open_stream(http, "/events/nlp/live") as stream:
            await retitle(http, tokens, conference.keynote.id, "Seen live")
            seen = await stream.next()
        # While the client is away: two changes it must get, once each.
        await retitle(http, tokens, conference.keynote.id, "Missed once")
        await retitle(http, tokens, conference.side_talk.id, "Missed twice")
        async with open_stream(http, "/events/nlp/live", {"Last-Event-ID": str(seen.id)}) as stream:
            first, second = await stream.next(), await stream.next()
            await retitle(http, tokens, conference.keynote.id, "Live again")
            third = await stream.next()
        assert [e.id for e in (first, second, third)] == [str(int(str(seen.id)) + n) for n in (1, 2, 3)]
        assert [titles(e) for e in (first, second, third)] == [["Missed once"], ["Missed twice"], ["Live again"]]

    async def test_a_resume_beside_an_up_to_date_stream_still_gets_what_it_missed(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        # The worker skips the change-log read of a stream already at the newest version it knows
        # of; a stream opened beside one that is current, but resuming from further back, must not
        # be taken for current, and one opened at the current version must not be sent it again.
        start = await version(http)
        async with open_stream(http, "/events/nlp/live") as watching:
            await retitle(http, tokens, conference.keynote.id, "First")
            await retitle(http, tokens, conference.side_talk.id, "Second")
            assert [e.id for e in (await watching.next(), await watching.next())] == [str(start + 1), str(start + 2)]
            async with (
                open_stream(http, "/events/nlp/live", {"Last-Event-ID": str(start)}) as resumed,
                open_stream(http, "/events/nlp/live") as current,
            ):
                missed = [await resumed.next(), await resumed.next()]
                await retitle(http, tokens, conference.keynote.id, "Third")
                after = [await resumed.next(), await current.next()]
        assert [titles(e) for e in missed] == [["First"], ["Second"]]
        assert [(e.id, titles(e)) for e in after] == [(str(start + 3), ["Third"])] * 2

    async def test_since_resumes_like_last_event_id(
        self, http: httpx.AsyncClient, conference: Conference, tokens: Tokens
    ) -> None:
        start = await version(http)
        await retitle(http, tokens, conference.keynote.id, "Before the stream")
        async with open_stream(http, f"/events/nlp/live?since={start}") as stream:
            event = await stream.next()
        assert (event.id, titles(event)) == (str(start + 1), ["Before the stream"])

    async def test_resume_works_across_a_server_restart(
        self, database_url: str, conference: Conference, tokens: Tokens
    ) -> None:
        settings = live_settings(database_url)
        with serve_in_thread(create_app(settings)) as base:
            async with httpx.AsyncClient(base_url=base, timeout=WAIT) as http:
                async with open_stream(http, "/events/nlp/live") as stream:
                    await retitle(http, tokens, conference.keynote.id, "Before the restart")
                    seen = await stream.next()
                await retitle(http, tokens, conference.keynote.id, "While it was down")
        with serve_in_thread(create_app(settings)) as base:
            async with (
                httpx.AsyncClient(base_url=base, timeout=WAIT) as http,
                open_stream(http, "/events/nlp/live", {"Last-Event-ID": str(seen.id)}) as stream,
            ):
                event = await stream.next()
        assert (event.id, titles(event)) == (str(int(str(seen.id)) + 1), ["While it was down"])


class TestBadResume:
    async def test_garbage_last_event_id_is_a_400_naming_it(
        self, client: AsyncTestClient[Litestar], conference: Conference
    ) -> None:
        response = await client.get("/events/nlp/live", headers={"Last-Event-ID": "banana"})
        assert response.status_code == 400
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["errors"][0]["field"] == "Last-Event-ID"
        assert "banana" in response.json()["detail"]

    async def test_a_version_the_event_never_had_is_a_400(
        self, client: AsyncTestClient[Litestar], conference: Conference
    ) -> None:
        current = await version(client)
        response = await client.get("/events/nlp/live", headers={"Last-Event-ID": str(current + 1)})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "Last-Event-ID"

    async def test_a_since_ahead_of_the_schedule_is_a_400_naming_since(
        self, client: AsyncTestClient[Litestar], conference: Conference
    ) -> None:
        response = await client.get("/events/nlp/live", params={"since": 10_000})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "since"

    async def test_an_unknown_event_is_a_404(self, client: AsyncTestClient[Litestar], conference: Conference) -> None:
        response = await client.get("/events/nowhere/live")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)
