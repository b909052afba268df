"""Slots to an RFC 5545 VCALENDAR: pure, deterministic, no database and no HTTP.

Why it is shaped this way:
- UID is the slot's id, which never changes when a talk is edited, moved or re-imported and is
  one per occurrence, so calendars neither duplicate a moved talk nor merge a repeated workshop.
- Times carry TZID with the IANA zone name (never an alias like GMT) and a VTIMEZONE built from
  the real rules, covering only the years the feed needs; clients then show the right hour.
- SEQUENCE grows with every change of time, room or status; cancelled slots stay with
  STATUS:CANCELLED, and deleted ones come back as cancelled tombstones, so subscribed calendars
  remove them instead of keeping a stale copy.
- DTSTAMP is the slot's last change, not the render time, so the same schedule version renders
  the same bytes in every worker (one ETag, byte-exact tests).
- Any stored string renders: text loses the control characters RFC 5545 TEXT cannot carry (line
  breaks become ``\\n``, a lone CR included), and a URI that still holds whitespace or a control
  character after trimming has it percent-encoded. Imports keep CR and tab, and older rows may
  hold anything; one odd value must not take down every feed that shows it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from icalendar import Alarm, Calendar, Event, Timezone, vDuration

PRODID = "-//Plenary//Plenary schedule feed//EN"
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """The calendar as a whole."""

    name: str
    timezone: str
    description: str = ""
    url: str = ""
    refresh: datetime.timedelta = datetime.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One slot as calendars see it. Times are aware; they are written in the feed's zone."""

    uid: str
    start: datetime.datetime
    end: datetime.datetime
    summary: str
    last_modified: datetime.datetime
    sequence: int = 0
    cancelled: bool = False
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    attachments: tuple[str, ...] = field(default_factory=tuple)


_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NOT_IN_URI = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def _text(value: str) -> str:
    """A TEXT value as RFC 5545 allows it: line breaks as LF (icalendar escapes them), tab kept."""
    return _NOT_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _raw_text(value: str) -> str:
    """``_text`` for the calendar's own name and description, which icalendar writes unescaped."""
    return _text(value).replace("\n", "\\n")


def _uri(value: str) -> str:
    """A URI value without the whitespace or control characters a content line cannot hold."""
    return _NOT_IN_URI.sub(lambda found: quote(found.group(), safe=""), value.strip())


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    # Building a VTIMEZONE walks the zone's transitions: do it once per zone and span of years.
    return Timezone.from_tzid(
        tzid, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year, 12, 31)
    )


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC).replace(microsecond=0)


def _wall_clock(instant: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """Local time with TZID, unless the wall clock cannot say which instant it means.

    RFC 5545 reads an ambiguous local time (02:30 on the night clocks go back) as its first
    occurrence, so a slot at the second 02:30 is written in UTC instead, which is exact.
    """
    local = instant.astimezone(tz)
    if local.replace(fold=0).astimezone(datetime.UTC) != instant.astimezone(datetime.UTC):
        return _utc(instant)
    return local


def render_ical(
    info: FeedInfo, events: list[FeedEvent], tz: datetime.tzinfo, alarm: datetime.timedelta | None = None
) -> bytes:
    """The feed as bytes (CRLF line ends, lines folded at 75 octets, text escaped by icalendar)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _raw_text(info.name))
    calendar.add("name", _raw_text(info.name))
    calendar.add("x-wr-timezone", info.timezone)
    if info.description:
        calendar.add("x-wr-caldesc", _raw_text(info.description))
    if info.url and (url := _uri(info.url)):
        calendar.add("url", url)
    # RFC 7986 for current clients, X-PUBLISHED-TTL for Outlook and older ones.
    calendar.add("refresh-interval", vDuration(info.refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(info.refresh))

    in_utc = info.timezone in UTC_NAMES
    if events and not in_utc:
        years = [e.start.astimezone(tz).year for e in events] + [e.end.astimezone(tz).year for e in events]
        calendar.add_component(_vtimezone(info.timezone, min(years), max(years)))

    for item in sorted(events, key=lambda e: (e.start, e.uid)):
        calendar.add_component(_vevent(item, tz, in_utc, alarm))
    return bytes(calendar.to_ical())


def _vevent(item: FeedEvent, tz: datetime.tzinfo, in_utc: bool, alarm: datetime.timedelta | None) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", _utc(item.last_modified))
    event.add("dtstart", _utc(item.start) if in_utc else _wall_clock(item.start, tz))
    event.add("dtend", _utc(item.end) if in_utc else _wall_clock(item.end, tz))
    event.add("summary", _text(item.summary))
    event.add("sequence", item.sequence)
    event.add("last-modified", _utc(item.last_modified))
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    if item.location:
        event.add("location", _text(item.location))
    if item.description:
        event.add("description", _text(item.description))
    if item.url and (url := _uri(item.url)):
        event.add("url", url)
    if item.categories:
        event.add("categories", [_text(category) for category in item.categories])
    for attachment in item.attachments:
        if uri := _uri(attachment):
            event.add("attach", uri)
    if alarm is not None and not item.cancelled:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", _text(item.summary))
        reminder.add("trigger", -alarm)
        event.add_component(reminder)
    return event
