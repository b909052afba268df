"""The demo events a new user sees on first start (facts from shared/demo-event.md)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.app import create_app
from service.demo.loader import load_demo
from service.settings import Settings


def entries(schedule: dict[str, Any]) -> list[dict[str, Any]]:
    return [talk for day in schedule["days"] for talk in day["talks"]]


class TestDemoOnFirstStart:
    async def test_an_empty_database_gets_three_events_in_three_zones(
        self, settings: Settings, db_session: AsyncSession
    ) -> None:
        app = create_app(Settings(database_url=settings.database_url, migrate_on_start=True, load_demo=True))
        async with AsyncTestClient(app=app) as client:
            events = (await client.get("/events")).json()["items"]

        assert {(e["slug"], e["timezone"]) for e in events} == {
            ("cph-nlp-2025", "Europe/Copenhagen"),
            ("ai-startup-school-2025", "America/Los_Angeles"),
            ("mlops-podcast-kilcher", "Asia/Jerusalem"),
        }

    async def test_a_database_with_events_is_left_alone(self, settings: Settings, db_session: AsyncSession) -> None:
        await load_demo(db_session)
        await db_session.commit()
        app = create_app(Settings(database_url=settings.database_url, migrate_on_start=False, load_demo=True))
        async with AsyncTestClient(app=app) as client:
            assert (await client.get("/events")).json()["total"] == 3

    async def test_loading_twice_adds_nothing(self, db_session: AsyncSession) -> None:
        assert len(await load_demo(db_session)) == 3
        await db_session.commit()
        assert await load_demo(db_session) == []


class TestDemoContent:
    async def test_copenhagen_has_rooms_tracks_and_the_loss_spike_talk(
        self, client: AsyncTestClient, demo: list[str]
    ) -> None:
        event = (await client.get("/events/cph-nlp-2025")).json()
        assert event["website"] == "https://cphnlp.github.io/"
        schedule = (await client.get("/events/cph-nlp-2025/schedule")).json()
        talks = entries(schedule)

        spike = next(t for t in talks if "microwavegang" in t["abstract"])
        assert [(s["name"], s["affiliation"]) for s in spike["speakers"]] == [
            ("Kyle Lo", "Allen Institute for AI (Ai2)")
        ]
        assert spike["start"].endswith("+02:00")
        assert len((await client.get("/events/cph-nlp-2025/rooms")).json()["items"]) >= 2
        assert len((await client.get("/events/cph-nlp-2025/tracks")).json()["items"]) >= 2
        assert any(t["kind"] == "break" for t in talks)
        affiliations = {s["affiliation"] for t in talks for s in t["speakers"]}
        assert {"Hugging Face", "Cohere", "Allen Institute for AI (Ai2)"} <= affiliations

    async def test_the_keynote_has_its_recording(self, client: AsyncTestClient, demo: list[str]) -> None:
        talks = entries((await client.get("/events/ai-startup-school-2025/schedule")).json())
        assert [(t["title"], t["kind"], t["links"]["recording"]) for t in talks] == [
            ("Software Is Changing (Again)", "keynote", "https://youtu.be/LCEmiRjPEtQ")
        ]
        assert talks[0]["start"].startswith("2025-06-17T")
        assert talks[0]["start"].endswith("-07:00")

    async def test_the_podcast_has_a_host_and_a_guest(self, client: AsyncTestClient, demo: list[str]) -> None:
        talks = entries((await client.get("/events/mlops-podcast-kilcher/schedule")).json())
        assert [(s["name"], s["role"]) for s in talks[0]["speakers"]] == [
            ("Dean Pleban", "host"),
            ("Yannic Kilcher", "guest"),
        ]

    async def test_demo_ids_are_stable_across_installs(self, client: AsyncTestClient, demo: list[str]) -> None:
        # The README's examples link to these ids.
        talks = entries((await client.get("/events/ai-startup-school-2025/schedule")).json())
        assert talks[0]["talk_id"] == "5dc3ac0a-558a-5691-8b60-3d44c94c08a5"


class TestDemoTakeaways:
    async def test_public_takeaways_are_readable_and_private_ones_are_not(
        self, client: AsyncTestClient, demo: list[str]
    ) -> None:
        talks = {t["title"]: t for t in entries((await client.get("/events/cph-nlp-2025/schedule")).json())}
        spike = talks["Spikes in the loss: looking at the data behind open language models"]
        public = (await client.get(f"/events/cph-nlp-2025/talks/{spike['talk_id']}/takeaways")).json()
        assert [t["author"] for t in public["items"]] == ["Symposium attendee"]
        assert "microwavegang" in public["items"][0]["text"]

        panel = talks["High-quality data is hard to obtain and use at scale"]
        assert (await client.get(f"/events/cph-nlp-2025/talks/{panel['talk_id']}/takeaways")).json()["items"] == []

        episode = entries((await client.get("/events/mlops-podcast-kilcher/schedule")).json())[0]
        texts = [
            t["text"]
            for t in (await client.get(f"/events/mlops-podcast-kilcher/talks/{episode['talk_id']}/takeaways")).json()[
                "items"
            ]
        ]
        assert texts == ["Data quality and pre/post-processing beat model tweaks: 10x versus 5%."]

    async def test_the_keynote_has_the_colleagues_takeaway(self, client: AsyncTestClient, demo: list[str]) -> None:
        (keynote,) = entries((await client.get("/events/ai-startup-school-2025/schedule")).json())
        items = (await client.get(f"/events/ai-startup-school-2025/talks/{keynote['talk_id']}/takeaways")).json()[
            "items"
        ]
        assert [(t["author"], t["text"][:22]) for t in items] == [("A colleague", "We need a blend of Sof")]
