"""Health, readiness, interactive docs that work offline, and errors as problem+json."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient


class TestProbes:
    async def test_health(self, client: AsyncTestClient) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_ready_names_the_reachable_database(self, client: AsyncTestClient, database_url: str) -> None:
        response = await client.get("/ready")
        assert response.status_code == 200
        expected = "postgresql" if database_url.startswith("postgresql") else "sqlite"
        assert response.json() == {"status": "ready", "database": expected}


class TestDocs:
    async def test_docs_page_loads_its_assets_from_this_server(self, client: AsyncTestClient) -> None:
        page = await client.get("/docs")
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]

        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page.text)
        assert assets, "the docs page should load Swagger UI scripts and styles"
        for asset in assets:
            assert asset.startswith("/"), f"{asset} would need the internet"
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 1000

    async def test_openapi_document_is_served(self, client: AsyncTestClient) -> None:
        spec = (await client.get("/docs/openapi.json")).json()
        assert "/events/{slug}/schedule" in spec["paths"]


class TestErrors:
    async def test_unknown_route_is_a_404_problem(self, client: AsyncTestClient) -> None:
        response = await client.get("/no/such/route")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 404

    async def test_wrong_method_is_a_405_problem(self, client: AsyncTestClient) -> None:
        response = await client.delete("/events")
        assert response.status_code == 405
        assert response.headers["content-type"].startswith("application/problem+json")
