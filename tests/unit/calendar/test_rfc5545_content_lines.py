"""The content lines the feeds are written in, byte for byte: property order, TEXT escaping (RFC 5545
3.3.11), folding before the 75th octet without splitting a UTF-8 character (3.1), and the time forms.

The serializer replaced icalendar's object model for speed; these bytes are the ones icalendar
wrote, so a subscribed calendar (and every ETag) saw no change."""

from __future__ import annotations

import datetime
import itertools

import pytest
from icalendar import Calendar

from service.calendar.ical import FeedEvent, FeedInfo, escape_text, fold_line, render_ical
from service.core.time import zone

CPH = zone("Europe/Copenhagen")
STAMP = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)
START = datetime.datetime(2025, 6, 20, 10, 30, tzinfo=CPH)


def one(**overrides: object) -> FeedEvent:
    values: dict[str, object] = {
        "uid": "slot-1@plenary",
        "start": START,
        "end": START + datetime.timedelta(minutes=45),
        "summary": "Loss spikes",
        "last_modified": STAMP,
    }
    values.update(overrides)
    return FeedEvent(**values)  # type: ignore[arg-type]


def physical_lines(body: bytes) -> list[bytes]:
    return body.split(b"\r\n")


def unfolded(body: bytes) -> list[str]:
    return body.replace(b"\r\n ", b"").decode().split("\r\n")


def test_every_property_in_order_byte_for_byte() -> None:
    item = one(
        summary="Loss spikes, again; why",
        sequence=2,
        description="Line one\nLine two: a, b; c \\ d",
        location="Hall 1, Bella Center",
        url="https://cph.example/talks/1",
        categories=("NLP; theory", "talk"),
        attachments=("https://cph.example/rec/1", "https://cph.example/slides/1"),
    )
    info = FeedInfo(
        name="CPH NLP, 2025",
        timezone="Europe/Copenhagen",
        description="Two days; bring a laptop",
        url="https://cph.example/",
    )
    body = render_ical(info, [item], CPH, alarm=datetime.timedelta(minutes=10))

    assert body[: body.index(b"BEGIN:VTIMEZONE")] == (
        b"BEGIN:VCALENDAR\r\n"
        b"VERSION:2.0\r\n"
        b"PRODID:-//Plenary//Plenary schedule feed//EN\r\n"
        b"CALSCALE:GREGORIAN\r\n"
        b"METHOD:PUBLISH\r\n"
        b"X-WR-CALDESC:Two days; bring a laptop\r\n"
        b"NAME:CPH NLP, 2025\r\n"
        b"X-WR-CALNAME:CPH NLP, 2025\r\n"
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
        b"URL:https://cph.example/\r\n"
        b"X-PUBLISHED-TTL:PT1H\r\n"
        b"X-WR-TIMEZONE:Europe/Copenhagen\r\n"
    )
    assert body[body.index(b"BEGIN:VEVENT") :] == (
        b"BEGIN:VEVENT\r\n"
        b"SUMMARY:Loss spikes\\, again\\; why\r\n"
        b"DTSTART;TZID=Europe/Copenhagen:20250620T103000\r\n"
        b"DTEND;TZID=Europe/Copenhagen:20250620T111500\r\n"
        b"DTSTAMP:20250601T120000Z\r\n"
        b"UID:slot-1@plenary\r\n"
        b"SEQUENCE:2\r\n"
        b"ATTACH:https://cph.example/rec/1\r\n"
        b"ATTACH:https://cph.example/slides/1\r\n"
        b"CATEGORIES:NLP\\; theory,talk\r\n"
        b"DESCRIPTION:Line one\\nLine two: a\\, b\\; c \\\\ d\r\n"
        b"LAST-MODIFIED:20250601T120000Z\r\n"
        b"LOCATION:Hall 1\\, Bella Center\r\n"
        b"STATUS:CONFIRMED\r\n"
        b"URL:https://cph.example/talks/1\r\n"
        b"BEGIN:VALARM\r\n"
        b"ACTION:DISPLAY\r\n"
        b"DESCRIPTION:Loss spikes\\, again\\; why\r\n"
        b"TRIGGER:-PT10M\r\n"
        b"END:VALARM\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )


def test_text_escaping() -> None:
    assert escape_text("a\\b;c,d:e") == "a\\\\b\\;c\\,d:e"
    assert escape_text("one\r\ntwo\nthree\rfour") == "one\\ntwo\\nthree\\nfour"
    assert escape_text("tab\tand ünïcødé 😀") == "tab\tand ünïcødé 😀"


def test_a_line_of_74_octets_stays_whole_and_one_of_75_folds() -> None:
    assert fold_line("SUMMARY:" + "a" * 66) == "SUMMARY:" + "a" * 66
    assert fold_line("SUMMARY:" + "a" * 67) == "SUMMARY:" + "a" * 66 + "\r\n a"
    assert fold_line("SUMMARY:" + "a" * 200) == "\r\n ".join(["SUMMARY:" + "a" * 66, "a" * 74, "a" * 60])


def test_a_break_never_splits_a_character() -> None:
    # 'ø' is two octets: the first line ends one octet early rather than split it.
    assert fold_line("SUMMARY:x" + "ø" * 40) == "SUMMARY:x" + "ø" * 32 + "\r\n " + "ø" * 8
    assert fold_line("SUMMARY:" + "中" * 30) == "SUMMARY:" + "中" * 22 + "\r\n " + "中" * 8


@pytest.mark.parametrize("character", ["ø", "中", "😀", "👩‍💻", "e\u0301"])
@pytest.mark.parametrize("offset", [0, 1, 2, 3])
def test_every_line_is_as_long_as_it_may_be_and_no_longer(character: str, offset: int) -> None:
    line = "DESCRIPTION:" + "x" * offset + character * 60
    pieces = fold_line(line).split("\r\n ")
    assert "".join(pieces) == line
    for piece, after in itertools.pairwise(pieces):
        octets = len(piece.encode())
        assert octets <= 74
        assert octets + len(after[0].encode()) > 74  # the next character would not have fitted


@pytest.mark.parametrize("escape", ["\\", "^"])
@pytest.mark.parametrize("before", ["a" * 65, "ø" + "a" * 63])  # 65 octets either way
def test_a_backslash_or_caret_at_a_break_starts_the_next_line(escape: str, before: str) -> None:
    # Some clients read an escape only whole: the character that would end the line moves on.
    line = "SUMMARY:" + before + escape + "nbbbbbbbbbb"
    assert fold_line(line) == "SUMMARY:" + before + "\r\n " + escape + "nbbbbbbbbbb"


def test_a_feed_of_cjk_emoji_and_specials_parses_back() -> None:
    summary = "深層学習 😀, 🇩🇰; \\ Ærø " * 6
    description = "第一行\n" + "長い説明文 " * 40 + "\nSecond line, with; specials \\ and ^carets^ 👩‍💻"
    url = "https://media.example.org/" + "path-segment/" * 20 + "talk.mp4"
    item = one(summary=summary, description=description, url=url, attachments=(url,), location="会議室 A, Hall")
    body = render_ical(FeedInfo(name="学会 2025", timezone="Europe/Copenhagen"), [item], CPH)

    assert all(len(line) <= 75 for line in physical_lines(body))
    assert f"URL:{url}" in unfolded(body)
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary
    assert str(event["DESCRIPTION"]) == description
    assert str(event["LOCATION"]) == "会議室 A, Hall"
    assert str(event["URL"]) == url


def test_both_half_past_twos_of_the_night_clocks_go_back() -> None:
    # Equal as wall-clock times in one zone, two instants: the second is written in UTC.
    first = datetime.datetime(2025, 10, 26, 2, 30, tzinfo=CPH)
    second = first.replace(fold=1)
    items = [one(uid="a@plenary", start=first, end=first), one(uid="b@plenary", start=second, end=second)]
    lines = unfolded(render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), items, CPH))

    starts = [line for line in lines if line.startswith("DTSTART") and "20251026T0" in line and "T030000" not in line]
    assert starts == ["DTSTART;TZID=Europe/Copenhagen:20251026T023000", "DTSTART:20251026T013000Z"]


def test_the_same_instant_in_any_zone_is_written_alike() -> None:
    utc = START.astimezone(datetime.UTC)
    items = [one(uid="a@plenary"), one(uid="b@plenary", start=utc, end=utc + datetime.timedelta(minutes=45))]
    lines = unfolded(render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), items, CPH))
    assert lines.count("DTSTART;TZID=Europe/Copenhagen:20250620T103000") == 2
    assert lines.count("DTEND;TZID=Europe/Copenhagen:20250620T111500") == 2


def test_a_cancelled_slot_gets_no_alarm_and_a_zero_alarm_is_at_the_start() -> None:
    items = [one(uid="a@plenary"), one(uid="b@plenary", cancelled=True)]
    body = render_ical(FeedInfo(name="x", timezone="Europe/Copenhagen"), items, CPH, alarm=datetime.timedelta(0))
    assert body.count(b"BEGIN:VALARM") == 1
    assert b"TRIGGER:P0D\r\n" in body
