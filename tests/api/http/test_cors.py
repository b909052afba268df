"""Web apps on other origins: preflight for the headers they send, the headers they may read."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from tests.api.conftest import Conference, Tokens

APP_ORIGIN = "https://schedule-app.example"


def preflight(method: str, *headers: str) -> dict[str, str]:
    return {
        "Origin": APP_ORIGIN,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ", ".join(headers),
    }


class TestPreflight:
    async def test_a_poller_may_send_if_none_match(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.options("/events/nlp/schedule", headers=preflight("GET", "If-None-Match"))
        assert response.status_code in {200, 204}
        assert response.headers["access-control-allow-origin"] in {"*", APP_ORIGIN}
        assert "if-none-match" in response.headers["access-control-allow-headers"].lower()

    async def test_an_app_may_write_with_a_token_if_match_and_idempotency_key(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        headers = preflight("PATCH", "Authorization", "Content-Type", "If-Match", "Idempotency-Key")
        response = await client.options("/me/takeaways/00000000-0000-0000-0000-000000000000", headers=headers)
        assert response.status_code in {200, 204}
        allowed = response.headers["access-control-allow-headers"].lower()
        for header in ("authorization", "content-type", "if-match", "idempotency-key"):
            assert header in allowed
        assert "PATCH" in response.headers["access-control-allow-methods"]

    async def test_credentials_are_never_invited(self, client: AsyncTestClient, conference: Conference) -> None:
        response = await client.options("/events/nlp/schedule", headers=preflight("GET", "Authorization"))
        assert response.headers.get("access-control-allow-credentials") != "true"


class TestCrossOriginReads:
    async def test_the_app_can_read_the_validators_and_location(
        self, client: AsyncTestClient, conference: Conference
    ) -> None:
        response = await client.get("/events/nlp/schedule", headers={"Origin": APP_ORIGIN})
        assert response.headers["access-control-allow-origin"] in {"*", APP_ORIGIN}
        exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "last-modified", "location", "retry-after", "x-request-id"} <= exposed

    async def test_a_write_from_another_origin_is_readable_too(
        self, client: AsyncTestClient, tokens: Tokens, conference: Conference
    ) -> None:
        response = await client.post(
            "/events/nlp/rooms",
            json={"slug": "annex", "name": "Annex"},
            headers={**tokens.organiser, "Origin": APP_ORIGIN},
        )
        assert response.status_code == 201
        assert response.headers["access-control-allow-origin"] in {"*", APP_ORIGIN}


class TestConfiguredOrigins:
    async def test_only_the_listed_origins_are_allowed(self, settings: Settings, conference: Conference) -> None:
        configured = Settings.from_env(
            {"PLENARY_CORS_ORIGINS": f"{APP_ORIGIN}, https://other.example"},
            database_url=settings.database_url,
            migrate_on_start=False,
            load_demo=False,
        )
        async with AsyncTestClient(app=create_app(configured)) as client:
            listed = await client.get("/events/nlp/schedule", headers={"Origin": APP_ORIGIN})
            unlisted = await client.get("/events/nlp/schedule", headers={"Origin": "https://evil.example"})
            refused = await client.options(
                "/events/nlp/schedule",
                headers={**preflight("GET", "If-None-Match"), "Origin": "https://evil.example"},
            )
        assert listed.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "access-control-allow-origin" not in unlisted.headers
        assert refused.status_code == 400
