"""Starring sessions: the starred list with its clashes, and the personal calendar link."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.companion.conftest import EVALUATION, SLUG, SPIKES, Phone, api


class TestStars:
    def test_a_star_lists_the_session_and_gives_a_calendar_link(self, phone: Phone) -> None:
        phone.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=phone.base)
        phone.open(f"/e/{SLUG}/schedule")
        page = phone.page
        star = page.get_by_role(
            "button", name="Star: Spikes in the loss: looking at the data behind open language models"
        )
        star.click()
        expect(page.get_by_role("button", name="Starred: Spikes in the loss", exact=False)).to_have_attribute(
            "aria-pressed", "true"
        )
        phone.settled()

        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Starred").click()
        expect(page.locator(".entry-title")).to_have_text(
            ["Spikes in the loss: looking at the data behind open language models"]
        )
        subscribe = page.get_by_role("link", name="Subscribe in my calendar")
        webcal = subscribe.get_attribute("href")
        assert webcal
        assert webcal.startswith("webcal://")
        assert webcal.endswith(".ics")
        expect(page.get_by_role("textbox", name="Your personal calendar link", exact=False)).to_have_value(webcal)
        page.get_by_role("button", name="Copy").click()
        expect(page.get_by_text("Copied.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == webcal
        page.get_by_text("QR code, to subscribe").click()
        expect(page.get_by_role("img", name="QR code of your personal calendar link").locator("svg")).to_be_visible()

        status, starred = api(phone.base, "GET", "/me/starred", phone.token())
        assert status == 200
        assert [entry["talk_id"] for entry in starred] == [SPIKES]
        ics = page.request.get(webcal.replace("webcal://", "http://", 1))
        assert ics.ok
        assert "Spikes in the loss" in ics.text()
        assert phone.errors == []

    def test_overlapping_starred_sessions_are_marked_as_clashes(self, phone: Phone) -> None:
        phone.open(f"/e/{SLUG}/schedule")
        page = phone.page
        page.get_by_role("button", name="Star: Spikes in the loss", exact=False).click()
        page.get_by_role("button", name="Star: Evaluation of LLMs is still a hard problem").click()
        page.get_by_role("button", name="Star: Small language models are increasingly competitive").click()
        phone.settled()
        page.get_by_role("navigation", name="Sections").get_by_role("link", name="Starred").click()

        expect(page.get_by_role("note")).to_have_text("2 of your starred sessions overlap: they are marked below.")
        clashing = page.locator(".entry.clash .entry-title")
        expect(clashing).to_have_text(
            [
                "Spikes in the loss: looking at the data behind open language models",
                "Evaluation of LLMs is still a hard problem",
            ]
        )
        expect(page.locator(".entry.clash").first).to_contain_text(
            "Clashes with Evaluation of LLMs is still a hard problem"
        )

        page.get_by_role("button", name="Starred: Evaluation of LLMs is still a hard problem").click()  # unstar
        expect(page.locator(".entry.clash")).to_have_count(0)
        phone.settled()
        _, starred = api(phone.base, "GET", "/me/starred", phone.token())
        assert EVALUATION not in {entry["talk_id"] for entry in starred}
        assert SPIKES in {entry["talk_id"] for entry in starred}
