"""Takeaways written with no network are kept, survive a reload, and are stored once each when it returns."""

from __future__ import annotations

from playwright.sync_api import Route, expect

from tests.browser.companion.conftest import SLUG, SPIKES, Phone, api

TALK_PAGE = f"/e/{SLUG}/talks/{SPIKES}"


def _write(phone: Phone, text: str, public: bool = False) -> None:
    form = phone.page.locator("form.note-form")
    form.get_by_label("Your takeaway").fill(text)
    if public:
        form.get_by_label("Everyone, under my name").check()
    form.get_by_role("button", name="Save takeaway").click()
    expect(phone.page.locator(".note-text").filter(has_text=text)).to_be_visible()


def _stored(phone: Phone) -> list[dict[str, object]]:
    status, page = api(phone.base, "GET", f"/me/takeaways?event={SLUG}", phone.token())
    assert status == 200
    return list(page["items"])


class TestOffline:
    def test_three_notes_written_offline_are_stored_once_each_when_back_online(self, phone: Phone) -> None:
        page = phone.page
        phone.open(TALK_PAGE)
        phone.ready_offline()

        phone.context.set_offline(True)
        texts = ["Loss spikes came from one subreddit", "Look at the data first", "A simple filter fixed it"]
        for text in texts:
            _write(phone, text, public=text.startswith("Look"))
        expect(page.locator(".my-notes .note-state")).to_have_text(["Waiting to be sent"] * 3)
        expect(page.locator("#status")).to_contain_text("3 changes kept on this phone")

        page.reload()  # still offline: the service worker serves the shell, IndexedDB the notes
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Spikes in the loss: looking at the data behind open language models"
        )
        expect(page.locator(".my-notes .note-text")).to_have_text(texts)

        phone.context.set_offline(False)
        phone.settled()
        expect(page.locator(".my-notes .note-state")).to_have_text(["Saved"] * 3)
        stored = _stored(phone)
        assert sorted(str(note["text"]) for note in stored) == sorted(texts)
        assert [note["visibility"] for note in stored if note["text"] == "Look at the data first"] == ["public"]
        assert phone.errors == []

    def test_a_retry_after_a_lost_answer_stores_the_note_once(self, phone: Phone) -> None:
        page = phone.page
        phone.open(TALK_PAGE)
        answers: list[int] = []

        def lose_the_first_answer(route: Route) -> None:
            if route.request.method == "POST" and not answers:
                answers.append(route.fetch().status)  # the server stores the note...
                route.abort("connectionreset")  # ...and the phone never hears back
            else:
                route.continue_()

        phone.context.route("**/talks/*/takeaways", lose_the_first_answer)
        _write(phone, "Written once, sent twice")
        phone.settled()
        expect(page.locator(".my-notes .note-state")).to_have_text(["Saved"])

        assert answers == [201]
        assert [note["text"] for note in _stored(phone)] == ["Written once, sent twice"]
        page.reload()
        expect(page.locator(".my-notes .note-text")).to_have_text(["Written once, sent twice"])
