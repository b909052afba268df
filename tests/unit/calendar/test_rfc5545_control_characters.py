"""RFC 5545 TEXT carries no control character but tab, and a URI no whitespace at all: the
renderer makes any stored string fit (3.3.11, 3.3.13) instead of failing the whole feed."""

from __future__ import annotations

import datetime

from icalendar import Calendar

from service.calendar.ical import FeedEvent, FeedInfo, render_ical
from service.core.time import zone

CPH = zone("Europe/Copenhagen")
STAMP = datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC)
ODD = "a\x00b\x01c\x7f\x85\r\nd\re\u2028f;,\\\tg"


def event(**overrides: object) -> FeedEvent:
    values: dict[str, object] = {
        "uid": "slot-1@plenary",
        "start": datetime.datetime(2025, 6, 20, 10, 30, tzinfo=CPH),
        "end": datetime.datetime(2025, 6, 20, 11, 15, tzinfo=CPH),
        "summary": "Loss spikes",
        "last_modified": STAMP,
    }
    values.update(overrides)
    return FeedEvent(**values)  # type: ignore[arg-type]


def render(info: FeedInfo, item: FeedEvent) -> bytes:
    return render_ical(info, [item], CPH, alarm=datetime.timedelta(minutes=10))


def test_text_keeps_tab_and_line_breaks_and_drops_other_controls() -> None:
    body = render(
        FeedInfo(name=ODD, timezone="Europe/Copenhagen", description=ODD),
        event(summary=ODD, description=ODD, location=ODD, categories=(ODD,)),
    )
    parsed = Calendar.from_ical(body)
    vevent = parsed.walk("VEVENT")[0]
    for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
        assert str(vevent[name]) == "abc\nd\ne\u2028f;,\\\tg", name
    assert b"SUMMARY:abc\\nd\\ne\xe2\x80\xa8f\\;\\,\\\\\tg\r\n" in body
    assert b"X-WR-CALNAME:abc\\nd\\ne\xe2\x80\xa8f;,\\\tg\r\n" in body
    assert all(byte >= 0x20 or byte in b"\t\r\n" for byte in body)


def test_a_uri_is_trimmed_and_its_inner_whitespace_percent_encoded() -> None:
    body = render(
        FeedInfo(name="CPH NLP", timezone="Europe/Copenhagen", url="https://nlp.example/\n"),
        event(url=" http://x.example/a b\n", attachments=("http://x.example/slides\r", "\n")),
    )
    parsed = Calendar.from_ical(body)
    assert str(parsed["URL"]) == "https://nlp.example/"
    vevent = parsed.walk("VEVENT")[0]
    assert str(vevent["URL"]) == "http://x.example/a%20b"
    assert str(vevent["ATTACH"]) == "http://x.example/slides"  # and the empty one is left out


def test_ordinary_values_are_written_as_before() -> None:
    body = render(
        FeedInfo(name="CPH NLP, 2025", timezone="Europe/Copenhagen", url="https://nlp.example/"),
        event(summary="Loss spikes; again", url="https://nlp.example/talks/1"),
    )
    assert b"X-WR-CALNAME:CPH NLP, 2025\r\n" in body
    assert b"SUMMARY:Loss spikes\\; again\r\n" in body
    assert b"URL:https://nlp.example/talks/1\r\n" in body
