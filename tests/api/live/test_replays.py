"""A repeated read is answered from the worker's memory (service/core/http.py: ReplayMemo) exactly as
its handler answered it, and only while nothing it was made from has changed."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from service.core.http import ReplayMemo
from service.schedule import controllers as schedule_controllers
from tests.api.conftest import Conference, Tokens, register
from tests.api.live.test_validators import CACHED_PATHS, SCHEDULE, app_remembering

REPLAYED_PATHS = [*CACHED_PATHS, "/events/nlp/schedule.json", "/events/nlp/speakers", "/events/nlp/tracks?limit=1"]
CODINGS = [{}, {"Accept-Encoding": "gzip"}]


@contextmanager
def replayed(client: AsyncTestClient[Any]) -> Iterator[list[bool]]:
    """Whether each request since was answered from the memo (True) or went on to its handler."""
    memo: ReplayMemo = client.app.state.replays
    answers: list[bool] = []
    answer = memo.answer

    def noting(*args: Any) -> Any:
        result = answer(*args)
        answers.append(result is not None)
        return result

    memo.answer = noting  # type: ignore[method-assign]
    try:
        yield answers
    finally:
        del memo.answer


def comparable(response: Any) -> tuple[int, dict[str, str], bytes]:
    headers = {name: value for name, value in response.headers.items() if name != "x-request-id"}
    return response.status_code, headers, response.content


@pytest.mark.parametrize("coding", CODINGS, ids=["identity", "gzip"])
@pytest.mark.parametrize("path", REPLAYED_PATHS)
async def test_a_repeated_read_is_answered_from_memory_as_its_handler_answered(
    database_url: str, conference: Conference, path: str, coding: dict[str, str]
) -> None:
    async with app_remembering(database_url, 60) as client:
        first = await client.get(path, headers=coding)
        first_head = await client.head(path, headers=coding)
        with replayed(client) as answers:
            again = await client.get(path, headers=coding)
            again_head = await client.head(path, headers=coding)
            current = await client.get(path, headers={**coding, "If-None-Match": first.headers["etag"]})
            current_since = await client.get(
                path, headers={**coding, "If-Modified-Since": first.headers["last-modified"]}
            )
            stale = await client.get(path, headers={**coding, "If-None-Match": '"0-stale"'})

    assert answers == [True] * 5
    assert comparable(again) == comparable(first)
    assert comparable(again_head) == comparable(first_head)
    assert (current.status_code, current.headers["etag"], current.content) == (304, first.headers["etag"], b"")
    assert current.headers["cache-control"] == first.headers["cache-control"]
    assert current_since.status_code == 304
    assert comparable(stale) == comparable(first)


async def test_a_client_holding_the_identity_copy_gets_its_own_tag_in_a_304(
    database_url: str, conference: Conference
) -> None:
    async with app_remembering(database_url, 60) as client:
        identity = await client.get(SCHEDULE)
        coded = await client.get(SCHEDULE, headers={"Accept-Encoding": "gzip"})
        with replayed(client) as answers:
            for_identity = await client.get(
                SCHEDULE, headers={"Accept-Encoding": "gzip", "If-None-Match": identity.headers["etag"]}
            )
            for_coded = await client.get(
                SCHEDULE, headers={"Accept-Encoding": "gzip", "If-None-Match": coded.headers["etag"]}
            )
    assert answers == [True, True]
    assert (for_identity.status_code, for_identity.headers["etag"]) == (304, identity.headers["etag"])
    assert (for_coded.status_code, for_coded.headers["etag"]) == (304, coded.headers["etag"])


async def test_an_edit_is_never_answered_from_memory(database_url: str, conference: Conference, tokens: Tokens) -> None:
    async with app_remembering(database_url, 60) as client:
        before = await client.get(SCHEDULE)
        await client.get(SCHEDULE)
        moved = await client.patch(
            f"/events/nlp/slots/{conference.keynote_slot_id}",
            json={"start": "2025-06-21T16:00:00"},
            headers=tokens.organiser,
        )
        assert moved.status_code == 200, moved.text
        with replayed(client) as answers:
            after = await client.get(SCHEDULE)
            polled = await client.get(SCHEDULE, headers={"If-None-Match": before.headers["etag"]})

    assert answers == [False, True]
    assert after.headers["etag"] != before.headers["etag"]
    assert "2025-06-21T16:00:00" in after.text
    assert (polled.status_code, polled.content) == (200, after.content)


async def test_each_host_gets_the_links_it_asked_with(database_url: str, conference: Conference) -> None:
    path = f"/events/nlp/talks/{conference.keynote.id}"
    async with app_remembering(database_url, 60) as client:
        alpha = await client.get(path, headers={"Host": "alpha.example"})
        beta = await client.get(path, headers={"Host": "beta.example"})
        alpha_again = await client.get(path, headers={"Host": "alpha.example"})
    assert "//alpha.example/" in alpha.text
    assert "//beta.example/" not in alpha.text
    assert "//beta.example/" in beta.text
    assert "//alpha.example/" not in beta.text
    assert alpha_again.content == alpha.content


async def test_what_is_on_now_follows_the_clock(
    database_url: str, conference: Conference, monkeypatch: pytest.MonkeyPatch
) -> None:
    during_keynote = conference.keynote.slots[0].start_at + datetime.timedelta(minutes=5)
    async with app_remembering(database_url, 60) as client:
        monkeypatch.setattr(schedule_controllers, "utcnow", lambda: during_keynote)
        on_during = (await client.get("/events/nlp/now")).json()
        monkeypatch.setattr(schedule_controllers, "utcnow", lambda: during_keynote + datetime.timedelta(days=30))
        on_after = (await client.get("/events/nlp/now")).json()
    assert on_during != on_after
    assert str(conference.keynote.id) in str(on_during["running"])
    assert str(conference.keynote.id) not in str(on_after["running"])


async def test_one_attendees_reads_are_never_answered_to_another(database_url: str, conference: Conference) -> None:
    async with app_remembering(database_url, 60) as client:
        alice = await register(client, "Alice")
        bob = await register(client, "Bob")
        assert (await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)).status_code < 300
        for _ in range(2):
            alices = await client.get("/me/starred", headers=alice.headers)
            bobs = await client.get("/me/starred", headers=bob.headers)
            assert str(conference.keynote.id) in alices.text
            assert str(conference.keynote.id) not in bobs.text
