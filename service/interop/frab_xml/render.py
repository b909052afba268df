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

The file is written as text, not built as an lxml tree: building some sixteen elements per talk
was most of a cold export's CPU. The text is the bytes lxml's ``tostring(..., pretty_print=True)``
wrote for that tree (two spaces per level, ``<tag/>`` when empty, libxml2's escapes), so the
format did not change; ``tests/unit/interop/test_frab_xml_writer.py`` holds the writer to lxml's
serialisation.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

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
from service.interop.model import DocPerson, DocTalk, ScheduleDocument, ScheduleFormatError

_SECOND = datetime.timedelta(seconds=1)
_SLUG = re.compile(r"[a-z0-9_]{4,}-[a-z0-9\-_]{4,}")
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_UNSAFE_CHARS = re.compile(f"[{_UNSAFE}]")
_TEXT_WORK = re.compile(f"[&<>\r{_UNSAFE}]")
"""What text needs changed before it is written: a character to escape or to drop."""
_ATTRIBUTE_WORK = re.compile(f'[&<>"\t\n\r{_UNSAFE}]')
_HTTP = re.compile(r"https?://\S+")


def render(doc: ScheduleDocument) -> bytes:
    """A ``schedule.xml`` for ``doc`` that validates against the C3VOC schema (rules in the module docstring)."""
    zone_name = doc.timezone or "UTC"
    try:
        tz = zone(zone_name)
    except UnknownTimeZoneError as exc:
        raise ScheduleFormatError("timezone", str(exc)) from exc
    talks = doc.talks
    acronym = schema_acronym(doc.acronym)
    guids = export_guids(talks)
    ids = export_ids(talks, guids)
    slugs = _event_slugs(talks, ids, acronym)
    day_dates, day_of = export_days(doc, tz)
    rooms = export_rooms(doc)

    # Each (day, room)'s talks by start, in the document's order for equal starts.
    cells: dict[tuple[datetime.date, str], list[int]] = {}
    for index in sorted(range(len(talks)), key=lambda i: talks[i].start.timestamp()):
        cells.setdefault((day_of[index], talks[index].room), []).append(index)

    out = ["<?xml version='1.0' encoding='UTF-8'?>\n<schedule>\n", '  <generator name="plenary"/>\n']
    out.append(_leaf("  ", "version", doc.version))
    _conference(out, doc, acronym, zone_name, tz, len(day_dates))
    for number, day_date in enumerate(day_dates, start=1):
        begin, end = day_bounds(day_date, tz, doc.day_change)
        last = (end - _SECOND).isoformat()
        day = f'  <day index="{number}" date="{day_date.isoformat()}" start="{begin.isoformat()}" end="{last}"'
        if not rooms:
            out.append(f"{day}/>\n")
            continue
        out.append(f"{day}>\n")
        for room in rooms:
            indices = cells.get((day_date, room))
            if not indices:
                out.append(f'    <room name="{_attribute(room)}"/>\n')
                continue
            out.append(f'    <room name="{_attribute(room)}">\n')
            out.extend(_event(talks[i], tz, ids[i], guids[i], slugs[i]) for i in indices)
            out.append("    </room>\n")
        out.append("  </day>\n")
    out.append("</schedule>\n")
    return "".join(out).encode()


def _text(value: str) -> str:
    """``value`` as element text: without the characters XML 1.0 cannot carry (control characters,
    lone surrogates), escaped as libxml2 escapes text."""
    if _TEXT_WORK.search(value) is None:
        return value
    value = _UNSAFE_CHARS.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(value: str) -> str:
    """``value`` as a double-quoted attribute value, cleaned and escaped as libxml2 does."""
    if _ATTRIBUTE_WORK.search(value) is None:
        return value
    value = _UNSAFE_CHARS.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def _leaf(indent: str, tag: str, text: str, attributes: str = "") -> str:
    """An element without children on a line of its own; ``<tag/>`` for no text (text that is
    all dropped characters still makes ``<tag></tag>``, as lxml writes an empty text node)."""
    if not text:
        return f"{indent}<{tag}{attributes}/>\n"
    return f"{indent}<{tag}{attributes}>{_text(text)}</{tag}>\n"


def _conference(out: list[str], doc: ScheduleDocument, acronym: str, zone_name: str, tz: ZoneInfo, days: int) -> None:
    out.append("  <conference>\n")
    out.append(_leaf("    ", "acronym", acronym))
    out.append(_leaf("    ", "title", doc.title))
    out.append(f"    <start>{doc.start_date.isoformat()}</start>\n    <end>{doc.end_date.isoformat()}</end>\n")
    out.append(f"    <days>{days}</days>\n    <timeslot_duration>{timeslot(doc.talks, tz)}</timeslot_duration>\n")
    if _HTTP.fullmatch(doc.url):
        out.append(_leaf("    ", "url", doc.url))
    out.append(_leaf("    ", "time_zone_name", zone_name))
    for track in doc.tracks:
        attributes = f' name="{_attribute(track.name)}"'
        if hex_color(track.color):
            attributes += f' color="{_attribute(track.color)}"'
        out.append(_leaf("    ", "track", track.name, attributes))
    out.append("  </conference>\n")


@functools.lru_cache(maxsize=256)  # a schedule has a handful of lengths: each is formatted once
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


def _event(talk: DocTalk, tz: ZoneInfo, event_id: int, guid: str, slug: str) -> str:
    """One ``<event>`` at its depth in a room. ``guid`` (a canonical UUID), ``event_id`` and the
    times are written as they are: they hold nothing to escape."""
    local = talk.start.astimezone(tz)
    clock = f"{local.hour:02d}:{local.minute:02d}" + (f":{local.second:02d}" if local.second else "")
    parts = [
        f'      <event guid="{guid}" id="{event_id}">\n'
        f"        <date>{local.isoformat()}</date>\n"
        f"        <start>{clock}</start>\n"
        f"        <duration>{_hh_mm(talk.duration)}</duration>\n",
        _leaf("        ", "room", talk.room),
        f"        <slug>{_text(slug)}</slug>\n",
    ]
    if _HTTP.fullmatch(talk.url):
        parts.append(f"        <url>{_text(talk.url)}</url>\n")
    parts += (
        _leaf("        ", "title", export_title(talk)),
        _leaf("        ", "subtitle", talk.subtitle),
        _leaf("        ", "track", talk.track or ""),
        _leaf("        ", "type", type_text(talk)),
        _leaf("        ", "language", talk.language),
        _leaf("        ", "abstract", talk.abstract),
    )
    if talk.description:
        parts.append(_leaf("        ", "description", talk.description))
    if _HTTP.fullmatch(talk.recording_url):
        parts.append(
            "        <recording>\n          <license/>\n          <optout>false</optout>\n"
            f"          <url>{_text(talk.recording_url)}</url>\n        </recording>\n"
        )
    if talk.persons:
        parts.append("        <persons>\n")
        parts += (_leaf("          ", "person", person.name, _person_attributes(person)) for person in talk.persons)
        parts.append("        </persons>\n")
    else:
        parts.append("        <persons/>\n")
    if talk.links:
        parts.append("        <links>\n")
        parts += (_leaf("          ", "link", link.title, f' href="{_attribute(link.url)}"') for link in talk.links)
        parts.append("        </links>\n")
    else:
        parts.append("        <links/>\n")
    parts.append("      </event>\n")
    return "".join(parts)


def _person_attributes(person: DocPerson) -> str:
    """``id`` for a numeric person id, ``guid`` (canonical) for a UUID, else nothing."""
    if person.guid and person.guid.isascii() and person.guid.isdigit():
        return f' id="{person.guid}"'
    if person.guid and is_uuid(person.guid):
        return f' guid="{_attribute(canonical_guid(person.guid))}"'
    return ""
