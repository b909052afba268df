"""/events/{slug}/webhooks: an event's organisers register, see, change and remove their endpoints;
nobody else can, and a URL that could reach inside the operator's network is refused."""

from __future__ import annotations

import base64

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Phone, Tokens
from tests.problems import assert_problem

HOOK = "https://127.0.0.1:9/plenary"
"""Accepted here because the run allows 127.0.0.0/8 (as an operator might allow an internal network)."""


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        migrate_on_start=False,
        load_demo=False,
        webhook_allowed_networks="127.0.0.0/8",
        webhook_poll_seconds=60.0,  # nothing here is delivered: the receiver does not exist
    )


async def register(
    client: AsyncTestClient[Litestar], tokens: Tokens, url: str = HOOK, **extra: object
) -> dict[str, object]:
    response = await client.post("/events/nlp/webhooks", json={"url": url, **extra}, headers=tokens.organiser)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


class TestRegister:
    async def test_anonymous_is_refused(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        response = await client.post("/events/nlp/webhooks", json={"url": HOOK})
        assert_problem(response, 401)

    async def test_an_attendee_token_is_refused(
        self, client: AsyncTestClient[Litestar], tokens: Tokens, alice: Phone
    ) -> None:
        response = await client.post("/events/nlp/webhooks", json={"url": HOOK}, headers=alice.headers)
        assert_problem(response, 401)

    async def test_another_events_organiser_is_refused(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        response = await client.post("/events/nlp/webhooks", json={"url": HOOK}, headers=tokens.other_event)
        assert_problem(response, 403)

    async def test_the_secret_is_shown_once(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        created = await register(client, tokens, description="Our signage")
        secret = str(created["secret"])
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
        assert created["enabled"] is True
        assert created["description"] == "Our signage"
        assert str(created["created_at"]).endswith(("+01:00", "+02:00"))  # Copenhagen, the event's zone
        shown = (await client.get(f"/events/nlp/webhooks/{created['id']}", headers=tokens.organiser)).json()
        listed = (await client.get("/events/nlp/webhooks", headers=tokens.organiser)).json()
        assert "secret" not in shown
        assert [item["id"] for item in listed] == [created["id"]]
        assert "secret" not in listed[0]

    async def test_each_endpoint_gets_its_own_secret(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        first = await register(client, tokens)
        second = await register(client, tokens)
        assert first["secret"] != second["secret"]

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:9/plenary",  # not https
            "ftp://example.org/hook",
            "https://10.1.2.3/hook",  # private
            "https://169.254.169.254/latest/meta-data",  # link-local: a cloud's metadata service
            "https://[::1]/hook",  # loopback, IPv6 (127.0.0.0/8 is allowed here, ::1 is not)
            "https://0.0.0.0/hook",  # unspecified
            "https://224.0.0.1/hook",  # multicast
            "https://user:password@127.0.0.1/hook",  # credentials would be logged
            "https:///hook",  # no host
            "https://no-such-host.invalid/hook",
        ],
    )
    async def test_a_url_that_could_reach_inside_is_refused(
        self, client: AsyncTestClient[Litestar], tokens: Tokens, url: str
    ) -> None:
        response = await client.post("/events/nlp/webhooks", json={"url": url}, headers=tokens.organiser)
        assert_problem(response, 422, field="url")
        assert (await client.get("/events/nlp/webhooks", headers=tokens.organiser)).json() == []

    async def test_a_name_that_resolves_to_loopback_is_refused(
        self, client: AsyncTestClient[Litestar], tokens: Tokens, database_url: str
    ) -> None:
        strict = Settings(database_url=database_url, migrate_on_start=False, load_demo=False)
        async with AsyncTestClient(app=create_app(strict)) as guarded:
            response = await guarded.post(
                "/events/nlp/webhooks", json={"url": "https://localhost/hook"}, headers=tokens.organiser
            )
        assert_problem(response, 422, field="url", says="localhost")

    async def test_unknown_fields_are_refused(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        response = await client.post(
            "/events/nlp/webhooks", json={"url": HOOK, "secret": "whsec_mine"}, headers=tokens.organiser
        )
        assert_problem(response, 422, field="secret")  # a secret is issued, never chosen


class TestManage:
    async def test_anonymous_cannot_list(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        assert_problem(await client.get("/events/nlp/webhooks"), 401)

    async def test_another_events_organiser_can_neither_see_nor_change(
        self, client: AsyncTestClient[Litestar], tokens: Tokens
    ) -> None:
        created = await register(client, tokens)
        path = f"/events/nlp/webhooks/{created['id']}"
        other = tokens.other_event
        assert_problem(await client.get("/events/nlp/webhooks", headers=other), 403)
        assert_problem(await client.get(path, headers=other), 403)
        assert_problem(await client.get(f"{path}/deliveries", headers=other), 403)
        assert_problem(await client.patch(path, json={"enabled": False}, headers=other), 403)
        assert_problem(await client.delete(path, headers=other), 403)
        # Through their own event, the id names nothing.
        assert_problem(await client.get(f"/events/elsewhere/webhooks/{created['id']}", headers=other), 404)
        assert_problem(await client.delete(f"/events/elsewhere/webhooks/{created['id']}", headers=other), 404)
        assert (await client.get(path, headers=tokens.organiser)).json()["enabled"] is True

    async def test_an_organiser_changes_and_disables_an_endpoint(
        self, client: AsyncTestClient[Litestar], tokens: Tokens
    ) -> None:
        created = await register(client, tokens)
        path = f"/events/nlp/webhooks/{created['id']}"
        changed = await client.patch(
            path,
            json={"url": "https://127.0.0.2/other", "description": "Room screens", "enabled": False},
            headers=tokens.organiser,
        )
        assert changed.status_code == 200, changed.text
        body = changed.json()
        assert (body["url"], body["description"], body["enabled"]) == ("https://127.0.0.2/other", "Room screens", False)
        assert body["disabled_reason"] == "disabled by an organiser"
        assert (await client.get(path, headers=tokens.organiser)).json() == body

    async def test_a_change_to_an_unsafe_url_is_refused_and_changes_nothing(
        self, client: AsyncTestClient[Litestar], tokens: Tokens
    ) -> None:
        created = await register(client, tokens)
        path = f"/events/nlp/webhooks/{created['id']}"
        response = await client.patch(
            path, json={"url": "https://192.168.1.1/hook", "description": "x"}, headers=tokens.organiser
        )
        assert_problem(response, 422, field="url")
        shown = (await client.get(path, headers=tokens.organiser)).json()
        assert (shown["url"], shown["description"]) == (HOOK, "")

    async def test_a_removed_endpoint_is_gone(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        created = await register(client, tokens)
        path = f"/events/nlp/webhooks/{created['id']}"
        assert (await client.delete(path, headers=tokens.organiser)).status_code == 204
        assert_problem(await client.get(path, headers=tokens.organiser), 404, field="webhook_id")
        assert (await client.get("/events/nlp/webhooks", headers=tokens.organiser)).json() == []

    async def test_a_malformed_id_is_a_bad_request(self, client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
        response = await client.get("/events/nlp/webhooks/not-an-id", headers=tokens.organiser)
        assert_problem(response, 400, field="webhook_id")

    async def test_a_new_endpoint_has_an_empty_delivery_log(
        self, client: AsyncTestClient[Litestar], tokens: Tokens
    ) -> None:
        created = await register(client, tokens)
        log = (await client.get(f"/events/nlp/webhooks/{created['id']}/deliveries", headers=tokens.organiser)).json()
        assert (log["items"], log["total"]) == ([], 0)
