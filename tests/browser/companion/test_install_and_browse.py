"""A first visit on a phone: an installable app, now and next at a fixed instant, the schedule's filters."""

from __future__ import annotations

import struct
from urllib.parse import urljoin

from playwright.sync_api import expect

from tests.browser.companion.conftest import SLUG, Phone

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def span(start: str, end: str) -> str:
    """A session's times as the app writes them, with an en dash."""
    return f"{start}\N{EN DASH}{end}"


def _png_size(body: bytes) -> tuple[int, int]:
    assert body.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", body[16:24])
    return width, height


class TestFirstVisit:
    def test_the_front_page_lists_the_events_and_opens_one(self, phone: Phone) -> None:
        phone.open("/")
        page = phone.page
        expect(page.get_by_role("heading", name="Copenhagen NLP Symposium 2025")).to_be_visible()
        page.get_by_role("link", name="Copenhagen NLP Symposium 2025").click()
        expect(page.get_by_role("heading", name="Now and next", level=1)).to_be_visible()
        assert page.url.endswith(f"/e/{SLUG}")
        expect(page.get_by_role("navigation", name="Sections").get_by_role("link", name="Schedule")).to_be_visible()
        assert phone.errors == []

    def test_the_manifest_is_linked_valid_and_its_icons_load(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}")
        page = phone.page
        href = page.locator('link[rel="manifest"]').get_attribute("href")
        assert href
        answer = page.request.get(urljoin(page.url, href))
        assert answer.ok
        assert answer.headers["content-type"].startswith("application/manifest+json")
        manifest = answer.json()
        assert manifest["short_name"] == "Plenary"
        assert manifest["start_url"] == "/"
        assert manifest["display"] == "standalone"
        sizes = set()
        for icon in manifest["icons"]:
            image = page.request.get(urljoin(page.url, icon["src"]))
            assert image.ok, icon["src"]
            assert image.headers["content-type"] == icon["type"]
            if icon["type"] == "image/png":
                width, height = _png_size(image.body())
                assert f"{width}x{height}" == icon["sizes"]
                sizes.add(width)
        assert {192, 512} <= sizes

        # Chromium's own verdict: the page is installable (manifest, icons, a worker that handles fetch).
        phone.ready_offline()
        cdp = phone.context.new_cdp_session(page)
        assert cdp.send("Page.getAppManifest")["errors"] == []
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        # Playwright's contexts are incognito profiles, where Chromium never installs; nothing else may be missing.
        assert [error["errorId"] for error in errors if error["errorId"] != "in-incognito"] == []
        assert phone.errors == []


class TestNowAndNext:
    def test_each_room_shows_what_runs_at_the_instant_and_what_follows(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}?at=2025-06-20T10:40")
        auditorium = phone.page.get_by_role("region", name="Auditorium 1")
        room_b = phone.page.get_by_role("region", name="Room B")

        expect(auditorium.locator(".entry-time")).to_have_text([span("10:30", "11:15"), span("12:15", "13:15")])
        expect(auditorium.locator(".entry-title")).to_have_text(
            ["Spikes in the loss: looking at the data behind open language models", "Lunch"]
        )
        expect(room_b.locator(".entry-time")).to_have_text([span("10:30", "11:15"), span("11:15", "12:15")])
        expect(room_b.locator(".entry-title")).to_have_text(
            ["Evaluation of LLMs is still a hard problem", "Hands-on: filtering a pre-training corpus"]
        )

    def test_times_switch_from_the_events_zone_to_the_phones(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}?at=2025-06-20T10:40")
        spikes = phone.page.get_by_role("region", name="Auditorium 1").locator(".entry").first
        expect(spikes).to_contain_text(span("10:30", "11:15"))
        phone.page.get_by_role("button", name="Event time").click()
        expect(phone.page.get_by_role("button", name="Phone time")).to_be_visible()
        expect(spikes).to_contain_text(span("04:30", "05:15"))  # the phone is in New York


class TestSchedule:
    def test_filters_by_track_and_kind(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}/schedule")
        page = phone.page
        page.get_by_label("Track").select_option(label="Data")
        expect(page.get_by_role("status").filter(has_text="found")).to_have_text("4 sessions found. Clear filters")
        titles = page.locator(".entry-title")
        expect(titles).to_have_count(4)
        page.get_by_label("Kind").select_option(label="Workshop")
        expect(titles).to_have_text(["Hands-on: filtering a pre-training corpus"] * 2)
        assert "track=data" in page.url
        assert "kind=workshop" in page.url

        page.reload()  # the filters live in the address: a reload keeps them
        expect(titles).to_have_count(2)
        expect(page.get_by_label("Kind")).to_have_value("workshop")

    def test_searches_by_the_start_of_words_in_any_order(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}/schedule")
        page = phone.page
        page.get_by_label("Search").fill("loss spik")
        expect(page.locator(".entry-title")).to_have_text(
            ["Spikes in the loss: looking at the data behind open language models"]
        )
        page.get_by_label("Search").fill("kyle")  # a speaker's name
        expect(page.locator(".entry-title")).to_have_count(4)
        page.get_by_label("Search").fill("quantum")
        expect(page.get_by_role("status").filter(has_text="found")).to_contain_text("0 sessions found")

    def test_a_talk_shows_speakers_abstract_and_public_takeaways(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}/schedule")
        phone.page.get_by_role("link", name="Hands-on: filtering a pre-training corpus").first.click()
        article = phone.page.locator("article")
        expect(article.get_by_role("heading", level=1)).to_have_text("Hands-on: filtering a pre-training corpus")
        expect(article.locator(".slots li")).to_have_count(2)  # held twice
        expect(article.locator(".speakers")).to_contain_text("Kyle Lo, Allen Institute for AI (Ai2) (host)")
        expect(article.locator(".abstract")).to_contain_text("Bring a laptop.")
        expect(article.locator("#public-notes")).not_to_contain_text("Loading")
