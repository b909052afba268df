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
- The content lines are written here, not by icalendar's object model: building and folding a
  component per property cost about a millisecond per VEVENT, seconds for a large event. The
  bytes are those icalendar wrote (its property order, escaping and folding, quirks included),
  so feeds kept their ETags; icalendar still builds the VTIMEZONE and the duration values, once
  per feed, and tests parse the output with it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from icalendar import Timezone, vDDDTypes

PRODID = "-//Plenary//Plenary schedule feed//EN"
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})

FOLD_AT = 75
"""Octets a content line may not reach: icalendar folds before the 75th, so a line holds 74
octets and a continuation line its leading space and 74 more (RFC 5545 3.1 allows 75)."""
INTEGER_RANGE = range(-(2**31), 2**31)
"""RFC 5545 3.3.8: SEQUENCE is a signed 32-bit INTEGER."""


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
    """A TEXT value as RFC 5545 allows it: line breaks as LF (escaped later), tab kept."""
    return _NOT_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _raw_text(value: str) -> str:
    """``_text`` for the calendar's own name and description, which are written unescaped."""
    return _text(value).replace("\n", "\\n")


def _uri(value: str) -> str:
    """A URI value without the whitespace or control characters a content line cannot hold."""
    return _NOT_IN_URI.sub(lambda found: quote(found.group(), safe=""), value.strip())


def escape_text(value: str) -> str:
    r"""A TEXT value escaped as RFC 5545 3.3.11 says: ``\\``, ``\;``, ``\,`` and ``\n``.

    Exactly as icalendar escapes it, which the feeds' bytes were made with: CRLF, CR and LF
    each become ``\n``, and a ``\N`` already in the text is read as a line break first.
    """
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def text_value(value: str) -> str:
    """Any stored string as an escaped TEXT value."""
    return escape_text(_text(value))


def fold_line(line: str) -> str:
    r"""A content line folded (RFC 5545 3.1) into lines of fewer than ``FOLD_AT`` octets.

    Lines break between characters, never inside one's UTF-8 bytes; each continuation starts
    with a space. As icalendar does, a break that would leave a ``\`` or ``^`` at a line's end
    moves that character to the next line, so some clients' escapes stay in one piece.
    """
    width = FOLD_AT - 1
    if line.isascii():
        size = len(line)
        if size <= width:
            return line
        if "\\" not in line and "^" not in line:
            return "\r\n ".join([line[start : start + width] for start in range(0, size, width)])
        chunks = []
        start = 0
        while size - start > width:
            end = start + width
            if line[end - 1] in "\\^":
                end -= 1
            chunks.append(line[start:end])
            start = end
        chunks.append(line[start:])
        return "\r\n ".join(chunks)
    octets = line.encode()
    size = len(octets)
    if size <= width:
        return line
    parts = []
    start = 0
    while size - start > width:
        end = start + width
        while octets[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to its character's first
            end -= 1
        if octets[end - 1] in b"\\^":
            end -= 1
        parts.append(octets[start:end])
        start = end
    parts.append(octets[start:])
    return b"\r\n ".join(parts).decode()


def _date_time(value: datetime.datetime) -> str:
    """A DATE-TIME's digits (RFC 5545 3.3.5), without zone and without fractions of a second."""
    # %-formatting: twice as fast as an f-string with format specs, and this runs per VEVENT.
    return "%04d%02d%02dT%02d%02d%02d" % (  # noqa: UP031
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
    )


def utc_date_time(value: datetime.datetime) -> str:
    """An aware instant as an RFC 5545 UTC DATE-TIME (``20250620T083000Z``)."""
    return _date_time(value.astimezone(datetime.UTC)) + "Z"


@lru_cache(maxsize=64)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> str:
    # Building a VTIMEZONE walks the zone's transitions: do it once per zone and span of years.
    component = Timezone.from_tzid(
        tzid, first_date=datetime.date(first_year, 1, 1), last_date=datetime.date(last_year, 12, 31)
    )
    return bytes(component.to_ical()).decode().removesuffix("\r\n")


@lru_cache(maxsize=64)
def _zone_form(tz: datetime.tzinfo) -> tuple[str, str]:
    """The parameters before a wall-clock time in ``tz`` and the suffix after it.

    Asked of icalendar once per zone: it names the zone by its IANA key (or as UTC, without
    TZID and with ``Z``, for a zone it knows to be UTC), and that depends on the zone alone.
    """
    probe = vDDDTypes(datetime.datetime(2000, 1, 1, tzinfo=tz))
    parameters = bytes(probe.params.to_ical()).decode()
    suffix = "Z" if bytes(probe.to_ical()).endswith(b"Z") else ""
    return (f";{parameters}" if parameters else ""), suffix


def _duration(value: datetime.timedelta) -> str:
    """A DURATION value (RFC 5545 3.3.6), as icalendar writes it (``PT1H``, ``-PT10M``, ``P0D``)."""
    return bytes(vDDDTypes(value).to_ical()).decode()


def _clock(tz: datetime.tzinfo, in_utc: bool) -> Callable[[str, datetime.datetime], str]:
    """Writes ``NAME:value`` for an instant: in UTC, or on the zone's wall clock with TZID.

    RFC 5545 reads an ambiguous local time (02:30 on the night clocks go back) as its first
    occurrence, so a time at the second 02:30 is written in UTC instead, which is exact.
    Slots share their starts and ends, so each instant is worked out once per feed.
    """
    parameters, suffix = _zone_form(tz)
    written: dict[datetime.datetime, str] = {}

    def value(instant: datetime.datetime) -> str:
        utc = instant if instant.tzinfo is datetime.UTC else instant.astimezone(datetime.UTC)
        found = written.get(utc)
        if found is None:
            local = None if in_utc else instant.astimezone(tz)
            if local is None or local.replace(fold=0).astimezone(datetime.UTC) != utc:
                found = ":" + _date_time(utc) + "Z"
            else:
                found = parameters + ":" + _date_time(local) + suffix
            written[utc] = found
        return found

    def line(name: str, instant: datetime.datetime) -> str:
        return fold_line(name + value(instant))

    return line


def render_ical(
    info: FeedInfo, events: list[FeedEvent], tz: datetime.tzinfo, alarm: datetime.timedelta | None = None
) -> bytes:
    """The feed as bytes (CRLF line ends, lines folded before 75 octets, text escaped)."""
    refresh = _duration(info.refresh)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:" + escape_text(PRODID), "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    # icalendar's order: its canonical properties first, then the others alphabetically.
    if info.description:
        lines.append(fold_line("X-WR-CALDESC:" + _raw_text(info.description)))
    name = _raw_text(info.name)
    lines += [fold_line("NAME:" + name), fold_line("X-WR-CALNAME:" + name)]
    # RFC 7986 for current clients, X-PUBLISHED-TTL for Outlook and older ones.
    lines.append("REFRESH-INTERVAL;VALUE=DURATION:" + refresh)
    if info.url and (url := _uri(info.url)):
        lines.append(fold_line("URL:" + url))
    lines += ["X-PUBLISHED-TTL:" + refresh, fold_line("X-WR-TIMEZONE:" + info.timezone)]

    in_utc = info.timezone in UTC_NAMES
    if events and not in_utc:
        years = [e.start.astimezone(tz).year for e in events] + [e.end.astimezone(tz).year for e in events]
        lines.append(_vtimezone(info.timezone, min(years), max(years)))

    time_line = _clock(tz, in_utc)
    trigger = None if alarm is None else "TRIGGER:" + _duration(-alarm)
    shared: dict[str | tuple[str, ...], str] = {}
    for item in sorted(events, key=lambda e: (e.start, e.uid)):
        _vevent(lines, item, time_line, trigger, shared)
    lines.append("END:VCALENDAR\r\n")
    return "\r\n".join(lines).encode()


def _vevent(
    lines: list[str],
    item: FeedEvent,
    time_line: Callable[[str, datetime.datetime], str],
    trigger: str | None,
    shared: dict[str | tuple[str, ...], str],
) -> None:
    """Appends the VEVENT's content lines, in icalendar's order (see ``render_ical``).

    ``shared`` keeps the lines of values many slots repeat (a room, a track), written once.
    """
    if item.sequence not in INTEGER_RANGE:
        raise ValueError(f"SEQUENCE {item.sequence} is outside the RFC 5545 INTEGER range")
    summary = text_value(item.summary)
    changed = utc_date_time(item.last_modified)
    lines += [
        "BEGIN:VEVENT",
        fold_line("SUMMARY:" + summary),
        time_line("DTSTART", item.start),
        time_line("DTEND", item.end),
        "DTSTAMP:" + changed,
        fold_line("UID:" + escape_text(item.uid)),
        f"SEQUENCE:{item.sequence}",
    ]
    for attachment in item.attachments:
        if uri := _uri(attachment):
            lines.append(fold_line("ATTACH:" + uri))
    if item.categories:
        if (categories := shared.get(item.categories)) is None:
            categories = fold_line("CATEGORIES:" + ",".join([text_value(category) for category in item.categories]))
            shared[item.categories] = categories
        lines.append(categories)
    if item.description:
        lines.append(fold_line("DESCRIPTION:" + text_value(item.description)))
    lines.append("LAST-MODIFIED:" + changed)
    if item.location:
        if (location := shared.get(item.location)) is None:
            location = shared[item.location] = fold_line("LOCATION:" + text_value(item.location))
        lines.append(location)
    lines.append("STATUS:CANCELLED" if item.cancelled else "STATUS:CONFIRMED")
    if item.url and (url := _uri(item.url)):
        lines.append(fold_line("URL:" + url))
    if trigger is not None and not item.cancelled:
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", fold_line("DESCRIPTION:" + summary), trigger, "END:VALARM"]
    lines.append("END:VEVENT")
