"""A talk with no room and no track (an online session, say) reads the same everywhere: none of either."""

from __future__ import annotations

from icalendar import Calendar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule.models import SpeakerRole
from tests.factories import create_event, create_speaker, create_talk


async def test_schedule_and_feed_show_no_room_and_no_track(client: AsyncTestClient, db_session: AsyncSession) -> None:
    event = await create_event(db_session, slug="online", venue="Everywhere")
    host = await create_speaker(db_session, "Grace Hopper", affiliation="Navy")
    talk = await create_talk(
        db_session, event, "Online session", start="2025-06-20T10:00", speakers=[(host, SpeakerRole.HOST)]
    )
    await db_session.commit()

    schedule = (await client.get("/events/online/schedule")).json()
    (entry,) = [entry for day in schedule["days"] for entry in day["talks"]]
    assert entry["talk_id"] == str(talk.id)
    assert entry["room"] is None
    assert entry["track"] is None
    assert [(s["name"], s["role"]) for s in entry["speakers"]] == [("Grace Hopper", "host")]

    feed = Calendar.from_ical((await client.get("/events/online/calendar.ics")).content)
    (vevent,) = feed.walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Everywhere"
    assert [str(category) for category in vevent["CATEGORIES"].cats] == ["talk"]
    assert "Track:" not in str(vevent["DESCRIPTION"])
    assert "Speakers: Grace Hopper (host)" in str(vevent["DESCRIPTION"])
