"""A ScheduleDocument as a frab ``schedule.xml`` that validates against the C3VOC XSD.

Pure: no database, no HTTP. The XSD is stricter than what frab itself writes (anchored patterns
for acronym and slug, unique ``@guid``, ``@id`` and ``<slug>``, offsets on every date-time), and
schedule apps and the C3VOC tooling reject a file that fails it, so whatever the document holds is
made to fit:

- Events are grouped into days by the document's day change in its zone (``UTC`` when it has
  none); every room is written in every day so the room order survives. Days span the document's
  start to end date plus any date a talk falls on (``common.export_days``). A day's ``@end`` is
  its last second, the inclusive end ``parse`` reads.
- ``@guid``, ``@id`` and the acronym follow the rules shared with C3VOC JSON
  (``common.export_guids``, ``export_ids``, ``schema_acronym``). ``<slug>`` is the talk's slug when
  it fits the XSD and is unused, else ``{acronym}-{id}-{title words}``, with ``_`` for any
  character the XSD refuses before the first ``-``.
- A cancelled talk's title is written with a ``CANCELLED`` prefix, which ``parse`` reads back.
- ``<type>`` is the source type when it still maps to the talk's kind, else the kind itself.
- Only ``http(s)`` URLs are written where the XSD asks for them (talk ``<url>``, recording,
  conference ``<url>``); the day change has no place in the XSD and is not written. Characters
  XML 1.0 cannot carry (control characters, lone surrogates) are dropped.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type hints; lxml-stubs is not a dependency

from service.core.time import UnknownTimeZoneError, day_bounds, zone
from service.interop.common import (
    ascii_words,
    canonical_guid,
    export_days,
    export_guids,
    export_ids,
    export_rooms,
    export_title,
    hex_color,
    is_uuid,
    schema_acronym,
    timeslot,
    type_text,
)
from service.interop.model import DocTalk, ScheduleDocument, ScheduleFormatError

_Element = Any
"""An lxml element (lxml has no type hints)."""

_SECOND = datetime.timedelta(seconds=1)
_SLUG = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")
_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HTTP = re.compile(r"https?://\S+")


def render(doc: ScheduleDocument) -> bytes:
    """A ``schedule.xml`` for ``doc`` that validates against the C3VOC schema (rules in the module docstring)."""
    zone_name = doc.timezone or "UTC"
    try:
        tz = zone(zone_name)
    except UnknownTimeZoneError as exc:
        raise ScheduleFormatError("timezone", str(exc)) from exc
    acronym = schema_acronym(doc.acronym)
    guids = export_guids(doc.talks)
    ids = export_ids(doc.talks, guids)
    slugs = _event_slugs(doc.talks, ids, acronym)
    day_dates, day_of = export_days(doc, tz)
    rooms = export_rooms(doc)

    root = etree.Element("schedule")
    etree.SubElement(root, "generator", {"name": "plenary"})
    _sub(root, "version", doc.version)
    _conference(root, doc, acronym, zone_name, tz, len(day_dates))
    for number, day_date in enumerate(day_dates, start=1):
        begin, end = day_bounds(day_date, tz, doc.day_change)
        day = _sub(
            root,
            "day",
            index=str(number),
            date=day_date.isoformat(),
            start=begin.isoformat(),
            end=(end - _SECOND).isoformat(),
        )
        talks_today = sorted(
            (i for i, talk_day in enumerate(day_of) if talk_day == day_date),
            key=lambda i: doc.talks[i].start.timestamp(),
        )
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


def _conference(root: _Element, doc: ScheduleDocument, acronym: str, zone_name: str, tz: ZoneInfo, days: int) -> None:
    conference = _sub(root, "conference")
    _sub(conference, "acronym", acronym)
    _sub(conference, "title", doc.title)
    _sub(conference, "start", doc.start_date.isoformat())
    _sub(conference, "end", doc.end_date.isoformat())
    _sub(conference, "days", str(days))
    _sub(conference, "timeslot_duration", timeslot(doc.talks, tz))
    if _HTTP.fullmatch(doc.url):
        _sub(conference, "url", doc.url)
    _sub(conference, "time_zone_name", zone_name)
    for track in doc.tracks:
        attributes = {"name": track.name}
        if hex_color(track.color):
            attributes["color"] = track.color
        _sub(conference, "track", track.name, **attributes)


def _hh_mm(value: datetime.timedelta) -> str:
    seconds = max(int(value.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _event_slugs(talks: Iterable[DocTalk], ids: list[int], acronym: str) -> list[str]:
    prefix = re.sub(r"[^a-z0-9_]", "_", acronym).ljust(4, "_")
    slugs: list[str] = []
    used: set[str] = set()
    for talk, event_id in zip(talks, ids, strict=True):
        slug = talk.slug
        if not _SLUG.fullmatch(slug) or slug in used:
            rest = f"{event_id}-{ascii_words(talk.title)}".strip("-").ljust(4, "_")
            slug = candidate = f"{prefix}-{rest}"
            counter = 1
            while slug in used:
                counter += 1
                slug = f"{candidate}_{counter}"
        used.add(slug)
        slugs.append(slug)
    return slugs


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
    _sub(event, "title", export_title(talk))
    _sub(event, "subtitle", talk.subtitle)
    _sub(event, "track", talk.track or "")
    _sub(event, "type", type_text(talk))
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
        elif person.guid and is_uuid(person.guid):
            attributes["guid"] = canonical_guid(person.guid)
        _sub(persons, "person", person.name, **attributes)
    links = _sub(event, "links")
    for link in talk.links:
        _sub(links, "link", link.title, href=link.url)
