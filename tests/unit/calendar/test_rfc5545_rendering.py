"""The pure renderer, byte for byte: envelope, VTIMEZONE span, escaping, folding, ambiguity."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from service.calendar.ical import FeedEvent, FeedInfo, render_ical
from service.core.time import zone

CPH = zone("Europe/Copenhagen")
STAMP = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)


def one(**overrides: object) -> FeedEvent:
    values: dict[str, object] = {
        "uid": "slot-1@plenary",
        "start": datetime.datetime(2025, 6, 20, 10, 30, tzinfo=CPH),
        "end": datetime.datetime(2025, 6, 20, 11, 15, tzinfo=CPH),
        "summary": "Loss spikes",
        "last_modified": STAMP,
    }
    values.update(overrides)
    return FeedEvent(**values)  # type: ignore[arg-type]


def test_a_minimal_feed_byte_for_byte() -> None:
    body = render_ical(FeedInfo(name="CPH NLP", timezone="Europe/Copenhagen"), [one()], CPH)
    vevent = body[body.index(b"BEGIN:VEVENT") :]
    assert vevent == (
        b"BEGIN:VEVENT\r\n"
        b"SUMMARY:Loss spikes\r\n"
        b"DTSTART;TZID=Europe/Copenhagen:20250620T103000\r\n"
        b"DTEND;TZID=Europe/Copenhagen:20250620T111500\r\n"
        b"DTSTAMP:20250601T120000Z\r\n"
        b"UID:slot-1@plenary\r\n"
        b"SEQUENCE:0\r\n"
        b"LAST-MODIFIED:20250601T120000Z\r\n"
        b"STATUS:CONFIRMED\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    assert body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plenary//Plenary schedule feed//EN\r\n")


def test_the_same_input_renders_the_same_bytes() -> None:
    info = FeedInfo(name="CPH", timezone="Europe/Copenhagen")
    assert render_ical(info, [one()], CPH) == render_ical(info, [one()], CPH)


def test_vtimezone_covers_only_the_years_needed() -> None:
    body = render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), [one()], CPH)
    (timezone,) = Calendar.from_ical(body).walk("VTIMEZONE")
    starts = [c.decoded("DTSTART").year for c in timezone.subcomponents]
    assert set(starts) == {2025}


def test_text_is_escaped_and_folded_and_survives_parsing() -> None:
    summary = "Semi; colon, comma \\ backslash " + "ø" * 60
    body = render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), [one(summary=summary)], CPH)
    assert b"Semi\\; colon\\, comma \\\\ backslash" in body
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary


def test_an_ambiguous_wall_clock_time_is_written_in_utc() -> None:
    second = datetime.datetime(2025, 10, 26, 1, 30, tzinfo=datetime.UTC)  # the second 02:30 in Copenhagen
    item = one(start=second, end=second + datetime.timedelta(minutes=30))
    body = render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), [item], CPH)
    assert b"DTSTART:20251026T013000Z" in body
    assert b"DTEND;TZID=Europe/Copenhagen:20251026T030000" in body


def test_an_event_in_utc_uses_utc_times_and_no_vtimezone() -> None:
    utc = zone("UTC")
    start = datetime.datetime(2025, 6, 20, 10, 0, tzinfo=datetime.UTC)
    item = one(start=start, end=start + datetime.timedelta(hours=1))
    body = render_ical(FeedInfo(name="x", timezone="UTC"), [item], utc)
    assert b"DTSTART:20250620T100000Z" in body
    assert b"VTIMEZONE" not in body
    assert b"TZID=" not in body


def test_cancelled_slots_say_so() -> None:
    body = render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), [one(cancelled=True, sequence=3)], CPH)
    assert b"STATUS:CANCELLED\r\n" in body
    assert b"SEQUENCE:3\r\n" in body
