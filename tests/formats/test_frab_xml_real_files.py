"""Real published frab/Pentabarf schedules: parse, spot-check, render, validate against the XSD, round-trip.

The files and their quirks are described in ``shared/schedules/SOURCES.md``; the counts below are
that file's "Talks" and "Rooms" columns.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints

from service.interop import frab_xml
from service.interop.common import DEFAULT_DURATION, GUID_NAMESPACE
from service.interop.model import DocTalk, ScheduleDocument

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SCHEDULES = SHARED / "schedules"
XSD = SHARED / "formats" / "schedule.xml.xsd"

pytestmark = pytest.mark.skipif(
    not SCHEDULES.is_dir() or not XSD.is_file(),
    reason=f"the shared schedules and schema are not checked out at {SHARED}",
)


@dataclass(frozen=True)
class RealFile:
    name: str
    talks: int
    rooms: int
    default_timezone: str | None = None


FILES = [
    RealFile("ccc-36c3-merged_schedule.xml", talks=1351, rooms=92),
    RealFile("fosdem-2026_schedule.xml", talks=883, rooms=30),
    RealFile("fosdem-2023_schedule.xml", talks=780, rooms=35, default_timezone="Europe/Brussels"),
    RealFile("debconf23_schedule.xml", talks=117, rooms=5),
    RealFile("lswt2019_schedule.xml", talks=31, rooms=4, default_timezone="Europe/Berlin"),
]
CARRIED = ("title", "start", "duration", "room", "track", "abstract", "subtitle", "description")
CARRIED += ("links", "url", "recording_url", "language", "kind", "cancelled")


@cache
def source(name: str) -> bytes:
    return (SCHEDULES / name).read_bytes()


@cache
def parsed(name: str) -> ScheduleDocument:
    file = next(f for f in FILES if f.name == name)
    return frab_xml.parse(source(name), default_timezone=file.default_timezone)


@cache
def schema() -> Any:
    return etree.XMLSchema(etree.parse(str(XSD)))


def by_title(doc: ScheduleDocument, title: str) -> list[DocTalk]:
    return [talk for talk in doc.talks if talk.title == title]


def test_every_real_xml_file_is_listed_here() -> None:
    assert sorted(path.name for path in SCHEDULES.glob("*.xml")) == sorted(f.name for f in FILES)


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
class TestEachFile:
    def test_talk_and_room_counts(self, file: RealFile) -> None:
        doc = parsed(file.name)
        events = etree.fromstring(source(file.name)).findall("day/room/event")
        assert len(doc.talks) == len(events) == file.talks
        assert len(doc.rooms) == file.rooms

    def test_guids_are_unique(self, file: RealFile) -> None:
        doc = parsed(file.name)
        assert len({talk.guid for talk in doc.talks}) == len(doc.talks)

    def test_starts_are_aware_in_the_documents_zone(self, file: RealFile) -> None:
        doc = parsed(file.name)
        assert doc.timezone is not None
        assert {talk.start.tzinfo for talk in doc.talks} == {ZoneInfo(doc.timezone)}

    def test_the_rendering_validates_against_the_xsd(self, file: RealFile) -> None:
        rendered = etree.fromstring(frab_xml.render(parsed(file.name)))
        assert schema().validate(rendered), schema().error_log.filter_from_errors()[:3]

    def test_round_trip(self, file: RealFile) -> None:
        doc = parsed(file.name)
        again = frab_xml.parse(frab_xml.render(doc))
        assert [talk.guid for talk in again.talks] != []
        assert {talk.guid for talk in again.talks} == {talk.guid for talk in doc.talks}
        back = {talk.guid: talk for talk in again.talks}
        for talk in doc.talks:
            twin = back[talk.guid]
            assert [getattr(twin, name) for name in CARRIED] == [getattr(talk, name) for name in CARRIED], talk.guid
            assert [p.name for p in twin.persons] == [p.name for p in talk.persons], talk.guid
            assert twin.source_type == (talk.source_type or talk.kind), talk.guid
        assert (again.title, again.timezone, again.start_date, again.end_date) == (
            doc.title,
            doc.timezone,
            doc.start_date,
            doc.end_date,
        )
        assert (again.rooms, again.tracks, again.version) == (doc.rooms, doc.tracks, doc.version)


class TestSpotChecks:
    def test_36c3_has_no_zone_name_so_its_fixed_offset_is_used_with_a_warning(self) -> None:
        doc = parsed("ccc-36c3-merged_schedule.xml")
        assert doc.timezone == "Etc/GMT-1"
        assert doc.warnings[0].message.startswith("no time zone given; every <date> has the UTC offset +01:00")

    def test_36c3_after_midnight_talk_is_on_the_next_calendar_date(self) -> None:
        (jeopardy,) = by_title(parsed("ccc-36c3-merged_schedule.xml"), "Hacker Jeopardy")
        assert jeopardy.start == datetime.datetime(2019, 12, 27, 23, 50, tzinfo=datetime.UTC)
        assert jeopardy.room == "Ada"
        assert jeopardy.duration == datetime.timedelta(hours=2)

    def test_36c3_cross_check_finds_no_disagreement(self) -> None:
        doc = parsed("ccc-36c3-merged_schedule.xml")
        assert [w for w in doc.warnings if "<date>" in w.message and "<start>" in w.message] == []

    def test_36c3_repeated_guids_get_derived_ones_with_a_warning_each(self) -> None:
        doc = parsed("ccc-36c3-merged_schedule.xml")
        repeats = [w for w in doc.warnings if "repeats an earlier event" in w.message]
        assert len(repeats) == 3
        assert all(w.where.startswith("line ") for w in repeats)

    def test_36c3_enclosing_room_names_win(self) -> None:
        doc = parsed("ccc-36c3-merged_schedule.xml")
        assert "1Komona headnut" in doc.rooms
        assert "headnut" not in doc.rooms

    def test_debconf_first_talk_is_at_10_30_in_kolkata_without_warnings(self) -> None:
        doc = parsed("debconf23_schedule.xml")
        opening = doc.talks[0]
        assert (opening.guid, opening.title) == ("455d075f-48c0-2ec2-24b3-f5add30c383a", "Opening Ceremony")
        assert opening.start == datetime.datetime(2023, 9, 10, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
        assert opening.start == datetime.datetime(2023, 9, 10, 5, 0, tzinfo=datetime.UTC)
        assert doc.timezone == "Asia/Kolkata"
        assert doc.warnings == ()

    def test_debconf_long_talk_type_is_a_talk_and_bofs_are_conversations(self) -> None:
        doc = parsed("debconf23_schedule.xml")
        assert doc.talks[0].source_type == "Long talk (45 minutes)"
        assert doc.talks[0].kind == "talk"
        assert {t.kind for t in doc.talks if t.source_type.startswith("BoF")} == {"conversation"}

    def test_fosdem_2023_has_no_date_so_start_is_read_on_the_day(self) -> None:
        doc = parsed("fosdem-2023_schedule.xml")
        (welcome,) = by_title(doc, "Welcome to FOSDEM 2023")
        assert welcome.start == datetime.datetime(2023, 2, 4, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))
        assert doc.day_change == datetime.time(9, 0)
        assert doc.acronym == "fosdem-2023"

    def test_fosdem_2023_cancelled_talks(self) -> None:
        cancelled = [t for t in parsed("fosdem-2023_schedule.xml").talks if t.cancelled]
        assert len(cancelled) == 5
        assert "GRUB - Project Status Update" in {t.title for t in cancelled}

    def test_fosdem_2023_guids_are_derived_from_the_acronym_and_event_id(self) -> None:
        doc = parsed("fosdem-2023_schedule.xml")
        (welcome,) = by_title(doc, "Welcome to FOSDEM 2023")
        assert welcome.source_id == "15059"
        assert welcome.guid == str(uuid.uuid5(GUID_NAMESPACE, "fosdem-2023/15059"))

    def test_fosdem_2026_reads_cleanly_with_biographies(self) -> None:
        doc = parsed("fosdem-2026_schedule.xml")
        (welcome,) = by_title(doc, "Welcome to FOSDEM 2026")
        assert welcome.start == datetime.datetime(2026, 1, 31, 9, 30, tzinfo=ZoneInfo("Europe/Brussels"))
        assert "Building Europe\u2019s Public Digital Infrastructure" in {track.name for track in doc.tracks}
        assert any(person.biography for talk in doc.talks for person in talk.persons)
        assert doc.warnings == ()

    def test_lswt_utc_labels_are_read_as_leipzig_wall_clock(self) -> None:
        doc = parsed("lswt2019_schedule.xml")
        (welcome,) = by_title(doc, "Welcome")
        assert welcome.start == datetime.datetime(2019, 5, 22, 7, 0, tzinfo=datetime.UTC)
        assert [p.name for p in welcome.persons] == ["Dr. Sebastian Tramp", "Andreas Heinecke"]
        assert any("31 events have a UTC <date>" in w.message for w in doc.warnings)

    def test_lswt_empty_duration_gets_the_default(self) -> None:
        doc = parsed("lswt2019_schedule.xml")
        (hackathon,) = [t for t in doc.talks if t.title.startswith("Thinktank & Hackathon")]
        assert hackathon.duration == DEFAULT_DURATION
