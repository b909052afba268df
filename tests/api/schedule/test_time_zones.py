"""Local time with its offset, across DST changes and in several zones."""

from __future__ import annotations

import datetime

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_event, create_room, create_talk


class TestDaylightSavingTime:
    async def test_autumn_change_shows_each_talk_with_its_own_offset(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        # Copenhagen leaves summer time at 03:00 CEST on 26 October 2025 (clocks go back to 02:00).
        event = await create_event(
            db_session,
            slug="autumn",
            timezone="Europe/Copenhagen",
            start_date=datetime.date(2025, 10, 25),
            end_date=datetime.date(2025, 10, 27),
        )
        room = await create_room(db_session, event, "hall")
        await create_talk(db_session, event, "Before", start="2025-10-26T00:30:00+02:00", minutes=60, room=room)
        # 02:30 happens twice that night: once in summer time, once in winter time.
        await create_talk(db_session, event, "First 02:30", start="2025-10-26T02:30:00+02:00", minutes=30, room=room)
        await create_talk(db_session, event, "Second 02:30", start="2025-10-26T02:30:00+01:00", minutes=30, room=room)
        await create_talk(db_session, event, "Afternoon", start="2025-10-26T14:00", minutes=60, room=room)
        await db_session.commit()

        body = (await client.get("/events/autumn/schedule", params={"day": "2025-10-26"})).json()
        day = body["days"][0]
        starts = [(t["title"], t["start"], t["end"]) for t in day["talks"]]

        assert starts == [
            ("Before", "2025-10-26T00:30:00+02:00", "2025-10-26T01:30:00+02:00"),
            ("First 02:30", "2025-10-26T02:30:00+02:00", "2025-10-26T02:00:00+01:00"),
            ("Second 02:30", "2025-10-26T02:30:00+01:00", "2025-10-26T03:00:00+01:00"),
            ("Afternoon", "2025-10-26T14:00:00+01:00", "2025-10-26T15:00:00+01:00"),
        ]
        # That schedule day is 25 hours long.
        assert day["start"] == "2025-10-26T00:00:00+02:00"
        assert day["end"] == "2025-10-27T00:00:00+01:00"
        # The "First 02:30" slot lasts 30 real minutes even though the wall clock goes back.
        assert day["talks"][1]["duration_minutes"] == 30

    async def test_spring_change_makes_a_23_hour_day(self, client: AsyncTestClient, db_session: AsyncSession) -> None:
        await create_event(
            db_session,
            slug="spring",
            timezone="Europe/Copenhagen",
            start_date=datetime.date(2025, 3, 29),
            end_date=datetime.date(2025, 3, 31),
        )
        await db_session.commit()

        days = (await client.get("/events/spring/schedule")).json()["days"]
        spring = next(d for d in days if d["date"] == "2025-03-30")

        start = datetime.datetime.fromisoformat(spring["start"])
        end = datetime.datetime.fromisoformat(spring["end"])
        assert (spring["start"], spring["end"]) == ("2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00")
        assert end - start == datetime.timedelta(hours=23)

    async def test_day_change_across_dst_keeps_the_wall_clock_boundary(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        event = await create_event(
            db_session,
            slug="late-autumn",
            timezone="Europe/Berlin",
            start_date=datetime.date(2025, 10, 25),
            end_date=datetime.date(2025, 10, 26),
            day_change=datetime.time(4, 0),
        )
        await create_talk(db_session, event, "Party until late", start="2025-10-26T03:30:00+01:00", minutes=20)
        await db_session.commit()

        body = (await client.get("/events/late-autumn/schedule")).json()
        by_day = {d["date"]: [t["title"] for t in d["talks"]] for d in body["days"]}

        assert by_day["2025-10-25"] == ["Party until late"]
        assert body["days"][0]["end"] == "2025-10-26T04:00:00+01:00"


class TestTimeZones:
    async def test_times_are_shown_in_each_events_own_zone(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        sf = await create_event(
            db_session,
            slug="sf",
            timezone="America/Los_Angeles",
            start_date=datetime.date(2025, 6, 17),
            end_date=datetime.date(2025, 6, 17),
        )
        tlv = await create_event(
            db_session,
            slug="tlv",
            timezone="Asia/Jerusalem",
            start_date=datetime.date(2022, 4, 18),
            end_date=datetime.date(2022, 4, 18),
        )
        kol = await create_event(
            db_session,
            slug="kochi",
            timezone="Asia/Kolkata",
            start_date=datetime.date(2023, 9, 10),
            end_date=datetime.date(2023, 9, 10),
        )
        await create_talk(db_session, sf, "Keynote", start="2025-06-17T17:30:00Z", minutes=40)
        await create_talk(db_session, tlv, "Episode", start="2022-04-18T14:00:00Z", minutes=60)
        await create_talk(db_session, kol, "Opening", start="2023-09-10T05:00:00+00:00", minutes=30)
        await db_session.commit()

        def first_start(slug: str) -> str:
            return schedule[slug]["days"][0]["talks"][0]["start"]

        schedule = {s: (await client.get(f"/events/{s}/schedule")).json() for s in ("sf", "tlv", "kochi")}
        assert first_start("sf") == "2025-06-17T10:30:00-07:00"
        assert first_start("tlv") == "2022-04-18T17:00:00+03:00"
        assert first_start("kochi") == "2023-09-10T10:30:00+05:30"

    async def test_a_talk_just_before_midnight_utc_lands_on_its_local_day(
        self, client: AsyncTestClient, db_session: AsyncSession
    ) -> None:
        event = await create_event(
            db_session,
            slug="west",
            timezone="America/Los_Angeles",
            start_date=datetime.date(2025, 6, 17),
            end_date=datetime.date(2025, 6, 18),
        )
        await create_talk(db_session, event, "Evening", start="2025-06-18T02:00:00Z", minutes=30)  # 19:00 PDT
        await db_session.commit()

        body = (await client.get("/events/west/schedule")).json()
        assert [(d["date"], [t["title"] for t in d["talks"]]) for d in body["days"]] == [
            ("2025-06-17", ["Evening"]),
            ("2025-06-18", []),
        ]
