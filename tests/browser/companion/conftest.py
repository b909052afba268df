"""The companion on a phone: a Chromium context sized and behaving like one, and the API beside it.

Each `phone` is a fresh browser profile (its own IndexedDB, service worker and attendee). The app
marks ``<body data-outbox="N">`` with the number of writes waiting to be sent and
``data-offline="ready"`` once its service worker holds the shell and the event's data; tests wait
on those instead of sleeping.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Served

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

# Two cores shared with other jobs: give the page time, never a fixed sleep.
expect.set_options(timeout=15_000)

SLUG = "cph-nlp-2025"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "en-GB",
    "timezone_id": "America/New_York",  # not the event's zone: the app shows the event's unless asked
}
# The demo's talks (ids are stable: derived from the published schedule).
SPIKES = "f34b9493-54e7-5db5-aa7f-f4bfe8c65e51"
EVALUATION = "3cd93489-33ed-5cf0-a0b8-b3ad3b835937"

_READ_IDENTITY = """async (slug) => {
  const db = await new Promise((resolve, reject) => {
    const opening = indexedDB.open('plenary');
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
  return new Promise((resolve) => {
    const read = db.transaction('kv').objectStore('kv').get(`identity:${slug}`);
    read.onsuccess = () => resolve(read.result || null);
  });
}"""


def api(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request to the served API from outside the browser (what another client would see)."""
    sent = {"Accept": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        sent["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{base}{path}", data=data, method=method, headers=sent)  # noqa: S310 - local
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - a local http URL we built
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"null")


@dataclass
class Phone:
    """One browser profile with the companion open, and what went wrong in it."""

    context: BrowserContext
    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}{path}")
        expect(self.page.locator("main h1")).to_be_visible()

    def ready_offline(self) -> None:
        """Wait until the service worker controls the page and holds the event: it then opens offline."""
        expect(self.page.locator("body")).to_have_attribute("data-offline", "ready")

    def settled(self) -> None:
        """Wait until every queued write was sent."""
        expect(self.page.locator("body")).to_have_attribute("data-outbox", "0", timeout=20_000)

    def identity(self, slug: str = SLUG) -> dict[str, Any]:
        found = self.page.evaluate(_READ_IDENTITY, slug)
        assert found, "this phone has no attendee yet"
        return dict(found)

    def token(self, slug: str = SLUG) -> str:
        return str(self.identity(slug)["token"])


@pytest.fixture
def new_phone(chromium: Browser, served: str) -> Iterator[Callable[..., Phone]]:
    contexts: list[BrowserContext] = []

    def make(**overrides: Any) -> Phone:
        context = chromium.new_context(**{**PHONE, **overrides})
        contexts.append(context)
        phone = Phone(context, context.new_page(), served)
        phone.page.on("pageerror", lambda error: phone.errors.append(str(error)))
        return phone

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_phone: Callable[..., Phone]) -> Phone:
    return new_phone()


@pytest.fixture(scope="session")
def organiser_token(served_app: Served) -> str:
    """A token for the demo event's organisers, made with the CLI as an organiser would."""
    return served_app.cli("token", "create", "--event", SLUG, "--name", "browser tests")


def schedule_entries(base: str) -> list[dict[str, Any]]:
    status, schedule = api(base, "GET", f"/events/{SLUG}/schedule")
    assert status == 200
    return [entry for day in schedule["days"] for entry in day["talks"]]
