"""How the companion's files are served: one shell for every deep link, a worker scoped to the whole
site and revalidated on each visit, assets cached for good under a versioned path. No browser needed."""

from __future__ import annotations

import gzip
import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.companion.shell import assets_base

SHELL_BUDGET_BYTES = 100 * 1024
"""The issue's budget for a first load of the shell, compressed, without schedule data."""


class TestShell:
    @pytest.mark.parametrize("path", ["/", "/e/nlp", "/e/nlp/schedule", "/e/nlp/talks/any-id", "/e/nlp/pair"])
    async def test_every_deep_link_gets_the_same_shell(self, client: AsyncTestClient[Litestar], path: str) -> None:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"
        assert f'<script type="module" src="{assets_base()}/app.js"></script>' in response.text
        assert '<link rel="manifest" href="/manifest.webmanifest">' in response.text

    async def test_the_shell_and_what_it_loads_fit_the_budget_compressed(
        self, client: AsyncTestClient[Litestar]
    ) -> None:
        shell = (await client.get("/")).text
        worker = (await client.get("/sw.js")).text
        assets = re.findall(r'"(/companion/[^"]+\.(?:js|css|svg))"', worker)
        assert f"{assets_base()}/app.js" in assets
        total = len(gzip.compress(shell.encode()))
        for url in assets:
            response = await client.get(url)
            assert response.status_code == 200, url
            total += len(gzip.compress(response.content))
        assert total < SHELL_BUDGET_BYTES


class TestWorkerAndManifest:
    async def test_the_worker_is_javascript_revalidated_on_every_visit(self, client: AsyncTestClient[Litestar]) -> None:
        response = await client.get("/sw.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["cache-control"] == "no-cache"
        assert f"import {{ flush }} from '{assets_base()}/lib/outbox.js';" in response.text

    async def test_the_manifest_names_the_app_and_its_icons(self, client: AsyncTestClient[Litestar]) -> None:
        response = await client.get("/manifest.webmanifest")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/manifest+json"
        manifest = response.json()
        assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
        for icon in manifest["icons"]:
            assert icon["src"].startswith(f"{assets_base()}/icons/")
            assert (await client.get(icon["src"])).status_code == 200


class TestAssets:
    async def test_assets_are_cached_for_a_year_under_their_version(self, client: AsyncTestClient[Litestar]) -> None:
        response = await client.get(f"{assets_base()}/app.css")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")
        assert "max-age=31536000" in response.headers["cache-control"]
        assert "immutable" in response.headers["cache-control"]

    async def test_modules_are_served_as_javascript(self, client: AsyncTestClient[Litestar]) -> None:
        response = await client.get(f"{assets_base()}/vendor/uqr/uqr.js")
        assert response.headers["content-type"].startswith("text/javascript")

    async def test_another_versions_assets_are_not_found(self, client: AsyncTestClient[Litestar]) -> None:
        assert (await client.get("/companion/000000000000/app.js")).status_code == 404

    async def test_the_companions_routes_stay_out_of_the_api_document(self, client: AsyncTestClient[Litestar]) -> None:
        paths = (await client.get("/docs/openapi.json")).json()["paths"]
        assert not [
            path for path in paths if path == "/" or path.startswith(("/e/", "/companion", "/sw.js", "/manifest"))
        ]
