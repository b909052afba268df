"""c3voc_json.parse, one rule at a time, on small inline schedule.json files."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from service.interop.c3voc_json import parse
from service.interop.common import GUID_NAMESPACE
from service.interop.model import DocLink, DocPerson, DocTrack, ScheduleFormatError

BERLIN = ZoneInfo("Europe/Berlin")
ADA = '$.schedule.conference.days[0].rooms["Ada"]'
DROP = object()
"""An ``event()`` override value that removes the field."""


def event(number: int = 1, **overrides: Any) -> dict[str, Any]:
    """A complete, valid event object; ``overrides`` replace fields (``DROP`` removes one)."""
    values: dict[str, Any] = {
        "guid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://example.org/talk/{number}")),
        "id": number,
        "logo": None,
        "date": "2024-06-01T10:00:00+02:00",
        "start": "10:00",
        "duration": "00:45",
        "room": "Ada",
        "slug": f"ws24-{number}-loss_spikes",
        "url": f"https://example.org/talk/{number}",
        "title": "Loss spikes",
        "subtitle": "",
        "track": "ML",
        "type": "lecture",
        "language": "en",
        "abstract": "Why training diverges.",
        "description": "",
        "persons": [{"id": 7, "public_name": "Ana Rossi"}],
        "links": [],
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not DROP}


def schedule(
    rooms: dict[str, list[dict[str, Any]]] | None = None,
    *,
    days: list[dict[str, Any]] | None = None,
    **conference: Any,
) -> bytes:
    """A one-day schedule.json (09:00 to 03:00 next day, Berlin) around ``rooms``."""
    if days is None:
        days = [
            {
                "index": 1,
                "date": "2024-06-01",
                "day_start": "2024-06-01T09:00:00+02:00",
                "day_end": "2024-06-02T03:00:00+02:00",
                "rooms": {"Ada": [event()]} if rooms is None else rooms,
            }
        ]
    values: dict[str, Any] = {
        "acronym": "ws24",
        "title": "Workshop 2024",
        "start": "2024-06-01",
        "end": "2024-06-01",
        "daysCount": len(days),
        "timeslot_duration": "00:15",
        "time_zone_name": "Europe/Berlin",
        "days": days,
    }
    values.update(conference)
    values = {key: value for key, value in values.items() if value is not DROP}
    return json.dumps({"schedule": {"version": "1.0", "conference": values}}).encode()


def messages(doc: Any, where: str | None = None) -> list[str]:
    return [w.message for w in doc.warnings if where is None or w.where == where]


class TestAValidFile:
    def test_reads_the_conference_and_the_talk(self) -> None:
        doc = parse(schedule())
        (talk,) = doc.talks
        assert (doc.title, doc.acronym, doc.version) == ("Workshop 2024", "ws24", "1.0")
        assert (doc.start_date, doc.end_date) == (datetime.date(2024, 6, 1), datetime.date(2024, 6, 1))
        assert talk.title == "Loss spikes"
        assert talk.start == datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN)
        assert talk.duration == datetime.timedelta(minutes=45)
        assert (talk.room, talk.track, talk.language, talk.source_id) == ("Ada", "ML", "en", "1")
        assert talk.url == "https://example.org/talk/1"
        assert talk.slug == "ws24-1-loss_spikes"
        assert talk.abstract == "Why training diverges."

    def test_a_clean_file_has_no_warnings(self) -> None:
        assert parse(schedule()).warnings == ()

    def test_starts_are_in_the_schedule_zone(self) -> None:
        (talk,) = parse(schedule({"Ada": [event(date="2024-06-01T08:00:00+00:00")]})).talks
        assert talk.start.tzinfo == BERLIN
        assert talk.start.hour == 10

    def test_fields_outside_the_model_are_ignored(self) -> None:
        extra = event(
            answers=[{"question": 1, "answer": "yes"}],
            recording_license="CC BY 4.0",
            do_not_record=True,
            attachments=[{"url": "https://example.org/slides.pdf", "title": "Slides"}],
            code="ABC123",
            feedback_url="https://example.org/feedback",
        )
        doc = parse(schedule({"Ada": [extra]}, colors={"primary": "#ff0000"}, keywords=["ml"]))
        assert len(doc.talks) == 1
        assert doc.warnings == ()


class TestTimeZone:
    def test_an_iana_time_zone_name_is_used(self) -> None:
        doc = parse(schedule(time_zone_name="Europe/Berlin"), default_timezone="Asia/Tokyo")
        assert doc.timezone == "Europe/Berlin"

    def test_a_name_that_is_not_a_zone_is_ignored_with_a_warning(self) -> None:
        doc = parse(schedule(time_zone_name="Mars/Olympus_Mons"), default_timezone="Europe/Paris")
        assert doc.timezone == "Europe/Paris"
        assert messages(doc, "$.schedule.conference.time_zone_name") == [
            "'Mars/Olympus_Mons' is not an IANA time zone; ignored"
        ]

    def test_the_default_is_used_when_the_file_has_none(self) -> None:
        doc = parse(schedule(time_zone_name=DROP), default_timezone="Europe/Paris")
        assert doc.timezone == "Europe/Paris"
        assert doc.warnings == ()

    def test_one_shared_offset_becomes_a_fixed_etc_zone_with_a_warning(self) -> None:
        doc = parse(schedule(time_zone_name=DROP))
        assert doc.timezone == "Etc/GMT-2"
        assert doc.talks[0].start == datetime.datetime(2024, 6, 1, 8, 0, tzinfo=datetime.UTC)
        assert messages(doc, "$.schedule.conference") == [
            "no time zone given; every event date is at UTC+02:00, so it is read as Etc/GMT-2"
        ]

    def test_a_shared_offset_west_of_utc(self) -> None:
        doc = parse(schedule({"Ada": [event(date="2024-06-01T10:00:00-05:00")]}, time_zone_name=DROP))
        assert doc.timezone == "Etc/GMT+5"

    def test_a_shared_utc_offset_becomes_etc_utc(self) -> None:
        doc = parse(schedule({"Ada": [event(date="2024-06-01T10:00:00Z")]}, time_zone_name=DROP))
        assert doc.timezone == "Etc/UTC"

    def test_mixed_offsets_without_a_zone_are_refused(self) -> None:
        rooms = {"Ada": [event(1), event(2, date="2024-06-01T11:00:00+03:00", start="11:00")]}
        with pytest.raises(ScheduleFormatError) as caught:
            parse(schedule(rooms, time_zone_name=DROP))
        assert (caught.value.where, caught.value.message) == ("$.schedule.conference", "no time zone: pass one")

    def test_a_half_hour_offset_has_no_etc_zone_so_it_is_refused(self) -> None:
        rooms = {"Ada": [event(date="2024-06-01T10:00:00+05:30")]}
        with pytest.raises(ScheduleFormatError, match="no time zone: pass one"):
            parse(schedule(rooms, time_zone_name=DROP))

    def test_an_unknown_default_zone_is_refused_at_default_timezone(self) -> None:
        with pytest.raises(ScheduleFormatError) as caught:
            parse(schedule(), default_timezone="Europe/Atlantis")
        assert caught.value.where == "default_timezone"

    def test_a_file_without_events_needs_no_zone(self) -> None:
        doc = parse(schedule({}, time_zone_name=DROP))
        assert (doc.timezone, doc.talks) == (None, ())


class TestStart:
    def test_without_date_the_day_and_start_give_the_instant(self) -> None:
        doc = parse(schedule({"Ada": [event(date=DROP, start="14:15")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 1, 14, 15, tzinfo=BERLIN)
        assert messages(doc, f"{ADA}[0]") == [
            "1 event(s) without a date; their start comes from the day's date and start"
        ]

    def test_without_date_a_start_before_the_day_start_is_after_midnight(self) -> None:
        doc = parse(schedule({"Ada": [event(date=DROP, start="01:30")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 2, 1, 30, tzinfo=BERLIN)

    def test_without_date_a_start_after_the_day_end_stays_on_the_day(self) -> None:
        # The day runs 09:00 to 03:00 next day; 08:30 is an early event, not one at 08:30 tomorrow.
        doc = parse(schedule({"Ada": [event(date=DROP, start="08:30")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 1, 8, 30, tzinfo=BERLIN)

    def test_date_and_start_that_agree_give_no_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(date="2024-06-02T01:30:00+02:00", start="01:30")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 2, 1, 30, tzinfo=BERLIN)
        assert doc.warnings == ()

    def test_date_wins_over_a_disagreeing_start_with_a_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(date="2024-06-01T10:00:00+02:00", start="11:00")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN)
        assert messages(doc, f"{ADA}[0].start") == [
            "start 11:00 on day 2024-06-01 means 2024-06-01T11:00:00+02:00, "
            "but date says 2024-06-01T10:00:00+02:00; using date"
        ]

    def test_a_date_without_offset_is_wall_time_in_the_zone(self) -> None:
        doc = parse(schedule({"Ada": [event(date="2024-06-01T10:00:00")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN)
        assert messages(doc, f"{ADA}[0].date") == ["no UTC offset; read as wall time in Europe/Berlin"]

    def test_an_unreadable_start_beside_a_date_is_ignored_with_a_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(start="10h")]}))
        assert doc.talks[0].start == datetime.datetime(2024, 6, 1, 10, 0, tzinfo=BERLIN)
        assert messages(doc, f"{ADA}[0].start") == ["'10h' is not HH:MM; ignored"]

    def test_no_date_and_no_start_is_an_error(self) -> None:
        with pytest.raises(ScheduleFormatError) as caught:
            parse(schedule({"Ada": [event(date=DROP, start=DROP)]}))
        assert caught.value.where == f"{ADA}[0].date"


class TestDuration:
    @pytest.mark.parametrize(
        ("text", "minutes"),
        [("00:45", 45), ("0:30", 30), ("01:30", 90), ("10:00", 600), ("00:20:30", 20.5), ("00:00", 0)],
    )
    def test_hh_mm_and_hh_mm_ss(self, text: str, minutes: float) -> None:
        (talk,) = parse(schedule({"Ada": [event(duration=text)]})).talks
        assert talk.duration == datetime.timedelta(minutes=minutes)

    @pytest.mark.parametrize("text", ["", "45", "1h", "00:75", "-0:30", "PT30M"])
    def test_an_unreadable_duration_is_30_minutes_with_a_warning(self, text: str) -> None:
        doc = parse(schedule({"Ada": [event(duration=text)]}))
        assert doc.talks[0].duration == datetime.timedelta(minutes=30)
        assert messages(doc, f"{ADA}[0].duration") == [f"{text!r} is not HH:MM; using 30 minutes"]

    def test_a_missing_duration_is_30_minutes_with_a_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(duration=DROP)]}))
        assert doc.talks[0].duration == datetime.timedelta(minutes=30)
        assert messages(doc, f"{ADA}[0].duration") == ["missing; using 30 minutes"]


class TestGuid:
    def test_a_guid_is_returned_in_canonical_lower_case(self) -> None:
        (talk,) = parse(schedule({"Ada": [event(guid="{D1B8ED3F-2C22-47D2-9ACA-0F9D3CF48EB8}")]})).talks
        assert talk.guid == "d1b8ed3f-2c22-47d2-9aca-0f9d3cf48eb8"

    def test_a_missing_guid_is_derived_from_acronym_and_id(self) -> None:
        doc = parse(schedule({"Ada": [event(guid=DROP, id=42)]}))
        assert doc.talks[0].guid == str(uuid.uuid5(GUID_NAMESPACE, "ws24/42"))
        assert messages(doc, f"{ADA}[0]") == [
            "1 event(s) without a guid; each got one derived from the acronym and its id, slug or title/room/start"
        ]

    def test_without_id_the_slug_is_used(self) -> None:
        (talk,) = parse(schedule({"Ada": [event(guid=DROP, id=DROP, slug="ws24-loss")]})).talks
        assert talk.guid == str(uuid.uuid5(GUID_NAMESPACE, "ws24/ws24-loss"))

    def test_without_id_or_slug_the_title_room_and_start_are_used(self) -> None:
        (talk,) = parse(schedule({"Ada": [event(guid=DROP, id=DROP, slug=DROP)]})).talks
        assert talk.guid == str(uuid.uuid5(GUID_NAMESPACE, "ws24/Loss spikes/Ada/2024-06-01T10:00:00+02:00"))

    def test_derived_guids_are_the_same_on_every_import(self) -> None:
        data = schedule({"Ada": [event(1, guid=DROP), event(2, guid=DROP)]})
        assert [t.guid for t in parse(data).talks] == [t.guid for t in parse(data).talks]

    def test_a_repeated_guid_stays_with_the_first_event(self) -> None:
        first = event(1, room="Ada")
        repeat = event(2, guid=first["guid"], date="2024-06-01T15:00:00+02:00", start="15:00", room="Bob")
        doc = parse(schedule({"Ada": [first], "Bob": [repeat]}))
        expected = str(uuid.uuid5(GUID_NAMESPACE, f"{first['guid']}/Bob/2024-06-01T15:00:00+02:00"))
        assert [t.guid for t in doc.talks] == [first["guid"], expected]
        assert messages(doc, '$.schedule.conference.days[0].rooms["Bob"][0].guid') == [
            f"guid {first['guid']} is already used by an earlier event; this one gets {expected}"
        ]

    def test_a_guid_that_is_not_a_uuid_becomes_one_derived_from_it(self) -> None:
        doc = parse(schedule({"Ada": [event(guid="talk-17")]}))
        assert doc.talks[0].guid == str(uuid.uuid5(GUID_NAMESPACE, "talk-17"))
        assert len(messages(doc, f"{ADA}[0].guid")) == 1


class TestPersonsAndLinks:
    def test_frab_and_pretalx_persons(self) -> None:
        persons = [
            {"id": 7, "public_name": "Ana Rossi"},
            {"code": "QX7Y", "name": "Bo Chen", "biography": "Works on optimisers.", "answers": []},
            {"guid": "2A0E4E1C-8F86-4E0C-9B0C-7C4B2E1D0A11", "full_public_name": "Cy Dube"},
            "Dee Eto",
        ]
        (talk,) = parse(schedule({"Ada": [event(persons=persons)]})).talks
        assert talk.persons == (
            DocPerson(name="Ana Rossi", guid="7"),
            DocPerson(name="Bo Chen", guid="QX7Y", biography="Works on optimisers."),
            DocPerson(name="Cy Dube", guid="2a0e4e1c-8f86-4e0c-9b0c-7c4b2e1d0a11"),
            DocPerson(name="Dee Eto"),
        )
        assert {person.role for person in talk.persons} == {"speaker"}

    def test_public_name_wins_over_name(self) -> None:
        (talk,) = parse(schedule({"Ada": [event(persons=[{"public_name": "Ana", "name": "Ana Rossi"}])]})).talks
        assert talk.persons[0].name == "Ana"

    def test_a_person_without_a_name_is_skipped_with_a_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(persons=[{"id": 3}, {"id": 4, "public_name": "Bo"}])]}))
        assert [p.name for p in doc.talks[0].persons] == ["Bo"]
        assert messages(doc, f"{ADA}[0].persons[0]") == ["a person without a name; skipped"]

    def test_bare_string_links_become_links_titled_by_their_url(self) -> None:
        links = ["https://example.org/paper", {"url": "https://example.org/code", "title": "Code"}]
        doc = parse(schedule({"Ada": [event(links=links)]}))
        assert doc.talks[0].links == (
            DocLink(title="https://example.org/paper", url="https://example.org/paper"),
            DocLink(title="Code", url="https://example.org/code"),
        )
        assert doc.warnings == ()

    def test_a_link_object_without_title_is_titled_by_its_url(self) -> None:
        (talk,) = parse(schedule({"Ada": [event(links=[{"url": "https://example.org/x"}])]})).talks
        assert talk.links == (DocLink(title="https://example.org/x", url="https://example.org/x"),)

    def test_a_link_without_url_is_skipped_with_a_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(links=[{"title": "Slides"}])]}))
        assert doc.talks[0].links == ()
        assert messages(doc, f"{ADA}[0].links[0]") == ["a link without a URL; skipped"]


class TestKind:
    @pytest.mark.parametrize(
        ("type_text", "kind"),
        [
            ("lecture", "talk"),
            ("Talk", "talk"),
            ("Talk 45 minutes + 10 minutes Q&A", "talk"),
            ("keynote", "keynote"),
            ("Workshop 2h", "workshop"),
            ("Workshops", "workshop"),
            ("panel", "panel"),
            ("podium", "panel"),
            ("Lightning Talk", "lightning"),
            ("lightning_talk", "lightning"),
            ("break", "break"),
            ("Coffee pause", "break"),
            ("Meetup", "social"),
            ("social", "social"),
            ("party", "social"),
            ("concert", "social"),
        ],
    )
    def test_known_types(self, type_text: str, kind: str) -> None:
        doc = parse(schedule({"Ada": [event(type=type_text)]}))
        assert (doc.talks[0].kind, doc.talks[0].source_type) == (kind, type_text)
        assert doc.warnings == ()

    def test_an_unknown_type_is_a_talk_with_its_text_kept(self) -> None:
        doc = parse(schedule({"Ada": [event(type="djset")]}))
        assert (doc.talks[0].kind, doc.talks[0].source_type) == ("talk", "djset")
        assert messages(doc, f"{ADA}[0].type") == ["unknown type 'djset': read as a talk"]

    def test_one_warning_per_distinct_unknown_type(self) -> None:
        rooms = {"Ada": [event(1, type="djset"), event(2, type="djset"), event(3, type="game"), event(4, type="")]}
        doc = parse(schedule(rooms))
        assert messages(doc) == [
            "unknown type 'djset': read as a talk",
            "unknown type 'game': read as a talk",
            "no type: read as a talk",
        ]


class TestCancelled:
    @pytest.mark.parametrize(
        "title", ["CANCELLED Loss spikes", "Cancelled: Loss spikes", "cancelled:  Loss spikes", "CANCELED: Loss spikes"]
    )
    def test_a_cancelled_prefix_marks_the_talk_and_is_removed(self, title: str) -> None:
        doc = parse(schedule({"Ada": [event(title=title)]}))
        assert (doc.talks[0].title, doc.talks[0].cancelled) == ("Loss spikes", True)
        assert len(messages(doc, f"{ADA}[0].title")) == 1

    @pytest.mark.parametrize("title", ["Cancellation policies", "Why CANCELLED talks matter", "CANCELLED"])
    def test_other_titles_are_not_cancelled(self, title: str) -> None:
        doc = parse(schedule({"Ada": [event(title=title)]}))
        assert (doc.talks[0].title, doc.talks[0].cancelled) == (title, False)


class TestRoomsAndTracks:
    def test_rooms_in_order_of_first_appearance_including_empty_ones(self) -> None:
        day = {"index": 1, "date": "2024-06-01", "day_start": "2024-06-01T09:00:00+02:00"}
        days = [
            day | {"rooms": {"Ada": [event(1)], "Cy": []}},
            day | {"index": 2, "date": "2024-06-02", "rooms": {"Bob": [], "Ada": [], "Dee": []}},
        ]
        assert parse(schedule(days=days)).rooms == ("Ada", "Cy", "Bob", "Dee")

    def test_the_enclosing_room_wins_with_one_warning_per_pair(self) -> None:
        rooms = {"1Komona headnut": [event(1, room="headnut"), event(2, room="headnut")]}
        doc = parse(schedule(rooms))
        assert [talk.room for talk in doc.talks] == ["1Komona headnut", "1Komona headnut"]
        assert messages(doc) == [
            "the event says room 'headnut' but is listed under '1Komona headnut'; using '1Komona headnut'"
        ]

    def test_tracks_from_events_in_order_with_colours_from_the_conference(self) -> None:
        rooms = {"Ada": [event(1, track="Vision"), event(2, track=None), event(3, track=""), event(4, track="ML")]}
        conference_tracks = [{"name": "ML", "color": "#1A2B3C"}, {"name": "Unused", "color": "#000000"}]
        doc = parse(schedule(rooms, tracks=conference_tracks))
        assert doc.tracks == (DocTrack(name="Vision"), DocTrack(name="ML", color="#1a2b3c"))
        assert [talk.track for talk in doc.talks] == ["Vision", None, None, "ML"]


class TestDayChange:
    def test_no_event_after_midnight_means_midnight(self) -> None:
        assert parse(schedule()).day_change == datetime.time(0, 0)

    def test_events_after_midnight_on_the_previous_day_give_the_day_start(self) -> None:
        late = event(2, date="2024-06-02T01:30:00+02:00", start="01:30")
        assert parse(schedule({"Ada": [event(1), late]})).day_change == datetime.time(9, 0)

    def test_when_the_day_start_does_not_fit_the_next_whole_hour_is_used(self) -> None:
        # 36C3: days "start" at 11:00 but list 10:00 events, and events until 04:00 the next day.
        day = {"index": 1, "date": "2024-06-01", "day_start": "2024-06-01T11:00:00+02:00"}
        rooms = {"Ada": [event(1), event(2, date="2024-06-02T04:00:00+02:00", start="04:00")]}
        doc = parse(schedule(days=[day | {"rooms": rooms}]))
        assert doc.day_change == datetime.time(5, 0)

    def test_inconsistent_grouping_falls_back_to_midnight_with_a_warning(self) -> None:
        day = {"index": 1, "date": "2024-06-01", "day_start": "2024-06-01T09:00:00+02:00"}
        rooms = {"Ada": [event(1, date="2024-06-01T10:00:00+02:00"), event(2, date="2024-06-02T11:00:00+02:00")]}
        doc = parse(schedule(days=[day | {"rooms": rooms}]))
        assert doc.day_change == datetime.time(0, 0)
        assert len(messages(doc, "$.schedule.conference.days")) == 1


class TestText:
    def test_control_characters_are_removed_with_a_warning(self) -> None:
        doc = parse(schedule({"Ada": [event(title="Loss\x07 spikes", abstract="Line\none\ttab")]}))
        assert doc.talks[0].title == "Loss spikes"
        assert doc.talks[0].abstract == "Line\none\ttab"
        assert messages(doc) == ["control characters removed"]

    def test_non_ascii_text_is_kept(self) -> None:
        (talk,) = parse(schedule({"Chaos-West Bühne": [event(title="Über Ключи 🔑")]})).talks
        assert (talk.title, talk.room) == ("Über Ключи 🔑", "Chaos-West Bühne")

    def test_a_urn_uuid_url_naming_the_event_means_no_url(self) -> None:
        first = event(1)
        (talk,) = parse(schedule({"Ada": [first | {"url": f"urn:uuid:{first['guid']}"}]})).talks
        assert talk.url == ""


class TestConferenceDates:
    def test_a_date_time_start_and_end_give_their_dates(self) -> None:
        doc = parse(schedule(start="2024-06-01T09:00:00+02:00", end="2024-06-03T18:00:00+02:00"))
        assert (doc.start_date, doc.end_date) == (datetime.date(2024, 6, 1), datetime.date(2024, 6, 3))

    def test_missing_start_and_end_come_from_the_days_with_warnings(self) -> None:
        doc = parse(schedule(start=DROP, end=DROP))
        assert (doc.start_date, doc.end_date) == (datetime.date(2024, 6, 1), datetime.date(2024, 6, 1))
        assert messages(doc, "$.schedule.conference.start") == ["missing; using the first day, 2024-06-01"]
        assert messages(doc, "$.schedule.conference.end") == ["missing; using the last day, 2024-06-01"]
