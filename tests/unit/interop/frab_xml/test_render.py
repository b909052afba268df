"""frab_xml.render: byte for byte, the schema's identifiers, day grouping, and the round trip through parse."""

from __future__ import annotations

import datetime
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from service.interop import frab_xml
from service.interop.common import GUID_NAMESPACE, MAX_EVENT_ID
from service.interop.model import DocLink, DocPerson, DocTalk, DocTrack, ScheduleDocument

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2024, 5, day, hour, minute, tzinfo=BERLIN)


def talk(**overrides: Any) -> DocTalk:
    values: dict[str, Any] = {
        "guid": "6a32cb72-a69d-423c-91b5-60d88eb8e6c7",
        "title": "Opening",
        "start": at(4, 10),
        "duration": datetime.timedelta(minutes=30),
        "room": "Main",
        "source_type": "lecture",
    }
    values.update(overrides)
    return DocTalk(**values)


def document(*talks: DocTalk, **overrides: Any) -> ScheduleDocument:
    values: dict[str, Any] = {
        "title": "Demo Conf",
        "acronym": "demo",
        "timezone": "Europe/Berlin",
        "start_date": datetime.date(2024, 5, 4),
        "end_date": datetime.date(2024, 5, 4),
        "rooms": ("Main",),
        "talks": talks,
    }
    values.update(overrides)
    return ScheduleDocument(**values)


def tree(doc: ScheduleDocument) -> Any:
    return etree.fromstring(frab_xml.render(doc))


def test_a_minimal_document_byte_for_byte() -> None:
    # A talk without a source id gets an id derived from its GUID: uuid.int % (2**31 - 1) + 1.
    assert frab_xml.render(document(talk())) == (
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        b"<schedule>\n"
        b'  <generator name="plenary"/>\n'
        b"  <version/>\n"
        b"  <conference>\n"
        b"    <acronym>demo</acronym>\n"
        b"    <title>Demo Conf</title>\n"
        b"    <start>2024-05-04</start>\n"
        b"    <end>2024-05-04</end>\n"
        b"    <days>1</days>\n"
        b"    <timeslot_duration>00:30</timeslot_duration>\n"
        b"    <time_zone_name>Europe/Berlin</time_zone_name>\n"
        b"  </conference>\n"
        b'  <day index="1" date="2024-05-04" start="2024-05-04T00:00:00+02:00" end="2024-05-04T23:59:59+02:00">\n'
        b'    <room name="Main">\n'
        b'      <event guid="6a32cb72-a69d-423c-91b5-60d88eb8e6c7" id="506400007">\n'
        b"        <date>2024-05-04T10:00:00+02:00</date>\n"
        b"        <start>10:00</start>\n"
        b"        <duration>00:30</duration>\n"
        b"        <room>Main</room>\n"
        b"        <slug>demo-506400007-opening</slug>\n"
        b"        <title>Opening</title>\n"
        b"        <subtitle/>\n"
        b"        <track/>\n"
        b"        <type>lecture</type>\n"
        b"        <language/>\n"
        b"        <abstract/>\n"
        b"        <persons/>\n"
        b"        <links/>\n"
        b"      </event>\n"
        b"    </room>\n"
        b"  </day>\n"
        b"</schedule>\n"
    )


def hand_built() -> ScheduleDocument:
    """Every field both sides carry, two days across a 04:00 day change, unicode, a cancellation."""
    talks = (
        talk(
            guid="6a32cb72-a69d-423c-91b5-60d88eb8e6c7",
            title="Opening Ceremony",
            subtitle="Welcome!",
            abstract="<p>Hello & welcome</p>",
            description="Longer text\nover two lines",
            kind="keynote",
            source_type="Keynote",
            language="en",
            track="CCC",
            persons=(DocPerson(name="bleeptrack", guid="9891"), DocPerson(name="Zoë Ünal")),
            links=(DocLink(title="Slides", url="https://example.org/slides.pdf"),),
            url="https://example.org/talks/1",
            recording_url="https://media.example.org/1.mp4",
            slug="demo-11223-opening_ceremony",
            source_id="11223",
        ),
        talk(
            guid="3aae5c0a-9c9b-483a-8c09-b4402d749a82",
            title="Deep Space Night 🚀",
            start=at(5, 1, 30),
            duration=datetime.timedelta(hours=2, seconds=30),
            room="Chaos-West Bühne",
            kind="social",
            source_type="concert",
            track="Art & Culture",
            persons=(DocPerson(name="Doktor Ogen", guid="b854982f-d696-40be-a2d2-15dc64a1f421"),),
            slug="demo-11224-deep_space_night",
            source_id="11224",
        ),
        talk(
            guid="b854982f-d696-40be-a2d2-15dc64a1f421",
            title="GRUB - Project Status Update",
            start=at(5, 9, 15),
            duration=datetime.timedelta(minutes=25),
            kind="talk",
            source_type="devroom",
            cancelled=True,
            slug="demo-11225-grub",
            source_id="11225",
        ),
        talk(
            guid="11111111-2222-3333-4444-555555555555",
            title="Lunch",
            start=at(5, 12),
            duration=datetime.timedelta(hours=1),
            kind="break",
            source_type="break",
            slug="demo-11226-lunch",
            source_id="11226",
        ),
    )
    return document(
        *talks,
        version="Holmium",
        url="https://example.org/2024/",
        end_date=datetime.date(2024, 5, 5),
        day_change=datetime.time(4, 0),
        rooms=("Main", "Chaos-West Bühne", "Empty Room"),
        tracks=(DocTrack(name="CCC", color="#aa00ff"), DocTrack(name="Art & Culture")),
    )


def test_round_trip_of_a_hand_built_document() -> None:
    doc = hand_built()
    again = frab_xml.parse(frab_xml.render(doc))
    assert sorted(again.talks, key=lambda t: t.start) == sorted(doc.talks, key=lambda t: t.start)
    assert (again.title, again.acronym, again.timezone, again.version, again.url) == (
        doc.title,
        doc.acronym,
        doc.timezone,
        doc.version,
        doc.url,
    )
    assert (again.start_date, again.end_date, again.rooms, again.tracks) == (
        doc.start_date,
        doc.end_date,
        doc.rooms,
        doc.tracks,
    )
    assert [w.message for w in again.warnings] == [
        "title 'CANCELLED GRUB - Project Status Update' marks a cancelled talk; imported as cancelled "
        "'GRUB - Project Status Update'"
    ]


def test_the_day_change_is_not_carried_because_the_schema_has_no_place_for_it() -> None:
    again = frab_xml.parse(frab_xml.render(hand_built()))
    assert again.day_change == datetime.time(0, 0)


def test_events_are_grouped_into_days_by_the_day_change_in_the_documents_zone() -> None:
    root = tree(hand_built())
    days = root.findall("day")
    assert [(d.get("index"), d.get("date"), d.get("start"), d.get("end")) for d in days] == [
        ("1", "2024-05-04", "2024-05-04T04:00:00+02:00", "2024-05-05T03:59:59+02:00"),
        ("2", "2024-05-05", "2024-05-05T04:00:00+02:00", "2024-05-06T03:59:59+02:00"),
    ]
    assert [[e.findtext("title") for e in d.iter("event")] for d in days] == [
        ["Opening Ceremony", "Deep Space Night 🚀"],
        ["CANCELLED GRUB - Project Status Update", "Lunch"],
    ]
    assert root.findtext("conference/days") == "2"


def test_every_room_is_written_in_every_day_in_document_order() -> None:
    root = tree(hand_built())
    assert [[r.get("name") for r in d.findall("room")] for d in root.findall("day")] == [
        ["Main", "Chaos-West Bühne", "Empty Room"],
        ["Main", "Chaos-West Bühne", "Empty Room"],
    ]


def test_days_extend_without_gaps_to_a_talk_outside_the_conference_dates() -> None:
    root = tree(document(talk(), talk(guid="x", start=at(9, 10))))
    assert [d.get("date") for d in root.findall("day")] == [f"2024-05-{day:02d}" for day in range(4, 10)]
    assert root.findtext("conference/end") == "2024-05-04"


@pytest.mark.parametrize(
    ("acronym", "expected"),
    [("demo", "demo"), ("Camp2019", "camp2019"), ("36C3 merged!", "36c3_merged"), ("ab", "ab__"), ("", "schedule")],
)
def test_the_acronym_is_made_to_fit_the_schema(acronym: str, expected: str) -> None:
    assert tree(document(talk(), acronym=acronym)).findtext("conference/acronym") == expected


def test_event_ids_keep_unique_positive_source_ids_and_derive_the_rest_from_the_guid() -> None:
    talks = [
        talk(guid="a", source_id="7"),
        talk(guid="b", source_id="7"),
        talk(guid="c", source_id="U3SAXX"),
        talk(guid="d", source_id="0"),
        talk(guid="e", source_id="3"),
    ]
    ids = [e.get("id") for e in tree(document(*talks)).iter("event")]
    derived = [str(uuid.uuid5(GUID_NAMESPACE, guid).int % MAX_EVENT_ID + 1) for guid in ("b", "c", "d")]
    assert ids == ["7", *derived, "3"]


def test_guids_that_are_not_uuids_are_derived_and_repeats_are_made_unique() -> None:
    same = "6a32cb72-a69d-423c-91b5-60d88eb8e6c7"
    talks = [talk(guid="talk-42"), talk(guid=same.upper(), start=at(4, 11)), talk(guid=same, start=at(4, 12))]
    guids = [e.get("guid") for e in tree(document(*talks)).iter("event")]
    assert guids[:2] == [str(uuid.uuid5(GUID_NAMESPACE, "talk-42")), same]
    assert guids[2] == str(uuid.uuid5(GUID_NAMESPACE, f"{same}/Main/{at(4, 12).isoformat()}"))


def test_slugs_fit_the_schema_and_are_unique() -> None:
    talks = [
        talk(guid="a", slug="36c3-11223-opening_ceremony", source_id="11223"),
        talk(guid="b", slug="36c3-11223-opening_ceremony", source_id="11224", start=at(4, 11)),
        talk(guid="c", slug="U3SAXX", source_id="12", title="Ünïcode & Spaß!", start=at(4, 12)),
        talk(guid="d", slug="", source_id="13", title="", start=at(4, 13)),
    ]
    slugs = [e.findtext("slug") for e in tree(document(*talks, acronym="36C3")).iter("event")]
    assert slugs == ["36c3-11223-opening_ceremony", "36c3-11224-opening", "36c3-12-unicode_spass", "36c3-13__"]


def test_a_cancelled_talk_is_written_with_the_prefix_parse_reads_back() -> None:
    doc = document(talk(cancelled=True, title="Rust in the kernel"))
    assert tree(doc).findtext("day/room/event/title") == "CANCELLED Rust in the kernel"
    again = frab_xml.parse(frab_xml.render(doc)).talks[0]
    assert (again.title, again.cancelled) == ("Rust in the kernel", True)


@pytest.mark.parametrize(
    ("kind", "source_type", "written"),
    [
        ("talk", "Normale Länge", "Normale Länge"),
        ("workshop", "Workshop 2h", "Workshop 2h"),
        ("break", "lecture", "break"),
        ("conversation", "", "conversation"),
        ("other", "", "other"),
    ],
)
def test_the_type_is_the_source_text_while_it_still_means_the_kind(kind: str, source_type: str, written: str) -> None:
    doc = document(talk(kind=kind, source_type=source_type))
    assert tree(doc).findtext("day/room/event/type") == written
    assert frab_xml.parse(frab_xml.render(doc)).talks[0].kind == kind


def test_urls_the_schema_would_refuse_are_left_out() -> None:
    doc = document(talk(url="/system/events/1.html", recording_url="ftp://media/1.mp4"), url="example.org")
    root = tree(doc)
    assert root.find("conference/url") is None
    assert root.find("day/room/event/url") is None
    assert root.find("day/room/event/recording") is None


def test_characters_xml_cannot_carry_are_removed() -> None:
    doc = document(talk(title="Bell\x07 and\x00 null", abstract="tab\tkept\nnewline kept"))
    event = tree(doc).find("day/room/event")
    assert event.findtext("title") == "Bell and null"
    assert event.findtext("abstract") == "tab\tkept\nnewline kept"


def test_a_document_without_a_zone_is_written_in_utc() -> None:
    root = tree(document(talk(), timezone=None))
    assert root.findtext("conference/time_zone_name") == "UTC"
    assert root.findtext("day/room/event/date") == "2024-05-04T08:00:00+00:00"


def test_person_ids_and_guids_go_where_the_schema_allows_them() -> None:
    persons = (
        DocPerson(name="By id", guid="9891"),
        DocPerson(name="By guid", guid="B854982F-D696-40BE-A2D2-15DC64A1F421"),
        DocPerson(name="Opaque", guid="pretalx:ABCDE"),
    )
    written = tree(document(talk(persons=persons))).findall("day/room/event/persons/person")
    assert [(p.text, dict(p.attrib)) for p in written] == [
        ("By id", {"id": "9891"}),
        ("By guid", {"guid": "b854982f-d696-40be-a2d2-15dc64a1f421"}),
        ("Opaque", {}),
    ]


def test_the_timeslot_is_the_common_step_of_starts_and_durations() -> None:
    talks = [talk(guid="a"), talk(guid="b", start=at(4, 10, 45), duration=datetime.timedelta(minutes=15))]
    assert tree(document(*talks)).findtext("conference/timeslot_duration") == "00:15"
