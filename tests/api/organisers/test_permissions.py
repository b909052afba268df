"""Who may change what: no token 401, a token of another event 403, organiser and admin allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.api.conftest import Conference, Tokens

Route = tuple[str, Callable[[Conference], str], dict[str, Any] | None, int]

# (method, path for the conference, JSON body, status when allowed)
WRITE_ROUTES: list[Route] = [
    ("POST", lambda c: "/events/nlp/rooms", {"slug": "annex", "name": "Annex"}, 201),
    ("PATCH", lambda c: f"/events/nlp/rooms/{c.side.id}", {"name": "Side hall"}, 200),
    ("DELETE", lambda c: f"/events/nlp/rooms/{c.main.id}", None, 409),  # allowed, but the room has talks
    ("POST", lambda c: "/events/nlp/tracks", {"slug": "ethics", "name": "Ethics", "color": "#112233"}, 201),
    ("PATCH", lambda c: f"/events/nlp/tracks/{c.ml.id}", {"color": "#000000"}, 200),
    ("DELETE", lambda c: f"/events/nlp/tracks/{c.data.id}", None, 204),
    ("POST", lambda c: "/events/nlp/speakers", {"name": "Grace Hopper"}, 201),
    ("PATCH", lambda c: f"/events/nlp/speakers/{c.ada.id}", {"affiliation": "Babbage & Co"}, 200),
    ("DELETE", lambda c: f"/events/nlp/speakers/{c.bjørn.id}", None, 204),
    (
        "POST",
        lambda c: "/events/nlp/talks",
        {"title": "New", "slots": [{"start": "2025-06-21T15:00:00", "duration_minutes": 30, "room": "main"}]},
        201,
    ),
    ("PATCH", lambda c: f"/events/nlp/talks/{c.keynote.id}", {"title": "Keynote!"}, 200),
    ("POST", lambda c: f"/events/nlp/talks/{c.lunch.id}/cancel", None, 200),
    ("DELETE", lambda c: f"/events/nlp/talks/{c.late.id}", None, 204),
    ("PATCH", lambda c: f"/events/nlp/slots/{c.keynote_slot_id}", {"start": "2025-06-21T09:00:00"}, 200),
    ("PATCH", lambda c: "/events/nlp", {"title": "NLP 2025"}, 200),
]


async def call(client: AsyncTestClient, route: Route, conference: Conference, headers: dict[str, str]) -> Any:
    method, path, body, _ = route
    return await client.request(method, path(conference), json=body, headers=headers)


def assert_refused(response: Any, status: int, code: str, says: str) -> None:
    """A refusal is a problem+json the client can show: its status, its code and a detail in words."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["status"], body["code"]) == (status, code), body
    assert says in body["detail"], body


@pytest.mark.parametrize("route", WRITE_ROUTES, ids=[f"{r[0]}-{n}" for n, r in enumerate(WRITE_ROUTES)])
class TestWritePermissions:
    async def test_anonymous_gets_401(self, client: AsyncTestClient, conference: Conference, route: Route) -> None:
        response = await call(client, route, conference, {})
        assert_refused(response, 401, "unauthenticated", "This needs an organiser token")
        assert response.headers["www-authenticate"].startswith("Bearer")

    async def test_wrong_or_revoked_token_gets_401(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, route: Route
    ) -> None:
        forged = {"Authorization": tokens.organiser["Authorization"][:-4] + "AAAA"}
        for headers in (tokens.revoked, forged, {"Authorization": "Bearer nonsense"}):
            response = await call(client, route, conference, headers)
            assert_refused(response, 401, "unauthenticated", "The token is not valid")

    async def test_another_events_organiser_gets_403_and_changes_nothing(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, route: Route
    ) -> None:
        before = (await client.get("/events/nlp/schedule")).json()
        response = await call(client, route, conference, tokens.other_event)
        assert_refused(response, 403, "forbidden", "may not change the event 'nlp'")
        assert (await client.get("/events/nlp/schedule")).json() == before

    async def test_the_events_organiser_may(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, route: Route
    ) -> None:
        response = await call(client, route, conference, tokens.organiser)
        assert response.status_code == route[3], response.text

    async def test_an_admin_may(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens, route: Route
    ) -> None:
        response = await call(client, route, conference, tokens.admin)
        assert response.status_code == route[3], response.text


class TestCreateEvent:
    BODY = {
        "slug": "new-conf",
        "title": "New conference",
        "timezone": "Europe/Berlin",
        "start_date": "2026-05-01",
        "end_date": "2026-05-02",
    }

    async def test_anonymous_gets_401(self, client: AsyncTestClient) -> None:
        response = await client.post("/events", json=self.BODY)
        assert_refused(response, 401, "unauthenticated", "This needs an organiser token")

    async def test_an_event_organiser_is_not_an_admin(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post("/events", json=self.BODY, headers=tokens.organiser)
        assert_refused(response, 403, "forbidden", "Only an admin token may do this.")

    async def test_an_admin_creates_an_event(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post("/events", json=self.BODY, headers=tokens.admin)
        assert response.status_code == 201, response.text
        assert (await client.get("/events/new-conf")).json()["timezone"] == "Europe/Berlin"
        again = await client.post("/events", json=self.BODY, headers=tokens.admin)
        assert again.status_code == 409
        assert again.json()["errors"][0]["field"] == "slug"
