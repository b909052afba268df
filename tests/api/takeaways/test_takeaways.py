"""Takeaways from a phone on bad Wi-Fi: retries never duplicate, edits never silently overwrite."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Phone, Tokens
from tests.problems import assert_problem

PROBLEM = "application/problem+json"


def path(conference: Conference) -> str:
    return f"/events/nlp/talks/{conference.keynote.id}/takeaways"


class TestWriteTakeaway:
    async def test_anonymous_gets_401(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.post(path(conference), json={"text": "x"})
        assert response.status_code == 401
        assert response.headers["content-type"].startswith(PROBLEM)

    async def test_text_is_kept_byte_for_byte(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        text = "Evaluation of LLMs continues to be a hard problem. 🧪 Ærø — «ok»\n\twith tabs\u200b"
        response = await client.post(path(conference), json={"text": text}, headers=alice.headers)
        assert response.status_code == 201
        assert response.json()["text"] == text
        mine = (await client.get("/me/takeaways", headers=alice.headers)).json()["items"]
        assert [t["text"] for t in mine] == [text]
        assert mine[0]["visibility"] == "private"

    async def test_three_retries_with_one_client_id_make_one_takeaway(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        body = {"text": "Small language models are increasingly competitive.", "client_id": str(uuid.uuid4())}
        statuses = [
            (await client.post(path(conference), json=body, headers=alice.headers)).status_code for _ in range(3)
        ]
        assert statuses == [201, 200, 200]
        assert len((await client.get("/me/takeaways", headers=alice.headers)).json()["items"]) == 1

    async def test_an_idempotency_key_header_works_the_same(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        headers = {**alice.headers, "Idempotency-Key": "note-42"}
        first = await client.post(path(conference), json={"text": "once"}, headers=headers)
        second = await client.post(path(conference), json={"text": "once"}, headers=headers)
        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json()["id"] == second.json()["id"]

    async def test_ten_identical_posts_at_once_give_one_row(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        body = {"text": "High-quality data is hard to obtain and use at scale.", "client_id": str(uuid.uuid4())}
        responses = await asyncio.gather(
            *(client.post(path(conference), json=body, headers=alice.headers) for _ in range(10))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 9 + [201], [r.text for r in responses if r.status_code >= 300]
        assert len({r.json()["id"] for r in responses}) == 1
        assert len((await client.get("/me/takeaways", headers=alice.headers)).json()["items"]) == 1

    async def test_reusing_a_client_id_for_different_text_is_a_409(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        client_id = str(uuid.uuid4())
        await client.post(path(conference), json={"text": "one", "client_id": client_id}, headers=alice.headers)
        response = await client.post(
            path(conference), json={"text": "two", "client_id": client_id}, headers=alice.headers
        )
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "client_id"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"text": ""}, "text"),
            ({"text": "x" * 4001}, "text"),
            ({"text": "x", "visibility": "friends"}, "visibility"),
            ({"text": "x", "client_id": "nope"}, "client_id"),
            ({"text": "x", "extra": 1}, "extra"),
        ],
    )
    async def test_bad_input_is_a_422_naming_the_field(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, body: dict[str, object], field: str
    ) -> None:
        response = await client.post(path(conference), json=body, headers=alice.headers)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field

    async def test_4000_characters_of_any_script_are_accepted(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        response = await client.post(path(conference), json={"text": "ø" * 4000}, headers=alice.headers)
        assert response.status_code == 201

    async def test_an_oversized_body_is_a_413(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        response = await client.post(
            path(conference),
            content=b'{"text": "' + b"x" * 70_000 + b'"}',
            headers={**alice.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.headers["content-type"].startswith(PROBLEM)

    async def test_a_cancelled_talk_still_takes_notes(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        response = await client.post(
            f"/events/nlp/talks/{conference.cancelled.id}/takeaways", json={"text": "pity"}, headers=alice.headers
        )
        assert response.status_code == 201

    async def test_a_talk_of_another_event_is_404(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        response = await client.post(
            f"/events/nlp/talks/{uuid.uuid4()}/takeaways", json={"text": "x"}, headers=alice.headers
        )
        assert response.status_code == 404


class TestEditTakeaway:
    async def _write(self, client: AsyncTestClient, conference: Conference, phone: Phone) -> dict[str, object]:
        response = await client.post(path(conference), json={"text": "draft"}, headers=phone.headers)
        return {"id": response.json()["id"], "etag": response.headers["etag"]}

    async def test_the_second_device_is_told_instead_of_overwriting(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        note = await self._write(client, conference, alice)
        phone = await client.patch(
            f"/me/takeaways/{note['id']}",
            json={"text": "from the phone"},
            headers={**alice.headers, "If-Match": note["etag"]},
        )
        laptop = await client.patch(
            f"/me/takeaways/{note['id']}",
            json={"text": "from the laptop"},
            headers={**alice.headers, "If-Match": note["etag"]},
        )
        assert phone.status_code == 200
        assert laptop.status_code == 412
        assert laptop.headers["content-type"].startswith(PROBLEM)
        items = (await client.get("/me/takeaways", headers=alice.headers)).json()["items"]
        assert [t["text"] for t in items] == ["from the phone"]

    async def test_an_edit_without_if_match_is_428(
        self, client: AsyncTestClient, conference: Conference, alice: Phone
    ) -> None:
        note = await self._write(client, conference, alice)
        response = await client.patch(f"/me/takeaways/{note['id']}", json={"text": "blind"}, headers=alice.headers)
        assert response.status_code == 428

    async def test_delete_then_it_is_gone(self, client: AsyncTestClient, conference: Conference, alice: Phone) -> None:
        note = await self._write(client, conference, alice)
        assert (await client.delete(f"/me/takeaways/{note['id']}", headers=alice.headers)).status_code == 204
        assert (await client.get("/me/takeaways", headers=alice.headers)).json()["items"] == []
        assert (await client.delete(f"/me/takeaways/{note['id']}", headers=alice.headers)).status_code == 404


class TestPublicTakeaways:
    async def test_public_ones_newest_first_with_display_name_only(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone
    ) -> None:
        await client.post(
            path(conference), json={"text": "first public", "visibility": "public"}, headers=alice.headers
        )
        await client.post(path(conference), json={"text": "secret", "visibility": "private"}, headers=alice.headers)
        await client.post(path(conference), json={"text": "second public", "visibility": "public"}, headers=bob.headers)

        page = (await client.get(path(conference))).json()
        assert [(t["text"], t["author"]) for t in page["items"]] == [
            ("second public", "Bob"),
            ("first public", "Alice"),
        ]
        assert page["total"] == 2
        assert set(page["items"][0]) == {"id", "text", "author", "created_at"}
        assert [
            t["text"] for t in (await client.get(path(conference), params={"limit": 1, "offset": 1})).json()["items"]
        ] == ["first public"]

    async def test_an_organiser_can_hide_and_unhide_one(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, tokens: Tokens
    ) -> None:
        note = (
            await client.post(path(conference), json={"text": "spam", "visibility": "public"}, headers=alice.headers)
        ).json()
        hide = f"/events/nlp/takeaways/{note['id']}/hide"
        assert_problem(await client.post(hide), 401, code="unauthenticated", says="organiser token")
        assert_problem(await client.post(hide, headers=alice.headers), 401, code="unauthenticated")
        assert_problem(await client.post(hide, headers=tokens.other_event), 403, code="forbidden", says="'nlp'")
        assert (await client.post(hide, headers=tokens.organiser)).status_code == 204
        assert (await client.get(path(conference))).json()["items"] == []
        # The author still has it.
        assert [t["text"] for t in (await client.get("/me/takeaways", headers=alice.headers)).json()["items"]] == [
            "spam"
        ]
        assert (
            await client.post(f"/events/nlp/takeaways/{note['id']}/unhide", headers=tokens.organiser)
        ).status_code == 204
        assert len((await client.get(path(conference))).json()["items"]) == 1


class TestStats:
    async def test_organisers_see_counts_never_authors(
        self, client: AsyncTestClient, conference: Conference, alice: Phone, bob: Phone, tokens: Tokens
    ) -> None:
        await client.put(f"/me/starred/{conference.keynote.id}", headers=alice.headers)
        await client.put(f"/me/starred/{conference.keynote.id}", headers=bob.headers)
        await client.post(path(conference), json={"text": "a", "visibility": "public"}, headers=alice.headers)
        await client.post(path(conference), json={"text": "b"}, headers=bob.headers)

        assert_problem(await client.get("/events/nlp/stats"), 401, code="unauthenticated", says="organiser token")
        assert_problem(await client.get("/events/nlp/stats", headers=alice.headers), 401, code="unauthenticated")
        assert_problem(await client.get("/events/nlp/stats", headers=tokens.other_event), 403, code="forbidden")
        stats = (await client.get("/events/nlp/stats", headers=tokens.organiser)).json()
        keynote = next(t for t in stats["talks"] if t["talk_id"] == str(conference.keynote.id))
        assert (keynote["stars"], keynote["public_takeaways"], keynote["private_takeaways"]) == (2, 1, 1)
        assert stats["attendees"] == 2
        assert "Alice" not in str(stats)
        assert "Bob" not in str(stats)
