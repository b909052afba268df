"""frab / Pentabarf ``schedule.xml``: ``parse`` a file into a ScheduleDocument, ``render`` one back.

Both functions are pure (no database, no HTTP). ``render`` writes a file that validates against the
C3VOC schema (``schedule.xml.xsd``); ``parse`` reads what real exports contain, which is messier
than the schema. Where a file is unclear, ``parse`` follows one of the rules below and records an
``ImportWarning`` (``where`` is ``line N``; returned in line order) instead of failing or guessing
silently. Only a file that cannot be read at all raises ``ScheduleFormatError``.

Input safety

- A file above 50 MB is refused before it is parsed.
- A ``<!DOCTYPE>`` is refused (schedule files never need one), so no entity is ever expanded;
  the parser also never loads a DTD, never touches the network and keeps libxml2's size limits.
- Bytes that are not valid in the declared encoding (UTF-8 when none is declared) and XML that is
  not well-formed raise ``ScheduleFormatError("line N", reason)``. A correctly declared other
  encoding (e.g. ISO-8859-1) is read, as any XML parser would.
- The root must be ``<schedule>`` and contain ``<conference>``. Unknown elements and attributes
  (``<answers>``, ``<attachments>``, ``<logo>``...) are ignored. Text is taken with surrounding
  whitespace removed; CDATA counts as text.

Parse rules

- Time zone: ``conference/time_zone_name`` when it is an IANA name; a name that is not is ignored
  with a warning. Then ``default_timezone``. Then, if every event ``<date>`` carries the same
  whole-hour UTC offset, the fixed ``Etc/GMT±N`` zone for it, with a warning (it knows no daylight
  saving). Otherwise ``ScheduleFormatError("conference", "no time zone: pass one")``. The zone
  used is returned as ``ScheduleDocument.timezone``.
- Start instant: ``<date>`` when it carries an offset; a ``<date>`` without one is local time in
  the zone. Exception: when ``<date>`` is in UTC, the zone is not at UTC then, and its wall clock
  equals ``<start>``, the file labels local times as UTC (LSWT 2019 does), so the wall clock is
  read as local time, with one warning for the file.
- Without ``<date>`` (Pentabarf exports such as FOSDEM 2023) the start is ``<start>`` on the
  event's day. A day spans ``day/@start`` to ``day/@end`` (converted to the zone); without
  ``day/@start`` it begins at ``day/@date`` plus the conference day change, and without a usable
  ``day/@end`` it lasts 24 hours. ``<start>`` is on the day's calendar date when that lies inside
  the span, else on whichever of that date and the next lies nearer to the span (the next on a tie:
  nights run late more often than mornings start early). So with FOSDEM's 09:00 day change an
  08:00 start is the next morning; in 36C3's 11:00 -> 04:00 days a 01:00 start is after midnight
  while a 10:00 start stays on its date; and 00:00 to 03:00 starts on 36C3's last day (which claims
  to end at 19:00) are still after midnight. When both ``<date>`` and ``<start>`` exist they
  are cross-checked this way and a disagreement is a warning (``<date>`` wins). A UTC ``<date>``
  with a local ``<start>`` (DebConf 23, whose ``day/@date`` is the UTC date) agrees once
  converted, and so is not reported.
- An event with neither a usable ``<date>`` nor a ``<start>`` on a dated day is skipped with a
  warning: it cannot be placed.
- Duration: ``H:MM`` or ``H:MM:SS``. Empty, missing or unreadable: 30 minutes, with a warning.
- Room: the enclosing ``day/room/@name`` (the event's own ``<room>`` is only a fallback). An event
  ``<room>`` that names a different room is reported once per distinct pair. Rooms are listed in
  order of first appearance, including rooms without events.
- GUID: ``event/@guid``, as canonical lower-case UUID text when it parses as a UUID (else as
  given). Missing: ``uuid5(NAMESPACE, "{acronym}/{event id}")``, or ``"{acronym}/{slug}"``
  without an id, or ``"{acronym}/{title}/{room}/{start ISO}"`` without either, with one warning
  for the file. A GUID repeated in the file (two slots of one talk, or a reused event id) stays
  with its first event; each repeat gets ``uuid5(NAMESPACE, "{guid}/{room}/{start ISO}")``, with
  a warning. ``start ISO`` is the start's ISO 8601 text in the file's zone.
- Cancelled: no format has a flag, so a title that starts with ``CANCELLED`` or ``CANCELED`` in
  capitals followed by a space or colon, or with that word in any case followed by a colon, marks
  the talk cancelled; the prefix (and a following dash) is removed, with a warning. A title such
  as "Cancelled culture" is left alone.
- People: ``<persons><person>`` (frab) and ``<person>`` directly under the event (LSWT). A direct
  ``<person>`` may list several comma-separated names; they are read as separate people, with one
  warning for the file. ``person/@guid`` (else ``@id``) is the person's id, and a biography is
  taken from the top-level ``<persons>`` list (FOSDEM) with the same id. Role: ``speaker``.
- Links: ``<links><link href>title</link>`` (the URL is the title when the text is empty; a link
  without href is dropped); ``<url>`` is the talk's page; ``<recording><url>`` or
  ``<recording><link>`` (else ``<video_download_url>``) is the recording.
- Track: ``<track>`` text, empty meaning none. Tracks are listed in order of first appearance from
  ``conference/track`` (``@name``, ``@color``), a top-level ``<tracks>`` list, then events.
- Kind, from ``<type>`` (case-insensitive, first match wins): lightning; keynote;
  break/pause/lunch/coffee -> break; panel/podium -> panel; workshop/hands-on/tutorial ->
  workshop; meetup/social/party/concert -> social; bof/discussion/conversation/meeting ->
  conversation; lecture/talk/vortrag/presentation/devroom/maintrack -> talk; exactly "other" ->
  other. Anything else is a talk, with one warning per distinct type text. No ``<type>``: talk,
  no warning. The text itself is kept in ``source_type``.
- Conference: ``title``; ``acronym`` (missing or empty: derived from the title, lower case with
  other characters as ``-``, with a warning); ``start``/``end`` (their date part; else the first
  and last ``day/@date``; else the first and last talk); ``day_change`` (``HH:MM[:SS]``, default
  00:00); ``venue``; ``city``; ``url`` (else ``base_url``); top-level ``<version>``.

Render rules

- Events are grouped into days by the document's day change in its zone (``UTC`` when it has
  none); every room is written in every day so the room order survives. Days span the document's
  start to end date plus any date a talk falls on.
- ``@guid`` is the talk's GUID when it is a UUID, else ``uuid5(NAMESPACE, guid)``; ``@id`` is the
  source id when it is a positive integer not used before, else the next free number; ``<slug>``
  is the talk's slug when it fits the schema and is unused, else
  ``{acronym}-{id}-{title}`` in schema characters. The acronym is lower-cased, other characters
  become ``-``, and it is padded with ``_`` to four characters.
- A cancelled talk's title is written with a ``CANCELLED`` prefix, which ``parse`` reads back.
- ``<type>`` is the source type when it still maps to the talk's kind, else the kind itself.
- Only ``http(s)`` URLs are written where the schema asks for them (talk ``<url>``, recording,
  conference ``<url>``); the day change has no place in the schema and is not written.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints; lxml-stubs is not a dependency

from service.core.time import UnknownTimeZoneError, day_bounds, schedule_day, zone
from service.interop.model import (
    CANCELLED_PREFIX,
    GUID_NAMESPACE,
    DocLink,
    DocPerson,
    DocTalk,
    DocTrack,
    ImportWarning,
    ScheduleDocument,
    ScheduleFormatError,
    kind_of,
)

MAX_BYTES = 50 * 1024 * 1024
"""Larger files are refused before parsing: the largest real schedule we know is under 3 MB."""
MAX_ELEMENTS = 1_000_000
"""Real schedules hold about ten elements per kilobyte (FOSDEM 2026: 24,607 in 2.8 MB), so a full
50 MB file stays under this. Parsing stops at the first element past it: 40 MB of ``<a/>`` would
otherwise become a tree of ten million elements (over a gigabyte) before being found useless."""

NAMESPACE = GUID_NAMESPACE
"""Fixed namespace of the GUIDs this module derives; changing it would change every derived GUID."""

DEFAULT_DURATION = datetime.timedelta(minutes=30)
"""Used for an event whose duration is missing or unreadable."""

_SECOND = datetime.timedelta(seconds=1)

_Element = Any
"""An lxml element (lxml has no type hints)."""

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_DURATION = re.compile(r"(\d{1,3}):(\d{2})(?::(\d{2}))?")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_CANCELLED = CANCELLED_PREFIX
_SLUG = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HTTP = re.compile(r"https?://\S+")

_kind_of = kind_of


# --------------------------------------------------------------------------------------- parse


def parse(data: bytes, *, default_timezone: str | None = None) -> ScheduleDocument:
    """Read a frab/Pentabarf ``schedule.xml``; see the module docstring for the rules."""
    if len(data) > MAX_BYTES:
        raise ScheduleFormatError("file", f"{len(data)} bytes is more than the {MAX_BYTES} accepted")
    if default_timezone is not None:
        try:
            zone(default_timezone)
        except UnknownTimeZoneError as exc:
            raise ScheduleFormatError("default_timezone", str(exc)) from exc
    root = _read_xml(bytes(data))
    return _Reader(root, default_timezone).document()


def _read_xml(data: bytes) -> _Element:
    _refuse_doctype(data)
    elements = etree.iterparse(
        io.BytesIO(data),
        events=("start",),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        # Read as a stream, so a file that is not a schedule is refused at its first element and
        # an absurd one at MAX_ELEMENTS, before the whole tree is built.
        for count, (_, element) in enumerate(elements, start=1):
            if count == 1 and element.tag != "schedule":
                raise ScheduleFormatError(
                    f"line {element.sourceline}", f"the root element is <{element.tag}>, not <schedule>"
                )
            if count > MAX_ELEMENTS:
                raise ScheduleFormatError(
                    f"line {element.sourceline}", f"more than {MAX_ELEMENTS:,} elements: this is not a schedule"
                )
    except etree.XMLSyntaxError as exc:
        # A streamed parse that stops at an undefined entity says only "no element found" (line 0);
        # the cause is the newest entry of the parser's error log.
        line, message = exc.lineno, exc.msg
        if not line and exc.error_log:
            line, message = exc.error_log.last_error.line, exc.error_log.last_error.message
        raise ScheduleFormatError(f"line {line or 1}", f"not well-formed XML: {message}") from exc
    root = elements.root
    if root.getroottree().docinfo.doctype:
        raise ScheduleFormatError("line 1", "a <!DOCTYPE> is not accepted in a schedule file")
    return root


def _refuse_doctype(data: bytes) -> None:
    """Refuse a DOCTYPE in the prologue before libxml2 reads it (it expands entities in attributes)."""
    at = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while at < len(data) and data[at : at + 1].isspace():
            at += 1
        if data.startswith(b"<?", at):
            end, closer = data.find(b"?>", at), b"?>"
        elif data.startswith(b"<!--", at):
            end, closer = data.find(b"-->", at), b"-->"
        elif data[at : at + 9].upper() == b"<!DOCTYPE":
            line = data.count(b"\n", 0, at) + 1
            raise ScheduleFormatError(f"line {line}", "a <!DOCTYPE> is not accepted in a schedule file")
        else:
            return
        if end < 0:
            return  # unterminated: the parser reports it with its line
        at = end + len(closer)


def _text(element: _Element | None) -> str:
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _attr(element: _Element, name: str) -> str:
    value = element.get(name)
    return str(value).strip() if value is not None else ""


def _clock(text: str) -> datetime.time | None:
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime.time(hour, minute, second)


def _duration(text: str) -> datetime.timedelta | None:
    match = _DURATION.fullmatch(text)
    if match is None or int(match[2]) > 59 or int(match[3] or 0) > 59:
        return None
    return datetime.timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))


def _datetime(text: str) -> datetime.datetime | None:
    """An ISO date-time with a time part (aware or naive); None for anything else."""
    if not _DATETIME.match(text):
        return None
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _canonical_guid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def _derived_guid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def _fixed_offset_zone(offset: datetime.timedelta) -> str | None:
    """The ``Etc/GMT±N`` zone for a whole-hour offset (POSIX signs: ``Etc/GMT-1`` is UTC+1)."""
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest or not -12 <= hours <= 14:
        return None
    return "Etc/GMT" if hours == 0 else f"Etc/GMT{-hours:+d}"


@dataclass
class _Day:
    begin: datetime.datetime | None
    """Local wall-clock start of the day (naive), when known."""
    end: datetime.datetime | None = None
    """Local wall-clock end of the day (naive): ``day/@end``, else a day after ``begin``."""

    def place(self, clock: datetime.time) -> datetime.datetime | None:
        """The wall-clock time of a ``<start>`` on this day: on the day's calendar date when that is
        inside the day's span, else on the date that is nearer to the span (the next date on a tie)."""
        if self.begin is None or self.end is None:
            return None
        same = datetime.datetime.combine(self.begin.date(), clock)
        after_midnight = same + datetime.timedelta(days=1)
        outside_same = _outside(same, self.begin, self.end)
        if outside_same and _outside(after_midnight, self.begin, self.end) <= outside_same:
            return after_midnight
        return same


def _outside(wall: datetime.datetime, begin: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
    """How far ``wall`` lies outside ``begin``..``end`` (zero inside)."""
    return max(begin - wall, wall - end, datetime.timedelta(0))


@dataclass
class _Reader:
    root: _Element
    default_timezone: str | None
    warnings: list[ImportWarning] = field(default_factory=list)
    tz: ZoneInfo = field(init=False)
    tz_name: str = field(init=False)
    acronym: str = field(init=False)
    day_change: datetime.time = field(init=False)
    seen_guids: set[str] = field(default_factory=set)
    seen_types: set[str] = field(default_factory=set)
    seen_room_pairs: set[tuple[str, str]] = field(default_factory=set)
    biographies: dict[str, str] = field(default_factory=dict)
    no_guid_lines: list[int] = field(default_factory=list)
    utc_local_lines: list[int] = field(default_factory=list)
    split_person_lines: list[int] = field(default_factory=list)

    def warn(self, element: _Element, message: str) -> None:
        self.warnings.append(ImportWarning(where=f"line {element.sourceline or 0}", message=message))

    def document(self) -> ScheduleDocument:
        conference = self.root.find("conference")
        if conference is None:
            raise ScheduleFormatError(f"line {self.root.sourceline}", "no <conference> element")
        title = _text(conference.find("title"))
        self.acronym = self._acronym(conference, title)
        if not title:
            self.warn(conference, f"no conference title; using the acronym {self.acronym!r}")
        self.day_change = self._day_change(conference)
        self.tz_name = self._zone_name(conference)
        self.tz = zone(self.tz_name)
        self.biographies = {
            _attr(person, "id"): _text(person.find("biography"))
            for person in self.root.findall("persons/person")
            if _attr(person, "id")
        }
        rooms: dict[str, None] = {}
        tracks = self._declared_tracks(conference)
        talks: list[DocTalk] = []
        day_dates: list[datetime.date] = []
        for day_element in self.root.findall("day"):
            day = self._day(day_element)
            if day.begin is not None:
                day_dates.append(day.begin.date())
            for room_element in day_element.findall("room"):
                room_name = _attr(room_element, "name")
                if room_name:
                    rooms.setdefault(room_name, None)
                for event in room_element.findall("event"):
                    talk = self._talk(event, day, room_name)
                    if talk is None:
                        continue
                    rooms.setdefault(talk.room, None)
                    if talk.track is not None:
                        tracks.setdefault(talk.track, "")
                    talks.append(talk)
        self._summary_warnings()
        start_date, end_date = self._dates(conference, day_dates, talks)
        return ScheduleDocument(
            title=title or self.acronym,
            acronym=self.acronym,
            timezone=self.tz_name,
            start_date=start_date,
            end_date=end_date,
            day_change=self.day_change,
            venue=_text(conference.find("venue")),
            city=_text(conference.find("city")),
            url=_text(conference.find("url")) or _text(conference.find("base_url")),
            version=_text(self.root.find("version")),
            rooms=tuple(rooms),
            tracks=tuple(DocTrack(name=name, color=color) for name, color in tracks.items()),
            talks=tuple(talks),
            warnings=tuple(sorted(self.warnings, key=lambda w: int(w.where.removeprefix("line ")))),
        )

    # -- conference

    def _acronym(self, conference: _Element, title: str) -> str:
        element = conference.find("acronym")
        acronym = _text(element)
        if acronym:
            return acronym
        derived = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "schedule"
        self.warn(element if element is not None else conference, f"no acronym; using {derived!r} from the title")
        return derived

    def _day_change(self, conference: _Element) -> datetime.time:
        element = conference.find("day_change")
        text = _text(element)
        if not text:
            return datetime.time(0, 0)
        value = _clock(text)
        if value is None:
            self.warn(element, f"day_change {text!r} is not HH:MM[:SS]; using 00:00")
            return datetime.time(0, 0)
        return value

    def _zone_name(self, conference: _Element) -> str:
        element = conference.find("time_zone_name")
        named = _text(element)
        if named:
            try:
                zone(named)
            except UnknownTimeZoneError:
                self.warn(element, f"time_zone_name {named!r} is not an IANA time zone name; ignored")
            else:
                return named
        if self.default_timezone is not None:
            return self.default_timezone
        offsets: set[datetime.timedelta | None] = set()
        for date_element in self.root.iterfind("day/room/event/date"):
            value = _datetime(_text(date_element))
            if value is not None:
                offsets.add(value.utcoffset())
        (offset,) = offsets if len(offsets) == 1 else (None,)
        if offset is not None:
            fixed = _fixed_offset_zone(offset)
            if fixed is not None:
                self.warn(
                    conference,
                    f"no time zone given; every <date> has the UTC offset {_offset_text(offset)}, so times are "
                    f"read in {fixed}, which knows no daylight saving time; pass the real zone to be exact",
                )
                return fixed
        raise ScheduleFormatError("conference", "no time zone: pass one")

    def _declared_tracks(self, conference: _Element) -> dict[str, str]:
        tracks: dict[str, str] = {}
        for element in [*conference.findall("track"), *self.root.findall("tracks/track")]:
            name = _attr(element, "name") or _text(element)
            if not name:
                continue
            color = _attr(element, "color")
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
                color = ""
            if not tracks.get(name):
                tracks[name] = color.lower()
        return tracks

    def _dates(
        self, conference: _Element, day_dates: list[datetime.date], talks: list[DocTalk]
    ) -> tuple[datetime.date, datetime.date]:
        found: list[datetime.date | None] = []
        for tag in ("start", "end"):
            element = conference.find(tag)
            text = _text(element)
            value = _date(text) if text else None
            if text and value is None:
                self.warn(element, f"conference {tag} {text!r} is not a date; ignored")
            found.append(value)
        fallback = day_dates or [schedule_day(talk.start, self.tz, self.day_change) for talk in talks]
        start = found[0] or (min(fallback) if fallback else None)
        end = found[1] or (max(fallback) if fallback else None)
        if start is None or end is None:
            raise ScheduleFormatError("conference", "no start and end date, no dated days and no talks")
        return start, end

    # -- days and events

    def _day(self, element: _Element) -> _Day:
        start, end = _datetime(_attr(element, "start")), _datetime(_attr(element, "end"))
        if start is not None:
            begin = self._wall(start)
        else:
            date = _date(_attr(element, "date"))
            if date is None:
                return _Day(None)
            begin = datetime.datetime.combine(date, self.day_change)
        end_wall = self._wall(end) if end is not None else None
        if end_wall is None or end_wall <= begin:
            end_wall = begin + datetime.timedelta(days=1) - _SECOND
        return _Day(begin, end_wall)

    def _wall(self, value: datetime.datetime) -> datetime.datetime:
        """Local wall-clock time (naive) in the file's zone; a naive value already is."""
        return value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo is not None else value

    def _talk(self, event: _Element, day: _Day, room_name: str) -> DocTalk | None:
        room = self._room(event, room_name)
        start = self._start(event, day)
        if start is None or not room:
            if not room:
                self.warn(event, "event has no room; skipped")
            return None
        title, cancelled = self._title(event)
        source_type = _text(event.find("type"))
        track = _text(event.find("track")) or None
        source_id = _attr(event, "id")
        slug = _text(event.find("slug"))
        return DocTalk(
            guid=self._guid(event, source_id, slug, title, room, start),
            title=title,
            start=start,
            duration=self._duration(event),
            room=room,
            subtitle=_text(event.find("subtitle")),
            abstract=_text(event.find("abstract")),
            description=_text(event.find("description")),
            kind=self._kind(event, source_type),
            source_type=source_type,
            language=_text(event.find("language")),
            track=track,
            persons=self._persons(event),
            links=self._links(event),
            url=_text(event.find("url")),
            recording_url=self._recording(event),
            slug=slug,
            source_id=source_id,
            cancelled=cancelled,
        )

    def _room(self, event: _Element, room_name: str) -> str:
        own = _text(event.find("room"))
        if not room_name:
            return own
        if own and own != room_name and (own, room_name) not in self.seen_room_pairs:
            self.seen_room_pairs.add((own, room_name))
            self.warn(event, f"event <room> {own!r} differs from its enclosing room {room_name!r}; using the latter")
        return room_name

    def _start(self, event: _Element, day: _Day) -> datetime.datetime | None:
        start_element, date_element = event.find("start"), event.find("date")
        start_text, date_text = _text(start_element), _text(date_element)
        clock = _clock(start_text) if start_text else None
        if start_text and clock is None:
            self.warn(start_element, f"<start> {start_text!r} is not HH:MM[:SS]; ignored")
        stamp = _datetime(date_text) if date_text else None
        if date_text and stamp is None:
            self.warn(date_element, f"<date> {date_text!r} is not an ISO date-time; ignored")
        expected = day.place(clock) if clock is not None else None
        if stamp is None:
            if expected is None:
                self.warn(event, "event has no usable <date>, nor a <start> on a dated day; skipped")
                return None
            return expected.replace(tzinfo=self.tz)
        if stamp.tzinfo is None:
            instant = stamp.replace(tzinfo=self.tz)
        elif self._utc_labelled_local(stamp, clock):
            self.utc_local_lines.append(event.sourceline)
            instant = stamp.replace(tzinfo=self.tz)
        else:
            instant = stamp.astimezone(self.tz)
        wall = instant.astimezone(self.tz).replace(tzinfo=None)
        if expected is not None and wall != expected:
            self.warn(
                date_element,
                f"<date> {date_text} is {wall:%Y-%m-%d %H:%M} in {self.tz_name}, but <start> {start_text} on "
                f"this day is {expected:%Y-%m-%d %H:%M}; using <date>",
            )
        return instant.astimezone(self.tz)

    def _utc_labelled_local(self, stamp: datetime.datetime, clock: datetime.time | None) -> bool:
        if clock is None or stamp.utcoffset() != datetime.timedelta(0) or stamp.time() != clock:
            return False
        return stamp.replace(tzinfo=self.tz).utcoffset() != datetime.timedelta(0)

    def _duration(self, event: _Element) -> datetime.timedelta:
        element = event.find("duration")
        text = _text(element)
        value = _duration(text) if text else None
        if value is not None:
            return value
        minutes = int(DEFAULT_DURATION.total_seconds() // 60)
        if text:
            self.warn(element, f"<duration> {text!r} is not HH:MM[:SS]; using {minutes} minutes")
        else:
            self.warn(element if element is not None else event, f"no duration; using {minutes} minutes")
        return DEFAULT_DURATION

    def _title(self, event: _Element) -> tuple[str, bool]:
        element = event.find("title")
        title = _text(element)
        match = _CANCELLED.match(title)
        if match is None:
            if not title:
                self.warn(element if element is not None else event, "event has no title")
            return title, False
        rest = title[match.end() :].strip()
        self.warn(element, f"title {title!r} marks a cancelled talk; imported as cancelled {rest!r}")
        return rest, True

    def _guid(self, event: _Element, source_id: str, slug: str, title: str, room: str, start: datetime.datetime) -> str:
        given = _attr(event, "guid")
        if given:
            guid = _canonical_guid(given)
        else:
            self.no_guid_lines.append(event.sourceline)
            if source_id:
                key = f"{self.acronym}/{source_id}"
            elif slug:
                key = f"{self.acronym}/{slug}"
            else:
                key = f"{self.acronym}/{title}/{room}/{start.isoformat()}"
            guid = _derived_guid(key)
        if guid in self.seen_guids:
            repeated = guid
            guid = _derived_guid(f"{repeated}/{room}/{start.isoformat()}")
            counter = 1
            while guid in self.seen_guids:
                counter += 1
                guid = _derived_guid(f"{repeated}/{room}/{start.isoformat()}/{counter}")
            what = f"guid {given}" if given else f"event id {source_id}" if source_id else "the derived guid"
            self.warn(event, f"{what} repeats an earlier event; this one gets guid {guid}")
        self.seen_guids.add(guid)
        return guid

    def _kind(self, event: _Element, source_type: str) -> str:
        if not source_type:
            return "talk"
        kind = _kind_of(source_type)
        if kind is not None:
            return kind
        if source_type not in self.seen_types:
            self.seen_types.add(source_type)
            self.warn(event.find("type"), f"unknown event type {source_type!r}; imported as a talk")
        return "talk"

    def _persons(self, event: _Element) -> tuple[DocPerson, ...]:
        persons: list[DocPerson] = []
        for element in event.findall("persons/person"):
            name = _text(element) if element.find("name") is None else _text(element.find("name"))
            if not name:
                continue
            person_id = _attr(element, "id")
            guid = _attr(element, "guid")
            persons.append(
                DocPerson(
                    name=name,
                    guid=_canonical_guid(guid) if guid else person_id or None,
                    biography=self.biographies.get(person_id, "") if person_id else "",
                )
            )
        for element in event.findall("person"):
            names = [name.strip() for name in _text(element).split(",")]
            names = [name for name in names if name]
            if len(names) > 1:
                self.split_person_lines.append(element.sourceline)
            persons.extend(DocPerson(name=name) for name in names)
        return tuple(persons)

    def _links(self, event: _Element) -> tuple[DocLink, ...]:
        links: list[DocLink] = []
        for element in event.findall("links/link"):
            href = _attr(element, "href")
            if href:
                links.append(DocLink(title=_text(element) or href, url=href))
        return tuple(links)

    def _recording(self, event: _Element) -> str:
        recording = event.find("recording")
        if recording is not None:
            url = _text(recording.find("url")) or _text(recording.find("link"))
            if url:
                return url
        return _text(event.find("video_download_url"))

    def _summary_warnings(self) -> None:
        """One warning per file for rules that apply to many events at once."""
        if self.no_guid_lines:
            self.warnings.append(
                ImportWarning(
                    where=f"line {self.no_guid_lines[0]}",
                    message=f"{len(self.no_guid_lines)} events have no guid; derived ones were given (stable "
                    "across re-imports of the same file)",
                )
            )
        if self.utc_local_lines:
            self.warnings.append(
                ImportWarning(
                    where=f"line {self.utc_local_lines[0]}",
                    message=f"{len(self.utc_local_lines)} events have a UTC <date> whose clock equals <start>; "
                    f"read as local time in {self.tz_name}",
                )
            )
        if self.split_person_lines:
            self.warnings.append(
                ImportWarning(
                    where=f"line {self.split_person_lines[0]}",
                    message=f"{len(self.split_person_lines)} <person> elements list several comma-separated "
                    "names; read as separate people",
                )
            )


def _offset_text(offset: datetime.timedelta) -> str:
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


# -------------------------------------------------------------------------------------- render


def render(doc: ScheduleDocument) -> bytes:
    """A ``schedule.xml`` for ``doc`` that validates against the C3VOC schema (rules in the module docstring)."""
    zone_name = doc.timezone or "UTC"
    try:
        tz = zone(zone_name)
    except UnknownTimeZoneError as exc:
        raise ScheduleFormatError("timezone", str(exc)) from exc
    acronym = _schema_acronym(doc.acronym)
    ids = _event_ids(doc.talks)
    guids = _event_guids(doc.talks)
    slugs = _event_slugs(doc.talks, ids, acronym)

    by_day: dict[datetime.date, list[int]] = {}
    for index, talk in enumerate(doc.talks):
        by_day.setdefault(schedule_day(talk.start, tz, doc.day_change), []).append(index)
    day_dates = set(by_day)
    span = (doc.end_date - doc.start_date).days
    if 0 <= span <= 366:  # a sane conference; an absurd range only gets the days that have talks
        day_dates.update(doc.start_date + datetime.timedelta(days=n) for n in range(span + 1))
    if not day_dates:
        day_dates.add(doc.start_date)
    rooms = list(dict.fromkeys([*doc.rooms, *(talk.room for talk in doc.talks)]))

    root = etree.Element("schedule")
    etree.SubElement(root, "generator", {"name": "plenary"})
    _sub(root, "version", doc.version)
    _conference(root, doc, acronym, zone_name, len(day_dates))
    for number, day_date in enumerate(sorted(day_dates), start=1):
        begin, end = day_bounds(day_date, tz, doc.day_change)
        day = _sub(
            root,
            "day",
            index=str(number),
            date=day_date.isoformat(),
            start=begin.isoformat(),
            end=(end - _SECOND).isoformat(),
        )
        talks_today = sorted(by_day.get(day_date, []), key=lambda i: doc.talks[i].start.timestamp())
        for room in rooms:
            room_element = _sub(day, "room", name=room)
            for index in (i for i in talks_today if doc.talks[i].room == room):
                _event(room_element, doc.talks[index], tz, ids[index], guids[index], slugs[index])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _clean(text: str) -> str:
    """Remove characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _UNSAFE_CHARS.sub("", text)


def _sub(parent: _Element, tag: str, text: str = "", **attributes: str) -> _Element:
    element = etree.SubElement(parent, tag, {key: _clean(value) for key, value in attributes.items()})
    if text:
        element.text = _clean(text)
    return element


def _schema_acronym(acronym: str) -> str:
    value = re.sub(r"[^a-z0-9_-]", "-", acronym.strip().lower()) or "schedule"
    return value.ljust(4, "_")


def _conference(root: _Element, doc: ScheduleDocument, acronym: str, zone_name: str, days: int) -> None:
    conference = _sub(root, "conference")
    _sub(conference, "acronym", acronym)
    _sub(conference, "title", doc.title)
    _sub(conference, "start", doc.start_date.isoformat())
    _sub(conference, "end", doc.end_date.isoformat())
    _sub(conference, "days", str(days))
    _sub(conference, "timeslot_duration", _hh_mm(datetime.timedelta(minutes=_timeslot_minutes(doc))))
    if _HTTP.fullmatch(doc.url):
        _sub(conference, "url", doc.url)
    _sub(conference, "time_zone_name", zone_name)
    for track in doc.tracks:
        attributes = {"name": track.name}
        if re.fullmatch(r"#[0-9a-fA-F]{6}", track.color):
            attributes["color"] = track.color
        _sub(conference, "track", track.name, **attributes)


def _timeslot_minutes(doc: ScheduleDocument) -> int:
    """The largest slot (dividing an hour) that every start and duration is a multiple of; 5 without talks."""
    step = 0
    for talk in doc.talks:
        step = math.gcd(step, talk.start.minute, int(talk.duration.total_seconds() // 60))
    return math.gcd(step, 60) if step else 5


def _hh_mm(value: datetime.timedelta) -> str:
    seconds = max(int(value.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _event_ids(talks: Iterable[DocTalk]) -> list[int]:
    kept: list[int] = []  # 0 where the source id is unusable or taken
    used: set[int] = set()
    for talk in talks:
        value = int(talk.source_id) if talk.source_id.isascii() and talk.source_id.isdigit() else 0
        kept.append(value if value not in used else 0)
        used.add(value)
    next_id = max(kept, default=0) + 1
    ids: list[int] = []
    for value in kept:
        if value == 0:
            value, next_id = next_id, next_id + 1
        ids.append(value)
    return ids


def _event_guids(talks: Iterable[DocTalk]) -> list[str]:
    guids: list[str] = []
    used: set[str] = set()
    for talk in talks:
        base = _canonical_guid(talk.guid) if _is_uuid(talk.guid) else _derived_guid(talk.guid)
        guid, counter = base, 1
        while guid in used:
            counter += 1
            guid = _derived_guid(
                f"{base}/{talk.room}/{talk.start.isoformat()}" + (f"/{counter}" if counter > 2 else "")
            )
        used.add(guid)
        guids.append(guid)
    return guids


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _ascii_slug(text: str, limit: int = 48) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:limit].strip("_")


def _event_slugs(talks: Iterable[DocTalk], ids: list[int], acronym: str) -> list[str]:
    prefix = re.sub(r"[^a-z0-9_]", "_", acronym).ljust(4, "_")
    slugs: list[str] = []
    used: set[str] = set()
    for talk, event_id in zip(talks, ids, strict=True):
        slug = talk.slug
        if not _SLUG.fullmatch(slug) or slug in used:
            rest = f"{event_id}-{_ascii_slug(talk.title)}".strip("-").ljust(4, "_")
            slug = candidate = f"{prefix}-{rest}"
            counter = 1
            while slug in used:
                counter += 1
                slug = f"{candidate}_{counter}"
        used.add(slug)
        slugs.append(slug)
    return slugs


def _type_text(talk: DocTalk) -> str:
    if talk.source_type and (_kind_of(talk.source_type) or "talk") == talk.kind:
        return talk.source_type
    return talk.kind


def _event(room: _Element, talk: DocTalk, tz: ZoneInfo, event_id: int, guid: str, slug: str) -> None:
    local = talk.start.astimezone(tz)
    event = _sub(room, "event", guid=guid, id=str(event_id))
    _sub(event, "date", local.isoformat())
    _sub(event, "start", local.strftime("%H:%M:%S" if local.second else "%H:%M"))
    _sub(event, "duration", _hh_mm(talk.duration))
    _sub(event, "room", talk.room)
    _sub(event, "slug", slug)
    if _HTTP.fullmatch(talk.url):
        _sub(event, "url", talk.url)
    _sub(event, "title", f"CANCELLED {talk.title}" if talk.cancelled else talk.title)
    _sub(event, "subtitle", talk.subtitle)
    _sub(event, "track", talk.track or "")
    _sub(event, "type", _type_text(talk))
    _sub(event, "language", talk.language)
    _sub(event, "abstract", talk.abstract)
    if talk.description:
        _sub(event, "description", talk.description)
    if _HTTP.fullmatch(talk.recording_url):
        recording = _sub(event, "recording")
        _sub(recording, "license")
        _sub(recording, "optout", "false")
        _sub(recording, "url", talk.recording_url)
    persons = _sub(event, "persons")
    for person in talk.persons:
        attributes: dict[str, str] = {}
        if person.guid and person.guid.isascii() and person.guid.isdigit():
            attributes["id"] = person.guid
        elif person.guid and _is_uuid(person.guid):
            attributes["guid"] = _canonical_guid(person.guid)
        _sub(persons, "person", person.name, **attributes)
    links = _sub(event, "links")
    for link in talk.links:
        _sub(links, "link", link.title, href=link.url)
