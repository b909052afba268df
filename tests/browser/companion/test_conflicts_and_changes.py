"""What changed elsewhere: an edit made first on another device, a starred talk moved by the organisers."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.companion.conftest import SLUG, SPIKES, Phone, api, schedule_entries


class TestConflict:
    def test_an_edit_made_elsewhere_first_is_shown_beside_mine(self, phone: Phone) -> None:
        page = phone.page
        phone.open(f"/e/{SLUG}/talks/{SPIKES}")
        page.locator("form.note-form").get_by_label("Your takeaway").fill("First thought")
        page.get_by_role("button", name="Save takeaway").click()
        phone.settled()
        expect(page.locator(".my-notes .note-state")).to_have_text(["Saved"])

        token = phone.token()
        _, mine = api(phone.base, "GET", f"/me/takeaways?event={SLUG}", token)
        note = mine["items"][0]
        status, _ = api(
            phone.base,
            "PATCH",
            f"/me/takeaways/{note['id']}",
            token,
            {"text": "Rewritten on the laptop"},
            headers={"If-Match": f'"{note["version"]}"'},
        )
        assert status == 200

        page.get_by_role("button", name="Edit").click()
        page.get_by_label("Edit your takeaway").fill("Rewritten on the phone")
        page.get_by_role("button", name="Save", exact=True).click()
        conflict = page.get_by_role("group", name="Conflict between two versions")
        expect(conflict.locator(".theirs")).to_have_text("Rewritten on the laptop")
        expect(conflict.locator(".mine")).to_have_text("Rewritten on the phone")
        expect(page.get_by_text("changed on another device first")).to_be_visible()
        _, stored = api(phone.base, "GET", f"/me/takeaways?event={SLUG}", token)
        assert [item["text"] for item in stored["items"]] == ["Rewritten on the laptop"]  # nothing overwritten

        conflict.get_by_role("button", name="Keep mine").click()
        expect(page.locator(".my-notes .note-state")).to_have_text(["Saved"])
        expect(page.locator(".my-notes .note-text")).to_have_text(["Rewritten on the phone"])
        _, stored = api(phone.base, "GET", f"/me/takeaways?event={SLUG}", token)
        assert [item["text"] for item in stored["items"]] == ["Rewritten on the phone"]


class TestChanges:
    def test_a_starred_talk_moved_by_the_organisers_is_flagged_at_the_top(
        self, phone: Phone, organiser_token: str
    ) -> None:
        posters = next(e for e in schedule_entries(phone.base) if e["title"] == "Poster session")
        phone.open(f"/e/{SLUG}/schedule?day=2025-06-21")
        phone.page.get_by_role("button", name="Star: Poster session").click()
        phone.settled()

        status, _ = api(
            phone.base,
            "PATCH",
            f"/events/{SLUG}/slots/{posters['id']}",
            organiser_token,
            {"start": "2025-06-21T15:00:00+02:00", "room": "room-b"},
        )
        assert status == 200
        phone.page.reload()
        flags = phone.page.get_by_role("region", name="Alerts").locator(".flag")
        expect(flags).to_have_count(1)
        expect(flags).to_contain_text("Poster session moved: now Sat 21 Jun, 15:00, Room B")
        expect(flags).to_contain_text("was Sat 21 Jun, 10:00, Auditorium 1")

        phone.page.get_by_role("button", name="Mark as seen").click()
        expect(flags).to_have_count(0)
        phone.page.reload()
        expect(phone.page.get_by_role("heading", level=1)).to_have_text("Schedule")
        expect(flags).to_have_count(0)
