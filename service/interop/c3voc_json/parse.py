"""Reading a classic C3VOC ``schedule.json`` into a ScheduleDocument: pure, no database, no HTTP.

frab and pretalx both write this file, each with its own habits (pretalx persons with ``code``,
frab persons with an integer ``id``, 36C3's bare-string links, days that "start" after some of
their events), and the schema leaves much optional. An organiser importing one wants the schedule,
so whatever the file leaves open is reported as an ``ImportWarning`` with its JSON path rather than
guessed silently, by the rules listed in the package docstring (``service.interop.c3voc_json``);
what cannot be read raises ``ScheduleFormatError(where, message)``. Decoding the bytes is
``wire``'s part; the rules both formats share are in ``service.interop.common``.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import msgspec

from service.core.time import UnknownTimeZoneError, zone
from service.interop.c3voc_json.days import after_midnight, day_change_of
from service.interop.c3voc_json.wire import EVENTS_DECODER, C3vocDocument, Day, Event, Person, decode, located
from service.interop.common import (
    DEFAULT_DURATION,
    canonical_guid,
    default_zone,
    derived_guid,
    event_guid,
    fixed_offset_zone,
    hex_color,
    is_uuid,
    kind_of,
    offset_text,
    parse_clock,
    parse_duration,
    repeat_guid,
    split_cancelled,
)
from service.interop.model import (
    DocLink,
    DocPerson,
    DocTalk,
    DocTrack,
    ImportWarning,
    ScheduleDocument,
    ScheduleFormatError,
)

_CONFERENCE = "$.schedule.conference"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ESCAPE = re.compile(rb"\\(?:u00[01]|u007[fF]|[bf])")
_NOT_CONTROL = bytes(byte for byte in range(256) if not _CONTROL.match(chr(byte)))


def parse(data: bytes, *, default_timezone: str | None = None) -> ScheduleDocument:
    """Read a classic ``schedule.json``. ``default_timezone`` (an IANA name) is used when the file
    names no real zone; an unknown name raises ``ScheduleFormatError`` at ``default_timezone``."""
    fallback = default_zone(default_timezone)
    return _Reader(decode(data), fallback, may_hold_controls=_may_hold_controls(data)).read()


def _may_hold_controls(data: bytes) -> bool:
    """Whether a decoded string of ``data`` can hold a control character: from an escape
    (``\\u0001``, ``\\b``) or a raw byte (JSON allows only DEL raw). Nearly every file has neither,
    and then no string needs scanning again; two passes over the bytes cost far less."""
    if data.translate(None, _NOT_CONTROL):
        return True
    return b"\\" in data and _CONTROL_ESCAPE.search(data) is not None


@dataclass(frozen=True, slots=True)
class _Listed:
    """An event where the file lists it."""

    day: Day
    room: str
    path: str
    event: Event


class _Reader:
    def __init__(self, document: C3vocDocument, fallback: ZoneInfo | None, *, may_hold_controls: bool) -> None:
        self.document = document
        self.may_hold_controls = may_hold_controls
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
                    events = EVENTS_DECODER.decode(raw)
                except msgspec.ValidationError as exc:
                    raise located(room_path, exc) from exc
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
        fixed = fixed_offset_zone(item.event.date.utcoffset() for item in listed if item.event.date is not None)
        if fixed is not None:
            name, offset = fixed
            self.warn(
                _CONFERENCE,
                f"no time zone given; every event date is at UTC{offset_text(offset)}, so it is read as {name}",
            )
            return name, zone(name)
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
        if not self.may_hold_controls:
            return value
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
        if wall is not None and wall.replace(second=0) != instant.replace(second=0, microsecond=0):
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
        clock = parse_clock(text)
        if clock is None:
            self.warn(f"{item.path}.start", f"{text!r} is not HH:MM; ignored")
            return None
        date = item.day.date
        if after_midnight(item.day, clock, tz):
            date += datetime.timedelta(days=1)
        return datetime.datetime.combine(date, clock, tzinfo=tz)

    def _duration(self, value: str | None, where: str) -> datetime.timedelta:
        duration = parse_duration(value) if value is not None else None
        if duration is None:
            self.warn(where, f"{'missing' if value is None else repr(value) + ' is not HH:MM'}; using 30 minutes")
            return DEFAULT_DURATION
        return duration

    def _title(self, value: str, where: str) -> tuple[str, bool]:
        title = self.text(value, where).strip()
        rest, prefix = split_cancelled(title)
        if prefix is None:
            return title, False
        self.warn(where, f"the title starts with {prefix!r}: read as a cancelled talk")
        return rest, True

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
            guid = event_guid(raw)
            if not is_uuid(raw):
                self.warn(f"{item.path}.guid", f"{raw!r} is not a UUID; using {guid}, derived from it")
            return guid
        self._without_guid.append(item.path)
        if event.id is not None and str(event.id).strip():
            key = str(event.id).strip()
        elif event.slug and event.slug.strip():
            key = event.slug.strip()
        else:
            key = f"{event.title}/{item.room}/{start.isoformat()}"
        return derived_guid(f"{acronym}/{key}")

    def _repeat_guid(self, item: _Listed, talk: DocTalk, used: set[str]) -> str:
        derived = repeat_guid(talk.guid, talk.room, talk.start, used)
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
            if track.name and track.color and (color := hex_color(track.color)):
                colors.setdefault(track.name.strip(), color)
        names = dict.fromkeys(talk.track for talk in talks if talk.track)
        return tuple(DocTrack(name=name, color=colors.get(name, "")) for name in names)

    def _day_change(self, listed: list[_Listed], talks: list[DocTalk], tz: ZoneInfo | None) -> datetime.time:
        if tz is None:
            return datetime.time(0, 0)
        placed = [(item.day.date, talk.start) for item, talk in zip(listed, talks, strict=True)]
        found = day_change_of(placed, [day.day_start for day in self.conference.days if day.day_start is not None], tz)
        if found is None:
            self.warn(
                f"{_CONFERENCE}.days",
                "no single day-change time puts every event on the day it is listed under; using 00:00",
            )
            return datetime.time(0, 0)
        return found

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


def _person_guid(person: Person) -> str | None:
    for value in (person.guid, person.id, person.code):
        text = "" if value is None else str(value).strip()
        if text:
            return canonical_guid(text)
    return None
