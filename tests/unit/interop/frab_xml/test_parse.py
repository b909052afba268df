"""frab_xml.parse, one class per rule of the package docstring, on small inline files."""

from __future__ import annotations

import datetime
import uuid
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest

from service.interop import frab_xml
from service.interop.common import GUID_NAMESPACE
from service.interop.model import DocLink, DocPerson, DocTrack, ScheduleDocument, ScheduleFormatError

BERLIN = ZoneInfo("Europe/Berlin")
UTC = datetime.UTC
CONFERENCE = (
    "<acronym>demo</acronym><title>Demo Conf</title><start>2024-05-04</start><end>2024-05-05</end>"
    "<time_zone_name>Europe/Berlin</time_zone_name>"
)
GUID = "6a32cb72-a69d-423c-91b5-60d88eb8e6c7"


def event(
    *,
    guid: str | None = GUID,
    event_id: str | None = "1",
    date: str | None = "2024-05-04T10:00:00+02:00",
    start: str | None = "10:00",
    duration: str | None = "00:30",
    title: str = "A talk",
    extra: str = "",
) -> str:
    attributes = "".join(f' {key}="{value}"' for key, value in (("id", event_id), ("guid", guid)) if value is not None)
    parts = [f"<{tag}>{value}</{tag}>" for tag, value in (("date", date), ("start", start), ("duration", duration))]
    children = "".join(part for part, value in zip(parts, (date, start, duration), strict=True) if value is not None)
    return f"<event{attributes}>{children}<title>{title}</title>{extra}</event>"


def schedule(
    *events: str,
    conference: str = CONFERENCE,
    day: str = 'index="1" date="2024-05-04"',
    room: str = "Main",
    top: str = "",
) -> bytes:
    body = "\n".join(events)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<schedule>\n<version>v1</version>\n'
        f"<conference>{conference}</conference>\n{top}\n"
        f'<day {day}>\n<room name="{room}">\n{body}\n</room>\n</day>\n</schedule>\n'
    ).encode()


def messages(doc: ScheduleDocument) -> list[str]:
    return [warning.message for warning in doc.warnings]


class TestTimeZone:
    def test_an_iana_time_zone_name_in_the_file_wins_over_the_default(self) -> None:
        doc = frab_xml.parse(schedule(event()), default_timezone="Asia/Tokyo")
        assert doc.timezone == "Europe/Berlin"
        assert doc.warnings == ()

    def test_a_name_that_is_not_iana_falls_back_to_the_default_with_a_warning(self) -> None:
        conference = CONFERENCE.replace("Europe/Berlin", "CEST")
        doc = frab_xml.parse(schedule(event(), conference=conference), default_timezone="Europe/Berlin")
        assert doc.timezone == "Europe/Berlin"
        assert messages(doc) == ["time_zone_name 'CEST' is not an IANA time zone name; ignored"]
        assert doc.warnings[0].where == "line 4"

    def test_the_default_is_used_when_the_file_names_no_zone(self) -> None:
        conference = CONFERENCE.replace("<time_zone_name>Europe/Berlin</time_zone_name>", "")
        doc = frab_xml.parse(schedule(event(date=None), conference=conference), default_timezone="Europe/Berlin")
        assert doc.timezone == "Europe/Berlin"
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 10, 0, tzinfo=BERLIN)

    def test_one_offset_on_every_date_gives_the_etc_gmt_zone_with_a_warning(self) -> None:
        conference = CONFERENCE.replace("<time_zone_name>Europe/Berlin</time_zone_name>", "")
        data = schedule(
            event(date="2024-05-04T10:00:00+01:00"),
            event(guid=None, event_id="2", date="2024-05-05T01:00:00+01:00", start="01:00"),
            conference=conference,
        )
        doc = frab_xml.parse(data)
        assert doc.timezone == "Etc/GMT-1"
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 9, 0, tzinfo=UTC)
        assert doc.warnings[0].where == "line 4"
        assert "every <date> has the UTC offset +01:00" in doc.warnings[0].message

    def test_utc_on_every_date_gives_etc_utc(self) -> None:
        conference = CONFERENCE.replace("<time_zone_name>Europe/Berlin</time_zone_name>", "")
        doc = frab_xml.parse(schedule(event(date="2024-05-04T10:00:00Z"), conference=conference))
        assert doc.timezone == "Etc/UTC"
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 10, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        "dates",
        [
            pytest.param(("2024-05-04T10:00:00+01:00", "2024-05-04T11:00:00+02:00"), id="mixed-offsets"),
            pytest.param(("2024-05-04T10:00:00+05:30",), id="half-hour-offset-has-no-etc-zone"),
            pytest.param(("2024-05-04T10:00:00",), id="no-offset"),
            pytest.param((), id="no-dates"),
        ],
    )
    def test_no_zone_anywhere_raises_on_the_conference(self, dates: tuple[str, ...]) -> None:
        conference = CONFERENCE.replace("<time_zone_name>Europe/Berlin</time_zone_name>", "")
        events = [event(guid=None, event_id=str(n), date=date) for n, date in enumerate(dates or (None,), start=1)]
        with pytest.raises(ScheduleFormatError) as caught:
            frab_xml.parse(schedule(*events, conference=conference))
        assert caught.value.where == "conference"
        assert caught.value.message == "no time zone: pass one"

    def test_a_default_that_is_not_an_iana_name_is_refused(self) -> None:
        with pytest.raises(ScheduleFormatError) as caught:
            frab_xml.parse(schedule(event()), default_timezone="Mars/Olympus")
        assert caught.value.where == "default_timezone"


class TestStartInstant:
    def test_a_date_with_an_offset_is_the_start(self) -> None:
        doc = frab_xml.parse(schedule(event(date="2024-05-04T10:00:00+02:00")))
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 8, 0, tzinfo=UTC)
        assert doc.talks[0].start.tzinfo == BERLIN

    def test_a_utc_date_with_a_local_start_agrees_once_converted(self) -> None:
        """DebConf 23: ``<date>`` in UTC, ``<start>`` local, ``day/@date`` the UTC date."""
        conference = CONFERENCE.replace("Europe/Berlin", "Asia/Kolkata")
        day = 'index="1" date="2023-09-09" start="2023-09-09T21:30:00+00:00" end="2023-09-10T21:29:59+00:00"'
        data = schedule(event(date="2023-09-10T05:00:00+00:00", start="10:30"), conference=conference, day=day)
        doc = frab_xml.parse(data)
        assert doc.talks[0].start == datetime.datetime(2023, 9, 10, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
        assert doc.warnings == ()

    def test_utc_labelled_local_times_are_read_as_local_with_one_warning(self) -> None:
        """LSWT 2019 writes Leipzig wall-clock times with a ``Z``."""
        data = schedule(
            event(guid="00000000-0000-0000-0000-000000000001", date="2024-05-04T09:00:00Z", start="09:00"),
            event(guid="00000000-0000-0000-0000-000000000002", date="2024-05-04T11:00:00Z", start="11:00"),
        )
        doc = frab_xml.parse(data)
        assert [talk.start for talk in doc.talks] == [
            datetime.datetime(2024, 5, 4, 9, 0, tzinfo=BERLIN),
            datetime.datetime(2024, 5, 4, 11, 0, tzinfo=BERLIN),
        ]
        assert messages(doc) == [
            "2 events have a UTC <date> whose clock equals <start>; read as local time in Europe/Berlin"
        ]
        assert doc.warnings[0].where == "line 8"

    def test_a_utc_date_is_taken_as_is_where_the_zone_is_at_utc(self) -> None:
        conference = CONFERENCE.replace("Europe/Berlin", "Europe/London").replace("2024-05", "2024-01")
        data = schedule(
            event(date="2024-01-04T09:00:00Z", start="09:00"), conference=conference, day='index="1" date="2024-01-04"'
        )
        doc = frab_xml.parse(data)
        assert doc.talks[0].start == datetime.datetime(2024, 1, 4, 9, 0, tzinfo=UTC)
        assert doc.warnings == ()

    def test_a_date_without_an_offset_is_local_time(self) -> None:
        doc = frab_xml.parse(schedule(event(date="2024-05-04T10:00:00")))
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 10, 0, tzinfo=BERLIN)
        assert doc.warnings == ()

    def test_without_a_date_the_start_is_read_on_the_day(self) -> None:
        doc = frab_xml.parse(schedule(event(date=None, start="14:15")))
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 14, 15, tzinfo=BERLIN)
        assert doc.warnings == ()

    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            pytest.param("08:00", datetime.datetime(2024, 5, 5, 8, 0, tzinfo=BERLIN), id="before-day-change"),
            pytest.param("09:00", datetime.datetime(2024, 5, 4, 9, 0, tzinfo=BERLIN), id="at-day-change"),
            pytest.param("23:30", datetime.datetime(2024, 5, 4, 23, 30, tzinfo=BERLIN), id="late-evening"),
        ],
    )
    def test_without_a_date_a_start_before_the_day_change_is_the_next_calendar_day(
        self, start: str, expected: datetime.datetime
    ) -> None:
        conference = CONFERENCE + "<day_change>09:00:00</day_change>"
        doc = frab_xml.parse(schedule(event(date=None, start=start), conference=conference))
        assert doc.talks[0].start == expected

    def test_a_day_that_ends_after_midnight_holds_after_midnight_talks_without_warnings(self) -> None:
        """36C3: days run 11:00 -> 04:00, and a few events start before 11:00 on their own date."""
        day = 'index="1" date="2024-05-04" start="2024-05-04T11:00:00+02:00" end="2024-05-05T04:00:00+02:00"'
        data = schedule(
            event(guid=None, event_id="1", date="2024-05-05T00:50:00+02:00", start="00:50"),
            event(guid=None, event_id="2", date="2024-05-05T04:00:00+02:00", start="04:00"),
            event(guid=None, event_id="3", date="2024-05-04T10:00:00+02:00", start="10:00"),
            day=day,
        )
        doc = frab_xml.parse(data)
        assert [talk.start.isoformat() for talk in doc.talks] == [
            "2024-05-05T00:50:00+02:00",
            "2024-05-05T04:00:00+02:00",
            "2024-05-04T10:00:00+02:00",
        ]
        assert [w for w in doc.warnings if "<date>" in w.message] == []

    def test_without_a_date_a_day_end_after_midnight_places_the_talk(self) -> None:
        day = 'index="1" date="2024-05-04" start="2024-05-04T11:00:00+02:00" end="2024-05-05T04:00:00+02:00"'
        data = schedule(
            event(date=None, start="01:30"), event(guid=None, event_id="2", date=None, start="10:00"), day=day
        )
        doc = frab_xml.parse(data)
        assert [talk.start.isoformat() for talk in doc.talks] == [
            "2024-05-05T01:30:00+02:00",
            "2024-05-04T10:00:00+02:00",
        ]

    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            pytest.param("10:00", "2024-05-04T10:00:00+02:00", id="early-morning-nearer-the-day"),
            pytest.param("03:00", "2024-05-05T03:00:00+02:00", id="tie-goes-after-midnight"),
            pytest.param("00:00", "2024-05-05T00:00:00+02:00", id="midnight-nearer-the-evening"),
        ],
    )
    def test_a_day_ending_before_midnight_still_takes_the_nearer_date(self, start: str, expected: str) -> None:
        """36C3's last day claims 11:00 -> 19:00, yet holds events at 00:00 and 03:00 the next night."""
        day = 'index="4" date="2024-05-04" start="2024-05-04T11:00:00+02:00" end="2024-05-04T19:00:00+02:00"'
        doc = frab_xml.parse(schedule(event(date=None, start=start), day=day))
        assert doc.talks[0].start.isoformat() == expected

    def test_a_day_longer_than_24_hours_keeps_starts_inside_it_on_its_date(self) -> None:
        day = 'index="1" date="2024-05-04" start="2024-05-04T09:00:00+02:00" end="2024-05-05T10:00:00+02:00"'
        doc = frab_xml.parse(schedule(event(date=None, start="09:30"), day=day))
        assert doc.talks[0].start.isoformat() == "2024-05-04T09:30:00+02:00"

    def test_a_date_disagreeing_with_the_day_and_start_warns_and_the_date_wins(self) -> None:
        doc = frab_xml.parse(schedule(event(date="2024-05-04T11:00:00+02:00", start="10:00")))
        assert doc.talks[0].start == datetime.datetime(2024, 5, 4, 11, 0, tzinfo=BERLIN)
        assert messages(doc) == [
            "<date> 2024-05-04T11:00:00+02:00 is 2024-05-04 11:00 in Europe/Berlin, but <start> 10:00 on this day "
            "is 2024-05-04 10:00; using <date>"
        ]
        assert doc.warnings[0].where == "line 8"

    def test_an_event_that_cannot_be_placed_is_skipped_with_a_warning(self) -> None:
        data = schedule(event(date=None, start="tea time"), event(guid=None, event_id="2"))
        doc = frab_xml.parse(data)
        assert len(doc.talks) == 1
        assert "<start> 'tea time' is not HH:MM[:SS]; ignored" in messages(doc)
        assert "event has no usable <date>, nor a <start> on a dated day; skipped" in messages(doc)


class TestDuration:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("00:45", datetime.timedelta(minutes=45)),
            ("01:30:15", datetime.timedelta(hours=1, minutes=30, seconds=15)),
            ("6:59", datetime.timedelta(hours=6, minutes=59)),
            ("00:00", datetime.timedelta(0)),
        ],
    )
    def test_hh_mm_and_hh_mm_ss(self, text: str, expected: datetime.timedelta) -> None:
        doc = frab_xml.parse(schedule(event(duration=text)))
        assert doc.talks[0].duration == expected
        assert doc.warnings == ()

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            pytest.param("", "no duration; using 30 minutes", id="empty"),
            pytest.param(None, "no duration; using 30 minutes", id="missing"),
            pytest.param("45 min", "<duration> '45 min' is not HH:MM[:SS]; using 30 minutes", id="unreadable"),
        ],
    )
    def test_a_missing_or_unreadable_duration_is_30_minutes_with_a_warning(
        self, text: str | None, message: str
    ) -> None:
        doc = frab_xml.parse(schedule(event(duration=text)))
        assert doc.talks[0].duration == datetime.timedelta(minutes=30)
        assert messages(doc) == [message]


class TestGuid:
    def test_a_uuid_guid_is_returned_as_canonical_lower_case_text(self) -> None:
        doc = frab_xml.parse(schedule(event(guid=GUID.upper())))
        assert doc.talks[0].guid == GUID

    def test_a_guid_that_is_not_a_uuid_becomes_one_derived_from_it_with_a_warning(self) -> None:
        doc = frab_xml.parse(schedule(event(guid="talk-42")))
        derived = str(uuid.uuid5(GUID_NAMESPACE, "talk-42"))
        assert doc.talks[0].guid == derived
        assert f"guid 'talk-42' is not a UUID; using {derived}, derived from it" in messages(doc)

    def test_a_missing_guid_is_derived_from_acronym_and_event_id_with_one_warning(self) -> None:
        data = schedule(event(guid=None, event_id="42"), event(guid=None, event_id="43"))
        doc = frab_xml.parse(data)
        assert [talk.guid for talk in doc.talks] == [
            str(uuid.uuid5(GUID_NAMESPACE, "demo/42")),
            str(uuid.uuid5(GUID_NAMESPACE, "demo/43")),
        ]
        assert frab_xml.parse(data).talks == doc.talks
        assert messages(doc) == [
            "2 events have no guid; derived ones were given (stable across re-imports of the same file)"
        ]

    def test_without_an_id_the_slug_then_title_room_and_start_are_used(self) -> None:
        data = schedule(
            event(guid=None, event_id=None, extra="<slug>demo-1-opening</slug>"),
            event(guid=None, event_id=None),
        )
        doc = frab_xml.parse(data)
        start = datetime.datetime(2024, 5, 4, 10, 0, tzinfo=BERLIN).isoformat()
        assert [talk.guid for talk in doc.talks] == [
            str(uuid.uuid5(GUID_NAMESPACE, "demo/demo-1-opening")),
            str(uuid.uuid5(GUID_NAMESPACE, f"demo/A talk/Main/{start}")),
        ]

    def test_a_repeated_guid_stays_with_the_first_event_and_repeats_get_a_derived_one(self) -> None:
        data = schedule(event(), event(event_id="2", date="2024-05-04T12:00:00+02:00", start="12:00"))
        doc = frab_xml.parse(data)
        repeat = uuid.uuid5(GUID_NAMESPACE, f"{GUID}/Main/2024-05-04T12:00:00+02:00")
        assert [talk.guid for talk in doc.talks] == [GUID, str(repeat)]
        assert messages(doc) == [f"guid {GUID} repeats an earlier event; this one gets guid {repeat}"]
        assert doc.warnings[0].where == "line 9"

    def test_a_reused_event_id_without_guid_is_a_repeat_too(self) -> None:
        """LSWT 2019 reuses ids 997-999 for the same break in two rooms."""
        data = schedule(
            event(guid=None, event_id="997"),
            event(guid=None, event_id="997", date="2024-05-04T12:00:00+02:00"),
        )
        doc = frab_xml.parse(data)
        assert len({talk.guid for talk in doc.talks}) == 2
        assert any(message.startswith("event id 997 repeats an earlier event") for message in messages(doc))


class TestCancelled:
    @pytest.mark.parametrize(
        ("title", "expected"),
        [
            ("CANCELLED GRUB - Project Status Update", "GRUB - Project Status Update"),
            ("CANCELED: Rust in the kernel", "Rust in the kernel"),
            ("Cancelled: Rust in the kernel", "Rust in the kernel"),
            ("CANCELLED - Rust in the kernel", "Rust in the kernel"),
        ],
    )
    def test_a_cancelled_prefix_marks_the_talk_and_is_removed(self, title: str, expected: str) -> None:
        doc = frab_xml.parse(schedule(event(title=title)))
        assert doc.talks[0].cancelled is True
        assert doc.talks[0].title == expected
        assert messages(doc) == [f"title {title!r} marks a cancelled talk; imported as cancelled {expected!r}"]

    @pytest.mark.parametrize(
        "title", ["Cancelled culture and its critics", "CANCELLEDX", "Why talks get CANCELLED", "CANCELLED"]
    )
    def test_other_titles_are_not_cancelled(self, title: str) -> None:
        doc = frab_xml.parse(schedule(event(title=title)))
        assert doc.talks[0].cancelled is False
        assert doc.talks[0].title == title
        assert doc.warnings == ()


class TestPeople:
    def test_frab_persons_with_id_or_guid_are_speakers(self) -> None:
        persons = (
            f'<persons><person id="9891">bleeptrack</person><person guid="{GUID.upper()}">blinry</person>'
            "<person>  </person></persons>"
        )
        doc = frab_xml.parse(schedule(event(extra=persons)))
        assert doc.talks[0].persons == (
            DocPerson(name="bleeptrack", guid="9891", role="speaker"),
            DocPerson(name="blinry", guid=GUID, role="speaker"),
        )

    def test_a_direct_person_element_may_list_several_names(self) -> None:
        """LSWT 2019 puts ``<person>`` straight under the event, names separated by commas."""
        data = schedule(
            event(extra="<person>Dr. Sebastian Tramp, Andreas Heinecke</person>"),
            event(guid=None, event_id="2", extra="<person>Natanael Arndt</person>"),
            event(guid=None, event_id="3", extra="<person></person>"),
        )
        doc = frab_xml.parse(data)
        assert [[person.name for person in talk.persons] for talk in doc.talks] == [
            ["Dr. Sebastian Tramp", "Andreas Heinecke"],
            ["Natanael Arndt"],
            [],
        ]
        assert "1 <person> elements list several comma-separated names; read as separate people" in messages(doc)

    def test_a_biography_comes_from_the_top_level_persons_list(self) -> None:
        """FOSDEM lists people once at the top, with a biography, and refers to them by id."""
        top = '<persons><person id="2"><name>FOSDEM Staff</name><biography>We run it.</biography></person></persons>'
        doc = frab_xml.parse(schedule(event(extra='<persons><person id="2">FOSDEM Staff</person></persons>'), top=top))
        assert doc.talks[0].persons == (DocPerson(name="FOSDEM Staff", guid="2", biography="We run it."),)


class TestLinks:
    def test_links_url_and_recording(self) -> None:
        extra = (
            "<url>https://example.org/talk/1</url>"
            '<links><link href="https://example.org/slides.pdf">Slides</link>'
            '<link href="https://example.org/chat"></link><link>no href</link></links>'
            "<recording><license/><optout>false</optout><url>https://media.example.org/1.mp4</url></recording>"
        )
        talk = frab_xml.parse(schedule(event(extra=extra))).talks[0]
        assert talk.url == "https://example.org/talk/1"
        assert talk.links == (
            DocLink(title="Slides", url="https://example.org/slides.pdf"),
            DocLink(title="https://example.org/chat", url="https://example.org/chat"),
        )
        assert talk.recording_url == "https://media.example.org/1.mp4"

    def test_a_recording_link_or_video_download_url_is_the_recording_too(self) -> None:
        with_link = "<recording><link>https://media.example.org/2</link></recording>"
        deprecated = "<video_download_url>https://media.example.org/3.webm</video_download_url>"
        doc = frab_xml.parse(schedule(event(extra=with_link), event(guid=None, event_id="2", extra=deprecated)))
        assert [talk.recording_url for talk in doc.talks] == [
            "https://media.example.org/2",
            "https://media.example.org/3.webm",
        ]


class TestTracks:
    def test_an_empty_track_is_none(self) -> None:
        doc = frab_xml.parse(schedule(event(extra="<track> </track>")))
        assert doc.talks[0].track is None
        assert doc.tracks == ()

    def test_tracks_come_from_the_conference_the_top_level_list_and_events_in_order(self) -> None:
        conference = CONFERENCE + '<track name="Security" color="#FF0000"/>'
        top = '<tracks><track slug="ai">AI</track><track slug="security">Security</track></tracks>'
        doc = frab_xml.parse(
            schedule(
                event(extra="<track>Art</track>"),
                event(guid=None, extra="<track>AI</track>"),
                conference=conference,
                top=top,
            )
        )
        assert doc.tracks == (DocTrack(name="Security", color="#ff0000"), DocTrack(name="AI"), DocTrack(name="Art"))
        assert [talk.track for talk in doc.talks] == ["Art", "AI"]


class TestKind:
    @pytest.mark.parametrize(
        ("type_text", "kind"),
        [
            ("lecture", "talk"),
            ("Talk", "talk"),
            ("Long talk (45 minutes)", "talk"),
            ("Vortrag 30 min (incl. Q&A)", "talk"),
            ("devroom", "talk"),
            ("keynote", "keynote"),
            ("Workshop 2h", "workshop"),
            ("hands-on", "workshop"),
            ("panel", "panel"),
            ("podium", "panel"),
            ("Lightning Talk", "lightning"),
            ("lightningtalk", "lightning"),
            ("Coffee break", "break"),
            ("Kaffeepause", "break"),
            ("lunch", "break"),
            ("Meetup", "social"),
            ("concert", "social"),
            ("party", "social"),
            ("BoF (45 minutes)", "conversation"),
            ("meeting", "conversation"),
            ("Other", "other"),
        ],
    )
    def test_type_text_maps_to_a_kind_and_is_kept(self, type_text: str, kind: str) -> None:
        doc = frab_xml.parse(schedule(event(extra=f"<type>{escape(type_text)}</type>")))
        assert doc.talks[0].kind == kind
        assert doc.talks[0].source_type == type_text
        assert doc.warnings == ()

    def test_an_unknown_type_is_a_talk_with_one_warning_per_distinct_text(self) -> None:
        data = schedule(
            event(extra="<type>djset</type>"),
            event(guid=None, event_id="2", extra="<type>djset</type>"),
            event(guid=None, event_id="3", extra="<type>Normale Länge</type>"),
        )
        doc = frab_xml.parse(data)
        assert [talk.kind for talk in doc.talks] == ["talk", "talk", "talk"]
        assert [m for m in messages(doc) if m.startswith("unknown")] == [
            "unknown event type 'djset'; imported as a talk",
            "unknown event type 'Normale Länge'; imported as a talk",
        ]

    def test_no_type_is_a_talk_without_a_warning(self) -> None:
        doc = frab_xml.parse(schedule(event()))
        assert doc.talks[0].kind == "talk"
        assert doc.talks[0].source_type == ""
        assert doc.warnings == ()


class TestRooms:
    def test_rooms_are_listed_in_document_order_including_empty_ones(self) -> None:
        data = (
            b"<schedule><version/><conference><acronym>demo</acronym><title>D</title>"
            b"<time_zone_name>UTC</time_zone_name></conference>"
            b'<day index="1" date="2024-05-04"><room name="B"/><room name="A">'
            b'<event id="1"><start>10:00</start><duration>00:30</duration><title>x</title></event></room></day>'
            b'<day index="2" date="2024-05-05"><room name="C"/><room name="B"/></day></schedule>'
        )
        doc = frab_xml.parse(data)
        assert doc.rooms == ("B", "A", "C")
        assert doc.talks[0].room == "A"
        assert (doc.start_date, doc.end_date) == (datetime.date(2024, 5, 4), datetime.date(2024, 5, 5))

    def test_the_enclosing_room_wins_over_the_event_room_with_one_warning_per_pair(self) -> None:
        data = schedule(
            event(extra="<room>headnut</room>"),
            event(guid=None, event_id="2", extra="<room>headnut</room>"),
            room="1Komona headnut",
        )
        doc = frab_xml.parse(data)
        assert [talk.room for talk in doc.talks] == ["1Komona headnut", "1Komona headnut"]
        assert messages(doc)[:1] == [
            "event <room> 'headnut' differs from its enclosing room '1Komona headnut'; using the latter"
        ]
        assert sum("differs from its enclosing room" in m for m in messages(doc)) == 1


class TestConference:
    def test_conference_fields(self) -> None:
        conference = (
            CONFERENCE + "<day_change>04:00</day_change><venue>ULB</venue><city>Brussels</city>"
            "<base_url>https://example.org/2024/</base_url>"
        )
        doc = frab_xml.parse(schedule(event(), conference=conference))
        assert (doc.title, doc.acronym, doc.version) == ("Demo Conf", "demo", "v1")
        assert (doc.start_date, doc.end_date) == (datetime.date(2024, 5, 4), datetime.date(2024, 5, 5))
        assert doc.day_change == datetime.time(4, 0)
        assert (doc.venue, doc.city, doc.url) == ("ULB", "Brussels", "https://example.org/2024/")

    def test_a_missing_acronym_is_derived_from_the_title_with_a_warning(self) -> None:
        conference = CONFERENCE.replace("<acronym>demo</acronym>", "<acronym></acronym>").replace(
            "Demo Conf", "7th Leipzig Semantic Web Day"
        )
        doc = frab_xml.parse(schedule(event(), conference=conference))
        assert doc.acronym == "7th-leipzig-semantic-web-day"
        assert messages(doc) == ["no acronym; using '7th-leipzig-semantic-web-day' from the title"]

    def test_dates_with_a_time_part_give_their_date(self) -> None:
        conference = CONFERENCE.replace("<start>2024-05-04</start>", "<start>2024-05-04T09:30:00+00:00</start>")
        assert frab_xml.parse(schedule(event(), conference=conference)).start_date == datetime.date(2024, 5, 4)

    def test_without_start_and_end_the_days_give_the_dates(self) -> None:
        conference = CONFERENCE.replace("<start>2024-05-04</start><end>2024-05-05</end>", "")
        doc = frab_xml.parse(schedule(event(), conference=conference))
        assert (doc.start_date, doc.end_date) == (datetime.date(2024, 5, 4), datetime.date(2024, 5, 4))

    def test_an_unreadable_day_change_is_midnight_with_a_warning(self) -> None:
        doc = frab_xml.parse(schedule(event(), conference=CONFERENCE + "<day_change>late</day_change>"))
        assert doc.day_change == datetime.time(0, 0)
        assert messages(doc) == ["day_change 'late' is not HH:MM[:SS]; using 00:00"]


class TestUnknownContent:
    def test_unknown_elements_and_attributes_are_ignored(self) -> None:
        extra = (
            '<answers><answer question="q">yes</answer></answers><logo>/system/logo.png</logo>'
            '<attachments><attachment href="https://example.org/a.pdf">A</attachment></attachments>'
            '<do_not_stream>true</do_not_stream><track slug="x" online_qa="false">Security</track>'
        )
        conference = CONFERENCE + "<subtitle/><generator>Jekyll</generator><logo>x</logo>"
        doc = frab_xml.parse(schedule(event(extra=extra), conference=conference, top="<!-- a comment --><extras/>"))
        assert doc.talks[0].track == "Security"
        assert doc.talks[0].links == ()
        assert doc.warnings == ()

    def test_cdata_and_whitespace_are_plain_text(self) -> None:
        extra = "<description><![CDATA[\n  <p>Bring a laptop & charger</p>\n  ]]></description>"
        doc = frab_xml.parse(schedule(event(title="  Spaced\n title ", extra=extra)))
        assert doc.talks[0].description == "<p>Bring a laptop & charger</p>"
        assert doc.talks[0].title == "Spaced\n title"
