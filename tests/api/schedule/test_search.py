"""Search by words (``q``): every word, any order, word prefixes, no case or accents, on either database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from service.events.models import Event
from service.schedule import search
from service.schedule.models import SpeakerRole, Talk
from tests.api.calendar.test_calendar_feeds import assert_feed_matches_schedule
from tests.api.conftest import Conference, Tokens
from tests.factories import create_event, create_room, create_speaker, create_talk, create_track

PROBLEM = "application/problem+json"
SPIKES = "Spikes in the loss: looking at the data behind open language models"


@dataclass
class Shelf:
    event: Event
    cafe: Talk
    cooking: Talk
    microwaves: Talk


@pytest.fixture
async def shelf(db_session: AsyncSession) -> Shelf:
    """Talks whose words sit in titles, abstracts, speakers, a track and rooms, some with accents."""
    event = await create_event(db_session, slug="words")
    aula = await create_room(db_session, event, "aula", name="Aula Magna")
    lille = await create_room(db_session, event, "lille", name="Lille sal")
    robotics = await create_track(db_session, event, "robotics")
    zofia = await create_speaker(db_session, "Zofia Nowak")
    bjørn = await create_speaker(db_session, "Bjørn Ærø")
    cafe = await create_talk(
        db_session,
        event,
        "Café society",
        start="2025-06-20T09:00",
        room=aula,
        speakers=[(zofia, SpeakerRole.SPEAKER)],
        abstract="Coffee and conversation.",
    )
    cooking = await create_talk(
        db_session,
        event,
        "Robots that cook",
        start="2025-06-20T10:00",
        room=aula,
        speakers=[(bjørn, SpeakerRole.SPEAKER)],
        abstract="Ovens, grills and the microwave; then a visit to a cafe.",
    )
    microwaves = await create_talk(
        db_session,
        event,
        "Microwave ovens for cafe kitchens",
        start="2025-06-20T11:00",
        room=lille,
        track=robotics,
    )
    await create_talk(db_session, event, "Lunch", start="2025-06-20T12:00")
    await db_session.commit()
    return Shelf(event, cafe, cooking, microwaves)


def found(body: dict[str, Any]) -> list[str]:
    return [talk["title"] for day in body["days"] for talk in day["talks"]]


async def search_titles(client: AsyncTestClient, q: str, slug: str = "words") -> list[str]:
    response = await client.get(f"/events/{slug}/schedule", params={"q": q})
    assert response.status_code == 200, response.text
    return found(response.json())


class TestWords:
    async def test_two_words_of_a_demo_title_find_it_in_either_order(
        self, client: AsyncTestClient, demo: list[str]
    ) -> None:
        assert await search_titles(client, "loss spikes", "cph-nlp-2025") == [SPIKES]
        assert await search_titles(client, "spikes loss", "cph-nlp-2025") == [SPIKES]

    async def test_every_word_must_match(self, client: AsyncTestClient, shelf: Shelf) -> None:
        assert await search_titles(client, "cafe robotics") == ["Microwave ovens for cafe kitchens"]
        assert await search_titles(client, "cafe zeppelin") == []

    async def test_a_word_matches_the_start_of_words(self, client: AsyncTestClient, shelf: Shelf) -> None:
        assert await search_titles(client, "micro") == ["Robots that cook", "Microwave ovens for cafe kitchens"]
        assert await search_titles(client, "icro") == []  # the start of a word, not any substring

    @pytest.mark.parametrize("q", ["cafe", "café", "CAFÉ", "Cafe\u0301"])
    async def test_no_case_and_no_accents_either_way(self, client: AsyncTestClient, shelf: Shelf, q: str) -> None:
        # "Café society" is written with an accent, "cafe kitchens" and "a cafe" without.
        assert await search_titles(client, q) == [
            "Café society",
            "Robots that cook",
            "Microwave ovens for cafe kitchens",
        ]

    async def test_results_keep_the_schedules_days_and_time_order(self, client: AsyncTestClient, shelf: Shelf) -> None:
        body = (await client.get("/events/words/schedule", params={"q": "ovens"})).json()
        assert [day["date"] for day in body["days"]] == ["2025-06-20", "2025-06-21"]
        assert [[talk["title"] for talk in day["talks"]] for day in body["days"]] == [
            ["Robots that cook", "Microwave ovens for cafe kitchens"],
            [],
        ]


class TestWhereWordsAreFound:
    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            ("nowak", ["Café society"]),  # a speaker's name
            ("bjorn aero", ["Robots that cook"]),  # ... with ø and æ typed plainly
            ("ærø", ["Robots that cook"]),
            ("robotics", ["Microwave ovens for cafe kitchens"]),  # the track's name
            ("magna", ["Café society", "Robots that cook"]),  # a room's name
            ("lille sal", ["Microwave ovens for cafe kitchens"]),
            ("grills", ["Robots that cook"]),  # the abstract
        ],
    )
    async def test_speakers_track_rooms_and_abstract(
        self, client: AsyncTestClient, shelf: Shelf, q: str, expected: list[str]
    ) -> None:
        assert await search_titles(client, q) == expected

    async def test_another_events_talks_are_not_found(
        self, client: AsyncTestClient, shelf: Shelf, demo: list[str]
    ) -> None:
        assert await search_titles(client, "spikes") == []


class TestRanking:
    async def test_title_hits_come_first(self, db_session: AsyncSession, shelf: Shelf) -> None:
        # The schedule itself has no ranked list (it is grouped by day, in time order): the order
        # is for a flat list of results. The earlier talk has "microwave" only in its abstract.
        ranked = await search.ranked_talk_ids(db_session, shelf.event.id, "microwave")
        assert ranked == [shelf.microwaves.id, shelf.cooking.id]


class TestSearchFollowsChanges:
    async def test_a_new_title_is_found_at_once_and_the_old_one_no_longer(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        path = f"/events/nlp/talks/{conference.keynote.id}"
        response = await client.patch(path, json={"title": "Closing address"}, headers=tokens.organiser)
        assert response.status_code == 200, response.text

        assert await search_titles(client, "closing", "nlp") == ["Closing address"]
        assert await search_titles(client, "opening", "nlp") == []

    async def test_a_renamed_speaker_is_found_by_the_new_name(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        path = f"/events/nlp/speakers/{conference.ada.id}"
        response = await client.patch(path, json={"name": "Augusta King"}, headers=tokens.organiser)
        assert response.status_code == 200, response.text

        with_ada = ["Opening keynote", "Filtering workshop", "Filtering workshop"]
        assert await search_titles(client, "augusta king", "nlp") == with_ada
        assert await search_titles(client, "lovelace", "nlp") == []

    async def test_renamed_rooms_and_tracks_and_moved_slots(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        organiser = tokens.organiser
        await client.patch(f"/events/nlp/rooms/{conference.side.id}", json={"name": "Kælder"}, headers=organiser)
        await client.patch(
            f"/events/nlp/tracks/{conference.ml.id}", json={"name": "Machine learning"}, headers=organiser
        )
        assert await search_titles(client, "kaelder", "nlp") == [
            "Data pipelines",
            "Filtering workshop",
            "Filtering workshop",
        ]
        assert await search_titles(client, "machine", "nlp") == ["Opening keynote", "Night owls' session"]

        # One occurrence of the workshop moves to the main hall: the talk is now held there too.
        workshop_slot = conference.workshop.slots[0].id
        moved = await client.patch(f"/events/nlp/slots/{workshop_slot}", json={"room": "main"}, headers=organiser)
        assert moved.status_code == 200, moved.text
        assert "Filtering workshop" in await search_titles(client, "main hall", "nlp")

    async def test_created_and_deleted_talks(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        body = {"title": "Zebra crossings", "slots": [{"start": "2025-06-21T14:00:00", "duration_minutes": 30}]}
        assert (await client.post("/events/nlp/talks", json=body, headers=tokens.organiser)).status_code == 201
        assert await search_titles(client, "zebra", "nlp") == ["Zebra crossings"]

        deleted = await client.delete(f"/events/nlp/talks/{conference.late.id}", headers=tokens.organiser)
        assert deleted.status_code == 204
        assert await search_titles(client, "owls", "nlp") == []

    async def test_an_imported_schedule_is_searchable(
        self, client: AsyncTestClient, conference: Conference, tokens: Tokens
    ) -> None:
        response = await client.post("/events/nlp/import", content=IMPORT_XML, headers=tokens.organiser)
        assert response.status_code == 200, response.text

        assert await search_titles(client, "hopper", "nlp") == ["Compilers for everyone"]
        assert await search_titles(client, "hall a compilers", "nlp") == ["Compilers for everyone"]


class TestHostileQueries:
    @pytest.mark.parametrize(
        "q",
        ['"', "*", "NEAR(", "a OR", "-", "loss NOT spikes", 'title:"x"', "^a", "(a", "a:*", "'\\", "x" * 200],
    )
    async def test_query_syntax_is_plain_text_and_never_a_server_error(
        self, client: AsyncTestClient, shelf: Shelf, q: str
    ) -> None:
        response = await client.get("/events/words/schedule", params={"q": q})
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["errors"][0]["field"] == "q"

    async def test_operators_are_words(self, client: AsyncTestClient, shelf: Shelf) -> None:
        # As operators, NOT and OR would find the other cafe talks; as words, nothing has them.
        assert await search_titles(client, "cafe NOT society") == []
        assert await search_titles(client, "cafe OR zeppelin") == []
        assert await search_titles(client, 'cafe AND "society"') == ["Café society"]  # "Coffee and conversation"
        assert await search_titles(client, "near(cafe)") == []
        assert await search_titles(client, "society*") == ["Café society"]

    @pytest.mark.parametrize(
        ("q", "why"),
        [
            ('"*-()^:', "no words"),
            ("x" * 201, "longer than 200"),
            ("x" * 300, "longer than 200"),
            (" ".join(f"w{n}" for n in range(17)), "too many words"),
        ],
    )
    async def test_a_q_without_words_or_too_long_is_a_400_naming_q(
        self, client: AsyncTestClient, shelf: Shelf, q: str, why: str
    ) -> None:
        for path in ("/events/words/schedule", "/events/words/calendar.ics"):
            response = await client.get(path, params={"q": q})
            assert response.status_code == 400, (why, path, response.text)
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["errors"][0]["field"] == "q"


class TestFeedSearch:
    @pytest.mark.parametrize("q", ["cafe", "micro%20ovens", "magna"])
    async def test_the_feed_finds_what_the_schedule_finds(self, client: AsyncTestClient, shelf: Shelf, q: str) -> None:
        assert await assert_feed_matches_schedule(client, "words", f"?q={q}") > 0

    async def test_the_demo_feed_by_words(self, client: AsyncTestClient, demo: list[str]) -> None:
        assert await assert_feed_matches_schedule(client, "cph-nlp-2025", "?q=loss%20spikes") == 1


IMPORT_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<schedule><version>1</version>
<conference><acronym>nlp</acronym><title>NLP</title><start>2025-06-20</start><end>2025-06-21</end>
<days>2</days><time_zone_name>Europe/Copenhagen</time_zone_name></conference>
<day index="1" date="2025-06-20" start="2025-06-20T04:00:00+02:00" end="2025-06-21T04:00:00+02:00">
<room name="Hall A">
<event guid="0b7f6a52-3c1d-4e0a-9d6b-5f2e8a1c4d70" id="1"><date>2025-06-20T14:00:00+02:00</date>
<start>14:00</start><duration>00:45</duration><room>Hall A</room><slug>nlp-1-compilers</slug>
<title>Compilers for everyone</title><subtitle/><track/><type>lecture</type><language>en</language>
<abstract/><description/><persons><person id="7">Grace Hopper</person></persons><links/></event>
</room></day></schedule>"""
