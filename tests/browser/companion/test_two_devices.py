"""A second device, paired with a one-time code, shares the attendee's stars and takeaways both ways."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.browser.companion.conftest import SLUG, SPIKES, Phone, api


def _write(phone: Phone, text: str) -> None:
    phone.page.locator("form.note-form").get_by_label("Your takeaway").fill(text)
    phone.page.get_by_role("button", name="Save takeaway").click()
    phone.settled()


def _section(phone: Phone, name: str) -> None:
    phone.page.get_by_role("navigation", name="Sections").get_by_role("link", name=name).click()
    expect(phone.page.get_by_role("heading", level=1)).to_be_visible()


class TestPairing:
    def test_two_paired_devices_see_each_others_stars_and_notes(self, new_phone: Callable[..., Phone]) -> None:
        phone = new_phone()
        laptop = new_phone(viewport={"width": 1280, "height": 800}, is_mobile=False, has_touch=False)

        phone.open(f"/e/{SLUG}/talks/{SPIKES}")
        phone.page.get_by_role("button", name="Star: Spikes in the loss", exact=False).click()
        _write(phone, "Noted on the phone")
        _section(phone, "Devices")
        phone.page.get_by_role("button", name="Show a pairing code").click()
        code = phone.page.get_by_label("Pairing code", exact=True).inner_text()
        assert len(code) == 9
        assert code[4] == "-"
        expect(phone.page.get_by_role("img", name="QR code of the pairing link").locator("svg")).to_be_visible()

        laptop.open(f"/e/{SLUG}/devices")
        laptop.page.get_by_label("Pairing code from your other device").fill(code.lower().replace("-", ""))
        laptop.page.get_by_role("button", name="Link this device").click()
        expect(laptop.page.get_by_text("This device is linked")).to_be_visible()
        devices = laptop.page.locator(".devices li")
        expect(devices).to_have_count(2)
        expect(devices.filter(has_text="(this device)")).to_have_count(1)

        _section(laptop, "Starred")
        expect(laptop.page.locator(".entry-title")).to_have_text(
            ["Spikes in the loss: looking at the data behind open language models"]
        )
        _section(laptop, "Notes")
        expect(laptop.page.locator(".note-text")).to_have_text(["Noted on the phone"])

        # And back: what the laptop adds shows on the phone.
        laptop.page.get_by_role("link", name="Spikes in the loss", exact=False).click()
        _write(laptop, "Added on the laptop")
        laptop.open(f"/e/{SLUG}/schedule")
        laptop.page.get_by_role("button", name="Star: Evaluation of LLMs is still a hard problem").click()
        laptop.settled()

        phone.open(f"/e/{SLUG}/notes")
        expect(phone.page.locator(".note-text")).to_have_text(["Noted on the phone", "Added on the laptop"])
        _section(phone, "Starred")
        expect(phone.page.locator(".entry-title")).to_have_text(
            [
                "Spikes in the loss: looking at the data behind open language models",
                "Evaluation of LLMs is still a hard problem",
            ]
        )
        assert phone.identity()["id"] == laptop.identity()["id"]
        assert phone.token() != laptop.token()  # one attendee, a key per device

    def test_an_unlinked_device_loses_access(self, new_phone: Callable[..., Phone]) -> None:
        phone, tablet = new_phone(), new_phone()
        phone.open(f"/e/{SLUG}/devices")
        phone.page.get_by_role("button", name="Show a pairing code").click()
        code = phone.page.get_by_label("Pairing code", exact=True).inner_text()
        tablet.open(f"/e/{SLUG}/pair#{code}")  # the QR code's link: the code is filled in
        expect(tablet.page.get_by_label("Pairing code from your other device")).to_have_value(code)
        tablet.page.get_by_role("button", name="Link this device").click()
        expect(tablet.page.get_by_text("This device is linked")).to_be_visible()

        phone.open(f"/e/{SLUG}/devices")
        phone.page.get_by_role("button", name="Unlink", exact=False).click()
        expect(phone.page.get_by_text("Unlinked")).to_be_visible()
        expect(phone.page.locator(".devices li")).to_have_count(1)
        status, _ = api(phone.base, "GET", "/me/starred", tablet.token())
        assert status == 401
