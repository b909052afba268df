"""/docs renders the OpenAPI 3.1 document with the vendored Swagger UI, offline, and Try it out works."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Response, expect

from service.system.openapi import SWAGGER_UI_VERSION
from tests.browser.conftest import Offline

SCHEDULE = "/events/{slug}/schedule"


def _schedule_operation(offline: Offline) -> Locator:
    return offline.page.locator(f'.opblock-get:has(.opblock-summary-path[data-path="{SCHEDULE}"])')


class TestDocsPage:
    def test_renders_the_schedule_operation_without_the_internet(
        self, offline: Offline, served: str, tmp_path: Path
    ) -> None:
        page = offline.page
        page.goto(f"{served}/docs", wait_until="networkidle")

        expect(_schedule_operation(offline)).to_be_visible()
        page.screenshot(path=tmp_path / "docs.png")
        expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
        expect(page.locator(".errors-wrapper")).to_have_count(0)
        assert page.evaluate("window.versions.swaggerUI.version") == SWAGGER_UI_VERSION
        assert offline.blocked == [], "the docs page asked the internet for these"
        assert offline.failed == []
        assert offline.errors == []

    def test_try_it_out_asks_this_server(self, offline: Offline, served: str) -> None:
        page = offline.page
        page.goto(f"{served}/docs", wait_until="networkidle")
        operation = _schedule_operation(offline)
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.locator('input[placeholder="slug"]').fill("cph-nlp-2025")

        def from_this_server(response: Response) -> bool:
            url = urlsplit(response.url)
            return f"{url.scheme}://{url.netloc}" == served and url.path == "/events/cph-nlp-2025/schedule"

        with page.expect_response(from_this_server) as answer:
            operation.get_by_role("button", name="Execute").click()

        assert answer.value.status == 200
        expect(operation.locator(".live-responses-table tr.response .response-col_status")).to_have_text("200")
        expect(operation.locator(".live-responses-table")).to_contain_text("Copenhagen NLP Symposium")
        assert offline.blocked == []
        assert offline.failed == []
        assert offline.errors == []
