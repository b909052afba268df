"""c3voc_json.render: byte-exact output, day grouping, schema-driven identifiers, and the round trip."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from service.interop.c3voc_json import parse, render
from service.interop.common import GUID_NAMESPACE, MAX_EVENT_ID
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument

BERLIN = ZoneInfo("Europe/Berlin")


def guid(number: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.org/talk/{number}"))


def talk(number: int = 1, **overrides: Any) -> DocTalk:
    values: dict[str, Any] = {
        "guid": guid(number),
        "title": f"Talk {number}",
        "start": datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN),
        "duration": datetime.timedelta(minutes=45),
        "room": "Ada",
        "source_id": str(number),
    }
    values.update(overrides)
    return DocTalk(**values)


def document(*talks: DocTalk, **overrides: Any) -> ScheduleDocument:
    values: dict[str, Any] = {
        "title": "Workshop 2024",
        "acronym": "ws24",
        "timezone": "Europe/Berlin",
        "start_date": datetime.date(2024, 6, 1),
        "end_date": datetime.date(2024, 6, 2),
        "rooms": ("Ada", "Bob"),
        "talks": talks or (talk(),),
    }
    values.update(overrides)
    return ScheduleDocument(**values)


def rendered(doc: ScheduleDocument) -> Any:
    return json.loads(render(doc))


def events(doc: ScheduleDocument) -> list[dict[str, Any]]:
    conference = rendered(doc)["schedule"]["conference"]
    return [event for day in conference["days"] for room in day["rooms"].values() for event in room]


def test_a_minimal_document_byte_for_byte() -> None:
    one = talk(
        7,
        guid="5e326c69-c80c-4100-86ef-f11a20d427fd",
        title="Loss spikes",
        slug="ws24-7-loss_spikes",
        url="https://example.org/7",
        persons=(DocPerson(name="Ana Rossi"),),
    )
    body = render(document(one, rooms=("Ada",), end_date=datetime.date(2024, 6, 1)))
    assert body == (
        b'{"$schema":"https://c3voc.de/schedule/schema.json","schedule":{"version":"","conference":{'
        b'"acronym":"ws24","title":"Workshop 2024","start":"2024-06-01","end":"2024-06-01","daysCount":1,'
        b'"timeslot_duration":"00:15","time_zone_name":"Europe/Berlin","days":[{"index":1,"date":"2024-06-01",'
        b'"day_start":"2024-06-01T00:00:00+02:00","day_end":"2024-06-02T00:00:00+02:00","rooms":{"Ada":[{'
        b'"guid":"5e326c69-c80c-4100-86ef-f11a20d427fd","id":7,"logo":null,"date":"2024-06-01T10:00:00+02:00",'
        b'"start":"10:00","duration":"00:45","room":"Ada","slug":"ws24-7-loss_spikes","url":"https://example.org/7",'
        b'"title":"Loss spikes","subtitle":"","track":null,"type":"talk","language":"","abstract":"",'
        b'"description":"","recording_license":"","do_not_record":null,'
        b'"persons":[{"name":"Ana Rossi","public_name":"Ana Rossi"}],"links":[],"attachments":[]}]}}]}}}'
    )


def test_the_same_document_renders_the_same_bytes() -> None:
    doc = document(talk(1), talk(2, source_id="", slug="x"))
    assert render(doc) == render(doc)


class TestDays:
    def test_a_talk_before_the_day_change_belongs_to_the_previous_day(self) -> None:
        late = talk(2, start=datetime.datetime(2024, 6, 2, 1, 30, tzinfo=BERLIN))
        doc = document(talk(1), late, day_change=datetime.time(4, 0))
        days = rendered(doc)["schedule"]["conference"]["days"]
        assert [day["date"] for day in days] == ["2024-06-01", "2024-06-02"]
        assert [event["title"] for event in days[0]["rooms"]["Ada"]] == ["Talk 1", "Talk 2"]
        assert days[0]["day_start"] == "2024-06-01T04:00:00+02:00"
        assert days[0]["day_end"] == "2024-06-02T04:00:00+02:00"
        assert days[1]["rooms"] == {"Ada": [], "Bob": []}

    def test_every_day_lists_every_room_in_document_order(self) -> None:
        doc = document(talk(1, room="Bob"), talk(2, room="Cy"), rooms=("Bob", "Ada"))
        days = rendered(doc)["schedule"]["conference"]["days"]
        assert [list(day["rooms"]) for day in days] == [["Bob", "Ada", "Cy"], ["Bob", "Ada", "Cy"]]

    def test_events_in_a_room_are_in_start_order(self) -> None:
        doc = document(talk(1, start=datetime.datetime(2024, 6, 1, 15, 0, tzinfo=BERLIN)), talk(2))
        assert [event["title"] for event in events(doc)] == ["Talk 2", "Talk 1"]

    def test_days_extend_to_a_talk_outside_the_conference_dates(self) -> None:
        doc = document(talk(1, start=datetime.datetime(2024, 6, 4, 10, 0, tzinfo=BERLIN)))
        conference = rendered(doc)["schedule"]["conference"]
        assert [day["date"] for day in conference["days"]] == ["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04"]
        assert (conference["start"], conference["end"], conference["daysCount"]) == ("2024-06-01", "2024-06-02", 4)

    def test_dates_are_written_with_the_zone_offset_and_local_start(self) -> None:
        (event,) = events(document(talk(1, start=datetime.datetime(2024, 6, 1, 8, 0, tzinfo=datetime.UTC))))
        assert (event["date"], event["start"]) == ("2024-06-01T10:00:00+02:00", "10:00")

    def test_a_document_without_a_zone_is_written_in_utc(self) -> None:
        body = rendered(document(timezone=None))
        (event,) = body["schedule"]["conference"]["days"][0]["rooms"]["Ada"]
        assert "time_zone_name" not in body["schedule"]["conference"]
        assert event["date"] == "2024-06-01T08:00:00Z"


class TestSchemaRules:
    def test_a_zone_name_outside_the_schema_pattern_is_left_out(self) -> None:
        conference = rendered(document(timezone="Etc/GMT-1"))["schedule"]["conference"]
        assert "time_zone_name" not in conference
        assert conference["days"][0]["rooms"]["Ada"][0]["date"] == "2024-06-01T09:00:00+01:00"

    @pytest.mark.parametrize(
        ("acronym", "written"),
        [("36c3", "36c3"), ("Camp2019", "camp2019"), ("FOSDEM 2023", "fosdem_2023"), ("ab", "ab__"), ("", "schedule")],
    )
    def test_the_acronym_fits_the_schema_pattern(self, acronym: str, written: str) -> None:
        assert rendered(document(acronym=acronym))["schedule"]["conference"]["acronym"] == written

    def test_durations_are_hh_mm_rounded_to_the_minute(self) -> None:
        durations = [datetime.timedelta(minutes=90), datetime.timedelta(seconds=20 * 60 + 40), datetime.timedelta(0)]
        doc = document(*(talk(n, duration=d) for n, d in enumerate(durations, start=1)))
        assert [event["duration"] for event in events(doc)] == ["01:30", "00:21", "00:00"]

    def test_a_guid_that_is_not_a_uuid_is_written_as_one_derived_from_it(self) -> None:
        (event,) = events(document(talk(1, guid="talk-17")))
        assert event["guid"] == str(uuid.uuid5(GUID_NAMESPACE, "talk-17"))


class TestIds:
    def test_a_numeric_source_id_is_kept(self) -> None:
        assert [event["id"] for event in events(document(talk(1, source_id="10386")))] == [10386]

    def test_a_repeated_or_missing_source_id_is_derived_from_the_guid(self) -> None:
        doc = document(talk(1, source_id="5"), talk(2, source_id="5"), talk(3, source_id="U3SAXX"))
        ids = [event["id"] for event in events(doc)]
        assert ids[0] == 5
        assert ids[1:] == [uuid.UUID(guid(2)).int % MAX_EVENT_ID + 1, uuid.UUID(guid(3)).int % MAX_EVENT_ID + 1]

    def test_a_derived_id_does_not_depend_on_the_other_talks(self) -> None:
        alone = events(document(talk(2, source_id="")))[0]["id"]
        beside = events(document(talk(1), talk(2, source_id="")))[1]["id"]
        assert alone == beside

    def test_a_derived_id_that_clashes_moves_to_the_next_free_number(self) -> None:
        derived = uuid.UUID(guid(2)).int % MAX_EVENT_ID + 1
        doc = document(talk(1, source_id=str(derived)), talk(2, source_id=""))
        assert [event["id"] for event in events(doc)] == [derived, derived + 1]


class TestSlugs:
    def test_a_valid_slug_is_kept_and_an_upper_case_one_lowered(self) -> None:
        doc = document(talk(1, slug="ws24-1-intro"), talk(2, slug="U3SAXX"))
        assert [event["slug"] for event in events(doc)] == ["ws24-1-intro", "u3saxx"]

    def test_an_invalid_or_repeated_slug_is_derived_from_acronym_id_and_title(self) -> None:
        doc = document(
            talk(1, slug="same"),
            talk(2, slug="same", title="Über Ключи: a tour!"),
            talk(3, slug="https://example.org/x", title="???"),
        )
        assert [event["slug"] for event in events(doc)] == ["same", "ws24-2-uber_a_tour", "ws24-3"]


class TestTalkFields:
    def test_a_cancelled_talk_gets_a_cancelled_prefix(self) -> None:
        (event,) = events(document(talk(1, cancelled=True)))
        assert event["title"] == "CANCELLED Talk 1"

    def test_a_talk_without_url_gets_its_urn(self) -> None:
        (event,) = events(document(talk(1, url="")))
        assert event["url"] == f"urn:uuid:{guid(1)}"

    @pytest.mark.parametrize(
        ("kind", "source_type", "written"),
        [
            ("talk", "lecture", "lecture"),
            ("talk", "Vortrag", "Vortrag"),
            ("workshop", "Workshop 2h", "Workshop 2h"),
            ("workshop", "lecture", "workshop"),
            ("panel", "", "panel"),
            ("conversation", "", "conversation"),
        ],
    )
    def test_the_type_is_the_source_type_when_it_maps_back(self, kind: str, source_type: str, written: str) -> None:
        (event,) = events(document(talk(1, kind=kind, source_type=source_type)))
        assert event["type"] == written

    def test_persons_are_pretalx_persons_with_a_guid_or_code(self) -> None:
        persons = (
            DocPerson(name="Ana", guid="2A0E4E1C-8F86-4E0C-9B0C-7C4B2E1D0A11", biography="Bio."),
            DocPerson(name="Bo", guid="7797"),
            DocPerson(name="Cy", guid="mailto:cy@example.org"),
        )
        (event,) = events(document(talk(1, persons=persons)))
        assert event["persons"] == [
            {
                "guid": "2a0e4e1c-8f86-4e0c-9b0c-7c4b2e1d0a11",
                "name": "Ana",
                "public_name": "Ana",
                "biography": "Bio.",
            },
            {"code": "7797", "name": "Bo", "public_name": "Bo"},
            {"name": "Cy", "public_name": "Cy"},
        ]

    def test_tracks_are_listed_with_their_colours(self) -> None:
        doc = document(tracks=(DocTrack(name="ML", color="#1a2b3c"), DocTrack(name="Vision")))
        assert rendered(doc)["schedule"]["conference"]["tracks"] == [
            {"name": "ML", "color": "#1a2b3c"},
            {"name": "Vision"},
        ]


def comparable(doc: ScheduleDocument) -> list[tuple[Any, ...]]:
    """The talk fields that both the model and schedule.json carry, in GUID order (the file is in day
    and room order). Instants compare equal across zones. ``source_type`` is left out: an empty one
    comes back as the type written for the kind."""
    return sorted(
        (
            t.guid,
            t.title,
            t.start,
            t.duration,
            t.room,
            t.track,
            tuple(p.name for p in t.persons),
            t.abstract,
            t.subtitle,
            t.description,
            t.links,
            t.url,
            t.language,
            t.kind,
            t.cancelled,
        )
        for t in doc.talks
    )


class TestRoundTrip:
    def test_a_hand_built_document_comes_back(self) -> None:
        doc = document(
            talk(
                1,
                title="Über Ключи 🔑",
                subtitle="A tour",
                abstract="Line one\nline two",
                description="<p>More</p>",
                track="ML",
                language="de",
                kind="workshop",
                source_type="Workshop 2h",
                url="https://example.org/1",
                persons=(DocPerson(name="Ana Rossi", guid="7797"), DocPerson(name="Bo Chen")),
                links=(DocLink(title="Slides", url="https://example.org/s.pdf"),),
            ),
            talk(2, start=datetime.datetime(2024, 6, 2, 1, 30, tzinfo=BERLIN), room="Bob", cancelled=True, url=""),
            talk(3, kind="lightning", duration=datetime.timedelta(hours=2, minutes=5), track="Vision"),
            talk(4, kind="break", start=datetime.datetime(2024, 6, 2, 12, 0, tzinfo=BERLIN)),
            day_change=datetime.time(4, 0),
            tracks=(DocTrack(name="ML", color="#1a2b3c"), DocTrack(name="Vision")),
            url="https://example.org/",
            version="v7",
        )
        back = parse(render(doc))
        assert comparable(back) == comparable(doc)
        first = next(t for t in back.talks if t.guid == guid(1))
        assert first.source_type == "Workshop 2h"
        assert [p.guid for p in first.persons] == ["7797", None]
        assert (back.rooms, back.tracks, back.timezone, back.day_change) == (
            doc.rooms,
            doc.tracks,
            doc.timezone,
            doc.day_change,
        )
        assert (back.title, back.url, back.version, back.start_date, back.end_date) == (
            doc.title,
            doc.url,
            doc.version,
            doc.start_date,
            doc.end_date,
        )

    def test_the_only_warnings_are_the_ones_the_document_asks_for(self) -> None:
        back = parse(render(document(talk(1, cancelled=True), talk(2))))
        assert [w.message for w in back.warnings] == ["the title starts with 'CANCELLED': read as a cancelled talk"]

    def test_every_kind_comes_back_as_itself(self) -> None:
        # One mapping serves both formats (interop/model.py), so no kind is lost in a round trip.
        for kind in ("talk", "keynote", "panel", "workshop", "conversation", "lightning", "break", "social", "other"):
            assert parse(render(document(talk(1, kind=kind)))).talks[0].kind == kind, kind

    def test_a_fixed_zone_comes_back_from_the_offsets(self) -> None:
        doc = document(timezone="Etc/GMT-1")
        back = parse(render(doc))
        assert (back.timezone, comparable(back)) == ("Etc/GMT-1", comparable(doc))

    def test_rendering_the_parsed_document_again_gives_the_same_bytes(self) -> None:
        body = render(document(talk(1), talk(2, room="Bob", cancelled=True)))
        assert render(parse(body)) == body


def test_the_wire_structs_decode_what_render_writes() -> None:
    """render() writes through the same Structs parse() reads, so no field name can drift apart."""
    body = render(document())
    assert msgspec.json.decode(body)["schedule"]["conference"]["days"][0]["rooms"]["Ada"][0]["guid"] == guid(1)
