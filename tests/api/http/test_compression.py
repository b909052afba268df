"""gzip for clients that accept it: smaller bodies, the same content, ETags per RFC 9110 8.8.3."""

from __future__ import annotations

import gzip

import pytest
from litestar.testing import AsyncTestClient

import service.core.http
from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Conference, Tokens

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
RENDERED = ["/events/nlp/schedule", "/events/nlp/calendar.ics", "/events/nlp/schedule.xml", "/events/nlp/schedule.json"]


class TestGzip:
    @pytest.mark.parametrize("path", RENDERED)
    async def test_a_client_that_accepts_gzip_gets_the_same_body_in_fewer_bytes(
        self, client: AsyncTestClient, conference: Conference, path: str
    ) -> None:
        plain = await client.get(path, headers=IDENTITY)
        coded = await client.get(path, headers=GZIP)

        assert plain.headers.get("content-encoding") is None
        assert coded.headers["content-encoding"] == "gzip"
        assert coded.content == plain.content  # httpx decodes gzip once: coded once, not twice
        assert coded.num_bytes_downloaded < len(plain.content) / 2

    @pytest.mark.parametrize("path", RENDERED)
    async def test_both_codings_say_they_vary_by_accept_encoding(
        self, client: AsyncTestClient, conference: Conference, path: str
    ) -> None:
        for headers in (IDENTITY, GZIP):
            response = await client.get(path, headers=headers)
            assert "accept-encoding" in response.headers["vary"].lower()

    async def test_gzip_refused_with_q_zero_is_not_sent(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get("/events/nlp/schedule", headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert response.headers.get("content-encoding") is None

    async def test_a_wildcard_accepts_gzip(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.get("/events/nlp/schedule", headers={"Accept-Encoding": "*"})
        assert response.headers["content-encoding"] == "gzip"

    async def test_a_small_body_is_sent_as_it_is(self, client: AsyncTestClient) -> None:
        response = await client.get("/health", headers=GZIP)
        assert response.headers.get("content-encoding") is None

    async def test_the_api_description_is_compressed_too(self, client: AsyncTestClient) -> None:
        response = await client.get("/docs/openapi.json", headers=GZIP)
        assert response.headers["content-encoding"] == "gzip"
        assert "paths" in response.json()


class TestEntityTagsAcrossCodings:
    async def test_the_gzip_body_has_its_own_strong_tag(self, client: AsyncTestClient, conference: Conference) -> None:
        plain = await client.get("/events/nlp/schedule", headers=IDENTITY)
        coded = await client.get("/events/nlp/schedule", headers=GZIP)
        assert coded.headers["etag"] != plain.headers["etag"]
        assert not coded.headers["etag"].startswith("W/")

    async def test_the_gzip_tag_revalidates_to_304_with_that_tag(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        coded = await client.get("/events/nlp/schedule", headers=GZIP)
        again = await client.get("/events/nlp/schedule", headers={**GZIP, "If-None-Match": coded.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["etag"] == coded.headers["etag"]
        assert again.content == b""

    async def test_a_tag_held_from_either_coding_names_the_same_version(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        coded = await client.get("/events/nlp/schedule", headers=GZIP)
        plain = await client.get("/events/nlp/schedule", headers=IDENTITY)
        from_gzip = await client.get(
            "/events/nlp/schedule", headers={**IDENTITY, "If-None-Match": coded.headers["etag"]}
        )
        from_plain = await client.get("/events/nlp/schedule", headers={**GZIP, "If-None-Match": plain.headers["etag"]})
        assert (from_gzip.status_code, from_plain.status_code) == (304, 304)

    async def test_a_gzip_tag_of_an_older_version_gets_the_new_body(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        coded = await client.get("/events/nlp/schedule", headers=GZIP)
        moved = await client.patch(
            f"/events/nlp/slots/{conference.keynote_slot_id}",
            json={"start": "2025-06-20T16:00:00"},
            headers=tokens.organiser,
        )
        assert moved.status_code == 200
        fresh = await client.get("/events/nlp/schedule", headers={**GZIP, "If-None-Match": coded.headers["etag"]})
        assert fresh.status_code == 200
        assert fresh.headers["etag"] != coded.headers["etag"]

    async def test_if_match_accepts_the_gzip_tag_of_the_current_version(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        coded = await client.get("/events/nlp/schedule", headers=GZIP)
        moved = await client.patch(
            f"/events/nlp/slots/{conference.keynote_slot_id}",
            json={"start": "2025-06-20T16:00:00"},
            headers={**tokens.organiser, "If-Match": coded.headers["etag"]},
        )
        assert moved.status_code == 200


class TestCompressedOncePerVersion:
    async def test_many_requests_for_one_version_compress_it_once(
        self, client: AsyncTestClient, conference: Conference, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        compressed: list[int] = []
        original = service.core.http.compress

        async def counting(body: bytes) -> bytes:
            compressed.append(len(body))
            return await original(body)

        monkeypatch.setattr(service.core.http, "compress", counting)
        bodies = {(await client.get("/events/nlp/calendar.ics", headers=GZIP)).content for _ in range(5)}

        assert len(compressed) == 1
        assert len(bodies) == 1


async def test_two_workers_send_the_same_gzip_bytes_under_one_strong_tag(
    settings: Settings, conference: Conference
) -> None:
    """A strong ETag promises identical bytes: no timestamp may slip into the gzip header."""
    raw: list[tuple[str, bytes]] = []
    for _worker in range(2):
        async with (
            AsyncTestClient(app=create_app(settings)) as worker,
            worker.stream("GET", "/events/nlp/calendar.ics", headers=GZIP) as response,
        ):
            raw.append((response.headers["etag"], b"".join([chunk async for chunk in response.aiter_raw()])))
    assert raw[0] == raw[1]
    assert gzip.decompress(raw[0][1]).startswith(b"BEGIN:VCALENDAR")
