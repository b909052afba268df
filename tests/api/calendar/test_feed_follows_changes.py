"""A subscribed calendar follows the organiser: moved talks move, cancelled and deleted ones go."""

from __future__ import annotations

import datetime

from icalendar import Calendar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.schedule.editing import ScheduleEditor
from service.schedule.inputs import SlotMove, TalkUpdate
from tests.api.conftest import Conference


async def feed(client: AsyncTestClient, query: str = "") -> dict[str, dict[str, object]]:
    response = await client.get(f"/events/nlp/calendar.ics{query}")
    assert response.status_code == 200
    return {
        str(e["UID"]): {
            "summary": str(e["SUMMARY"]),
            "sequence": int(e["SEQUENCE"]),
            "status": str(e["STATUS"]),
            "start": e.decoded("DTSTART").astimezone(datetime.UTC),
            "location": str(e.get("LOCATION", "")),
        }
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    }


def uid_of(conference_slot_id: object) -> str:
    return f"{conference_slot_id}@plenary"


class TestFeedFollowsChanges:
    async def test_edit_move_cancel_and_delete(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        before = await feed(client)
        etag = (await client.get("/events/nlp/calendar.ics")).headers["etag"]
        keynote_uid = uid_of(conference.keynote_slot_id)
        side_uid = uid_of(conference.side_slot_id)
        assert before[keynote_uid]["sequence"] == 0

        editor = ScheduleEditor(db_session, conference.event)
        new_start = datetime.datetime(2025, 6, 20, 8, 0, tzinfo=datetime.UTC)  # 10:00 local
        await editor.move_slot(conference.keynote_slot_id, SlotMove(start=new_start, room="side"))
        await editor.update_talk(conference.side_talk.id, TalkUpdate(title="Data pipelines, revisited"))
        await editor.cancel_talk(conference.lunch.id)
        await editor.delete_talk(conference.late.id)
        await db_session.commit()

        response = await client.get("/events/nlp/calendar.ics", headers={"If-None-Match": etag})
        assert response.status_code == 200, "the feed must change when the schedule does"
        after = await feed(client)

        # Same UIDs: nothing duplicated, nothing lost (the deleted talk stays as a cancellation).
        assert set(after) == set(before)
        # Moved in time and room: same UID, SEQUENCE up once for each.
        assert after[keynote_uid]["start"] == new_start
        assert after[keynote_uid]["location"].startswith("Side room")
        assert after[keynote_uid]["sequence"] == 2
        # Retitled: the new title, same UID; the time did not change, so SEQUENCE did not either.
        assert after[side_uid]["summary"] == "Data pipelines, revisited"
        assert after[side_uid]["sequence"] == 0
        # Cancelled: kept, marked cancelled, SEQUENCE up.
        lunch_uid = next(uid for uid, e in before.items() if e["summary"] == "Lunch")
        assert (after[lunch_uid]["status"], after[lunch_uid]["sequence"]) == ("CANCELLED", 1)
        # Deleted: comes back as a cancelled tombstone with a higher SEQUENCE, so clients drop it.
        late_uid = next(uid for uid, e in before.items() if e["summary"] == "Night owls' session")
        assert after[late_uid]["status"] == "CANCELLED"
        assert after[late_uid]["sequence"] == before[late_uid]["sequence"] + 1
        # The untouched slots are exactly as before.
        for uid in set(before) - {keynote_uid, side_uid, lunch_uid, late_uid}:
            assert after[uid] == before[uid]

    async def test_a_deleted_talk_is_cancelled_only_in_feeds_that_showed_it(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        late_uid = next(uid for uid, e in (await feed(client, "?track=ml")).items() if "Night" in str(e["summary"]))
        await ScheduleEditor(db_session, conference.event).delete_talk(conference.late.id)
        await db_session.commit()

        assert (await feed(client, "?track=ml"))[late_uid]["status"] == "CANCELLED"
        assert late_uid not in await feed(client, "?track=data")
        assert (await client.get("/events/nlp/schedule", params={"q": "Night owls"})).json()["days"][0]["talks"] == []

    async def test_a_deleted_talk_is_cancelled_in_a_word_search_feed_as_it_was_found(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        """The feed's q matches words in any order, for removed talks as for the others."""
        before = await feed(client, "?q=owls%20night")
        late_uid = next(uid for uid, e in before.items() if "Night" in str(e["summary"]))
        await ScheduleEditor(db_session, conference.event).delete_talk(conference.late.id)
        await db_session.commit()

        assert (await feed(client, "?q=owls%20night"))[late_uid]["status"] == "CANCELLED"

    async def test_the_schedule_version_and_change_log_follow(
        self, client: AsyncTestClient, conference: Conference, db_session: AsyncSession
    ) -> None:
        editor = ScheduleEditor(db_session, conference.event)
        await editor.cancel_talk(conference.lunch.id)
        await editor.update_talk(conference.lunch.id, TalkUpdate(title="No lunch"))
        await db_session.commit()

        schedule = (await client.get("/events/nlp/schedule")).json()
        assert schedule["version"] == 2  # one editing session, one new version
