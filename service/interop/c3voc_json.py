"""The classic C3VOC ``schedule.json`` (frab, pretalx): pure ``parse`` and ``render``, no database, no HTTP.

The wire Structs below mirror the objects of the C3VOC JSON schema (``shared/formats/schema.json``)
and spell their fields as the spec does (``daysCount``, ``time_zone_name``). Decoding is lenient on
purpose: real exports add fields the schema forbids (pretalx ``answers``), so unknown fields are
ignored instead of refused. Each room's event list is decoded on its own, so an error inside it
can name the room (``$.schedule.conference.days[2].rooms["Ada"][5].date``); msgspec itself would
write ``[...]`` for a dictionary key.

Parsing rules. Whatever the file leaves open is reported as an ``ImportWarning`` with its JSON
path rather than guessed silently; what cannot be read raises ``ScheduleFormatError(where, message)``:

- **Size and encoding.** Files over 50 MiB are refused before decoding. The bytes must be UTF-8 (a
  leading byte-order mark is skipped) and valid JSON; a syntax error is reported at ``$`` with its
  byte offset. A value of the wrong type (``days`` not a list, a ``date`` that is not an RFC 3339
  date-time) is reported at its own path.
- **Time zone.** ``conference.time_zone_name`` when it names a real IANA zone (one of
  ``zoneinfo.available_timezones()``; anything else is ignored with a warning); else the caller's
  ``default_timezone``; else, when every event ``date`` has the same UTC offset, the fixed zone
  ``Etc/GMT±N`` for it (``Etc/UTC`` for +00:00), with a warning; else the file is refused ("no time
  zone: pass one"). A file without any event keeps ``timezone=None``.
- **Start.** The event ``date`` (ISO 8601 with offset) is the instant; a ``date`` without an offset
  is read as wall time in the zone, with a warning. Without ``date``, the start is the day's
  ``date`` plus the event's ``start`` (``HH:MM``) in the zone, on the next calendar day when that
  time is earlier than the day's ``day_start`` time (and, when the day ends on the next date, not
  later than its ``day_end`` time: 36C3 lists 10:00 events under days that "start" at 11:00). Both
  are cross-checked when both are present, and a disagreement is warned about (``date`` wins).
- **Duration.** ``HH:MM`` or ``HH:MM:SS``; a missing or unreadable one becomes 30 minutes, with a warning.
- **GUID.** The event ``guid``, returned as a canonical lower-case UUID (a ``guid`` that is not a
  UUID becomes ``uuid5(NAMESPACE, guid)``, with a warning). A missing one becomes
  ``uuid5(NAMESPACE, f"{acronym}/{id or slug or title/room/start}")`` (start as ISO 8601 in the
  zone), with one warning that counts them. When a GUID repeats (36C3 has 3), the first event
  keeps it and each repeat gets ``uuid5(NAMESPACE, f"{guid}/{room}/{start}")``, with a warning.
- **Rooms.** An event belongs to the room it is listed under, in order of first appearance (empty
  lists count, so the file's room order survives). An event whose own ``room`` says otherwise
  (36C3's ``1Komona headnut`` vs ``headnut``) is warned about once per pair.
- **Persons and links.** Persons may be objects with ``public_name``, ``name`` or
  ``full_public_name`` (first non-empty wins), ``guid``, ``id`` or ``code`` (first present wins) and
  ``biography``, or bare strings; all get the role ``speaker``; a nameless one is skipped with a
  warning. Links may be ``{url, title}`` objects or bare URL strings (36C3 has 298), which become
  ``DocLink(title=url, url=url)``; a link without a URL is skipped with a warning.
  ``recording_license``, ``do_not_record``, ``logo``, ``attachments``, ``answers`` and any other
  extra fields are ignored.
- **Kind.** From the words of ``type`` (case-insensitive, a plural ``s`` ignored): lightning →
  lightning; keynote; workshop; panel or podium → panel; break or pause → break; meetup, social,
  party or concert → social; lecture or talk → talk, in that order of precedence ("Lightning
  Talk" is lightning, "Workshop 2h" a workshop). Anything else is a talk, with one warning per
  distinct type text. The raw text is always kept in ``source_type``.
- **Cancelled.** A title that starts with "CANCELLED" (or "CANCELED"), in any case, followed by
  spaces or a colon, marks the talk cancelled; the prefix is removed and a warning says so.
- **URL.** The event ``url``; ``urn:uuid:<the event's guid>`` (what ``render`` writes for a talk
  without a URL) is read as no URL.
- **Tracks.** The non-empty event ``track`` values, in order of first appearance, with the colour
  of a same-named ``conference.tracks`` entry when it is ``#rrggbb``.
- **Day change.** Derived from how the file groups events into days: 00:00 when no event starts
  on the date after the day it is listed under; otherwise a time that keeps every event on its
  listed day: the days' common ``day_start`` time when that fits, else the first whole hour after
  the latest such start (36C3: 05:00), else the minute after it. If no time fits, 00:00 with a
  warning.
- **Text.** Control characters other than tab and line breaks are removed from texts, with a warning.
- **Conference dates.** ``start`` and ``end`` (a date or date-time); when missing, the first and
  last day's ``date``, with a warning.

Rendering rules (``render`` writes a file that validates against ``schema.json``):

- Events are grouped into days by the document's ``day_change`` in its zone; each day lists every
  room, in the document's order, with its events by start time. ``date`` is written with the zone's
  offset; ``start`` is local ``HH:MM``; ``duration`` is ``HH:MM`` (rounded to the minute).
- ``time_zone_name`` is written only when it fits the schema's pattern (``Etc/GMT-1`` does not; the
  offsets in every ``date`` then carry it, and ``parse`` infers it back). A document without a
  zone is written in UTC.
- Schema patterns: an acronym that does not fit is folded to lower-case ASCII, each run of other
  characters becomes ``_`` and it is padded with ``_`` to four characters (``FOSDEM 2023`` →
  ``fosdem_2023``). A talk's slug is kept when, lower-cased, it fits ``^[a-z0-9_-]+[a-z0-9]$`` and
  is unused, else it becomes ``{acronym}-{id}-{title words}``. The integer ``id`` is the talk's ``source_id`` when
  that is a positive unused integer, else one derived from the GUID (stable across exports),
  moved to the next free number on a clash. A GUID that is not a UUID is written as
  ``uuid5(NAMESPACE, guid)``.
- Persons are written as pretalx persons (``name``, ``public_name``, ``guid`` when a UUID, else
  ``code`` when it fits ``^[A-Z0-9]+$``, ``biography``), never with the integer ``id`` of a frab
  person, because the schema requires a person to be exactly one of the two.
- A talk without a URL gets ``urn:uuid:<guid>`` (``url`` is required and must be a URI). A cancelled
  talk's title gets a "CANCELLED " prefix, so ``parse`` marks it cancelled again. The ``type`` is
  the talk's ``source_type`` when that maps back to its kind, else the kind's own name.
"""

from __future__ import annotations

import codecs
import datetime
import json
import math
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from service.core.bounds import json_too_deep
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

NAMESPACE = GUID_NAMESPACE
"""Namespace of every GUID this module derives (fixed forever: changing it re-keys every import)."""
MAX_BYTES = 50 * 1024 * 1024
IMPORT_MAX_DEPTH = 64
"""Real schedules nest about 11 levels deep; far deeper is no schedule, and would exhaust the decoder."""
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
DEFAULT_DURATION = datetime.timedelta(minutes=30)
MAX_EVENT_ID = 2**31 - 1
"""Event ids stay in 32-bit signed range, which schedule apps store them in."""

_CONFERENCE = "$.schedule.conference"
_AT = re.compile(r"(?P<message>.*) - at `\$(?P<path>.*)`", re.DOTALL)
_CLOCK = re.compile(r"(?P<h>\d{1,2}):(?P<m>[0-5]\d)")
_DURATION = re.compile(r"(?P<h>\d{1,3}):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?")
_CANCELLED = CANCELLED_PREFIX
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_SLUG = re.compile(r"[a-z0-9_-]+[a-z0-9]")
_ACRONYM = re.compile(r"[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?")
_TIME_ZONE_NAME = re.compile(r"^([A-Z][a-z]+/[A-Z][a-z]+)|UTC$")
"""The schema's pattern, unanchored as written: JSON Schema applies it with search semantics."""
_PERSON_CODE = re.compile(r"[A-Z0-9]+")


# --- Wire Structs: one per spec object, fields spelled as the spec spells them. ---


class Reference(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A link or attachment."""

    url: str | None = None
    title: str | None = None
    type: str | None = None


class Person(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A frab person (``id``, ``public_name``) or a pretalx person (``code``, ``name``, ``biography``)."""

    id: int | str | None = None
    code: str | None = None
    guid: str | None = None
    name: str | None = None
    public_name: str | None = None
    full_public_name: str | None = None
    biography: str | None = None


class Event(msgspec.Struct, kw_only=True):
    """One event (talk slot). ``logo``, ``recording_license``, ``do_not_record`` and ``attachments``
    take any value on import because they are ignored there."""

    guid: str | None = None
    id: int | str | None = None
    logo: Any = None
    date: datetime.datetime | None = None
    start: str | None = None
    duration: str | None = None
    room: str | None = None
    slug: str | None = None
    url: str | None = None
    title: str
    subtitle: str | None = None
    track: str | None = None
    type: str | None = None
    language: str | None = None
    abstract: str | None = None
    description: str | None = None
    recording_license: Any = None
    do_not_record: Any = None
    persons: list[Person | str] = []
    links: list[Reference | str] = []
    attachments: Any = None


class Day(msgspec.Struct, kw_only=True):
    """One conference day. ``rooms`` maps a room name to its event list, kept raw so that each list
    is decoded on its own and its errors can name the room."""

    index: int | None = None
    date: datetime.date
    day_start: datetime.datetime | None = None
    day_end: datetime.datetime | None = None
    rooms: dict[str, msgspec.Raw] = {}


class Track(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str | None = None
    slug: str | None = None
    color: str | None = None


class Conference(msgspec.Struct, kw_only=True, omit_defaults=True):
    acronym: str
    title: str
    start: str | None = None
    end: str | None = None
    daysCount: int | None = None
    timeslot_duration: str | None = None
    time_zone_name: str | None = None
    url: str | None = None
    tracks: list[Track] = []
    days: list[Day]


class C3vocSchedule(msgspec.Struct, kw_only=True):
    version: str = ""
    conference: Conference


class C3vocDocument(msgspec.Struct, kw_only=True, omit_defaults=True):
    schema: str | None = msgspec.field(default=None, name="$schema")
    schedule: C3vocSchedule


_DOCUMENT_DECODER = msgspec.json.Decoder(C3vocDocument)
_EVENTS_DECODER = msgspec.json.Decoder(list[Event])
_ENCODER = msgspec.json.Encoder()


# --- parse ---


def parse(data: bytes, *, default_timezone: str | None = None) -> ScheduleDocument:
    """Read a classic ``schedule.json``. ``default_timezone`` (an IANA name) is used when the file
    names no real zone; an unknown name raises ``UnknownTimeZoneError`` (a ``ValueError``)."""
    fallback = zone(default_timezone) if default_timezone is not None else None
    return _Reader(_decode(data), fallback).read()


def _decode(data: bytes) -> C3vocDocument:
    if len(data) > MAX_BYTES:
        raise ScheduleFormatError("$", f"the file has {len(data)} bytes; the limit is {MAX_BYTES} (50 MiB)")
    data = bytes(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScheduleFormatError("$", f"not UTF-8: invalid byte at offset {exc.start}") from exc
    if json_too_deep(data, IMPORT_MAX_DEPTH):  # the decoder would recurse until Python stops it
        raise ScheduleFormatError("$", f"arrays and objects nest more than {IMPORT_MAX_DEPTH} levels deep")
    try:
        return _DOCUMENT_DECODER.decode(data)
    except msgspec.ValidationError as exc:
        raise _located("$", exc) from exc
    except msgspec.DecodeError as exc:
        raise ScheduleFormatError("$", f"not valid JSON: {exc}") from exc


def _located(prefix: str, exc: msgspec.ValidationError) -> ScheduleFormatError:
    """msgspec's ``... - at `$[5].date``` as an error at ``prefix[5].date``."""
    text = str(exc)
    found = _AT.fullmatch(text)
    if found is None:
        return ScheduleFormatError(prefix, text)
    return ScheduleFormatError(prefix + found["path"], found["message"])


@dataclass(frozen=True, slots=True)
class _Listed:
    """An event where the file lists it."""

    day: Day
    room: str
    path: str
    event: Event


class _Reader:
    def __init__(self, document: C3vocDocument, fallback: ZoneInfo | None) -> None:
        self.document = document
        self.conference = document.schedule.conference
        self.fallback = fallback
        self.warnings: list[ImportWarning] = []
        self._warned: set[tuple[str, ...]] = set()
        self._without_guid: list[str] = []
        self._without_date: list[str] = []

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(ImportWarning(where=where, message=message))

    def warn_once(self, key: tuple[str, ...], where: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warn(where, message)

    def read(self) -> ScheduleDocument:
        conference = self.conference
        listed, rooms = self._listed()
        timezone, tz = self._timezone(listed)
        first_day = min((day.date for day in conference.days), default=None)
        last_day = max((day.date for day in conference.days), default=None)
        start_date = self._conference_date("start", first_day)
        end_date = self._conference_date("end", last_day)
        acronym = conference.acronym.strip()

        talks: list[DocTalk] = []
        if tz is not None:
            talks = self._talks(listed, tz, acronym)
        self._summarise()
        return ScheduleDocument(
            title=self.text(conference.title, f"{_CONFERENCE}.title").strip(),
            acronym=acronym,
            timezone=timezone,
            start_date=start_date,
            end_date=end_date,
            day_change=self._day_change(listed, talks, tz),
            url=(conference.url or "").strip(),
            version=self.document.schedule.version,
            rooms=tuple(rooms),
            tracks=self._tracks(talks),
            talks=tuple(talks),
            warnings=tuple(self.warnings),
        )

    def _listed(self) -> tuple[list[_Listed], list[str]]:
        listed: list[_Listed] = []
        rooms: dict[str, None] = {}
        for day_index, day in enumerate(self.conference.days):
            for room, raw in day.rooms.items():
                rooms.setdefault(room, None)
                room_path = f"{_CONFERENCE}.days[{day_index}].rooms[{json.dumps(room, ensure_ascii=False)}]"
                try:
                    events = _EVENTS_DECODER.decode(raw)
                except msgspec.ValidationError as exc:
                    raise _located(room_path, exc) from exc
                listed.extend(
                    _Listed(day=day, room=room, path=f"{room_path}[{index}]", event=event)
                    for index, event in enumerate(events)
                )
        return listed, list(rooms)

    def _timezone(self, listed: list[_Listed]) -> tuple[str | None, ZoneInfo | None]:
        name = self.conference.time_zone_name
        if name is not None and name.strip():
            try:
                return name, zone(name)
            except UnknownTimeZoneError:
                self.warn(f"{_CONFERENCE}.time_zone_name", f"{name!r} is not an IANA time zone; ignored")
        if self.fallback is not None:
            return self.fallback.key, self.fallback
        if not listed:
            return None, None
        offsets = {
            offset
            for item in listed
            if item.event.date is not None and (offset := item.event.date.utcoffset()) is not None
        }
        if len(offsets) == 1:
            (offset,) = offsets
            fixed = _fixed_zone(offset)
            if fixed is not None:
                self.warn(
                    _CONFERENCE,
                    f"no time zone given; every event date is at UTC{_offset_text(offset)}, so it is read as {fixed}",
                )
                return fixed, zone(fixed)
        raise ScheduleFormatError(_CONFERENCE, "no time zone: pass one")

    def _conference_date(self, field: str, fallback: datetime.date | None) -> datetime.date:
        value: str | None = getattr(self.conference, field)
        where = f"{_CONFERENCE}.{field}"
        if value is None or not value.strip():
            if fallback is None:
                raise ScheduleFormatError(where, f"no {field} date and no days to take it from")
            self.warn(where, f"missing; using the {'first' if field == 'start' else 'last'} day, {fallback}")
            return fallback
        try:
            return datetime.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ScheduleFormatError(where, f"{value!r} is not a date") from None

    def _talks(self, listed: list[_Listed], tz: ZoneInfo, acronym: str) -> list[DocTalk]:
        talks: list[DocTalk] = []
        used: set[str] = set()
        for item in listed:
            talk = self._talk(item, tz, acronym)
            if talk.guid in used:
                talk = msgspec.structs.replace(talk, guid=self._repeat_guid(item, talk, used))
            used.add(talk.guid)
            talks.append(talk)
        return talks

    def _talk(self, item: _Listed, tz: ZoneInfo, acronym: str) -> DocTalk:
        event, path = item.event, item.path
        start = self._start(item, tz)
        if event.room is not None and event.room != item.room:
            self.warn_once(
                ("room", item.room, event.room),
                f"{path}.room",
                f"the event says room {event.room!r} but is listed under {item.room!r}; using {item.room!r}",
            )
        title, cancelled = self._title(event.title, f"{path}.title")
        kind = self._kind(event.type, f"{path}.type")
        guid = self._guid(item, start, acronym)
        url = (event.url or "").strip()
        if url == f"urn:uuid:{guid}":
            url = ""
        track = self.text(event.track or "", f"{path}.track").strip()
        return DocTalk(
            guid=guid,
            title=title,
            start=start,
            duration=self._duration(event.duration, f"{path}.duration"),
            room=item.room,
            subtitle=self.text(event.subtitle or "", f"{path}.subtitle"),
            abstract=self.text(event.abstract or "", f"{path}.abstract"),
            description=self.text(event.description or "", f"{path}.description"),
            kind=kind,
            source_type=event.type or "",
            language=(event.language or "").strip(),
            track=track or None,
            persons=self._persons(event, path),
            links=self._links(event, path),
            url=url,
            slug=(event.slug or "").strip(),
            source_id="" if event.id is None else str(event.id),
            cancelled=cancelled,
        )

    def text(self, value: str, where: str) -> str:
        cleaned = _CONTROL.sub("", value)
        if cleaned != value:
            self.warn(where, "control characters removed")
        return cleaned

    def _start(self, item: _Listed, tz: ZoneInfo) -> datetime.datetime:
        event, path = item.event, item.path
        wall = self._wall_start(item, tz)
        if event.date is None:
            if wall is None:
                where = f"{path}.date" if event.start is None else f"{path}.start"
                raise ScheduleFormatError(where, "no date and no usable start (HH:MM): the event has no time")
            self._without_date.append(path)
            return wall
        if event.date.tzinfo is None:
            self.warn(f"{path}.date", f"no UTC offset; read as wall time in {tz.key}")
            instant = event.date.replace(tzinfo=tz)
        else:
            instant = event.date.astimezone(tz)
        if wall is not None and wall != instant.replace(second=0, microsecond=0):
            self.warn(
                f"{path}.start",
                f"start {event.start} on day {item.day.date} means {wall.isoformat()}, "
                f"but date says {instant.isoformat()}; using date",
            )
        return instant

    def _wall_start(self, item: _Listed, tz: ZoneInfo) -> datetime.datetime | None:
        """The day's date plus the event's ``start``, or None when it has no readable ``start``."""
        text = item.event.start
        if text is None:
            return None
        found = _CLOCK.fullmatch(text.strip())
        if found is None or int(found["h"]) > 23:
            self.warn(f"{item.path}.start", f"{text!r} is not HH:MM; ignored")
            return None
        clock = datetime.time(int(found["h"]), int(found["m"]))
        date = item.day.date
        if _after_midnight(item.day, clock, tz):
            date += datetime.timedelta(days=1)
        return datetime.datetime.combine(date, clock, tzinfo=tz)

    def _duration(self, value: str | None, where: str) -> datetime.timedelta:
        found = _DURATION.fullmatch(value.strip()) if value is not None else None
        if found is None:
            self.warn(where, f"{'missing' if value is None else repr(value) + ' is not HH:MM'}; using 30 minutes")
            return DEFAULT_DURATION
        return datetime.timedelta(hours=int(found["h"]), minutes=int(found["m"]), seconds=int(found["s"] or 0))

    def _title(self, value: str, where: str) -> tuple[str, bool]:
        title = self.text(value, where).strip()
        prefix = _CANCELLED.match(title)
        if prefix is None:
            return title, False
        self.warn(where, f"the title starts with {prefix[0].strip()!r}: read as a cancelled talk")
        return title[prefix.end() :].strip() or title, True

    def _kind(self, value: str | None, where: str) -> str:
        text = (value or "").strip()
        kind = kind_of(text)
        if kind is not None:
            return kind
        self.warn_once(
            ("type", text),
            where,
            f"unknown type {text!r}: read as a talk" if text else "no type: read as a talk",
        )
        return "talk"

    def _guid(self, item: _Listed, start: datetime.datetime, acronym: str) -> str:
        event = item.event
        raw = (event.guid or "").strip()
        if raw:
            try:
                return str(uuid.UUID(raw))
            except ValueError:
                derived = str(uuid.uuid5(NAMESPACE, raw))
                self.warn(f"{item.path}.guid", f"{raw!r} is not a UUID; using {derived}, derived from it")
                return derived
        self._without_guid.append(item.path)
        if event.id is not None and str(event.id).strip():
            key = str(event.id).strip()
        elif event.slug and event.slug.strip():
            key = event.slug.strip()
        else:
            key = f"{event.title}/{item.room}/{start.isoformat()}"
        return str(uuid.uuid5(NAMESPACE, f"{acronym}/{key}"))

    def _repeat_guid(self, item: _Listed, talk: DocTalk, used: set[str]) -> str:
        base = f"{talk.guid}/{talk.room}/{talk.start.isoformat()}"
        derived = str(uuid.uuid5(NAMESPACE, base))
        attempt = 1
        while derived in used:
            derived = str(uuid.uuid5(NAMESPACE, f"{base}/{attempt}"))
            attempt += 1
        self.warn(f"{item.path}.guid", f"guid {talk.guid} is already used by an earlier event; this one gets {derived}")
        return derived

    def _persons(self, event: Event, path: str) -> tuple[DocPerson, ...]:
        persons: list[DocPerson] = []
        for index, person in enumerate(event.persons):
            where = f"{path}.persons[{index}]"
            if isinstance(person, str):
                name, guid, biography = person, None, ""
            else:
                name = person.public_name or person.name or person.full_public_name or ""
                guid = _person_guid(person)
                biography = person.biography or ""
            name = self.text(name, f"{where}.name").strip()
            if not name:
                self.warn(where, "a person without a name; skipped")
                continue
            persons.append(DocPerson(name=name, guid=guid, biography=self.text(biography, f"{where}.biography")))
        return tuple(persons)

    def _links(self, event: Event, path: str) -> tuple[DocLink, ...]:
        links: list[DocLink] = []
        for index, link in enumerate(event.links):
            where = f"{path}.links[{index}]"
            if isinstance(link, str):
                url = title = link.strip()
            else:
                url = (link.url or "").strip()
                title = self.text(link.title or "", f"{where}.title").strip() or url
            if not url:
                self.warn(where, "a link without a URL; skipped")
                continue
            links.append(DocLink(title=title, url=url))
        return tuple(links)

    def _tracks(self, talks: list[DocTalk]) -> tuple[DocTrack, ...]:
        colors: dict[str, str] = {}
        for track in self.conference.tracks:
            if track.name and track.color and _COLOR.fullmatch(track.color.strip()):
                colors.setdefault(track.name.strip(), track.color.strip().lower())
        names = dict.fromkeys(talk.track for talk in talks if talk.track)
        return tuple(DocTrack(name=name, color=colors.get(name, "")) for name in names)

    def _day_change(self, listed: list[_Listed], talks: list[DocTalk], tz: ZoneInfo | None) -> datetime.time:
        """The earliest day change that keeps every event on the day the file lists it under."""
        if tz is None:
            return datetime.time(0, 0)
        earliest, latest = 0, 24 * 60  # in minutes: the day change lies in [earliest, latest]
        for item, talk in zip(listed, talks, strict=True):
            local = talk.start.astimezone(tz)
            minute = local.hour * 60 + local.minute
            if local.date() == item.day.date:
                latest = min(latest, minute)
            elif local.date() == item.day.date + datetime.timedelta(days=1):
                earliest = max(earliest, minute + 1)
        if earliest == 0:
            return datetime.time(0, 0)
        if earliest > latest or earliest >= 24 * 60:
            self.warn(
                f"{_CONFERENCE}.days",
                "no single day-change time puts every event on the day it is listed under; using 00:00",
            )
            return datetime.time(0, 0)
        starts = {day.day_start.astimezone(tz).time() for day in self.conference.days if day.day_start is not None}
        candidates = [math.ceil(earliest / 60) * 60, earliest]
        if len(starts) == 1:
            (common,) = starts
            candidates.insert(0, common.hour * 60 + common.minute)
        chosen = next(minute for minute in candidates if earliest <= minute <= latest and minute < 24 * 60)
        return datetime.time(chosen // 60, chosen % 60)

    def _summarise(self) -> None:
        if self._without_guid:
            self.warn(
                self._without_guid[0],
                f"{len(self._without_guid)} event(s) without a guid; each got one derived from "
                "the acronym and its id, slug or title/room/start",
            )
        if self._without_date:
            self.warn(
                self._without_date[0],
                f"{len(self._without_date)} event(s) without a date; their start comes from the day's date and start",
            )


def _after_midnight(day: Day, clock: datetime.time, tz: ZoneInfo) -> bool:
    """Whether a wall time listed under ``day`` falls on the next calendar date."""
    if day.day_start is None:
        return False
    if clock >= _local(day.day_start, tz).time():
        return False
    if day.day_end is not None:
        end = _local(day.day_end, tz)
        if end.date() > day.date and clock > end.time():
            return False
    return True


def _local(value: datetime.datetime, tz: ZoneInfo) -> datetime.datetime:
    return value.astimezone(tz) if value.tzinfo is not None else value.replace(tzinfo=tz)


def _person_guid(person: Person) -> str | None:
    for value in (person.guid, person.id, person.code):
        text = "" if value is None else str(value).strip()
        if text:
            try:
                return str(uuid.UUID(text))
            except ValueError:
                return text
    return None


def _fixed_zone(offset: datetime.timedelta) -> str | None:
    seconds = int(offset.total_seconds())
    if seconds % 3600:
        return None
    hours = seconds // 3600
    if hours == 0:
        return "Etc/UTC"
    name = f"Etc/GMT{-hours:+d}"  # POSIX sign: Etc/GMT-1 is one hour *ahead* of UTC
    try:
        zone(name)
    except UnknownTimeZoneError:
        return None
    return name


def _offset_text(offset: datetime.timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- render ---


def render(doc: ScheduleDocument) -> bytes:
    """``doc`` as a ``schedule.json`` that validates against the C3VOC schema (rules in the module docstring)."""
    tz = zone(doc.timezone) if doc.timezone else zone("UTC")
    acronym = _acronym(doc.acronym)
    talks = doc.talks
    guids = [_uuid_text(talk.guid) for talk in talks]
    ids = _event_ids(talks, guids)
    slugs = _event_slugs(talks, ids, acronym)
    day_of = [schedule_day(talk.start, tz, doc.day_change) for talk in talks]

    first = min([doc.start_date, *day_of])
    last = max([doc.end_date, *day_of])
    dates = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    room_names = list(dict.fromkeys([*doc.rooms, *(talk.room for talk in talks)]))
    grid: dict[datetime.date, dict[str, list[Event]]] = {date: {room: [] for room in room_names} for date in dates}
    for index in sorted(range(len(talks)), key=lambda index: (talks[index].start, index)):
        talk = talks[index]
        grid[day_of[index]][talk.room].append(_event(talk, guids[index], ids[index], slugs[index], tz))

    days = []
    for number, date in enumerate(dates, start=1):
        day_start, day_end = day_bounds(date, tz, doc.day_change)
        rooms = {room: msgspec.Raw(_ENCODER.encode(events)) for room, events in grid[date].items()}
        days.append(Day(index=number, date=date, day_start=day_start, day_end=day_end, rooms=rooms))

    conference = Conference(
        acronym=acronym,
        title=doc.title,
        start=doc.start_date.isoformat(),
        end=doc.end_date.isoformat(),
        daysCount=len(days),
        timeslot_duration=_timeslot(talks, tz),
        time_zone_name=doc.timezone if doc.timezone and _TIME_ZONE_NAME.search(doc.timezone) else None,
        url=doc.url or None,
        tracks=[Track(name=track.name, color=track.color or None) for track in doc.tracks],
        days=days,
    )
    document = C3vocDocument(schema=SCHEMA_URL, schedule=C3vocSchedule(version=doc.version, conference=conference))
    return _ENCODER.encode(document)


def _event(talk: DocTalk, guid: str, event_id: int, slug: str, tz: ZoneInfo) -> Event:
    local = talk.start.astimezone(tz)
    return Event(
        guid=guid,
        id=event_id,
        logo=None,
        date=local,
        start=f"{local:%H:%M}",
        duration=_clock(talk.duration),
        room=talk.room,
        slug=slug,
        url=talk.url or f"urn:uuid:{guid}",
        title=f"CANCELLED {talk.title}" if talk.cancelled else talk.title,
        subtitle=talk.subtitle,
        track=talk.track,
        type=_type_text(talk),
        language=talk.language,
        abstract=talk.abstract,
        description=talk.description,
        recording_license="",
        do_not_record=None,
        persons=[_person(person) for person in talk.persons],
        links=[Reference(url=link.url, title=link.title or None) for link in talk.links],
        attachments=[],
    )


def _person(person: DocPerson) -> Person:
    guid = code = None
    if person.guid:
        try:
            guid = str(uuid.UUID(person.guid))
        except ValueError:
            code = person.guid if _PERSON_CODE.fullmatch(person.guid) else None
    return Person(
        code=code,
        guid=guid,
        name=person.name,
        public_name=person.name,
        biography=person.biography or None,
    )


def _type_text(talk: DocTalk) -> str:
    if talk.source_type and (kind_of(talk.source_type) or "talk") == talk.kind:
        return talk.source_type
    return talk.kind


def _clock(duration: datetime.timedelta) -> str:
    minutes = max(0, round(duration.total_seconds() / 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timeslot(talks: tuple[DocTalk, ...], tz: ZoneInfo) -> str:
    """The largest grid (in minutes) that every start and duration sits on."""
    step = 0
    for talk in talks:
        local = talk.start.astimezone(tz)
        step = math.gcd(step, local.hour * 60 + local.minute, round(talk.duration.total_seconds() / 60))
    step = step or 15
    return f"{step // 60:02d}:{step % 60:02d}"


def _uuid_text(guid: str) -> str:
    try:
        return str(uuid.UUID(guid))
    except ValueError:
        return str(uuid.uuid5(NAMESPACE, guid))


def _acronym(acronym: str) -> str:
    if _ACRONYM.fullmatch(acronym):
        return acronym
    ascii_text = unicodedata.normalize("NFKD", acronym).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9_]+", "_", ascii_text).strip("_").ljust(4, "_")


def _event_ids(talks: tuple[DocTalk, ...], guids: list[str]) -> list[int]:
    ids: list[int | None] = [None] * len(talks)
    used: set[int] = set()
    for index, talk in enumerate(talks):
        if talk.source_id.isascii() and talk.source_id.isdigit():
            number = int(talk.source_id)
            if 1 <= number <= MAX_EVENT_ID and number not in used:
                ids[index] = number
                used.add(number)
    for index, guid in enumerate(guids):
        if ids[index] is None:
            number = uuid.UUID(guid).int % MAX_EVENT_ID + 1
            while number in used:
                number = number % MAX_EVENT_ID + 1
            ids[index] = number
            used.add(number)
    return [number for number in ids if number is not None]


def _event_slugs(talks: tuple[DocTalk, ...], ids: list[int], acronym: str) -> list[str]:
    slugs: list[str | None] = [None] * len(talks)
    used: set[str] = set()
    for index, talk in enumerate(talks):
        slug = talk.slug.lower()
        if _SLUG.fullmatch(slug) and slug not in used:
            slugs[index] = slug
            used.add(slug)
    for index, talk in enumerate(talks):
        if slugs[index] is None:
            words = unicodedata.normalize("NFKD", talk.title).encode("ascii", "ignore").decode("ascii").lower()
            words = re.sub(r"[^a-z0-9]+", "_", words).strip("_")[:60].strip("_")
            base = f"{acronym}-{ids[index]}" + (f"-{words}" if words else "")
            slug, attempt = base, 1
            while slug in used:
                attempt += 1
                slug = f"{base}-{attempt}"
            slugs[index] = slug
            used.add(slug)
    return [slug for slug in slugs if slug is not None]
