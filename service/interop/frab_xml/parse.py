"""Reading a frab / Pentabarf ``schedule.xml`` into a ScheduleDocument: pure, no database, no HTTP.

The XSD (``schedule.xml.xsd``) describes what frab writes today; real exports are messier (Pentabarf
files without ``<date>``, LSWT's UTC-labelled local times, 36C3's days that end after midnight,
FOSDEM's biographies in a separate list), and an organiser importing one wants the schedule, not a
validation error. So where a file is unclear, ``parse`` follows one of the rules listed in the
package docstring (``service.interop.frab_xml``) and records an ``ImportWarning`` (``where`` is
``line N``; returned in line order) instead of failing or guessing silently. Only a file that
cannot be read at all raises ``ScheduleFormatError``; reading the bytes safely is ``safe_xml``'s
part. The rules both formats share (clock and duration syntax,
fixed zones, derived GUIDs, kinds, the cancellation prefix) are in ``service.interop.common``.

The root must be ``<schedule>`` and contain ``<conference>``. Unknown elements and attributes
(``<answers>``, ``<attachments>``, ``<logo>``...) are ignored. Text is taken with surrounding
whitespace removed; CDATA counts as text.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from service.core.time import UnknownTimeZoneError, schedule_day, zone
from service.interop.common import (
    DEFAULT_DURATION,
    default_zone,
    derived_guid,
    event_guid,
    fixed_offset_zone,
    hex_color,
    is_uuid,
    kind_of,
    offset_text,
    parse_clock,
    parse_date,
    parse_duration,
    repeat_guid,
    split_cancelled,
)
from service.interop.frab_xml import elements
from service.interop.frab_xml.elements import Day, Element, attr_of, parse_datetime, text_of
from service.interop.frab_xml.safe_xml import read_schedule_xml
from service.interop.model import (
    DocPerson,
    DocTalk,
    DocTrack,
    ImportWarning,
    ScheduleDocument,
    ScheduleFormatError,
)

_SECOND = datetime.timedelta(seconds=1)


def _first_children(element: Element) -> dict[object, Element]:
    """Each tag's first child, as ``element.find(tag)`` finds it, from one pass over the children:
    an event has a dozen fields, and each ``find`` would walk them again (most of a parse's time)."""
    found: dict[object, Element] = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


def _text(element: Element | None) -> str:
    """``text_of``; an element without children (nearly every one) has all its text in ``.text``,
    read directly rather than through ``itertext``, which costs as much as finding the element."""
    if element is not None and not len(element):
        return str(element.text or "").strip()
    return text_of(element)


def parse(data: bytes, *, default_timezone: str | None = None) -> ScheduleDocument:
    """Read a frab/Pentabarf ``schedule.xml``; see the package docstring for the rules."""
    default_zone(default_timezone)
    return _Reader(read_schedule_xml(data), default_timezone).document()


@dataclass
class _Reader:
    root: Element
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

    def warn(self, element: Element, message: str) -> None:
        self.warnings.append(ImportWarning(where=f"line {element.sourceline or 0}", message=message))

    def document(self) -> ScheduleDocument:
        conference = self.root.find("conference")
        if conference is None:
            raise ScheduleFormatError(f"line {self.root.sourceline}", "no <conference> element")
        title = text_of(conference.find("title"))
        self.acronym = self._acronym(conference, title)
        if not title:
            self.warn(conference, f"no conference title; using the acronym {self.acronym!r}")
        self.day_change = self._day_change(conference)
        self.tz_name = self._zone_name(conference)
        self.tz = zone(self.tz_name)
        self.biographies = {
            attr_of(person, "id"): text_of(person.find("biography"))
            for person in self.root.findall("persons/person")
            if attr_of(person, "id")
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
                room_name = attr_of(room_element, "name")
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
            venue=text_of(conference.find("venue")),
            city=text_of(conference.find("city")),
            url=text_of(conference.find("url")) or text_of(conference.find("base_url")),
            version=text_of(self.root.find("version")),
            rooms=tuple(rooms),
            tracks=tuple(DocTrack(name=name, color=color) for name, color in tracks.items()),
            talks=tuple(talks),
            warnings=tuple(sorted(self.warnings, key=lambda w: int(w.where.removeprefix("line ")))),
        )

    # -- conference

    def _acronym(self, conference: Element, title: str) -> str:
        element = conference.find("acronym")
        acronym = text_of(element)
        if acronym:
            return acronym
        derived = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "schedule"
        self.warn(element if element is not None else conference, f"no acronym; using {derived!r} from the title")
        return derived

    def _day_change(self, conference: Element) -> datetime.time:
        element = conference.find("day_change")
        text = text_of(element)
        if not text:
            return datetime.time(0, 0)
        value = parse_clock(text)
        if value is None:
            self.warn(element, f"day_change {text!r} is not HH:MM[:SS]; using 00:00")
            return datetime.time(0, 0)
        return value

    def _zone_name(self, conference: Element) -> str:
        element = conference.find("time_zone_name")
        named = text_of(element)
        if named:
            try:
                zone(named)
            except UnknownTimeZoneError:
                self.warn(element, f"time_zone_name {named!r} is not an IANA time zone name; ignored")
            else:
                return named
        if self.default_timezone is not None:
            return self.default_timezone
        dates = (parse_datetime(text_of(element)) for element in self.root.iterfind("day/room/event/date"))
        fixed = fixed_offset_zone(value.utcoffset() for value in dates if value is not None)
        if fixed is not None:
            name, offset = fixed
            self.warn(
                conference,
                f"no time zone given; every <date> has the UTC offset {offset_text(offset)}, so times are "
                f"read in {name}, which knows no daylight saving time; pass the real zone to be exact",
            )
            return name
        raise ScheduleFormatError("conference", "no time zone: pass one")

    def _declared_tracks(self, conference: Element) -> dict[str, str]:
        tracks: dict[str, str] = {}
        for element in [*conference.findall("track"), *self.root.findall("tracks/track")]:
            name = attr_of(element, "name") or text_of(element)
            if not name:
                continue
            if not tracks.get(name):
                tracks[name] = hex_color(attr_of(element, "color"))
        return tracks

    def _dates(
        self, conference: Element, day_dates: list[datetime.date], talks: list[DocTalk]
    ) -> tuple[datetime.date, datetime.date]:
        found: list[datetime.date | None] = []
        for tag in ("start", "end"):
            element = conference.find(tag)
            text = text_of(element)
            value = parse_date(text) if text else None
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

    def _day(self, element: Element) -> Day:
        start, end = parse_datetime(attr_of(element, "start")), parse_datetime(attr_of(element, "end"))
        if start is not None:
            begin = self._wall(start)
        else:
            date = parse_date(attr_of(element, "date"))
            if date is None:
                return Day(None)
            begin = datetime.datetime.combine(date, self.day_change)
        end_wall = self._wall(end) if end is not None else None
        if end_wall is None or end_wall <= begin:
            end_wall = begin + datetime.timedelta(days=1) - _SECOND
        return Day(begin, end_wall)

    def _wall(self, value: datetime.datetime) -> datetime.datetime:
        """Local wall-clock time (naive) in the file's zone; a naive value already is."""
        return value.astimezone(self.tz).replace(tzinfo=None) if value.tzinfo is not None else value

    def _talk(self, event: Element, day: Day, room_name: str) -> DocTalk | None:
        fields = _first_children(event)
        room = self._room(fields, room_name, event)
        start = self._start(event, fields, day)
        if start is None or not room:
            if not room:
                self.warn(event, "event has no room; skipped")
            return None
        title, cancelled = self._title(event, fields)
        source_type = _text(fields.get("type"))
        track = _text(fields.get("track")) or None
        source_id = attr_of(event, "id")
        slug = _text(fields.get("slug"))
        return DocTalk(
            guid=self._guid(event, source_id, slug, title, room, start),
            title=title,
            start=start,
            duration=self._duration(event, fields),
            room=room,
            subtitle=_text(fields.get("subtitle")),
            abstract=_text(fields.get("abstract")),
            description=_text(fields.get("description")),
            kind=self._kind(fields, source_type),
            source_type=source_type,
            language=_text(fields.get("language")),
            track=track,
            persons=self._persons(event),
            links=elements.links(event),
            url=_text(fields.get("url")),
            recording_url=elements.recording(event),
            slug=slug,
            source_id=source_id,
            cancelled=cancelled,
        )

    def _room(self, fields: dict[object, Element], room_name: str, event: Element) -> str:
        own = _text(fields.get("room"))
        if not room_name:
            return own
        if own and own != room_name and (own, room_name) not in self.seen_room_pairs:
            self.seen_room_pairs.add((own, room_name))
            self.warn(event, f"event <room> {own!r} differs from its enclosing room {room_name!r}; using the latter")
        return room_name

    def _start(self, event: Element, fields: dict[object, Element], day: Day) -> datetime.datetime | None:
        start_element, date_element = fields.get("start"), fields.get("date")
        start_text, date_text = _text(start_element), _text(date_element)
        clock = parse_clock(start_text) if start_text else None
        if start_text and clock is None:
            self.warn(start_element, f"<start> {start_text!r} is not HH:MM[:SS]; ignored")
        stamp = parse_datetime(date_text) if date_text else None
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

    def _duration(self, event: Element, fields: dict[object, Element]) -> datetime.timedelta:
        element = fields.get("duration")
        text = _text(element)
        value = parse_duration(text) if text else None
        if value is not None:
            return value
        minutes = int(DEFAULT_DURATION.total_seconds() // 60)
        if text:
            self.warn(element, f"<duration> {text!r} is not HH:MM[:SS]; using {minutes} minutes")
        else:
            self.warn(element if element is not None else event, f"no duration; using {minutes} minutes")
        return DEFAULT_DURATION

    def _title(self, event: Element, fields: dict[object, Element]) -> tuple[str, bool]:
        element = fields.get("title")
        title = _text(element)
        rest, prefix = split_cancelled(title)
        if prefix is None:
            if not title:
                self.warn(element if element is not None else event, "event has no title")
            return title, False
        self.warn(element, f"title {title!r} marks a cancelled talk; imported as cancelled {rest!r}")
        return rest, True

    def _guid(self, event: Element, source_id: str, slug: str, title: str, room: str, start: datetime.datetime) -> str:
        given = attr_of(event, "guid")
        if given:
            guid = event_guid(given)
            if not is_uuid(given):
                self.warn(event, f"guid {given!r} is not a UUID; using {guid}, derived from it")
        else:
            self.no_guid_lines.append(event.sourceline)
            if source_id:
                key = f"{self.acronym}/{source_id}"
            elif slug:
                key = f"{self.acronym}/{slug}"
            else:
                key = f"{self.acronym}/{title}/{room}/{start.isoformat()}"
            guid = derived_guid(key)
        if guid in self.seen_guids:
            guid = repeat_guid(guid, room, start, self.seen_guids)
            what = f"guid {given}" if given else f"event id {source_id}" if source_id else "the derived guid"
            self.warn(event, f"{what} repeats an earlier event; this one gets guid {guid}")
        self.seen_guids.add(guid)
        return guid

    def _kind(self, fields: dict[object, Element], source_type: str) -> str:
        if not source_type:
            return "talk"
        kind = kind_of(source_type)
        if kind is not None:
            return kind
        if source_type not in self.seen_types:
            self.seen_types.add(source_type)
            self.warn(fields["type"], f"unknown event type {source_type!r}; imported as a talk")
        return "talk"

    def _persons(self, event: Element) -> tuple[DocPerson, ...]:
        persons, split_lines = elements.persons(event, self.biographies)
        self.split_person_lines.extend(split_lines)
        return persons

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
