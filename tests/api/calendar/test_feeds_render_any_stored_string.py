"""Every feed renders whatever the database holds: a URL with a trailing newline (which the API
once accepted), a lone carriage return from an import, a multi-line event description. One odd
value used to answer 500 for the event feed, every personal feed and the talk's feed."""

from __future__ import annotations

from icalendar import Calendar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.conftest import Conference, Tokens, register


def local(url: str) -> str:
    return url.split("testserver.local", 1)[-1]


async def calendar(client: AsyncTestClient, path: str) -> Calendar:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


async def all_feeds(client: AsyncTestClient, conference: Conference) -> list[Calendar]:
    phone = await register(client, "Ada")
    assert (await client.put(f"/me/starred/{conference.keynote.id}", headers=phone.headers)).status_code == 204
    return [
        await calendar(client, "/events/nlp/calendar.ics"),
        await calendar(client, f"/events/nlp/talks/{conference.keynote.id}.ics"),
        await calendar(client, local(phone.calendar["ics"])),
    ]


async def test_stored_urls_with_line_breaks(
    client: AsyncTestClient, db_session: AsyncSession, conference: Conference
) -> None:
    conference.keynote.url = "http://x.example/\n"
    conference.keynote.slides_url = "http://x.example/slides\r\n"
    conference.event.website = "https://nlp.example/\n"
    await db_session.commit()

    for feed in await all_feeds(client, conference):
        keynote = next(e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == "Opening keynote")
        assert str(keynote["URL"]) == "http://x.example/"
    assert str((await calendar(client, "/events/nlp/calendar.ics"))["URL"]) == "https://nlp.example/"


async def test_stored_text_with_control_characters(
    client: AsyncTestClient, db_session: AsyncSession, conference: Conference
) -> None:
    conference.keynote.title = "Opening\rkeynote\x01"
    conference.keynote.abstract = "Line one\rLine two\x1b[0m"
    conference.event.title = "NLP\n2025"
    conference.event.description = "Two\nlines"
    await db_session.commit()

    for feed in await all_feeds(client, conference):
        keynote = next(e for e in feed.walk("VEVENT") if str(e["SUMMARY"]).startswith("Opening"))
        assert str(keynote["SUMMARY"]) == "Opening\nkeynote"
        assert str(keynote["DESCRIPTION"]).startswith("Line one\nLine two[0m")


async def test_a_multi_line_event_description_sent_through_the_api(
    client: AsyncTestClient, conference: Conference, tokens: Tokens
) -> None:
    response = await client.patch(
        "/events/nlp", json={"description": "Two days of talks.\nBring a laptop."}, headers=tokens.organiser
    )
    assert response.status_code == 200, response.text
    feed = await calendar(client, "/events/nlp/calendar.ics")
    assert "Bring a laptop." in feed.to_ical().decode()


async def test_the_exports_render_them_too(
    client: AsyncTestClient, db_session: AsyncSession, conference: Conference
) -> None:
    conference.keynote.title = "Opening\rkeynote\x01\x0b"
    conference.keynote.url = "http://x.example/\n"
    conference.event.description = "Two\nlines\x7f"
    await db_session.commit()
    for path in ("/events/nlp/schedule.xml", "/events/nlp/schedule.json", "/events/nlp/schedule", "/"):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text)
