"""ETag / If-None-Match and Last-Modified / If-Modified-Since (RFC 9110 section 13)."""

from __future__ import annotations

import datetime
from email.utils import format_datetime

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from tests.api.conftest import Conference

SCHEDULE = "/events/nlp/schedule"


class TestETag:
    @pytest.mark.parametrize(
        "path",
        [
            "/events",
            "/events/nlp",
            SCHEDULE,
            "/events/nlp/now?at=2025-06-20T10:00",
            "/events/nlp/rooms",
            "/events/nlp/tracks",
            "/events/nlp/speakers",
        ],
    )
    async def test_every_schedule_get_has_validators_and_answers_304(
        self, client: AsyncTestClient, conference: Conference, path: str
    ) -> None:
        first = await client.get(path)
        etag = first.headers["etag"]
        assert etag.startswith('"')
        assert etag.endswith('"')
        assert "last-modified" in first.headers

        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag

    async def test_talk_and_speaker_pages_answer_304(self, client: AsyncTestClient, conference: Conference) -> None:
        for path in (f"/events/nlp/talks/{conference.keynote.id}", f"/speakers/{conference.ada.id}"):
            etag = (await client.get(path)).headers["etag"]
            assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304

    async def test_weak_comparison_accepts_a_weak_form_of_the_tag(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        etag = (await client.get(SCHEDULE)).headers["etag"]
        response = await client.get(SCHEDULE, headers={"If-None-Match": f"W/{etag}"})
        assert response.status_code == 304

    async def test_a_list_of_tags_matches_when_one_does(self, client: AsyncTestClient, conference: Conference) -> None:
        etag = (await client.get(SCHEDULE)).headers["etag"]
        header = f'"stale-one", W/"other,with-comma", {etag}'
        assert (await client.get(SCHEDULE, headers={"If-None-Match": header})).status_code == 304

    async def test_star_matches_any_current_representation(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        assert (await client.get(SCHEDULE, headers={"If-None-Match": "*"})).status_code == 304

    async def test_a_different_tag_gets_the_full_body(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get(SCHEDULE, headers={"If-None-Match": '"something-else"'})
        assert response.status_code == 200
        assert response.json()["days"]

    async def test_filters_have_their_own_tags(self, client: AsyncTestClient, conference: Conference) -> None:
        full = (await client.get(SCHEDULE)).headers["etag"]
        filtered = (await client.get(SCHEDULE, params={"room": "main"})).headers["etag"]
        assert full != filtered
        response = await client.get(SCHEDULE, params={"room": "side"}, headers={"If-None-Match": filtered})
        assert response.status_code == 200

    async def test_a_new_schedule_version_changes_the_tag(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        before = (await client.get(SCHEDULE)).headers["etag"]
        await db_session.execute(
            update(Event).where(Event.id == conference.event.id).values(schedule_version=Event.schedule_version + 1)
        )
        await db_session.commit()

        response = await client.get(SCHEDULE, headers={"If-None-Match": before})
        assert response.status_code == 200
        assert response.headers["etag"] != before
        assert response.json()["version"] == 2


class TestLastModified:
    async def test_if_modified_since_the_last_change_is_304(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        last_modified = (await client.get(SCHEDULE)).headers["last-modified"]
        assert (await client.get(SCHEDULE, headers={"If-Modified-Since": last_modified})).status_code == 304

    async def test_an_older_date_gets_the_full_body(self, client: AsyncTestClient, conference: Conference) -> None:
        long_ago = format_datetime(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC), usegmt=True)
        assert (await client.get(SCHEDULE, headers={"If-Modified-Since": long_ago})).status_code == 200

    async def test_an_invalid_date_is_ignored(self, client: AsyncTestClient, conference: Conference) -> None:
        assert (await client.get(SCHEDULE, headers={"If-Modified-Since": "last tuesday"})).status_code == 200

    async def test_if_none_match_takes_precedence(self, client: AsyncTestClient, conference: Conference) -> None:
        last_modified = (await client.get(SCHEDULE)).headers["last-modified"]
        headers = {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
        assert (await client.get(SCHEDULE, headers=headers)).status_code == 200
